#!/usr/bin/env python3
"""Parameters and MACs of network descriptions (docs/network-format.md, "Derived figures").

Usage:  python3 scripts/net-stats.py [-v] [--check] [FILE.net.yaml ...]

Without files it reads every models/*/*.net.yaml of the repository.  -v prints one line per
layer (shape, params, MACs).  --check compares the bundled networks with the published sizes
(the published figures of the chip maker's model zoo, copied below) and fails if a total is off by more than 2%.

Standard library only.  The parser reads the subset of YAML that scripts/gen-models.py
emits (and that hand-written files in the same style use): top-level `key: scalar`,
`key: [flow list]`, and block lists of flow mappings (`  - {name: x, op: conv, ...}`),
with `#` comments.  Shapes are inferred with the rules of the format so that the MACs of a
convolution, H' W' out kh kw (C / groups), and of a dense layer, in x out, can be counted;
parameters are kh kw (C / groups) out weights plus `out` biases when bias is true.
"""

import argparse
import glob
import os
import re
import sys

# Published sizes: (params, MACs), calibration.md "Network sizes".
REFERENCE = {
    "resnet50.net.yaml": ("ResNet-50 v1.5, 224", 25.56e6, 4.09e9),
    "mobilenetv2.net.yaml": ("MobileNetV2 1.0, 224", 3.50e6, 0.30e9),
    "yolov5s.net.yaml": ("YOLOv5s v7, 640", 7.23e6, 8.25e9),
    # the calibration corpus's generated networks (gen-models.py --corpus), sections 2 and 4:
    # ultralytics' 21.2 M / 49.0 GFLOPs and 11.2 M / 28.6 GFLOPs (GFLOPs = 2 x MACs)
    "yolov5m.net.yaml": ("YOLOv5m v7, 640", 21.2e6, 24.5e9),
    "yolov8s.net.yaml": ("YOLOv8s, 640", 11.2e6, 14.3e9),
    # held-out sizes (ultralytics: YOLOv5n 1.9 M / 4.5 GFLOPs, YOLOv5l 46.5 M / 109.1,
    # YOLOv8n 3.2 M / 8.7, YOLOv8m 25.9 M / 78.9, YOLOv8l 43.7 M / 165.2)
    "yolov5n.net.yaml": ("YOLOv5n v7, 640", 1.9e6, 2.25e9),
    "yolov5l.net.yaml": ("YOLOv5l v7, 640", 46.5e6, 54.55e9),
    "yolov8n.net.yaml": ("YOLOv8n, 640", 3.2e6, 4.35e9),
    "yolov8m.net.yaml": ("YOLOv8m, 640", 25.9e6, 39.45e9),
    "yolov8l.net.yaml": ("YOLOv8l, 640", 43.7e6, 82.6e9),
}
TOLERANCE = 0.02


class ParseError(Exception):
    pass


# --- a tiny YAML-subset parser ------------------------------------------------------------
class Flow:
    """Recursive-descent parser for one flow value: {k: v, ...}, [a, b], or a plain scalar."""

    def __init__(self, text, where):
        self.s = text
        self.i = 0
        self.where = where

    def err(self, msg):
        raise ParseError("%s:%d: %s" % (self.where, self.i + 1, msg))

    def ws(self):
        while self.i < len(self.s) and self.s[self.i] in " \t":
            self.i += 1

    def value(self):
        self.ws()
        if self.i >= len(self.s):
            self.err("value expected")
        c = self.s[self.i]
        if c == "{":
            return self.mapping()
        if c == "[":
            return self.sequence()
        return self.scalar(",]}")

    def mapping(self):
        self.i += 1
        out = {}
        self.ws()
        if self.s[self.i:self.i + 1] == "}":
            self.i += 1
            return out
        while True:
            self.ws()
            key = self.scalar(":")
            if self.s[self.i:self.i + 1] != ":":
                self.err("':' expected after key %r" % key)
            self.i += 1
            if key in out:
                self.err("duplicate key %r" % key)
            out[key] = self.value()
            self.ws()
            c = self.s[self.i:self.i + 1]
            self.i += 1
            if c == "}":
                return out
            if c != ",":
                self.err("',' or '}' expected")

    def sequence(self):
        self.i += 1
        out = []
        self.ws()
        if self.s[self.i:self.i + 1] == "]":
            self.i += 1
            return out
        while True:
            out.append(self.value())
            self.ws()
            c = self.s[self.i:self.i + 1]
            self.i += 1
            if c == "]":
                return out
            if c != ",":
                self.err("',' or ']' expected")

    def scalar(self, stops):
        j = self.i
        while j < len(self.s) and self.s[j] not in stops:
            # a ':' only ends a key when followed by a space (YAML plain-scalar rule)
            if self.s[j] == ":" and ":" in stops and j + 1 < len(self.s) and self.s[j + 1] != " ":
                j += 1
                continue
            j += 1
        tok = self.s[self.i:j].strip()
        self.i = j
        if not tok:
            self.err("empty value")
        return convert(tok)


