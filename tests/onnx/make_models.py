#!/usr/bin/python3
"""Writes the ONNX models tests/check_onnx.c imports (docs/onnx-import.md).

usage: /usr/bin/python3 tests/onnx/make_models.py OUTDIR

Needs Debian's python3-onnx and python3-numpy (the interpreter at /usr/bin/python3;
a pyenv python3 earlier on PATH usually lacks them).  Everything goes into OUTDIR,
never into the source tree:

  resnet50.onnx     ResNet-50 v1.5 built with onnx.helper the way torchvision exports it
                    (Conv without bias + BatchNormalization + Relu, MaxPool, bottlenecks
                    ending in Add + Relu, GlobalAveragePool, Flatten, Gemm); the same
                    network as models/resnet50/resnet50.net.yaml, described by hand
  patterns.onnx     the patterns the importer recognises or folds, described by hand in
                    tests/onnx/patterns.net.yaml
  node/test_*.onnx  libonnx-testdata node tests whose parameters are graph inputs, with
                    those inputs frozen into initializers from test_data_set_0, as an
                    exporter writes them
  node/op_*.onnx    one-operator models for the mappings no node test exercises
  bert_tiny.onnx, bert_tiny_ln17.onnx, yolo11_attn.onnx, swin_tiny.onnx
                    transformers of tests/onnx/make_transformers.py
  bad/*.onnx        malformed and hostile files
"""

import os
import random
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 13
NODE_DIR = "/usr/share/libonnx-testdata/data/node"


def save(model, path):
    with open(path, "wb") as f:
        f.write(model.SerializeToString())


def model_of(nodes, inputs, outputs, inits, name, opset=OPSET):
    g = helper.make_graph(nodes, name, inputs, outputs, initializer=inits)
    m = helper.make_model(g, producer_name="axsim-tests",
                          opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 7
    return m


class Builder:
    """Nodes and initializers with generated weights (seeded: the files are the same
    on every run)."""

    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)
        self.nodes = []
        self.inits = []

    def init(self, name, arr):
        self.inits.append(numpy_helper.from_array(np.asarray(arr), name))
        return name

    def weights(self, name, shape, scale=0.05):
        return self.init(name, (self.rng.standard_normal(shape, dtype=np.float32) * scale))

    def node(self, op, inputs, outputs, name, **attrs):
        self.nodes.append(helper.make_node(op, inputs, outputs, name=name, **attrs))
        return outputs[0] if len(outputs) == 1 else outputs

    def conv(self, x, name, cin, cout, k, stride=1, pad=0, bias=False):
        ins = [x, self.weights(name + ".weight", (cout, cin, k, k))]
        if bias:
            ins.append(self.weights(name + ".bias", (cout,)))
        return self.node("Conv", ins, [name], name, kernel_shape=[k, k], strides=[stride, stride],
                         pads=[pad] * 4)

    def bn(self, x, name, c):
        rng = self.rng
        ins = [x,
               self.init(name + ".weight", rng.uniform(0.5, 1.5, c).astype(np.float32)),
               self.init(name + ".bias", rng.uniform(-0.1, 0.1, c).astype(np.float32)),
               self.init(name + ".running_mean", rng.uniform(-0.1, 0.1, c).astype(np.float32)),
               self.init(name + ".running_var", rng.uniform(0.5, 1.5, c).astype(np.float32))]
        return self.node("BatchNormalization", ins, [name], name, epsilon=1e-5)

    def relu(self, x, name):
        return self.node("Relu", [x], [name], name)


# ---- ResNet-50 ----

