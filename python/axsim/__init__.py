"""axsim: the cycle-approximate simulator of the Axelera Metis AI chip, from Python.

    import axsim
    r = axsim.run("yolov5s.elf", config="models/yolov5s/yolov5s.yaml",
                  set={"l2.size": "16MiB", "tiling_depth": 2})
    r["totals"]["latency_cycles"], r["totals"]["fps"]

    rows = axsim.sweep("yolov5s.elf", config="models/yolov5s/yolov5s.yaml",
                       axes={"tiling_depth": [1, 2, 4], "page_memory": [True, False]}, jobs=2)
    pandas.DataFrame(rows)      # one row per point, the columns of the sweep JSON

run() returns the JSON report of `axsim run --json` (docs/report-format.md) as
dicts and lists.  Every simulation runs in a child process of its own, because
SystemC cannot restart one; the package calls libaxsim (axsim.h) through ctypes
in that child.
"""
import json
import os
import subprocess
import sys
import tempfile

__all__ = ["run", "run_text", "sweep", "compare", "version", "Error", "InputError", "SimulationError"]

_PKG_PARENT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# axsim.h's enum axsim_status (also in axsim._lib, which only the worker imports)
_OK, _EINPUT, _ESIM = 0, 1, 2


class Error(Exception):
    """A simulation could not be run; .messages holds libaxsim's messages, one per line."""

    def __init__(self, messages):
        super().__init__(messages.rstrip("\n"))
        self.messages = messages


class InputError(Error, ValueError):
    """Bad input: a file, key or value of the run (axsim exits 2 on it)."""


class SimulationError(Error):
    """The simulation itself failed (axsim exits 1 on it)."""


def _value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _request(net, config, arch, set, inferences, model, board, nets=None, rois=None):
    if net is None and not nets:
        raise InputError("no network to run; expected an ELF or a network description\n")
    items = list(set.items()) if isinstance(set, dict) else list(set or [])
    sets = []
    for item in items:
        if isinstance(item, str):
            sets.append(item)
        else:
            k, v = item
            sets.append("%s=%s" % (k, _value(v)))
    return {"net": None if net is None else os.fspath(net),
            "nets": [[m, os.fspath(p)] for m, p in dict(nets or {}).items()],
            "rois": [[m, int(n)] for m, n in dict(rois or {}).items()],
            "config": None if config is None else os.fspath(config),
            "arch": None if arch is None else os.fspath(arch),
            "model": model, "board": board, "set": sets,
            "inferences": 0 if inferences is None else int(inferences)}


