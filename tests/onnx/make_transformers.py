#!/usr/bin/python3
"""Writes the transformer models that scripts/transformers and tests/check_onnx.c import
(docs/onnx-import.md "Transformers"), built with onnx.helper as the exporters write them.

usage: /usr/bin/python3 tests/onnx/make_transformers.py OUTDIR [NAME...]

Needs Debian's python3-onnx and python3-numpy.  Everything goes into OUTDIR, never into
the source tree.  Weights are random (seeded: the files are the same on every run); the
simulator's timing does not depend on their values.

  bert_base.onnx    a BERT-base encoder (12 layers, hidden 768, 12 heads, FFN 3072,
                    sequence 128): word, position and token-type embeddings (a Gather of
                    the 30522 x 768 table by the input ids), layer normalisation written
                    out, GELU in its Erf form, and the pooler (the first token, a dense
                    layer, Tanh); about 109.5 M parameters, as HuggingFace counts them
  bert_tiny.onnx    the same with 2 layers, hidden 32, 2 heads, FFN 64, a 100-word
                    vocabulary, 16 positions and sequence 8: small enough to fuzz
  bert_tiny_ln17.onnx
                    the same at opset 17, with the LayerNormalization operator and GELU in
                    its tanh form
  yolo11_attn.onnx  a YOLO11 C2PSA block (ultralytics' PSABlock: attention with
                    4 heads over a 20 x 20 x 256 feature map, queries and keys of 32,
                    values of 64, the positional depthwise 3 x 3 conv on the values, the
                    projection, then the FFN of two 1 x 1 convs with SiLU)
  swin_tiny.onnx    a shifted-window Swin block as torchvision's swin_t exports it, on an
                    8 x 8 x 16 map (a 4 x 4 patch embedding of a 32 x 32 image, channels
                    last) with 4 x 4 windows and 2 heads: layer norm, the cyclic
                    shift (torch.roll as Slice and Concat), the window partition
                    (Reshape, Transpose, Reshape), attention with a relative position bias
                    (an initializer, per head) and the shifted-window mask (computed from
                    Constant nodes with ScatterND), the reverse partition and shift, the
                    MLP with GELU, then a patch merging (strided slices of every second
                    pixel, a concat of channels, layer norm, a dense layer without bias)
  einsum_attn       one attention block (8 tokens, hidden 32, 2 heads) whose products are
                    Einsum, as some exporters write them: "bsd,dn->bsn" for the q, k, v
                    and output projections, "bhqd,bhkd->bhqk" and "bhqk,bhkd->bhqd"
  einsum_attn_matmul
                    the same block written with MatMul and Transpose
"""

import math
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 13


class Graph:
    """Nodes and initializers with unique names and seeded random weights."""

    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)
        self.nodes, self.inits, self.n = [], [], 0

    def name(self, base):
        self.n += 1
        return "%s_%d" % (base, self.n)

    def init(self, base, arr):
        nm = self.name(base)
        self.inits.append(numpy_helper.from_array(np.asarray(arr), nm))
        return nm

    def weight(self, base, *shape):
        return self.init(base, (self.rng.standard_normal(shape) * 0.02).astype(np.float32))

    def const(self, value, dtype=np.float32):
        return self.init("c", np.array(value, dtype=dtype))

    def op(self, op, inputs, **attrs):
        out = self.name(op.lower())
        self.nodes.append(helper.make_node(op, inputs, [out], name=out, **attrs))
        return out

    def model(self, name, inputs, outputs, opset=OPSET):
        g = helper.make_graph(self.nodes, name, inputs, outputs, initializer=self.inits)
        m = helper.make_model(g, producer_name="axsim-tests",
                              opset_imports=[helper.make_opsetid("", opset)])
        m.ir_version = 7
        return m


def layer_norm(g, x, hidden, op=False):
    """LayerNorm written out as torch.onnx exports it before opset 17, or (op) the
    LayerNormalization operator of opset 17."""
    if op:
        return g.op("LayerNormalization", [x, g.init("ln_w", np.ones(hidden, np.float32)),
                                           g.init("ln_b", np.zeros(hidden, np.float32))],
                    axis=-1, epsilon=1e-12)
    mean = g.op("ReduceMean", [x], axes=[-1])
    d = g.op("Sub", [x, mean])
    var = g.op("ReduceMean", [g.op("Pow", [d, g.const(2.0)])], axes=[-1])
    y = g.op("Div", [d, g.op("Sqrt", [g.op("Add", [var, g.const(1e-12)])])])
    y = g.op("Mul", [y, g.init("ln_w", np.ones(hidden, np.float32))])
    return g.op("Add", [y, g.init("ln_b", np.zeros(hidden, np.float32))])


def dense(g, x, k, n):
    return g.op("Add", [g.op("MatMul", [x, g.weight("w", k, n)]), g.weight("b", n)])