def resnet50(out):
    b = Builder(50)
    x = b.conv("image", "conv1", 3, 64, 7, stride=2, pad=3)
    x = b.relu(b.bn(x, "bn1", 64), "relu")
    x = b.node("MaxPool", [x], ["maxpool"], "maxpool", kernel_shape=[3, 3], strides=[2, 2],
               pads=[1, 1, 1, 1])
    cin = 64
    for stage, (width, blocks, stride) in enumerate([(64, 3, 1), (128, 4, 2), (256, 6, 2),
                                                     (512, 3, 2)], start=1):
        for i in range(blocks):
            p = "layer%d.%d" % (stage, i)
            s = stride if i == 0 else 1
            y = b.relu(b.bn(b.conv(x, p + ".conv1", cin, width, 1), p + ".bn1", width), p + ".relu1")
            y = b.relu(b.bn(b.conv(y, p + ".conv2", width, width, 3, stride=s, pad=1), p + ".bn2",
                            width), p + ".relu2")
            y = b.bn(b.conv(y, p + ".conv3", width, width * 4, 1), p + ".bn3", width * 4)
            short = x
            if i == 0:
                short = b.bn(b.conv(x, p + ".downsample.0", cin, width * 4, 1, stride=s),
                             p + ".downsample.1", width * 4)
            x = b.relu(b.node("Add", [y, short], [p + ".add"], p + ".add"), p + ".relu")
            cin = width * 4
    x = b.node("GlobalAveragePool", [x], ["avgpool"], "avgpool")
    x = b.node("Flatten", [x], ["flatten"], "flatten", axis=1)
    b.node("Gemm", [x, b.weights("fc.weight", (1000, 2048)), b.weights("fc.bias", (1000,))],
           ["logits"], "fc", transB=1)
    m = model_of(b.nodes,
                 [helper.make_tensor_value_info("image", TensorProto.FLOAT, ["batch", 3, 224, 224])],
                 [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", 1000])],
                 b.inits, "resnet50-v1.5")
    save(m, os.path.join(out, "resnet50.onnx"))


# ---- the patterns (hand description: tests/onnx/patterns.net.yaml) ----

def patterns(out):
    b = Builder(7)
    f32 = lambda v: np.array(v, dtype=np.float32)
    i64 = lambda v: np.array(v, dtype=np.int64)
    # convolution + batch normalisation (folded) + SiLU written as x * sigmoid(x)
    x = b.bn(b.conv("image", "c1", 3, 16, 3, pad=1), "c1.bn", 16)
    x = b.node("Mul", [x, b.node("Sigmoid", [x], ["c1.sig"], "c1.sig")], ["c1.silu"], "c1.silu")
    # hard-swish written as x * clip(x + 3, 0, 6) / 6
    x = b.conv(x, "c2", 16, 16, 3, pad=1, bias=True)
    t = b.node("Add", [x, b.init("three", f32(3.0))], ["c2.add3"], "c2.add3")
    t = b.node("Clip", [t, b.init("zero", f32(0.0)), b.init("six", f32(6.0))], ["c2.clip"], "c2.clip")
    t = b.node("Mul", [x, t], ["c2.mul"], "c2.mul")
    hs = b.node("Div", [t, b.init("six_d", f32(6.0))], ["c2.hswish"], "c2.hswish")
    # Split, Slice, Concat along the channels
    s0, s1 = b.node("Split", [hs, b.init("split", i64([8, 8]))], ["s0", "s1"], "split", axis=1)
    sl = b.node("Slice", [s1, b.init("sl.starts", i64([2])), b.init("sl.ends", i64([6])),
                          b.init("sl.axes", i64([1]))], ["slice"], "slice")
    x = b.node("Concat", [s0, sl, hs], ["cat"], "cat", axis=1)
    # Resize (nearest, x2), Pad absorbed by the convolution behind it
    x = b.node("Resize", [x, "", b.init("up.scales", f32([1, 1, 2, 2]))], ["up"], "up",
               mode="nearest")
    x = b.node("Pad", [x, b.init("pad.pads", i64([0, 0, 1, 1, 0, 0, 1, 1]))], ["pad"], "pad")
    x = b.relu(b.conv(x, "c3", 28, 32, 3, stride=2, bias=True), "c3.relu")
    # tokens: the exporter's Shape -> Gather -> Unsqueeze -> Concat -> Reshape, Transpose
    sh = b.node("Shape", [x], ["shape"], "shape")
    n = b.node("Gather", [sh, b.init("zero_i", i64(0))], ["batch"], "batch", axis=0)
    n = b.node("Unsqueeze", [n, b.init("ax0", i64([0]))], ["batch1"], "batch1")
    n = b.node("Cast", [n], ["batch_i64"], "batch_i64", to=TensorProto.INT64)
    rest = b.node("Constant", [], ["rest"], "rest",
                  value=numpy_helper.from_array(i64([32, -1]), "rest"))
    tgt = b.node("Concat", [n, rest], ["target"], "target", axis=0)
    x = b.node("Reshape", [x, tgt], ["tokens_cl"], "tokens_cl")
    x = b.node("Transpose", [x], ["tokens"], "tokens", perm=[0, 2, 1])
    # layer normalisation written out
    eps = b.node("Constant", [], ["ln.eps"], "ln.eps",
                 value=numpy_helper.from_array(f32(1e-5), "ln.eps"))
    m = b.node("ReduceMean", [x], ["ln.mean"], "ln.mean", axes=[-1])
    d = b.node("Sub", [x, m], ["ln.d"], "ln.d")
    p = b.node("Pow", [d, b.init("two", f32(2.0))], ["ln.d2"], "ln.d2")
    v = b.node("ReduceMean", [p], ["ln.var"], "ln.var", axes=[-1])
    v = b.node("Add", [v, eps], ["ln.vareps"], "ln.vareps")
    q = b.node("Sqrt", [v], ["ln.std"], "ln.std")
    x = b.node("Div", [d, q], ["ln.norm"], "ln.norm")
    x = b.node("Mul", [x, b.init("ln.gamma", b.rng.uniform(0.5, 1.5, 32).astype(np.float32))],
               ["ln.scaled"], "ln.scaled")
    x = b.node("Add", [x, b.init("ln.beta", b.rng.uniform(-0.1, 0.1, 32).astype(np.float32))],
               ["ln.out"], "ln.out")
    # a per-token dense layer, its bias an Add, and a softmax over the features
    x = b.node("MatMul", [x, b.weights("fc.weight", (32, 10))], ["fc.mm"], "fc.mm")
    x = b.node("Add", [x, b.weights("fc.bias", (10,))], ["fc"], "fc")
    x = b.node("Softmax", [x], ["probs3"], "probs", axis=-1)
    b.node("Squeeze", [x, b.init("sq.axes", i64([0]))], ["probs"], "squeeze")
    m = model_of(b.nodes,
                 [helper.make_tensor_value_info("image", TensorProto.FLOAT, [1, 3, 32, 32])],
                 [helper.make_tensor_value_info("probs", TensorProto.FLOAT, [1024, 10])],
                 b.inits, "patterns")
    save(m, os.path.join(out, "patterns.onnx"))
    return m


# ---- node tests with their parameters frozen ----

FROZEN = [
    "test_batchnorm_example", "test_batchnorm_epsilon", "test_slice", "test_slice_negative_axes",
    "test_slice_default_axes", "test_constant_pad", "test_resize_upsample_sizes_nearest_ceil_half_pixel",
    "test_resize_upsample_scales_nearest", "test_upsample_nearest", "test_reshape_extended_dims",
    "test_reshape_reordered_last_dims", "test_squeeze", "test_unsqueeze_two_axes",
    "test_pow_bcast_scalar", "test_reduce_mean_keepdims_example", "test_clip_example",
    "test_gemm_default_single_elem_vector_bias", "test_gemm_all_attributes",
    "test_averagepool_2d_pads", "test_split_variable_parts_2d",
]


def op_models(out):
    """One-operator models where no node test fits the chip: a mean over the pixels,
    Upsample (opset 9) by 2 in both directions, a Pad in front of a MaxPool."""
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 8, 6, 6])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, None)
    n = helper.make_node("ReduceMean", ["x"], ["y"], name="mean", axes=[2, 3], keepdims=1)
    save(model_of([n], [x], [y], [], "reducemean"), os.path.join(out, "op_reducemean_hw.onnx"))
    sc = numpy_helper.from_array(np.array([1, 1, 2, 2], np.float32), "scales")
    n = helper.make_node("Upsample", ["x", "scales"], ["y"], name="up", mode="nearest")
    save(model_of([n], [x], [y], [sc], "upsample", opset=9), os.path.join(out, "op_upsample.onnx"))
    pads = numpy_helper.from_array(np.array([0, 0, 1, 1, 0, 0, 1, 1], np.int64), "pads")
    nodes = [helper.make_node("Pad", ["x", "pads"], ["p"], name="pad"),
             helper.make_node("MaxPool", ["p"], ["y"], name="pool", kernel_shape=[3, 3])]
    save(model_of(nodes, [x], [y], [pads], "padpool"), os.path.join(out, "op_pad_maxpool.onnx"))
    # layer normalisation written out, as opset 18 exporters do: the ReduceMean axes
    # come from a Constant given by value_ints
    t = helper.make_tensor_value_info("t", TensorProto.FLOAT, [1, 16, 32])
    nodes = [helper.make_node("Constant", [], ["ax"], name="ax", value_ints=[-1]),
             helper.make_node("Constant", [], ["eps"], name="eps", value_float=1e-5),
             helper.make_node("Constant", [], ["two"], name="two", value_float=2.0),
             helper.make_node("ReduceMean", ["t", "ax"], ["m"], name="m"),
             helper.make_node("Sub", ["t", "m"], ["d"], name="d"),
             helper.make_node("Pow", ["d", "two"], ["d2"], name="d2"),
             helper.make_node("ReduceMean", ["d2", "ax"], ["v"], name="v"),
             helper.make_node("Add", ["v", "eps"], ["ve"], name="ve"),
             helper.make_node("Sqrt", ["ve"], ["s"], name="s"),
             helper.make_node("Div", ["d", "s"], ["y"], name="div")]
    save(model_of(nodes, [t], [y], [], "layernorm18", opset=18),
         os.path.join(out, "op_layernorm_const_ints.onnx"))
    # a Conv whose weights are an activation, through a Relu: the Relu must not be lost
    wact = helper.make_tensor_value_info("wact", TensorProto.FLOAT, [8, 8, 1, 1])
    nodes = [helper.make_node("Relu", ["wact"], ["wr"], name="relu"),
             helper.make_node("Conv", ["x", "wr"], ["y"], name="conv")]
    save(model_of(nodes, [x, wact], [y], [], "dynconv"), os.path.join(out, "op_conv_runtime_weights.onnx"))
    # ScatterND on constants (folded, as Swin's shifted-window mask is), with an index
    # outside the data: one clear message naming the node
    t4 = helper.make_tensor_value_info("t4", TensorProto.FLOAT, [1, 4, 4])
    inits = [numpy_helper.from_array(np.zeros((4, 4), np.float32), "data"),
             numpy_helper.from_array(np.array([[5]], np.int64), "idx"),
             numpy_helper.from_array(np.ones((1, 4), np.float32), "upd")]
    nodes = [helper.make_node("ScatterND", ["data", "idx", "upd"], ["m"], name="scatter"),
             helper.make_node("Add", ["t4", "m"], ["y"], name="add")]
    save(model_of(nodes, [t4], [y], inits, "scatternd_bad"), os.path.join(out, "op_scatternd_bad.onnx"))


