#!/usr/bin/env python3
"""Generate the bundled network descriptions (models/*/*.net.yaml).

Usage:  python3 scripts/gen-models.py [--out DIR] [--check] [--corpus DIR]

Writes, relative to DIR (default: the repository root):

  models/resnet50/resnet50.net.yaml        ResNet-50 v1.5 (torchvision), 224x224x3
  models/mobilenetv2/mobilenetv2.net.yaml  MobileNetV2 1.0 (torchvision), 224x224x3
  models/yolov5s/yolov5s.net.yaml          YOLOv5s v7.0 (ultralytics), 640x640x3
  models/tiny/tiny.net.yaml                a few layers, for fast tests
  models/tiny/tiny-branches.net.yaml       every operator and activation of the format

With --corpus DIR it writes instead, into DIR, the networks of the calibration corpus that
are not bundled (scripts/calibration builds them into build/corpus; they are not committed):

  yolov5m.net.yaml   YOLOv5m v7.0 (ultralytics, depth 0.67, width 0.75), 640x640x3
  yolov8s.net.yaml   YOLOv8s (ultralytics, depth 0.33, width 0.50), 640x640x3

and the held-out sizes that docs/calibration.md compares with the zoo: yolov5n (0.33, 0.25),
yolov5l (1.0, 1.0), yolov8n (0.33, 0.25), yolov8m (0.67, 0.75, at most 768 channels) and
yolov8l (1.0, 1.0, at most 512 channels).

With --check nothing is written; the script fails if a file on disk differs from what it
would generate.  The format is described in docs/network-format.md.  Standard library only:
the YAML text is emitted directly, one flow mapping per layer.  Batch normalisation is
folded into the convolution bias (bias: true, the format's default), activations are fused.
"""

import argparse
import math
import os
import sys

# Keys in the order they are printed; anything else follows in insertion order.
KEY_ORDER = ["name", "op", "in", "out", "kernel", "stride", "pad", "dilation", "groups",
             "bias", "scale", "sizes", "start", "end", "act", "alpha"]


def fmt_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(fmt_value(x) for x in v) + "]"
    return str(v)


def fmt_layer(layer):
    keys = [k for k in KEY_ORDER if k in layer] + [k for k in layer if k not in KEY_ORDER]
    return "{" + ", ".join("%s: %s" % (k, fmt_value(layer[k])) for k in keys) + "}"


class Net:
    """Collects layers in order and emits a network description."""

    def __init__(self, name, input_name, shape):
        self.name = name
        self.input_name = input_name
        self.shape = shape
        self.items = []          # ("layer", dict) or ("comment", text)
        self.last = input_name   # what an omitted `in` refers to
        self.names = {input_name}
        self.outputs = None

    def comment(self, text):
        self.items.append(("comment", text))

    def layer(self, name, op, src=None, **kw):
        """Append a layer; src is a name or a list of names (None: the previous layer)."""
        if name in self.names:
            raise ValueError("duplicate layer name %r" % name)
        layer = {"name": name, "op": op}
        if src is not None:
            srcs = src if isinstance(src, (list, tuple)) else [src]
            for s in srcs:
                if s not in self.names:
                    raise ValueError("layer %r: input %r not defined yet" % (name, s))
            if isinstance(src, (list, tuple)):
                layer["in"] = list(src)
            elif src != self.last:
                layer["in"] = src
        for k, v in kw.items():
            if v is not None:
                layer[k] = v
        self.items.append(("layer", layer))
        self.names.add(name)
        if op == "split":
            for i in range(len(kw["sizes"])):
                self.names.add("%s/%d" % (name, i))
        self.last = name
        return name

    # Shorthands -------------------------------------------------------------
    def conv(self, name, out, k, s=1, p=None, src=None, act=None, **kw):
        if p is None:
            p = k // 2 if isinstance(k, int) else 0
        args = {"out": out, "kernel": k}
        if s != 1:
            args["stride"] = s
        if p != 0:
            args["pad"] = p
        args.update(kw)
        if act and act != "none":
            args["act"] = act
        return self.layer(name, "conv", src, **args)

    def count(self):
        return sum(1 for kind, _ in self.items if kind == "layer")

    def text(self, header):
        lines = ["# " + h if h else "#" for h in header]
        lines.append("network: %s" % self.name)
        lines.append("inputs:")
        lines.append("  - {name: %s, shape: %s}" % (self.input_name, fmt_value(self.shape)))
        lines.append("layers:")
        for kind, item in self.items:
            if kind == "comment":
                lines.append("  # " + item)
            else:
                lines.append("  - " + fmt_layer(item))
        if self.outputs:
            lines.append("outputs: %s" % fmt_value(self.outputs))
        return "\n".join(lines) + "\n"


