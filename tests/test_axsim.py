"""The Python package axsim against the installed axsim tool: the same report
as axsim run --json on a bundled network, compilation keys and hardware
parameters through set=, bad input as InputError, several runs in one
interpreter (each in its own process), and sweep rows a DataFrame can take.
Run by tests/python.sh after installing into a temporary prefix."""
import json
import os
import subprocess
import unittest

import axsim

SRC = os.environ["AXSIM_SRC"]
BIN = os.environ["AXSIM_TEST_BIN"]
TMP = os.environ["AXSIM_TMP"]
NET = os.path.join(SRC, "models/mobilenetv2/mobilenetv2.net.yaml")
MODEL = os.path.join(SRC, "models/mobilenetv2/mobilenetv2.yaml")
TINY = os.path.join(SRC, "models/tiny/tiny.net.yaml")
TINY_MODEL = os.path.join(SRC, "models/tiny/tiny.yaml")


def tool_json(net, model, *extra):
    out = os.path.join(TMP, "tool.json")
    subprocess.run([BIN, "run", net, "--config", model, "--quiet", "--json", out, *extra],
                   check=True)
    with open(out) as f:
        return json.load(f)


class TestAxsim(unittest.TestCase):
    def test_imported_from_the_prefix(self):
        self.assertTrue(axsim.__file__.startswith(TMP), axsim.__file__)
        tool = subprocess.run([BIN, "--version"], check=True, capture_output=True, text=True)
        self.assertEqual("axsim " + axsim.version() + "\n", tool.stdout)

    def test_same_report_as_the_tool(self):
        # a bundled network, compiled by the installed tool as a user would
        elf = os.path.join(TMP, "mobilenetv2.elf")
        subprocess.run([BIN, "compile", NET, "-o", elf], check=True)
        want = tool_json(elf, MODEL)
        got = axsim.run(elf, config=MODEL)
        self.assertEqual(got, want)
        self.assertGreater(got["totals"]["latency_cycles"], 0)
        # and again in the same interpreter: SystemC runs in a child each time
        got = axsim.run(elf, config=MODEL, inferences=1)
        self.assertEqual(got, tool_json(elf, MODEL, "--inferences", "1"))

    def test_set_takes_both_kinds_of_key(self):
        got = axsim.run(TINY, config=TINY_MODEL, set={"l2.size": "4MiB", "tiling_depth": 2,
                                                      "page_memory": False})
        want = tool_json(TINY, TINY_MODEL, "--set", "l2.size=4MiB", "--set-cc", "tiling_depth=2",
                         "--set-cc", "page_memory=false")
        self.assertEqual(got, want)
        self.assertEqual(got["config"]["tiling_depth"], 2)
        self.assertEqual(got["arch"]["l2.size"], 4 << 20)
        text = axsim.run_text(TINY, config=TINY_MODEL)
        self.assertIn("latency", text)

    def test_pipeline(self):
        cascade = os.path.join(SRC, "models/pipelines/yolov5s-mobilenetv2.yaml")
        det = os.path.join(SRC, "models/yolov5s/yolov5s.net.yaml")
        nets = {"yolov5s-v7-coco-onnx": det, "mobilenetv2-imagenet-onnx": NET}
        got = axsim.run(None, config=cascade, nets=nets, rois={"mobilenetv2-imagenet-onnx": 3})
        out = os.path.join(TMP, "pipeline.json")
        subprocess.run([BIN, "run", "--config", cascade, "--net", "yolov5s-v7-coco-onnx=" + det,
                        "--net", "mobilenetv2-imagenet-onnx=" + NET, "--rois",
                        "mobilenetv2-imagenet-onnx=3", "--quiet", "--json", out], check=True)
        with open(out) as f:
            self.assertEqual(got, json.load(f))
        self.assertEqual([m["runs_per_frame"] for m in got["pipeline"]["models"]], [1, 3])

    def test_compare(self):
        a = axsim.run(TINY, config=TINY_MODEL)
        b = axsim.run(TINY, config=TINY_MODEL, set={"tiling_depth": 2, "ddr.data_rate": "1600MT/s"})
        c = axsim.compare(b, a, tolerance="1%")
        bpath, apath = os.path.join(TMP, "b.json"), os.path.join(TMP, "a.json")
        for rep, path in ((a, apath), (b, bpath)):
            with open(path, "w") as f:
                json.dump(rep, f)
        tool = subprocess.run([BIN, "compare", bpath, apath, "--tolerance", "1%"], capture_output=True,
                              text=True)
        self.assertEqual(c["regressed"], tool.stdout.count("REGRESSED"))
        self.assertEqual(tool.returncode, 1 if c["regressed"] else 0)
        self.assertIn("config.tiling_depth", [d["path"] for d in c["inputs_differ"]])
        same = axsim.compare(apath, a)
        self.assertEqual(same["regressed"], 0)
        self.assertEqual({m["verdict"] for m in same["metrics"]}, {"same"})
        with self.assertRaises(axsim.InputError) as cm:
            axsim.compare(a, a, metrics=["totals.fpx"])
        self.assertIn("did you mean 'totals.fps'", str(cm.exception))

    def test_bad_input(self):
        with self.assertRaises(axsim.InputError) as cm:
            axsim.run(TINY, config=TINY_MODEL, set={"tiling_depth": 0})
        self.assertIn("tiling_depth: '0' is out of range", str(cm.exception))
        with self.assertRaises(axsim.InputError) as cm:
            axsim.run(os.path.join(TMP, "missing.elf"))
        self.assertIn("missing.elf", str(cm.exception))
        with self.assertRaises(axsim.InputError):
            axsim.run(TINY, inferences=65)
        with self.assertRaises(ValueError):
            axsim.sweep(TINY, axes={})

    def test_sweep_rows(self):
        out = os.path.join(TMP, "sweep-points")
        rows = axsim.sweep(TINY, config=TINY_MODEL, jobs=2, out=out,
                           axes={"tiling_depth": [2, 1], "l2.size": ["8MiB", "32MiB"],
                                 "aipu_cores": "1,8"})
        self.assertEqual(len(rows), 8)
        # the sweep's order: values sorted, the last axis fastest, base units
        self.assertEqual([(r["tiling_depth"], r["l2.size"], r["aipu_cores"]) for r in rows],
                         [(t, l, c) for t in (1, 2) for l in (8 << 20, 32 << 20) for c in (1, 8)])
        for r in rows:
            for v in r.values():  # flat: one column per key
                self.assertIsInstance(v, (int, float, str, bool, type(None)))
        ok = [r for r in rows if r["status"] == "ok"]
        self.assertEqual(len(ok), 4)
        self.assertEqual(sum(r["best"] for r in rows), 1)
        one = axsim.run(TINY, config=TINY_MODEL, set={"tiling_depth": 2, "l2.size": "8MiB", "aipu_cores": 1})
        self.assertEqual(rows[4]["latency_cycles"], one["totals"]["latency_cycles"])
        # 8 cores on a 4-core chip: that point fails, with the message axsim run gives
        self.assertEqual(rows[5]["status"], "error")
        self.assertIn("aipu_cores", rows[5]["error"])
        self.assertIsNone(rows[5]["fps"])
        # the same rows as the tool's sweep JSON of the same sweep
        tool = os.path.join(TMP, "sweep.json")
        subprocess.run([BIN, "sweep", TINY, "--config", TINY_MODEL, "--tiling-depth", "1,2",
                        "--set", "l2.size=8MiB,32MiB", "--set", "aipu_cores=1,8", "--jobs", "2",
                        "--out", os.path.join(TMP, "sweep-tool"), "--json", tool],
                       capture_output=True, check=False)
        with open(tool) as f:
            points = json.load(f)["points"]
        self.assertEqual([p["latency_cycles"] for p in points], [r["latency_cycles"] for r in rows])
        # resume: the points are kept, the rows the same
        self.assertEqual(axsim.sweep(TINY, config=TINY_MODEL, out=out, resume=True,
                                     axes={"tiling_depth": [2, 1], "l2.size": ["8MiB", "32MiB"],
                                           "aipu_cores": "1,8"}), rows)
        with self.assertRaises(axsim.InputError) as e:
            axsim.sweep(TINY, config=TINY_MODEL, axes={"tiling_depth": [1, 0]})
        self.assertIn("tiling_depth", str(e.exception))
        try:
            import pandas
        except ImportError:
            return
        df = pandas.DataFrame(rows)
        self.assertEqual(list(df["tiling_depth"]), [1, 1, 1, 1, 2, 2, 2, 2])


if __name__ == "__main__":
    unittest.main()