def einsum_models(out):
    """Einsum as transformer exports write it, each beside the same product written with
    MatMul and Transpose (es_NAME.onnx, es_NAME_ref.onnx); opset 12, where Einsum
    appeared."""
    rng = np.random.default_rng(18)

    def vi(name, shape):
        return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)

    def w(name, *shape):
        return numpy_helper.from_array((rng.standard_normal(shape) * 0.1).astype(np.float32), name)

    def pair(name, ins, eq, ein_inits, ref_nodes, ref_inits, tail=(), tail_inits=()):
        """The Einsum of inputs ins (name: shape) and constants ein_inits, and the same
        product as ref_nodes; tail: nodes after the product (its output 'e')."""
        y, inputs = vi("y", None), [vi(n, sh) for n, sh in ins.items()]
        end = "e" if tail else "y"
        es = helper.make_node("Einsum", list(ins) + [t.name for t in ein_inits], [end], name="es",
                              equation=eq)
        save(model_of([es] + list(tail), inputs, [y], list(ein_inits) + list(tail_inits),
                      "es_" + name, opset=12), os.path.join(out, "es_%s.onnx" % name))
        ref_nodes[-1].output[0] = end
        save(model_of(ref_nodes + list(tail), inputs, [y], list(ref_inits) + list(tail_inits),
                      "es_%s_ref" % name, opset=12), os.path.join(out, "es_%s_ref.onnx" % name))

    q, k, v = "q", "k", "v"
    # Q x K^T per head, scores x V
    pair("qk", {q: [1, 2, 8, 16], k: [1, 2, 8, 16]}, "bhqd,bhkd->bhqk", [],
         [helper.make_node("Transpose", [k], ["kt"], perm=[0, 1, 3, 2]),
          helper.make_node("MatMul", [q, "kt"], ["o"])], [])
    pair("sv", {"s": [1, 2, 8, 8], v: [1, 2, 8, 16]}, "bhqk,bhkd->bhqd", [],
         [helper.make_node("MatMul", ["s", v], ["o"])], [])
    pair("bmm", {"a": [1, 8, 8], "b": [1, 8, 16]}, "bij,bjd->bid", [],
         [helper.make_node("MatMul", ["a", "b"], ["o"])], [])
    # against constant weights: transposed, by an ellipsis, implicit, constant first,
    # several output indices
    wt = w("w", 16, 32)
    wt_ref = numpy_helper.from_array(numpy_helper.to_array(wt).T.copy(), "w")
    pair("dense_t", {"x": [1, 8, 32]}, "bid,jd->bij", [wt],
         [helper.make_node("MatMul", ["x", "w"], ["o"])], [wt_ref])
    es = helper.make_node("Einsum", ["w", "x"], ["y"], name="es", equation="jd,bid->bij")
    save(model_of([es], [vi("x", [1, 8, 32])], [vi("y", None)], [wt], "es_dense_first", opset=12),
         os.path.join(out, "es_dense_first.onnx"))
    wn = w("w", 32, 16)
    pair("dense_ell", {"x": [1, 8, 32]}, "...d,dn->...n", [wn],
         [helper.make_node("MatMul", ["x", "w"], ["o"])], [wn])
    pair("dense_implicit", {"x": [8, 32]}, "ij,jk", [wn],
         [helper.make_node("MatMul", ["x", "w"], ["o"])], [wn])
    wh = w("w", 32, 2, 16)
    wh_ref = numpy_helper.from_array(numpy_helper.to_array(wh).reshape(32, 32), "w")
    shp = numpy_helper.from_array(np.array([1, 8, 2, 16], np.int64), "shp")
    pair("dense_heads", {"x": [1, 8, 32]}, "bsd,dhk->bshk", [wh],
         [helper.make_node("MatMul", ["x", "w"], ["m"]),
          helper.make_node("Reshape", ["m", "shp"], ["o"])], [wh_ref, shp])
    # several contracted indices: heads joined by an output projection
    wj = w("w", 2, 16, 32)
    wj_ref = numpy_helper.from_array(numpy_helper.to_array(wj).reshape(32, 32), "w")
    flat = numpy_helper.from_array(np.array([1, 8, 32], np.int64), "flat")
    pair("dense_join", {"x": [1, 8, 2, 16]}, "bshk,hkd->bsd", [wj],
         [helper.make_node("Reshape", ["x", "flat"], ["xf"]),
          helper.make_node("MatMul", ["xf", "w"], ["o"])], [wj_ref, flat])
    # one operand: a transpose in front of a dense layer
    w8 = w("w8", 8, 4)
    tail = [helper.make_node("MatMul", ["e", "w8"], ["y"], name="mm")]
    pair("transpose", {"x": [1, 8, 32]}, "bij->bji", [],
         [helper.make_node("Transpose", ["x"], ["o"], perm=[0, 2, 1])], [], tail, [w8])
    # an attention block written with Einsum and with MatMul (make_transformers.py)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    sys.dont_write_bytecode = True  # nothing into the source tree
    import make_transformers
    save(make_transformers.MODELS["einsum_attn"](), os.path.join(out, "es_attn.onnx"))
    save(make_transformers.MODELS["einsum_attn_matmul"](), os.path.join(out, "es_attn_ref.onnx"))