def header(title, source, notes=()):
    h = ["GENERATED by scripts/gen-models.py: do not edit by hand.",
         "Regenerate with `python3 scripts/gen-models.py`; check totals with",
         "`python3 scripts/net-stats.py`.  Format: docs/network-format.md.",
         "",
         title,
         "Structure: " + source]
    h += list(notes)
    return h


# ---------------------------------------------------------------------------
# ResNet-50 v1.5 (torchvision resnet50): the stride-2 is in the 3x3 conv (conv2) of the
# first bottleneck of layer2..layer4, and in its 1x1 downsample projection.
def resnet50():
    n = Net("resnet50-v1.5", "image", [224, 224, 3])
    n.comment("stem: conv1 + bn1 + relu, maxpool")
    n.conv("conv1", 64, 7, s=2, p=3, act="relu")
    n.layer("maxpool", "maxpool", kernel=3, stride=2, pad=1)
    inplanes = 64
    for li, (planes, blocks, stride) in enumerate([(64, 3, 1), (128, 4, 2),
                                                   (256, 6, 2), (512, 3, 2)], start=1):
        for b in range(blocks):
            s = stride if b == 0 else 1
            pre = "layer%d.%d" % (li, b)
            x = n.last
            n.comment("%s: bottleneck %d -> %d -> %d%s" % (
                pre, inplanes, planes, planes * 4, ", stride %d" % s if s != 1 else ""))
            n.conv(pre + ".conv1", planes, 1, act="relu")
            n.conv(pre + ".conv2", planes, 3, s=s, p=1, act="relu")
            n.conv(pre + ".conv3", planes * 4, 1)
            if b == 0:
                n.conv(pre + ".downsample.0", planes * 4, 1, s=s, src=x)
                short = pre + ".downsample.0"
            else:
                short = x
            n.layer(pre + ".add", "add", [pre + ".conv3", short], act="relu")
            inplanes = planes * 4
    n.comment("head")
    n.layer("avgpool", "global_avgpool")
    n.layer("fc", "dense", out=1000)
    n.outputs = ["fc"]
    return n, header(
        "ResNet-50 v1.5 at 224x224x3 (ImageNet, 1000 classes).",
        "torchvision.models.resnet50 (Bottleneck, layers [3, 4, 6, 3], stride in conv2).",
        ["Batch norm folded into each conv's bias; ReLU fused; residual adds fuse the ReLU.",
         "Layer names follow the torchvision module names."])