def convert(tok):
    if len(tok) >= 2 and tok[0] == tok[-1] and tok[0] in "'\"":
        return tok[1:-1]
    if tok in ("true", "True"):
        return True
    if tok in ("false", "False"):
        return False
    if re.fullmatch(r"[-+]?\d+", tok):
        return int(tok)
    if re.fullmatch(r"[-+]?(\d+\.\d*|\.\d+|\d+)([eE][-+]?\d+)?", tok):
        return float(tok)
    return tok


def strip_comment(line):
    depth_quote = None
    for i, c in enumerate(line):
        if depth_quote:
            if c == depth_quote:
                depth_quote = None
        elif c in "'\"":
            depth_quote = c
        elif c == "#" and (i == 0 or line[i - 1] in " \t"):
            return line[:i].rstrip()
    return line.rstrip()


def parse(path):
    doc = {}
    current = None
    with open(path) as f:
        for no, raw in enumerate(f, 1):
            line = strip_comment(raw)
            if not line.strip():
                continue
            where = "%s:%d" % (path, no)
            if not line[0].isspace():
                m = re.match(r"([A-Za-z_][\w-]*):\s*(.*)$", line)
                if not m:
                    raise ParseError("%s: 'key: value' expected" % where)
                key, rest = m.group(1), m.group(2)
                if rest:
                    p = Flow(rest, where)
                    doc[key] = p.value()
                    current = None
                else:
                    doc[key] = []
                    current = key
            else:
                m = re.match(r"\s+-\s+(.*)$", line)
                if not m or current is None:
                    raise ParseError("%s: list item expected under a 'key:' line" % where)
                p = Flow(m.group(1), where)
                doc[current].append(p.value())
    return doc


# --- shape inference and counting ---------------------------------------------------------
def pair(v, what):
    if isinstance(v, list):
        if len(v) != 2:
            raise ValueError("%s: expected one value or two" % what)
        return v[0], v[1]
    return v, v