def concat_batch_models(out):
    """Concat along axis 0 (the batch) of two convolutions: followed by Relu, as an output,
    and through an Add into a Conv; the chip runs batch 1, so each must be refused, never
    imported as a concatenation of channels."""
    b = Builder(7)
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 8, 4, 4])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, None)
    for name, tail in (("relu", "relu"), ("out", None), ("add_conv", "add")):
        b.nodes, b.inits = [], []
        ca = b.conv("x", "ca", 8, 8, 3, pad=1)
        cb = b.conv("x", "cb", 8, 8, 3, pad=1)
        last = "y" if tail is None else "cat"
        b.node("Concat", [ca, cb], [last], "cat", axis=0)
        if tail == "relu":
            b.node("Relu", ["cat"], ["y"], "act")
        elif tail == "add":
            b.node("Add", ["cat", "cat"], ["sum"], "sum")
            b.node("Conv", ["sum", b.weights("wz", (8, 8, 1, 1))], ["y"], "cz", kernel_shape=[1, 1])
        save(model_of(b.nodes, [x], [y], b.inits, "concat_batch_" + name),
             os.path.join(out, "op_concat_batch_%s.onnx" % name))


def freeze(name, out):
    """The node test with every graph input but the first turned into an initializer
    holding test_data_set_0's value."""
    d = os.path.join(NODE_DIR, name)
    m = onnx.load(os.path.join(d, "model.onnx"))
    g = m.graph
    keep = []
    for k, vi in enumerate(list(g.input)):
        pb = os.path.join(d, "test_data_set_0", "input_%d.pb" % k)
        if k == 0 or not os.path.exists(pb):
            keep.append(vi)
            continue
        t = TensorProto()
        with open(pb, "rb") as f:
            t.ParseFromString(f.read())
        t.name = vi.name
        g.initializer.append(t)
    del g.input[:]
    g.input.extend(keep)
    save(m, os.path.join(out, name + ".onnx"))