# ---------------------------------------------------------------------------
# MobileNetV2 1.0 (torchvision mobilenet_v2): inverted residuals, relu6, linear bottlenecks.
def mobilenetv2():
    n = Net("mobilenetv2-1.0", "image", [224, 224, 3])
    n.comment("features.0: conv 3x3 s2 + bn + relu6")
    n.conv("features.0", 32, 3, s=2, p=1, act="relu6")
    cin = 32
    idx = 1
    # t (expansion), c (output channels), n (repeats), s (stride of the first repeat)
    for t, c, reps, s0 in [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2),
                           (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]:
        for r in range(reps):
            s = s0 if r == 0 else 1
            pre = "features.%d" % idx
            x = n.last
            hidden = cin * t
            res = s == 1 and cin == c
            n.comment("%s: inverted residual t=%d, %d -> %d -> %d, stride %d%s" % (
                pre, t, cin, hidden, c, s, ", residual" if res else ""))
            j = 0
            if t != 1:
                n.conv("%s.conv.%d" % (pre, j), hidden, 1, act="relu6")
                j += 1
            n.conv("%s.conv.%d" % (pre, j), None, 3, s=s, p=1, groups="depthwise", act="relu6")
            j += 1
            n.conv("%s.conv.%d" % (pre, j), c, 1)          # linear bottleneck
            if res:
                n.layer(pre + ".add", "add", ["%s.conv.%d" % (pre, j), x])
            cin = c
            idx += 1
    n.comment("features.18: conv 1x1 to 1280 + bn + relu6; classifier")
    n.conv("features.18", 1280, 1, act="relu6")
    n.layer("avgpool", "global_avgpool")
    n.layer("classifier.1", "dense", out=1000)
    n.outputs = ["classifier.1"]
    return n, header(
        "MobileNetV2 (width 1.0) at 224x224x3 (ImageNet, 1000 classes).",
        "torchvision.models.mobilenet_v2 (t, c, n, s table of Sandler et al. 2018).",
        ["Batch norm folded into each conv's bias; ReLU6 fused; the projection convs are",
         "linear; residual adds where stride is 1 and input channels equal output channels.",
         "Depthwise convs leave `out` to its default (the input channel count).",
         "Layer names follow the torchvision module names (dropout classifier.0 omitted)."])


# ---------------------------------------------------------------------------
# YOLOv5 v7.0 (ultralytics models/yolov5{n,s,m,l,x}.yaml, which differ only in depth_multiple
# and width_multiple): the repeats of a C3 are max(round(n * depth), 1), the channels
# ceil(c * width / 8) * 8, as ultralytics' parse_model computes them.
def _width(c, width):
    return math.ceil(c * width / 8) * 8


def _depth(reps, depth):
    return max(round(reps * depth), 1) if reps > 1 else reps