def _start(req):
    code = ("import sys; sys.path.insert(0, %r); from axsim import _worker; _worker.main(sys.argv[1])"
            % _PKG_PARENT)
    return subprocess.Popen([sys.executable, "-c", code, json.dumps(req)], stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _finish(p):
    out, err = p.communicate()
    try:
        return json.loads(out)
    except ValueError:
        raise SimulationError("the simulation process ended with status %d: %s\n"
                              % (p.returncode, err.decode(errors="replace").strip() or "no output"))


def _check(res):
    if res["status"] == _OK:
        return res
    cls = SimulationError if res["status"] == _ESIM else InputError
    raise cls(res["errors"] or "axsim failed with status %d\n" % res["status"])


def run(net, config=None, arch=None, set=None, inferences=None, model=None, board=None, nets=None,
        rois=None):
    """Simulates net (an ELF written by `axsim compile`/`axsim import`, or a
    network description) and returns its report as `axsim run --json` writes it.

    config: the model YAML (None: the SDK's default compilation configuration);
    model, board: its models: entry and pcie/m2 section.  arch: a hardware
    description file (None: the built-in one).  set: {KEY: VALUE} or
    ["KEY=VALUE"], hardware parameters and compilation keys alike, applied after
    the files.  inferences: back-to-back inferences per copy (None: 2, giving the
    steady-state throughput).  nets: {MODEL: NET} in stage order, with net None,
    runs those models of config at once, each on its own cores (a pipeline,
    docs/timing-model.md "Pipelines of models"); rois: {MODEL: N}, a later
    stage's runs per frame.  Raises InputError for bad input and
    SimulationError when the simulation fails."""
    return json.loads(_check(_finish(_start(_request(net, config, arch, set, inferences,
                                                     model, board, nets, rois))))["report"])


def run_text(net, config=None, arch=None, set=None, inferences=None, model=None, board=None,
             nets=None, rois=None):
    """As run(), but returns the text report that `axsim run` prints."""
    return _check(_finish(_start(_request(net, config, arch, set, inferences, model,
                                          board, nets, rois))))["text"]


def _axis_list(key, values):
    """An axis's values as libaxsim takes them: "1-8" as given, [1, 2, 4] comma-joined."""
    if isinstance(values, str):
        return values
    if isinstance(values, bytes) or not list(values):
        raise InputError("axis '%s': expected a non-empty list of values or a LIST such as 1-8\n"
                         % key)
    return ",".join(_value(v) for v in values)


def sweep(net, axes, config=None, arch=None, set=None, inferences=None, model=None, board=None,
          jobs=1, out=None, resume=False, objective=None, nets=None, rois=None):
    """Simulates every combination of axes ({KEY: [VALUE, ...]} or {KEY:
    "1-8,16"}, hardware parameters or compilation keys) on top of set, as
    `axsim sweep` does (docs/sweeps.md): values checked before any point runs
    and sorted, up to jobs points at once, each in a process of its own.
    Returns one dict per point in the sweep's order: the axes' values (as the
    sweep JSON writes them: hardware parameters in their base unit), then the
    fields of the sweep JSON's points (status "ok", "error" or "failed";
    error; the figures, such as latency_us, latency_cycles, fps,
    imc_utilization, ddr_bytes, ddr_bytes_per_inference, l2_bytes,
    energy_per_inference_j, power_w, fps_per_w; best, configured and pareto
    by objective: "latency", "fps" or "ddr").  pandas.DataFrame(rows) makes
    the table.  The point files go to out (None: a temporary directory,
    removed afterwards); resume keeps the points out already holds.  A point
    that fails is a row with its error; bad input raises InputError."""
    if not axes:
        raise InputError("no axes to sweep; expected {KEY: [VALUE, ...]}\n")
    req = _request(net, config, arch, set, inferences, model, board, nets, rois)
    req.update({"sweep": True, "axes": [[k, _axis_list(k, v)] for k, v in axes.items()],
                "jobs": max(1, int(jobs)), "resume": bool(resume), "objective": objective})
    with tempfile.TemporaryDirectory(prefix="axsim-sweep-") as tmp:
        req["dir"] = os.fspath(out) if out is not None else os.path.join(tmp, "points")
        res = json.loads(_check(_finish(_start(req)))["sweep"])
    rows = []
    for point in res["points"]:
        row = dict(point["values"])
        row.update((k, v) for k, v in point.items() if k not in ("values", "file"))
        rows.append(row)
    return rows


def compare(base, new, metrics=None, tolerance=None, force=False):
    """Compares two runs as `axsim compare` does (docs/regression.md).  base and
    new are reports: what run() returned, or paths of `axsim run --json` files.
    metrics: metric paths ("totals.fps", "memory.ddr.read_bytes+write_bytes";
    None: the defaults).  tolerance: "2%", or a list of "[METRIC=]PCT".  Returns
    a dict: "metrics" (each with base, new, tolerance and verdict),
    "inputs_differ", "layers" and "regressed" (metrics worse than their
    tolerance allows).  Raises InputError for bad input."""
    if isinstance(tolerance, str):
        tolerance = [tolerance]
    with tempfile.TemporaryDirectory(prefix="axsim-compare-") as tmp:
        paths = []
        for name, rep in (("base", base), ("new", new)):
            if isinstance(rep, dict):
                path = os.path.join(tmp, name + ".json")
                with open(path, "w") as f:
                    json.dump(rep, f)
                paths.append(path)
            else:
                paths.append(os.fspath(rep))
        req = {"compare": {"base": paths[0], "new": paths[1],
                           "metrics": None if metrics is None else list(metrics),
                           "tolerances": None if tolerance is None else list(tolerance),
                           "force": bool(force)}}
        return json.loads(_check(_finish(_start(req)))["comparison"])


def version():
    """libaxsim's version, "MAJOR.MINOR.PATCH"."""
    return _check(_finish(_start({"version": True})))["version"]