def gelu_erf(g, x):
    """HuggingFace's x * 0.5 * (1 + erf(x / sqrt 2)), as exported."""
    e = g.op("Erf", [g.op("Div", [x, g.const(math.sqrt(2.0))])])
    return g.op("Mul", [g.op("Mul", [x, g.const(0.5)]), g.op("Add", [e, g.const(1.0)])])


def gelu_tanh(g, x):
    """The tanh approximation, 0.5 (1 + tanh(sqrt(2 / pi) (x + 0.044715 x x x))) * x, with
    the products in the order the erf form above does not use."""
    cube = g.op("Mul", [g.op("Mul", [x, x]), x])
    inner = g.op("Add", [x, g.op("Mul", [g.const(0.044715), cube])])
    t = g.op("Tanh", [g.op("Mul", [inner, g.const(math.sqrt(2.0 / math.pi))])])
    return g.op("Mul", [g.op("Mul", [g.op("Add", [g.const(1.0), t]), g.const(0.5)]), x])


def bert(layers, hidden, heads, ffn, vocab, seq, max_pos, seed, ln_op=False):
    g = Graph(seed)
    dh = hidden // heads
    ids = helper.make_tensor_value_info("input_ids", TensorProto.INT64, [1, seq])
    types = helper.make_tensor_value_info("token_type_ids", TensorProto.INT64, [1, seq])
    word = g.op("Gather", [g.weight("word_embeddings", vocab, hidden), "input_ids"])
    pos_ids = g.op("Slice", [g.init("position_ids", np.arange(max_pos, dtype=np.int64)[None, :]),
                             g.const([0], np.int64), g.const([seq], np.int64),
                             g.const([1], np.int64)])
    pos = g.op("Gather", [g.weight("position_embeddings", max_pos, hidden), pos_ids])
    typ = g.op("Gather", [g.weight("token_type_embeddings", 2, hidden), "token_type_ids"])
    x = layer_norm(g, g.op("Add", [g.op("Add", [word, pos]), typ]), hidden, ln_op)
    for _ in range(layers):
        def split_heads(t, perm):
            r = g.op("Reshape", [t, g.const([1, seq, heads, dh], np.int64)])
            return g.op("Transpose", [r], perm=perm)
        q = split_heads(dense(g, x, hidden, hidden), [0, 2, 1, 3])
        k = split_heads(dense(g, x, hidden, hidden), [0, 2, 3, 1])
        v = split_heads(dense(g, x, hidden, hidden), [0, 2, 1, 3])
        s = g.op("Div", [g.op("MatMul", [q, k]), g.const(math.sqrt(dh))])
        p = g.op("Softmax", [s], axis=-1)
        c = g.op("Transpose", [g.op("MatMul", [p, v])], perm=[0, 2, 1, 3])
        c = g.op("Reshape", [c, g.const([1, seq, hidden], np.int64)])
        x = layer_norm(g, g.op("Add", [dense(g, c, hidden, hidden), x]), hidden, ln_op)
        gelu = gelu_tanh if ln_op else gelu_erf
        f = dense(g, gelu(g, dense(g, x, hidden, ffn)), ffn, hidden)
        x = layer_norm(g, g.op("Add", [f, x]), hidden, ln_op)
    last = g.op("Identity", [x])
    first = g.op("Gather", [x, g.const(0, np.int64)], axis=1)
    pooled = g.op("Tanh", [g.op("Gemm", [first, g.weight("pooler_w", hidden, hidden),
                                         g.weight("pooler_b", hidden)], transB=1)])
    outs = [helper.make_tensor_value_info(last, TensorProto.FLOAT, [1, seq, hidden]),
            helper.make_tensor_value_info(pooled, TensorProto.FLOAT, [1, hidden])]
    return g.model("bert", [ids, types], outs, 17 if ln_op else OPSET)