def yolov5(variant, depth, width):
    n = Net("yolov5%s-v7.0" % variant, "image", [640, 640, 3])
    act = "silu"
    ch = lambda c: _width(c, width)
    rp = lambda r: _depth(r, depth)

    def conv(name, out, k, s=1, p=None, src=None):
        return n.conv(name, out, k, s=s, p=p, src=src, act=act)

    def c3(m, out, reps, shortcut, src=None):
        """C3: cv3(cat(m(cv1(x)), cv2(x))); bottlenecks with e=1.0."""
        x = src if src is not None else n.last
        hid = out // 2
        conv(m + ".cv1", hid, 1, src=x)
        for i in range(reps):
            b = "%s.m.%d" % (m, i)
            y = n.last
            conv(b + ".cv1", hid, 1)
            conv(b + ".cv2", hid, 3)
            if shortcut:
                n.layer(b + ".add", "add", [b + ".cv2", y])
        inner = n.last
        conv(m + ".cv2", hid, 1, src=x)
        n.layer(m + ".cat", "concat", [inner, m + ".cv2"])
        conv(m + ".cv3", out, 1)
        return m + ".cv3"

    n.comment("backbone")
    n.comment("model.0: Conv 6x6 s2 p2 (P1/2)")
    conv("model.0", ch(64), 6, s=2, p=2)
    n.comment("model.1: Conv 3x3 s2 (P2/4)")
    conv("model.1", ch(128), 3, s=2)
    n.comment("model.2: C3 x%d, shortcut" % rp(3))
    c3("model.2", ch(128), rp(3), True)
    n.comment("model.3: Conv 3x3 s2 (P3/8)")
    conv("model.3", ch(256), 3, s=2)
    n.comment("model.4: C3 x%d, shortcut" % rp(6))
    p3 = c3("model.4", ch(256), rp(6), True)
    n.comment("model.5: Conv 3x3 s2 (P4/16)")
    conv("model.5", ch(512), 3, s=2)
    n.comment("model.6: C3 x%d, shortcut" % rp(9))
    p4 = c3("model.6", ch(512), rp(9), True)
    n.comment("model.7: Conv 3x3 s2 (P5/32)")
    conv("model.7", ch(1024), 3, s=2)
    n.comment("model.8: C3 x%d, shortcut" % rp(3))
    c3("model.8", ch(1024), rp(3), True)
    n.comment("model.9: SPPF k=5: cv2(cat(x, m(x), m(m(x)), m(m(m(x)))))")
    conv("model.9.cv1", ch(1024) // 2, 1)
    n.layer("model.9.m.0", "maxpool", kernel=5, stride=1, pad=2)
    n.layer("model.9.m.1", "maxpool", kernel=5, stride=1, pad=2)
    n.layer("model.9.m.2", "maxpool", kernel=5, stride=1, pad=2)
    n.layer("model.9.cat", "concat", ["model.9.cv1", "model.9.m.0", "model.9.m.1", "model.9.m.2"])
    conv("model.9.cv2", ch(1024), 1)

    n.comment("head")
    n.comment("model.10-13: Conv 1x1, upsample, cat backbone P4, C3 x%d" % rp(3))
    h10 = conv("model.10", ch(512), 1)
    n.layer("model.11", "resize", scale=2)
    n.layer("model.12", "concat", ["model.11", p4])
    c3("model.13", ch(512), rp(3), False)
    n.comment("model.14-17: Conv 1x1, upsample, cat backbone P3, C3 x%d (P3/8 out)" % rp(3))
    h14 = conv("model.14", ch(256), 1)
    n.layer("model.15", "resize", scale=2)
    n.layer("model.16", "concat", ["model.15", p3])
    o17 = c3("model.17", ch(256), rp(3), False)
    n.comment("model.18-20: Conv 3x3 s2, cat head P4, C3 x%d (P4/16 out)" % rp(3))
    conv("model.18", ch(256), 3, s=2)
    n.layer("model.19", "concat", ["model.18", h14])
    o20 = c3("model.20", ch(512), rp(3), False)
    n.comment("model.21-23: Conv 3x3 s2, cat head P5, C3 x%d (P5/32 out)" % rp(3))
    conv("model.21", ch(512), 3, s=2)
    n.layer("model.22", "concat", ["model.21", h10])
    o23 = c3("model.23", ch(1024), rp(3), False)
    n.comment("model.24: Detect: 1x1 conv to 3 anchors x (80 classes + 5) = 255, with bias")
    for i, src in enumerate([o17, o20, o23]):
        n.conv("model.24.m.%d" % i, 255, 1, src=src)
    n.outputs = ["model.24.m.0", "model.24.m.1", "model.24.m.2"]
    return n, header(
        "YOLOv5%s v7.0 at 640x640x3 (COCO, 80 classes, 3 anchors per scale)." % variant,
        "ultralytics/yolov5 v7.0 models/yolov5%s.yaml (depth %.2f, width %.2f)."
        % (variant, depth, width),
        ["Conv = conv + batch norm (folded into the bias) + SiLU.  C3 bottlenecks keep the",
         "shortcut in the backbone and drop it in the head.  Detect's box decoding (sigmoid,",
         "grid, anchors) runs on the host and is not part of the network.",
         "Layer names follow the ultralytics module names (model.<index>...)."])


def yolov5s():
    return yolov5("s", 0.33, 0.50)


def yolov5m():
    return yolov5("m", 0.67, 0.75)


def yolov5n():
    return yolov5("n", 0.33, 0.25)


def yolov5l():
    return yolov5("l", 1.0, 1.0)


# ---------------------------------------------------------------------------
# YOLOv8 (ultralytics/cfg/models/v8/yolov8.yaml; scale s: depth 0.33, width 0.50,
# max_channels 1024).  C2f replaces C3: cv1 to 2c channels, split in two halves, n
# bottlenecks (two 3x3 convs, e=1.0) chained on the second half, cv2 over the concatenation
# of both halves and every bottleneck's output.  The anchor-free Detect head has, per scale,
# a box branch (two 3x3 Convs to c2 = max(16, ch0 / 4, 64), a 1x1 conv to 4 x reg_max = 64)
# and a class branch (two 3x3 Convs to c3 = max(ch0, 80), a 1x1 conv to 80 classes).
def yolov8(variant, depth, width, max_channels):
    n = Net("yolov8%s" % variant, "image", [640, 640, 3])
    act = "silu"
    ch = lambda c: _width(min(c, max_channels), width)
    rp = lambda r: _depth(r, depth)

    def conv(name, out, k, s=1, p=None, src=None):
        return n.conv(name, out, k, s=s, p=p, src=src, act=act)

    def c2f(m, out, reps, shortcut, src=None):
        c = out // 2
        conv(m + ".cv1", 2 * c, 1, src=src)
        n.layer(m + ".split", "split", sizes=[c, c])
        parts = [m + ".split/0", m + ".split/1"]
        y = parts[-1]
        for i in range(reps):
            b = "%s.m.%d" % (m, i)
            conv(b + ".cv1", c, 3, src=y)
            conv(b + ".cv2", c, 3)
            if shortcut:
                n.layer(b + ".add", "add", [b + ".cv2", y])
            y = n.last
            parts.append(y)
        n.layer(m + ".cat", "concat", parts)
        conv(m + ".cv2", out, 1)
        return m + ".cv2"

    n.comment("backbone")
    conv("model.0", ch(64), 3, s=2)
    conv("model.1", ch(128), 3, s=2)
    n.comment("model.2: C2f x%d, shortcut" % rp(3))
    c2f("model.2", ch(128), rp(3), True)
    conv("model.3", ch(256), 3, s=2)
    n.comment("model.4: C2f x%d, shortcut" % rp(6))
    p3 = c2f("model.4", ch(256), rp(6), True)
    conv("model.5", ch(512), 3, s=2)
    n.comment("model.6: C2f x%d, shortcut" % rp(6))
    p4 = c2f("model.6", ch(512), rp(6), True)
    conv("model.7", ch(1024), 3, s=2)
    n.comment("model.8: C2f x%d, shortcut" % rp(3))
    c2f("model.8", ch(1024), rp(3), True)
    n.comment("model.9: SPPF k=5: cv2(cat(x, m(x), m(m(x)), m(m(m(x)))))")
    conv("model.9.cv1", ch(1024) // 2, 1)
    n.layer("model.9.m.0", "maxpool", kernel=5, stride=1, pad=2)
    n.layer("model.9.m.1", "maxpool", kernel=5, stride=1, pad=2)
    n.layer("model.9.m.2", "maxpool", kernel=5, stride=1, pad=2)
    n.layer("model.9.cat", "concat", ["model.9.cv1", "model.9.m.0", "model.9.m.1", "model.9.m.2"])
    p5 = conv("model.9.cv2", ch(1024), 1)

    n.comment("head")
    n.comment("model.10-12: upsample, cat backbone P4, C2f x%d" % rp(3))
    n.layer("model.10", "resize", scale=2)
    n.layer("model.11", "concat", ["model.10", p4])
    h12 = c2f("model.12", ch(512), rp(3), False)
    n.comment("model.13-15: upsample, cat backbone P3, C2f x%d (P3/8 out)" % rp(3))
    n.layer("model.13", "resize", scale=2)
    n.layer("model.14", "concat", ["model.13", p3])
    o15 = c2f("model.15", ch(256), rp(3), False)
    n.comment("model.16-18: Conv 3x3 s2, cat head P4, C2f x%d (P4/16 out)" % rp(3))
    conv("model.16", ch(256), 3, s=2)
    n.layer("model.17", "concat", ["model.16", h12])
    o18 = c2f("model.18", ch(512), rp(3), False)
    n.comment("model.19-21: Conv 3x3 s2, cat SPPF P5, C2f x%d (P5/32 out)" % rp(3))
    conv("model.19", ch(512), 3, s=2)
    n.layer("model.20", "concat", ["model.19", p5])
    o21 = c2f("model.21", ch(1024), rp(3), False)
    ch0 = ch(256)
    c2, c3 = max(16, ch0 // 4, 16 * 4), max(ch0, 80)
    n.comment("model.22: Detect, per scale: box branch to %d, class branch to %d channels"
              % (c2, c3))
    outs = []
    for i, src in enumerate([o15, o18, o21]):
        b = "model.22.cv2.%d" % i
        conv(b + ".0", c2, 3, src=src)
        conv(b + ".1", c2, 3)
        outs.append(n.conv(b + ".2", 64, 1))
        b = "model.22.cv3.%d" % i
        conv(b + ".0", c3, 3, src=src)
        conv(b + ".1", c3, 3)
        outs.append(n.conv(b + ".2", 80, 1))
    n.outputs = outs
    return n, header(
        "YOLOv8%s at 640x640x3 (COCO, 80 classes, anchor-free)." % variant,
        "ultralytics/cfg/models/v8/yolov8.yaml, scale %s (depth %.2f, width %.2f, max_channels %d)."
        % (variant, depth, width, max_channels),
        ["Conv = conv + batch norm (folded into the bias) + SiLU.  C2f bottlenecks keep the",
         "shortcut in the backbone and drop it in the head.  Detect's distribution focal loss",
         "(DFL), box decoding and the concatenation of the scales run on the host and are not",
         "part of the network: it ends at the head's 1x1 convolutions (64 box, 80 class",
         "channels per scale).  Layer names follow the ultralytics module names."])


def yolov8s():
    return yolov8("s", 0.33, 0.50, 1024)


def yolov8n():
    return yolov8("n", 0.33, 0.25, 1024)


def yolov8m():
    return yolov8("m", 0.67, 0.75, 768)


def yolov8l():
    return yolov8("l", 1.0, 1.0, 512)


# ---------------------------------------------------------------------------
def tiny():
    n = Net("tiny", "image", [32, 32, 3])
    n.conv("stem", 32, 3, p=1, act="relu")
    n.conv("block.conv1", 32, 3, p=1, act="relu")
    n.conv("block.conv2", 32, 3, p=1)
    n.layer("block.add", "add", ["block.conv2", "stem"], act="relu")
    n.layer("pool", "maxpool", kernel=2)
    n.layer("gap", "global_avgpool")
    n.layer("fc", "dense", out=10)
    n.outputs = ["fc"]
    return n, header("Tiny residual network for tests (runs in milliseconds): a 32x32 RGB,"
                     " 10-class classifier.",
                     "hand-written: conv, residual add, maxpool, global average pool, dense.")


def tiny_branches():
    """Every operator, alias and activation of the format, in a small DAG."""
    n = Net("tiny-branches", "image", [32, 32, 8])
    n.comment("stem: list kernel and stride, asymmetric 4-value pad [top, left, bottom, right]")
    n.layer("stem", "conv", out=16, kernel=[3, 3], stride=[2, 2], pad=[0, 0, 1, 1],
            act="hardswish")
    n.comment("split into three branches: split/0 (8 ch), split/1 (4), split/2 (4)")
    n.layer("split", "split", sizes=[8, 4, 4])
    n.comment("branch a: depthwise (out defaults to C) then pointwise without bias")
    n.layer("a.dw", "conv", "split/0", kernel=3, pad=1, groups="depthwise", act="relu6")
    n.layer("a.pw", "conv", out=16, kernel=1, bias=False, act="leaky_relu", alpha=0.2)
    n.comment("branch b: dilated conv")
    n.layer("b.dil", "conv", "split/1", out=8, kernel=3, pad=2, dilation=2, act="silu")
    n.comment("branch c: grouped conv, rectangular kernel, [ph, pw] pad, explicit depthwise out")
    n.layer("c.grp", "conv", "split/2", out=8, kernel=[1, 3], pad=[0, 1], groups=2,
            act="sigmoid")
    n.layer("c.dw", "conv", out=8, kernel=3, stride=[1, 1], pad=1, dilation=[1, 1],
            groups="depthwise", act="none")
    n.layer("cat", "concat", ["a.pw", "b.dil", "c.dw"])
    n.comment("down: pad same with stride 2 (16 -> 8)")
    n.layer("down", "conv", out=32, kernel=3, stride=2, pad="same", act="relu")
    n.comment("squeeze-excite: gap, fc, matmul, broadcast mul by a 1x1xC tensor")
    n.layer("se.gap", "gap")
    n.layer("se.fc1", "fc", out=8, act="relu")
    n.layer("se.fc2", "matmul", out=32, act="sigmoid")
    n.layer("se.mul", "mul", ["down", "se.fc2"])
    n.comment("top-down: nearest resize x2, three-input add, same-shape mul, act layer")
    n.layer("up", "resize", "se.mul", scale=2)
    n.layer("lateral", "conv", "cat", out=32, kernel=1)
    n.layer("fuse", "add", ["up", "lateral", "cat"], act="relu")
    n.layer("gate", "mul", ["fuse", "lateral"])
    n.layer("gate.act", "act", act="hardswish")
    n.comment("classification head: maxpool with pad, avgpool (stride = kernel), slice, dense, softmax")
    n.layer("mp", "maxpool", kernel=3, stride=2, pad=1)
    n.layer("ap", "avgpool", kernel=2)
    n.layer("head.slice", "slice", start=8, end=24)
    n.layer("head.fc", "dense", out=10, bias=True)
    n.layer("head.prob", "softmax")
    n.comment("dense-prediction head: 1x1 conv, upsample alias, softmax over channels")
    n.layer("seg.conv", "conv", "gate.act", out=4, kernel=1)
    n.layer("seg.up", "upsample", scale=2)
    n.layer("seg.prob", "softmax")
    n.comment("a side branch nothing consumes, and an intermediate tensor as an output")
    n.layer("side", "global_avgpool", "split/1")
    n.outputs = ["head.prob", "seg.prob", "mp", "side"]
    return n, header(
        "Tiny multi-branch network for tests: every operator, alias and activation.",
        "hand-written.",
        ["Covers conv (every key form), dense/fc/matmul, maxpool, avgpool, global_avgpool/gap,",
         "add (3 inputs), mul (same shape and broadcast), concat, slice, split, resize/upsample,",
         "act, softmax; relu, relu6, silu, sigmoid, hardswish, leaky_relu (alpha 0.2), none;",
         "four outputs, one of them (mp) also consumed inside the network."])


NETS = [
    ("models/resnet50/resnet50.net.yaml", resnet50),
    ("models/mobilenetv2/mobilenetv2.net.yaml", mobilenetv2),
    ("models/yolov5s/yolov5s.net.yaml", yolov5s),
    ("models/tiny/tiny.net.yaml", tiny),
    ("models/tiny/tiny-branches.net.yaml", tiny_branches),
]

# Networks of the calibration corpus (scripts/calibration) that are not bundled: written
# with --corpus DIR only, never into models/, and not committed.
CORPUS = [
    ("yolov5m.net.yaml", yolov5m),
    ("yolov8s.net.yaml", yolov8s),
    # held-out: compared with the zoo, judged by no window (docs/calibration.md)
    ("yolov5n.net.yaml", yolov5n),
    ("yolov5l.net.yaml", yolov5l),
    ("yolov8n.net.yaml", yolov8n),
    ("yolov8m.net.yaml", yolov8m),
    ("yolov8l.net.yaml", yolov8l),
]


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=root, help="root directory to write under (default: repo)")
    ap.add_argument("--check", action="store_true",
                    help="write nothing; fail if a file differs from the generated text")
    ap.add_argument("--corpus", metavar="DIR",
                    help="write only the calibration corpus's networks, into DIR")
    args = ap.parse_args()
    stale = 0
    nets = NETS
    if args.corpus:
        args.out, nets = args.corpus, CORPUS
    for rel, fn in nets:
        net, hdr = fn()
        text = net.text(hdr)
        path = os.path.join(args.out, rel)
        if args.check:
            try:
                with open(path) as f:
                    same = f.read() == text
            except OSError:
                same = False
            if not same:
                print("stale: %s" % rel, file=sys.stderr)
                stale += 1
            continue
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        print("wrote %s (%d layers)" % (rel, net.count()))
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