def pads(v, kh, kw, sh, sw, dh, dw, h, w):
    """(top, left, bottom, right)"""
    if v == "same":
        def same(n, k, s, d):
            o = -(-n // s)
            tot = max((o - 1) * s + d * (k - 1) + 1 - n, 0)
            return tot // 2, tot - tot // 2
        t, b = same(h, kh, sh, dh)
        l, r = same(w, kw, sw, dw)
        return t, l, b, r
    if isinstance(v, list) and len(v) == 4:
        return tuple(v)
    ph, pw = pair(v, "pad")
    return ph, pw, ph, pw


def window(layer, shape, default_stride_is_kernel):
    h, w, c = shape
    kh, kw = pair(layer["kernel"], "kernel")
    if default_stride_is_kernel:
        sh, sw = pair(layer.get("stride", layer["kernel"]), "stride")
    else:
        sh, sw = pair(layer.get("stride", 1), "stride")
    dh, dw = pair(layer.get("dilation", 1), "dilation")
    t, l, b, r = pads(layer.get("pad", 0), kh, kw, sh, sw, dh, dw, h, w)
    ho = (h + t + b - dh * (kh - 1) - 1) // sh + 1
    wo = (w + l + r - dw * (kw - 1) - 1) // sw + 1
    if ho < 1 or wo < 1:
        raise ValueError("output would be empty")
    return ho, wo, kh, kw


ALIASES = {"fc": "dense", "matmul": "dense", "gap": "global_avgpool", "upsample": "resize"}


def analyse(doc):
    """Return (rows, outputs): one row per layer: name, op, shape, params, macs."""
    shapes = {}
    for inp in doc.get("inputs", []):
        shapes[inp["name"]] = tuple(inp["shape"])
    order = list(shapes)
    prev = order[0] if len(order) == 1 else None
    consumed = set()
    rows = []
    for layer in doc["layers"]:
        name = layer["name"]
        op = ALIASES.get(layer["op"], layer["op"])
        src = layer.get("in", prev)
        if src is None:
            raise ValueError("layer %r: no input" % name)
        srcs = src if isinstance(src, list) else [src]
        for s in srcs:
            if s not in shapes:
                raise ValueError("layer %r: input %r not defined before this layer" % (name, s))
        consumed.update(srcs)
        ins = [shapes[s] for s in srcs]
        h, w, c = ins[0]
        params = macs = 0
        bias = layer.get("bias", True)
        if op == "conv":
            g = layer.get("groups", 1)
            if g == "depthwise":
                g = c
                out = layer.get("out", c)
            else:
                out = layer["out"]
            if c % g or out % g:
                raise ValueError("layer %r: groups %d does not divide %d and %d" % (name, g, c, out))
            ho, wo, kh, kw = window(layer, ins[0], False)
            params = kh * kw * (c // g) * out + (out if bias else 0)
            macs = ho * wo * out * kh * kw * (c // g)
            shape = (ho, wo, out)
        elif op == "dense":
            n_in = h * w * c
            out = layer["out"]
            params = n_in * out + (out if bias else 0)
            macs = n_in * out
            shape = (1, 1, out)
        elif op in ("maxpool", "avgpool"):
            ho, wo, _, _ = window(layer, ins[0], True)
            shape = (ho, wo, c)
        elif op == "global_avgpool":
            shape = (1, 1, c)
        elif op in ("add", "mul"):
            if len(ins) < 2:
                raise ValueError("layer %r: %s needs two or more inputs" % (name, op))
            for s in ins[1:]:
                if s != ins[0] and not (op == "mul" and s == (1, 1, c)):
                    raise ValueError("layer %r: inputs have shapes %s and %s" % (name, ins[0], s))
            shape = ins[0]
        elif op == "concat":
            if not 2 <= len(ins) <= 8 or any(s[:2] != (h, w) for s in ins):
                raise ValueError("layer %r: concat needs 2-8 inputs of equal H and W" % name)
            shape = (h, w, sum(s[2] for s in ins))
        elif op == "slice":
            shape = (h, w, layer["end"] - layer["start"])
        elif op == "split":
            if sum(layer["sizes"]) != c:
                raise ValueError("layer %r: sizes do not add up to %d" % (name, c))
            for i, size in enumerate(layer["sizes"]):
                shapes["%s/%d" % (name, i)] = (h, w, size)
            shape = None
        elif op == "resize":
            s = layer["scale"]
            shape = (h * s, w * s, c)
        elif op in ("act", "softmax"):
            shape = ins[0]
        elif op == "dyn_matmul":
            # the product of two activations: no parameters (its run-time
            # weights are activations); MACs H W (C / heads) out
            heads, out = layer.get("heads", 1), layer["out"]
            macs = h * w * (c // heads) * out
            shape = (h, w, out)
        else:
            raise ValueError("layer %r: unknown op %r" % (name, layer["op"]))
        if shape is not None:
            shapes[name] = shape
        rows.append((name, layer["op"], shape, params, macs))
        prev = name
    outputs = doc.get("outputs")
    if not outputs:
        outputs = [r[0] for r in rows if r[0] not in consumed and r[2] is not None]
    return rows, outputs, shapes


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("files", nargs="*")
    ap.add_argument("-v", "--verbose", action="store_true", help="one line per layer")
    ap.add_argument("--check", action="store_true",
                    help="fail if a bundled network is more than 2%% off its published size")
    args = ap.parse_args()
    files = args.files or sorted(glob.glob(os.path.join(root, "models", "*", "*.net.yaml")))
    bad = 0
    print("%-28s %6s %14s %16s  %s" % ("network", "layers", "params", "MACs", "vs published"))
    for path in files:
        try:
            doc = parse(path)
            rows, outputs, shapes = analyse(doc)
        except (ParseError, ValueError, KeyError) as e:
            print("%s: %s" % (path, e), file=sys.stderr)
            bad += 1
            continue
        params = sum(r[3] for r in rows)
        macs = sum(r[4] for r in rows)
        note = ""
        ref = REFERENCE.get(os.path.basename(path))
        if ref:
            dp = params / ref[1] - 1
            dm = macs / ref[2] - 1
            ok = abs(dp) <= TOLERANCE and abs(dm) <= TOLERANCE
            note = "%s: params %+.2f%%, MACs %+.2f%% %s" % (ref[0], 100 * dp, 100 * dm,
                                                            "ok" if ok else "OFF")
            if not ok and args.check:
                bad += 1
        print("%-28s %6d %14s %16s  %s" % (doc.get("network", path), len(rows),
                                           "{:,}".format(params), "{:,}".format(macs), note))
        if args.verbose:
            for name, op, shape, p, m in rows:
                sh = "x".join(map(str, shape)) if shape else "(split)"
                print("    %-28s %-15s %-14s %12s %16s" % (name, op, sh, "{:,}".format(p),
                                                         "{:,}".format(m)))
            print("    outputs: %s" % ", ".join(
                "%s %s" % (o, "x".join(map(str, shapes.get(o, ())))) for o in outputs))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