def conv(g, x, cin, cout, k=1, groups=1, act=None):
    """Conv with its BatchNormalization folded (as ultralytics exports it) and SiLU."""
    y = g.op("Conv", [x, g.weight("conv_w", cout, cin // groups, k, k), g.weight("conv_b", cout)],
             kernel_shape=[k, k], pads=[k // 2] * 4, group=groups)
    if act == "silu":
        y = g.op("Mul", [y, g.op("Sigmoid", [y])])
    return y


def yolo11_attn(seed):
    """ultralytics' PSABlock at c = 256, 20 x 20: x + attn(x), then x + ffn(x)."""
    g = Graph(seed)
    c, h, w, heads = 256, 20, 20, 4
    hd = c // heads
    kd = hd // 2
    n = h * w
    x = "x"
    inp = helper.make_tensor_value_info(x, TensorProto.FLOAT, [1, c, h, w])
    qkv = conv(g, x, c, c + 2 * kd * heads)
    qkv = g.op("Reshape", [qkv, g.const([1, heads, 2 * kd + hd, n], np.int64)])
    q, k, v = [g.name("split") for _ in range(3)]
    g.nodes.append(helper.make_node("Split", [qkv, g.const([kd, kd, hd], np.int64)], [q, k, v],
                                    name=g.name("split"), axis=2))
    a = g.op("MatMul", [g.op("Transpose", [q], perm=[0, 1, 3, 2]), k])
    a = g.op("Softmax", [g.op("Mul", [a, g.const(kd ** -0.5)])], axis=-1)
    o = g.op("MatMul", [v, g.op("Transpose", [a], perm=[0, 1, 3, 2])])
    o = g.op("Reshape", [o, g.const([1, c, h, w], np.int64)])
    pe = conv(g, g.op("Reshape", [v, g.const([1, c, h, w], np.int64)]), c, c, k=3, groups=c)
    y = g.op("Add", [x, conv(g, g.op("Add", [o, pe]), c, c)])
    f = conv(g, conv(g, y, c, 2 * c, act="silu"), 2 * c, c)
    out = g.op("Add", [y, f])
    return g.model("yolo11_psa", [inp], [helper.make_tensor_value_info(out, TensorProto.FLOAT,
                                                                        [1, c, h, w])])


def swin_tiny(seed):
    """A shifted-window block and a patch merging, as torchvision 0.14's swin_t exports
    them (shifted_window_attention, PatchMerging)."""
    g = Graph(seed)
    h = w = 8
    c, heads, ws, sh = 16, 2, 4, 2
    hd, nw, t = c // heads, (h // ws) * (w // ws), ws * ws
    inp = helper.make_tensor_value_info("image", TensorProto.FLOAT, [1, 3, 4 * h, 4 * w])

    def const_node(arr):
        out = g.name("constant")
        g.nodes.append(helper.make_node("Constant", [], [out], name=out,
                                        value=numpy_helper.from_array(np.asarray(arr))))
        return out

    def i64(v):
        return g.const(v, np.int64)

    def roll(x, s):
        # torch.roll along height then width: two slices joined, per axis
        for axis, n in ((1, h), (2, w)):
            k = s % n
            a = g.op("Slice", [x, i64([n - k]), i64([n]), i64([axis])])
            b = g.op("Slice", [x, i64([0]), i64([n - k]), i64([axis])])
            x = g.op("Concat", [a, b], axis=axis)
        return x

    def dense(x, k, n, bias=True):
        y = g.op("MatMul", [x, g.weight("w", k, n)])
        return g.op("Add", [y, g.weight("b", n)]) if bias else y

    # the patch embedding: a 4 x 4 convolution of stride 4, channels last, layer norm
    x0 = g.op("Conv", ["image", g.weight("patch", c, 3, 4, 4), g.weight("patch_b", c)],
              kernel_shape=[4, 4], strides=[4, 4])
    x0 = layer_norm(g, g.op("Transpose", [x0], perm=[0, 2, 3, 1]), c)
    x = layer_norm(g, x0, c)
    x = roll(x, -sh)
    x = g.op("Reshape", [x, i64([1, h // ws, ws, w // ws, ws, c])])
    x = g.op("Transpose", [x], perm=[0, 1, 3, 2, 4, 5])
    x = g.op("Reshape", [x, i64([nw, t, c])])
    qkv = g.op("Reshape", [dense(x, c, 3 * c), i64([nw, t, 3, heads, hd])])
    qkv = g.op("Transpose", [qkv], perm=[2, 0, 3, 1, 4])
    q, k, v = (g.op("Gather", [qkv, i64(j)], axis=0) for j in range(3))
    q = g.op("Mul", [q, g.const(hd ** -0.5)])
    a = g.op("MatMul", [q, g.op("Transpose", [k], perm=[0, 1, 3, 2])])
    a = g.op("Add", [a, g.weight("relative_position_bias", 1, heads, t, t)])
    # the shifted-window mask: region numbers scattered into a zero image, partitioned
    # into windows, 0 where two positions share a region and -100 elsewhere
    img = g.op("ConstantOfShape", [const_node(np.array([h, w], np.int64))])
    idx, upd, region = [], [], 0
    for hs in (slice(0, h - ws), slice(h - ws, h - sh), slice(h - sh, h)):
        for wsl in (slice(0, w - ws), slice(w - ws, w - sh), slice(w - sh, w)):
            for i in range(h)[hs]:
                for j in range(w)[wsl]:
                    idx.append([i, j])
                    upd.append(float(region))
            region += 1
    m = g.op("ScatterND", [img, const_node(np.array(idx, np.int64)),
                           const_node(np.array(upd, np.float32))])
    m = g.op("Reshape", [m, const_node(np.array([h // ws, ws, w // ws, ws], np.int64))])
    m = g.op("Transpose", [m], perm=[0, 2, 1, 3])
    m = g.op("Reshape", [m, const_node(np.array([nw, t], np.int64))])
    m = g.op("Sub", [g.op("Unsqueeze", [m, i64([1])]), g.op("Unsqueeze", [m, i64([2])])])
    zero = const_node(np.array(0.0, np.float32))
    m = g.op("Where", [g.op("Equal", [m, zero]), zero, const_node(np.array(-100.0, np.float32))])
    m = g.op("Unsqueeze", [m, i64([0, 2])])
    a = g.op("Reshape", [a, i64([1, nw, heads, t, t])])
    a = g.op("Reshape", [g.op("Add", [a, m]), i64([nw, heads, t, t])])
    a = g.op("Softmax", [a], axis=-1)
    o = g.op("Transpose", [g.op("MatMul", [a, v])], perm=[0, 2, 1, 3])
    o = dense(g.op("Reshape", [o, i64([nw, t, c])]), c, c)
    o = g.op("Reshape", [o, i64([1, h // ws, w // ws, ws, ws, c])])
    o = g.op("Transpose", [o], perm=[0, 1, 3, 2, 4, 5])
    o = roll(g.op("Reshape", [o, i64([1, h, w, c])]), sh)
    y = g.op("Add", [x0, o])
    f = dense(gelu_erf(g, dense(layer_norm(g, y, c), c, 4 * c)), 4 * c, c)
    y = g.op("Add", [y, f])
    # patch merging: every second pixel, four ways, side by side in the channels
    parts = [g.op("Slice", [y, i64([r0, c0]), i64([h, w]), i64([1, 2]), i64([2, 2])])
             for r0, c0 in ((0, 0), (1, 0), (0, 1), (1, 1))]
    y = g.op("Concat", parts, axis=-1)
    out = dense(layer_norm(g, y, 4 * c), 4 * c, 2 * c, bias=False)
    return g.model("swin_tiny", [inp], [helper.make_tensor_value_info(
        out, TensorProto.FLOAT, [1, h // 2, w // 2, 2 * c])])


def einsum_attn(seed, matmul):
    """Self-attention over x (1 x 8 x 32) with 2 heads of 16, its products written as
    Einsum (opset 12, where Einsum appeared), or as MatMul and Transpose."""
    g = Graph(seed)

    def product(a, b, eq):
        return g.op("MatMul", [a, b]) if matmul else g.op("Einsum", [a, b], equation=eq)

    heads = g.const([1, 8, 2, 16], np.int64)
    proj = {}
    for p in ("q", "k", "v"):
        f = product("x", g.weight("w" + p, 32, 32), "bsd,dn->bsn")
        proj[p] = g.op("Transpose", [g.op("Reshape", [f, heads])], perm=[0, 2, 1, 3])
    if matmul:
        kt = g.op("Transpose", [proj["k"]], perm=[0, 1, 3, 2])
        scores = g.op("MatMul", [proj["q"], kt])
    else:
        scores = g.op("Einsum", [proj["q"], proj["k"]], equation="bhqd,bhkd->bhqk")
    p = g.op("Softmax", [g.op("Mul", [scores, g.const(0.25)])], axis=-1)
    ctx = g.op("Transpose", [product(p, proj["v"], "bhqk,bhkd->bhqd")], perm=[0, 2, 1, 3])
    flat = g.op("Reshape", [ctx, g.const([1, 8, 32], np.int64)])
    y = product(flat, g.weight("wo", 32, 32), "bsd,dn->bsn")
    x_in = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 8, 32])
    return g.model("einsum_attn", [x_in], [helper.make_tensor_value_info(y, TensorProto.FLOAT, [1, 8, 32])],
                   opset=12)


MODELS = {
    "einsum_attn": lambda: einsum_attn(5, False),
    "einsum_attn_matmul": lambda: einsum_attn(5, True),
    "bert_base": lambda: bert(12, 768, 12, 3072, 30522, 128, 512, 1),
    "bert_tiny": lambda: bert(2, 32, 2, 64, 100, 8, 16, 2),
    "bert_tiny_ln17": lambda: bert(2, 32, 2, 64, 100, 8, 16, 2, ln_op=True),
    "yolo11_attn": lambda: yolo11_attn(3),
    "swin_tiny": lambda: swin_tiny(4),
}


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    out = sys.argv[1]
    for name in sys.argv[2:] or sorted(MODELS):
        if name not in MODELS:
            print("make_transformers: no model %r" % name, file=sys.stderr)
            return 2
        m = MODELS[name]()
        onnx.checker.check_model(m)
        with open("%s/%s.onnx" % (out, name), "wb") as f:
            f.write(m.SerializeToString())
    return 0


if __name__ == "__main__":
    sys.exit(main())
