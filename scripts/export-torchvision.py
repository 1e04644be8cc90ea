#!/usr/bin/env python3
"""Export a torchvision classifier to ONNX with random weights, for the calibration corpus
and the transformers of scripts/transformers.

Usage:  python3 scripts/export-torchvision.py NAME OUT.onnx [--size H[xW]] [--num-classes N]

NAME is a torchvision.models constructor (resnet18, mobilenet_v2, inception_v3, ...).  The
model is built as torchvision.models.NAME(num_classes=N) with no pretrained weights (random
initialisation, seeded, so the file is the same on every run), put in eval mode and exported
with batch 1 and static shapes (no dynamic axes).  Eval mode matters: batch normalisation
is exported as inference-mode BatchNormalization (or already folded by the exporter), and
dropout and auxiliary heads (Inception V3's AuxLogits) disappear.  Timing does not depend on
weight values, so random weights serve the simulator as well as trained ones.

Needs Debian's python3-torchvision (installed by scripts/calibration's set-up, not by the
quickstart); run it with /usr/bin/python3 if another python3 comes first on PATH.
"""

import argparse
import sys

import torch
import torchvision


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("name", help="torchvision.models constructor, e.g. resnet50")
    ap.add_argument("out", help="ONNX file to write")
    ap.add_argument("--size", default="224", help="input H or HxW (default 224)")
    ap.add_argument("--num-classes", type=int, default=1000)
    ap.add_argument("--opset", type=int, default=13)
    args = ap.parse_args()

    dims = [int(d) for d in args.size.lower().split("x")]
    h, w = (dims[0], dims[0]) if len(dims) == 1 else dims
    ctor = getattr(torchvision.models, args.name, None)
    if ctor is None or not callable(ctor):
        print("export-torchvision: torchvision.models has no %r" % args.name, file=sys.stderr)
        return 2
    torch.manual_seed(0)
    kwargs = {"num_classes": args.num_classes}
    if args.name.startswith("inception"):
        # the constructor's default (init_weights unset) warns; the auxiliary head exists
        # only in training mode, so eval-mode export drops it either way
        kwargs["init_weights"] = True
    model = ctor(**kwargs).eval()
    x = torch.zeros(1, 3, h, w)
    # torch 1.13 exports the vision transformers only with autograd on (under
    # no_grad its fused attention fails to trace); the others as before
    grad = args.name.startswith(("vit_", "swin_"))
    with torch.set_grad_enabled(grad):
        torch.onnx.export(model, x, args.out, opset_version=args.opset,
                          input_names=["image"], output_names=["logits"],
                          do_constant_folding=True)
    n = sum(p.numel() for p in model.parameters())
    print("exported %s (%dx%d, %d classes, %.2f M parameters) to %s"
          % (args.name, h, w, args.num_classes, n / 1e6, args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