# ---- malformed and hostile files ----

def varint(v):
    b = bytearray()
    while True:
        byte = v & 0x7f
        v >>= 7
        if v:
            b.append(byte | 0x80)
        else:
            b.append(byte)
            return bytes(b)


def field(num, payload):
    """A length-delimited protobuf field."""
    return varint(num << 3 | 2) + varint(len(payload)) + payload


def tiny(nodes=None, inits=None, inputs=None, outputs=None, opsets=None, ir=7):
    """A small Relu model, parts replaced."""
    if nodes is None:
        nodes = [helper.make_node("Relu", ["x"], ["y"], name="relu")]
    if inputs is None:
        inputs = [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4, 8, 8])]
    if outputs is None:
        outputs = [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4, 8, 8])]
    g = helper.make_graph(nodes, "tiny", inputs, outputs, initializer=inits or [])
    m = helper.make_model(g, opset_imports=opsets or [helper.make_opsetid("", OPSET)])
    m.ir_version = ir
    return m


def raw_tensor(name, dims, data=b""):
    """A float tensor with any dimensions and raw_data, unchecked."""
    t = TensorProto()
    t.name = name
    t.data_type = TensorProto.FLOAT
    t.dims.extend(dims)
    t.raw_data = data
    return t


def conv_model(w_dims, w_vals, attrs=None):
    w = raw_tensor("w", w_dims, np.array(w_vals, np.float32).tobytes())
    n = helper.make_node("Conv", ["x", "w"], ["y"], name="conv", **(attrs or {}))
    return tiny(nodes=[n], inits=[w],
                outputs=[helper.make_tensor_value_info("y", TensorProto.FLOAT, None)])


def bad_files(out, good):
    def put(name, data):
        if not isinstance(data, (bytes, bytearray)):
            data = data.SerializeToString()
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)

    rnd = random.Random(3)
    put("empty.onnx", b"")
    put("random.onnx", bytes(rnd.getrandbits(8) for _ in range(4096)))
    put("truncated.onnx", good[: len(good) * 3 // 5])
    put("text.onnx", b"this is not an onnx model\n" * 10)
    # a graph field that claims 2^60 bytes
    put("huge-length.onnx", varint(1 << 3) + varint(7) + varint(7 << 3 | 2) + varint(1 << 60) + b"\0" * 16)
    # a ten-byte varint that overflows 64 bits
    put("huge-varint.onnx", varint(1 << 3) + b"\xff" * 10 + b"\x01")
    # graphs nested in attributes 200 deep (protobuf-c's decoder would recurse)
    msg = b""
    for _ in range(200):
        node = field(5, field(6, msg))       # NodeProto.attribute { AttributeProto.g = msg }
        msg = field(1, node)                  # GraphProto.node
    put("deep-nesting.onnx", varint(1 << 3) + varint(7) + field(7, msg))
    # shapes
    put("absurd-dims.onnx", tiny(inputs=[helper.make_tensor_value_info(
        "x", TensorProto.FLOAT, [1, 3, 1 << 40, 1 << 40])]))
    put("negative-dims.onnx", tiny(inputs=[helper.make_tensor_value_info(
        "x", TensorProto.FLOAT, [1, 3, -5, 8])]))
    neg = raw_tensor("w", [-4, -4, 1, 1], np.zeros(16, np.float32).tobytes())
    put("negative-init-dims.onnx", tiny(inits=[neg]))
    # an initializer that declares 2^40 elements and holds none
    put("huge-initializer.onnx", tiny(inits=[raw_tensor("w", [1 << 20, 1 << 20])]))
    # 2^62 elements, whose byte count overflows
    put("overflow-initializer.onnx", tiny(inits=[raw_tensor("w", [1 << 31, 1 << 31, 1 << 31])]))
    put("wrong-init-size.onnx", conv_model([16, 4, 3, 3], [0.5] * 100,
                                           {"kernel_shape": [3, 3], "pads": [1, 1, 1, 1]}))
    m = conv_model([4, 4, 1, 1], [0.0] * 16)
    m.graph.initializer[0].CopyFrom(raw_tensor("w", [4, 4, 1, 1], bytes(62)))
    put("ragged-raw-data.onnx", m)
    ext = helper.make_tensor("w", TensorProto.FLOAT, [4, 4, 1, 1], [0.0] * 16)
    ext.data_location = TensorProto.EXTERNAL
    del ext.float_data[:]
    ext.external_data.add(key="location", value="/etc/passwd")
    put("external-data.onnx", tiny(nodes=[helper.make_node("Conv", ["x", "w"], ["y"], name="conv")],
                                   inits=[ext]))
    put("conv-weight-rank.onnx", conv_model([4, 4], [0.0] * 16))
    put("conv-zero-stride.onnx", conv_model([4, 4, 3, 3], [0.0] * 144, {"strides": [0, 0]}))
    put("conv-zero-group.onnx", conv_model([4, 4, 3, 3], [0.0] * 144, {"group": 0}))
    put("conv-huge-pads.onnx", conv_model([4, 4, 3, 3], [0.0] * 144,
                                          {"pads": [1 << 40, 1, 1 << 40, 1]}))
    # the graph
    put("cyclic.onnx", tiny(nodes=[helper.make_node("Relu", ["x2"], ["y"], name="a"),
                                   helper.make_node("Add", ["y", "x"], ["x2"], name="b")]))
    put("missing-input.onnx", tiny(nodes=[helper.make_node("Add", ["x", "nowhere"], ["y"], name="add")]))
    # a name with a newline, a terminal escape and bytes that are not UTF-8 (MARK is
    # replaced in the serialized bytes): messages stay one printable line
    put("control-chars.onnx", tiny(nodes=[helper.make_node("Add", ["x", "evil\n\x1b[31mMARK"], ["y"],
                                                           name="add")]).SerializeToString()
        .replace(b"MARK", b"\xee\xff\xc3n"))
    put("two-producers.onnx", tiny(nodes=[helper.make_node("Relu", ["x"], ["y"], name="a"),
                                          helper.make_node("Sigmoid", ["x"], ["y"], name="b")]))
    put("no-graph.onnx", varint(1 << 3) + varint(7))
    put("no-outputs.onnx", tiny(outputs=[]))
    put("undefined-output.onnx", tiny(outputs=[helper.make_tensor_value_info(
        "ghost", TensorProto.FLOAT, [1])]))
    put("no-default-opset.onnx", tiny(opsets=[helper.make_opsetid("com.example", 1)]))
    # an operator of an unknown domain that feeds a convolution: it cannot go to the host
    fancy = helper.make_node("FancyOp", ["x"], ["f"], name="fancy", domain="com.example")
    conv = helper.make_node("Conv", ["f", "w"], ["y"], name="conv")
    w = helper.make_tensor("w", TensorProto.FLOAT, [4, 4, 1, 1], [0.1] * 16)
    put("unknown-domain.onnx", tiny(nodes=[fancy, conv], inits=[w],
                                    opsets=[helper.make_opsetid("", OPSET),
                                            helper.make_opsetid("com.example", 1)]))
    # an unsupported operator in front of a convolution
    put("unsupported-middle.onnx", tiny(nodes=[helper.make_node("Sin", ["x"], ["f"], name="sin"), conv],
                                        inits=[w]))
    # Einsum the chip cannot do (three operands, a diagonal, a sum) and malformed equations
    for name, eq, ins in (("three", "bij,bjk,bkl->bil", "abc"), ("diag", "bii->bi", "a"),
                          ("sum", "bij,bjk->bi", "ab"), ("dots", "b..ij,bjk->bik", "ab"),
                          ("arrows", "bij,bjk->bik->bi", "ab"), ("chars", "b\x01j,b$k->bik", "ab")):
        vis = [helper.make_tensor_value_info(n, TensorProto.FLOAT, [1, 4, 4]) for n in ins]
        es = helper.make_node("Einsum", list(ins), ["y"], name="es", equation=eq)
        y = helper.make_tensor_value_info("y", TensorProto.FLOAT, None)
        put("es-%s.onnx" % name, model_of([es], vis, [y], [], "es_bad", opset=12))
    # an unsupported trailing part without weights goes to the host
    put("unsupported-tail.onnx", tiny(nodes=[helper.make_node("Conv", ["x", "w"], ["c"], name="conv"),
                                             helper.make_node("Sin", ["c"], ["y"], name="sin")],
                                      inits=[w]))


def transformers(out):
    """The small transformer and the YOLO11 attention block of make_transformers.py."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    sys.dont_write_bytecode = True  # nothing into the source tree
    import make_transformers
    for name in ("bert_tiny", "bert_tiny_ln17", "yolo11_attn", "swin_tiny"):
        save(make_transformers.MODELS[name](), os.path.join(out, name + ".onnx"))


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make_models.py OUTDIR")
    out = sys.argv[1]
    for sub in ("", "node", "bad"):
        os.makedirs(os.path.join(out, sub), exist_ok=True)
    resnet50(out)
    pm = patterns(out)
    for name in FROZEN:
        freeze(name, os.path.join(out, "node"))
    op_models(os.path.join(out, "node"))
    transformers(out)
    concat_batch_models(os.path.join(out, "node"))
    einsum_models(os.path.join(out, "node"))
    bad_files(os.path.join(out, "bad"), pm.SerializeToString())


if __name__ == "__main__":
    main()
