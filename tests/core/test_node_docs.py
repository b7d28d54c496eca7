"""The node notes name real torch nodes, match their slots, and state correct calculus."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from functools import cache
from typing import Any

import pytest
import torch
import torch.nn.functional as F

from explorer.core.view.node_docs import NodeDoc, describe_node, documented_names, input_label

# One slot per joined tensor, so their written inputs describe the two-tensor case only.
VARIADIC = {"CatBackward0", "StackBackward0"}


def _leaf(*shape: int, positive: bool = False) -> torch.Tensor:
    values = torch.randn(*shape, dtype=torch.float64)
    if positive:
        values = values.abs() + 0.5
    return values.requires_grad_()


def _squeezed_in_place(dims: tuple[int, ...] | int | None) -> torch.Tensor:
    # In-place squeeze_ is refused on a leaf's view, so squeeze a fresh intermediate.
    out = _leaf(1, 3, 1) * 2
    if dims is None:
        out.squeeze_()
    else:
        out.squeeze_(dims)
    return out


def _programs() -> dict[str, Callable[[], object]]:
    a, b, c = _leaf(3), _leaf(3), _leaf(3)
    p = _leaf(3, positive=True)
    m, n = _leaf(2, 3), _leaf(3, 4)
    cube, batch = _leaf(2, 3, 4), _leaf(2, 4, 5)
    image = _leaf(1, 1, 4, 4)
    target = torch.rand(3, dtype=torch.float64)
    labels = torch.tensor([0, 2])
    return {
        "mul": lambda: a * b, "add": lambda: a + b, "add number": lambda: a + 1,
        "sub": lambda: a - b, "rsub tensor": lambda: torch.rsub(a, b),
        "number minus": lambda: 1 - a, "div": lambda: a / b,
        "div mode": lambda: torch.div(a, b, rounding_mode="floor"), "neg": lambda: -a,
        "cube": lambda: a ** 3, "pow tensor": lambda: p ** b, "two to the": lambda: 2 ** a,
        "reciprocal": lambda: p.reciprocal(), "sqrt": lambda: p.sqrt(), "rsqrt": lambda: p.rsqrt(),
        "abs": lambda: a.abs(), "addcmul": lambda: torch.addcmul(a, b, c),
        "lerp": lambda: torch.lerp(a, b, 0.3), "exp": lambda: a.exp(), "exp2": lambda: a.exp2(),
        "expm1": lambda: a.expm1(), "log": lambda: p.log(), "log1p": lambda: p.log1p(),
        "log2": lambda: p.log2(), "log10": lambda: p.log10(), "logsumexp": lambda: a.logsumexp(0),
        "sin": lambda: a.sin(), "cos": lambda: a.cos(), "tan": lambda: a.tan(),
        "atan": lambda: a.atan(), "atan2": lambda: torch.atan2(a, b), "sinh": lambda: a.sinh(),
        "cosh": lambda: a.cosh(), "tanh": lambda: a.tanh(), "erf": lambda: a.erf(),
        "sigmoid": lambda: a.sigmoid(), "logsigmoid": lambda: F.logsigmoid(a),
        "relu": lambda: F.relu(a), "leaky relu": lambda: F.leaky_relu(a),
        "elu": lambda: F.elu(a), "selu": lambda: F.selu(a), "gelu": lambda: F.gelu(a),
        "silu": lambda: F.silu(a), "mish": lambda: F.mish(a), "softplus": lambda: F.softplus(a),
        "hardtanh": lambda: F.hardtanh(a), "relu6": lambda: F.relu6(a),
        "sign": lambda: a.sign(), "round": lambda: a.round(), "floor": lambda: a.floor(),
        "ceil": lambda: a.ceil(), "trunc": lambda: a.trunc(),
        "clamp": lambda: a.clamp(-0.5, 0.5), "clamp tensors": lambda: torch.clamp(a, b, c),
        "clamp_min": lambda: a.clamp_min(0), "clamp_max": lambda: a.clamp_max(0),
        "where": lambda: torch.where(a > 0, a, b), "masked_fill": lambda: a.masked_fill(a > 0, 0.0),
        "maximum": lambda: torch.maximum(a, b), "minimum": lambda: torch.minimum(a, b),
        "max": lambda: a.max(), "max dim": lambda: m.max(0).values, "min": lambda: a.min(),
        "min dim": lambda: m.min(1).values, "amax": lambda: m.amax(0),
        "sum": lambda: a.sum(), "sum dim": lambda: m.sum(0), "mean": lambda: a.mean(),
        "mean dim": lambda: m.mean(0), "prod": lambda: a.prod(), "var": lambda: a.var(),
        "std": lambda: a.std(), "cumsum": lambda: a.cumsum(0), "norm": lambda: a.norm(),
        "pairwise distance": lambda: F.pairwise_distance(m, m.detach().flip(0)),
        "mm": lambda: m @ n, "mv": lambda: m @ a, "dot": lambda: a @ b,
        "bmm": lambda: torch.bmm(cube, batch), "matmul 3-D": lambda: cube @ batch,
        "linear": lambda: F.linear(m, _leaf(4, 3), _leaf(4)),
        "addmm": lambda: torch.addmm(_leaf(4), m, n), "addmv": lambda: torch.addmv(_leaf(2), m, a),
        "baddbmm": lambda: torch.baddbmm(_leaf(2, 3, 5), cube, batch),
        "trace": lambda: _leaf(3, 3).trace(), "t": lambda: m.t(), "T": lambda: m.T,
        "transpose": lambda: m.transpose(0, 1), "permute": lambda: cube.permute(2, 0, 1),
        "view": lambda: m.view(6), "reshape copy": lambda: m.t().reshape(6),
        "alias": lambda: a[...], "unsqueeze": lambda: a.unsqueeze(0),
        "squeeze": lambda: a[None].squeeze(), "squeeze dim": lambda: a[None].squeeze(0),
        "squeeze dims": lambda: a[None, :, None].squeeze((0, 2)),
        "squeeze_": lambda: _squeezed_in_place(None), "squeeze_ dim": lambda: _squeezed_in_place(0),
        "squeeze_ dims": lambda: _squeezed_in_place((0, 2)), "vector @ matrix": lambda: a @ n,
        "expand": lambda: a.expand(2, 3), "repeat": lambda: a.repeat(2), "flip": lambda: a.flip(0),
        "roll": lambda: a.roll(1), "clone": lambda: a.clone(), "to float32": lambda: a.float(),
        "cat": lambda: torch.cat([a, b]), "cat three": lambda: torch.cat([a, b, c]),
        "stack": lambda: torch.stack([a, b]), "unbind": lambda: a.unbind()[0],
        "split": lambda: a.split(1)[0], "split sizes": lambda: a.split([1, 2])[0],
        "select": lambda: m[0], "slice": lambda: m[:, 1:], "index": lambda: a[torch.tensor([0, 2])],
        "mask index": lambda: a[a > 0], "gather": lambda: m.gather(1, torch.tensor([[0], [1]])),
        "triu": lambda: m.triu(), "tril": lambda: m.tril(), "pad": lambda: F.pad(a, (1, 1)),
        "embedding": lambda: F.embedding(torch.tensor([0, 1, 0]), _leaf(4, 3)),
        "softmax": lambda: a.softmax(0), "log_softmax": lambda: a.log_softmax(0),
        "cross entropy": lambda: F.cross_entropy(m, labels),
        "mse": lambda: F.mse_loss(a, b), "smooth l1": lambda: F.smooth_l1_loss(a, b),
        "huber": lambda: F.huber_loss(a, b),
        "bce logits": lambda: F.binary_cross_entropy_with_logits(a, target),
        "bce": lambda: F.binary_cross_entropy(a.sigmoid(), target),
        "layer norm": lambda: F.layer_norm(m, (3,), _leaf(3), _leaf(3)),
        "batch norm": lambda: F.batch_norm(m, None, None, _leaf(3), _leaf(3), training=True),
        "conv2d": lambda: F.conv2d(image, _leaf(2, 1, 3, 3), _leaf(2)),
        "max pool": lambda: F.max_pool2d(image, 2), "avg pool": lambda: F.avg_pool2d(image, 2),
        "rms norm": lambda: F.rms_norm(m, (3,)),
        "cosine embedding loss": lambda: F.cosine_embedding_loss(
            m, _leaf(2, 3), torch.tensor([1.0, -1.0])),
        "attention": lambda: F.scaled_dot_product_attention(_leaf(1, 2, 3), _leaf(1, 2, 3),
                                                            _leaf(1, 2, 3)),
    }


def _walk(root: Any) -> Iterator[Any]:
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        stack.extend(child for child, _ in node.next_functions)


@cache
def _slot_counts() -> dict[str, frozenset[int]]:
    """For every node name the catalogue produces, the next_functions lengths seen."""
    torch.manual_seed(0)
    counts: dict[str, set[int]] = {}
    for label, program in _programs().items():
        out = program()
        assert isinstance(out, torch.Tensor) and out.grad_fn is not None, label
        for node in _walk(out.grad_fn):
            counts.setdefault(node.name(), set()).add(len(node.next_functions))
    return {name: frozenset(lengths) for name, lengths in counts.items()}


def _written() -> list[NodeDoc]:
    return [describe_node(name) for name in sorted(documented_names())]


# 1. Coverage and completeness of the written notes.

def test_at_least_45_written_notes_with_every_field_filled() -> None:
    docs = _written()
    assert len(docs) >= 45
    for doc in docs:
        assert not doc.generic, doc.name
        assert doc.name and doc.title.strip() and doc.computes.strip() and doc.rule.strip()
        assert all(slot.strip() for slot in doc.inputs), doc.name
        assert len(set(doc.inputs)) == len(doc.inputs), doc.name
        # Only a leaf's collector has no slots: it is where backward stops.
        assert doc.inputs or doc.name == "torch::autograd::AccumulateGrad"


def test_the_brief_s_core_names_are_all_written() -> None:
    core = {
        "torch::autograd::AccumulateGrad", "AddBackward0", "AddBackward1", "SubBackward0",
        "SubBackward1", "RsubBackward1", "MulBackward0", "DivBackward0", "NegBackward0",
        "PowBackward0", "PowBackward1", "ExpBackward0", "LogBackward0", "SinBackward0",
        "CosBackward0", "TanBackward0", "TanhBackward0", "SigmoidBackward0", "ReluBackward0",
        "AbsBackward0", "SqrtBackward0", "SumBackward0", "SumBackward1", "MeanBackward0",
        "MeanBackward1", "MmBackward0", "MvBackward0", "DotBackward0", "BmmBackward0",
        "AddmmBackward0", "TBackward0", "TransposeBackward0", "PermuteBackward0",
        "ViewBackward0", "ReshapeAliasBackward0", "UnsqueezeBackward0", "SqueezeBackward0",
        "SqueezeBackward1", "ExpandBackward0", "CatBackward0", "StackBackward0",
        "SelectBackward0", "SliceBackward0", "IndexBackward0", "CloneBackward0",
        "SoftmaxBackward0", "LogSoftmaxBackward0", "NllLossBackward0", "MseLossBackward0",
        "GeluBackward0", "SiluBackward0", "ClampBackward1", "WhereBackward0", "MaxBackward0",
        "MaxBackward1", "AmaxBackward0", "LinalgVectorNormBackward0", "NormBackward1",
        "BinaryCrossEntropyWithLogitsBackward0", "NativeLayerNormBackward0",
        "ConvolutionBackward0", "MaximumBackward0", "UnbindBackward0", "SplitBackward0",
        "ToCopyBackward0", "Log1PBackward0", "ErfBackward0", "RoundBackward0", "SignBackward0",
        "LeakyReluBackward0", "EluBackward0", "SoftplusBackward0", "HardtanhBackward0",
    }
    assert core <= documented_names(), sorted(core - documented_names())


def test_piecewise_constant_ops_say_their_gradient_is_zero() -> None:
    for name in ("RoundBackward0", "SignBackward0", "FloorBackward0", "CeilBackward0"):
        assert "zero almost everywhere" in describe_node(name).rule


# 2 and 3. Names and slots agree with what torch really builds.

def test_every_documented_name_is_produced_by_torch() -> None:
    missing = documented_names() - _slot_counts().keys()
    assert not missing, f"never produced by the catalogue: {sorted(missing)}"


@pytest.mark.parametrize("name", sorted(documented_names()))
def test_inputs_match_the_real_next_functions(name: str) -> None:
    doc = describe_node(name)
    seen = _slot_counts()[name]
    if name in VARIADIC:
        assert len(doc.inputs) in seen
        longest = max(seen)
        labels = [input_label(doc, slot) for slot in range(longest)]
        assert len(set(labels)) == longest
    else:
        assert seen == {len(doc.inputs)}, f"{name}: slots {sorted(seen)}, doc {doc.inputs}"


def test_linear_feeds_addmm_its_bias_input_and_transposed_weight_in_that_order() -> None:
    x, weight, bias = _leaf(2, 3), _leaf(4, 3), _leaf(4)
    node = F.linear(x.exp(), weight, bias.sin()).grad_fn
    assert node is not None and node.name() == "AddmmBackward0"
    children = [child.name() if child else None for child, _ in node.next_functions]
    assert children == ["SinBackward0", "ExpBackward0", "TBackward0"]
    assert describe_node("AddmmBackward0").inputs == ("bias", "m1", "m2")


# 4. The rules are the right calculus: each rebuilt by hand and compared with torch.

Case = tuple[str, str, torch.Tensor, list[torch.Tensor],
             Callable[[torch.Tensor], list[torch.Tensor]]]


def _rule_cases() -> Iterator[Case]:
    torch.manual_seed(1)
    a, b = _leaf(5), _leaf(5)
    p = _leaf(5, positive=True)
    m, n = _leaf(2, 3), _leaf(3, 4)
    # Each case: node name, a fragment its rule must contain, out, inputs, expected grads.
    yield "MulBackward0", "grad · b", a * b, [a, b], lambda g: [g * b, g * a]
    yield "DivBackward0", "−grad · a / b²", a / p, [a, p], lambda g: [g / p, -g * a / p**2]
    yield "PowBackward0", "n · base^(n−1)", a**3, [a], lambda g: [g * 3 * a**2]
    yield ("PowBackward1", "ln(base)", p**a, [p, a],
           lambda g: [g * a * p ** (a - 1), g * p**a * p.log()])
    yield "ExpBackward0", "grad · eˣ", a.exp(), [a], lambda g: [g * a.exp()]
    yield "LogBackward0", "grad / x", p.log(), [p], lambda g: [g / p]
    yield "SinBackward0", "grad · cos(x)", a.sin(), [a], lambda g: [g * a.cos()]
    yield "CosBackward0", "−grad · sin(x)", a.cos(), [a], lambda g: [-g * a.sin()]
    yield "SqrtBackward0", "2 · √x", p.sqrt(), [p], lambda g: [g / (2 * p.sqrt())]
    yield "TanhBackward0", "1 − tanh²(x)", a.tanh(), [a], lambda g: [g * (1 - a.tanh() ** 2)]
    yield ("SigmoidBackward0", "σ(x) · (1 − σ(x))", a.sigmoid(), [a],
           lambda g: [g * a.sigmoid() * (1 - a.sigmoid())])
    yield "ReluBackward0", "where x > 0", a.relu(), [a], lambda g: [torch.where(a > 0, g, 0.0)]
    yield "MmBackward0", "grad @ Bᵀ", m @ n, [m, n], lambda g: [g @ n.T, m.T @ g]
    v, bias = _leaf(3), _leaf(4)
    yield "MvBackward0", "Aᵀ @ grad", m @ v, [m, v], lambda g: [torch.outer(g, v), m.T @ g]
    yield "DotBackward0", "grad · b", a @ b, [a, b], lambda g: [g * b, g * a]
    yield "SumBackward0", "broadcast back", a.sum(), [a], lambda g: [g.expand(5)]
    yield "MeanBackward0", "grad / N", a.mean(), [a], lambda g: [g.expand(5) / 5]
    yield "MeanBackward1", "divided by N", m.mean(0), [m], lambda g: [g.expand(2, 3) / 2]
    yield ("AddmmBackward0", "grad @ m2ᵀ", torch.addmm(bias, m, n), [bias, m, n],
           lambda g: [g.sum(0), g @ n.T, m.T @ g])
    yield ("SoftmaxBackward0", "out ⊙ (grad − Σ(grad ⊙ out))", a.softmax(0), [a],
           lambda g: [a.softmax(0) * (g - (g * a.softmax(0)).sum())])
    yield ("LogSoftmaxBackward0", "grad − softmax(x) ⊙ Σ grad", a.log_softmax(0), [a],
           lambda g: [g - a.softmax(0) * g.sum()])
    yield ("MseLossBackward0", "2 · (input − target) / N", F.mse_loss(a, b), [a, b],
           lambda g: [g * 2 * (a - b) / 5, -g * 2 * (a - b) / 5])
    yield ("SiluBackward0", "σ(x) · (1 + x · (1 − σ(x)))", F.silu(a), [a],
           lambda g: [g * a.sigmoid() * (1 + a * (1 - a.sigmoid()))])
    normal_cdf = 0.5 * (1 + torch.erf(a / math.sqrt(2)))
    normal_pdf = torch.exp(-(a**2) / 2) / math.sqrt(2 * math.pi)
    yield ("GeluBackward0", "Φ(x) + x · φ(x)", F.gelu(a), [a],
           lambda g: [g * (normal_cdf + a * normal_pdf)])
    yield ("LinalgVectorNormBackward0", "grad · x / ‖x‖", a.norm(), [a],
           lambda g: [g * a / a.norm()])
    target = torch.rand(5, dtype=torch.float64)
    yield ("BinaryCrossEntropyWithLogitsBackward0", "(σ(x) − y) / N",
           F.binary_cross_entropy_with_logits(a, target), [a],
           lambda g: [g * (a.sigmoid() - target) / 5])
    scores = m.log_softmax(1)
    yield ("NllLossBackward0", "−grad / N", F.nll_loss(scores, torch.tensor([2, 0])), [scores],
           lambda g: [torch.tensor([[0.0, 0.0, -1.0], [-1.0, 0.0, 0.0]],
                                   dtype=torch.float64) * g / 2])


@pytest.mark.parametrize("case", list(_rule_cases()), ids=lambda case: case[0])
def test_rule_matches_torch_numerically(case: Case) -> None:
    name, fragment, out, inputs, expected = case
    assert out.grad_fn is not None and out.grad_fn.name() == name
    assert fragment in describe_node(name).rule
    grad = torch.randn_like(out)
    got = torch.autograd.grad(out, inputs, grad)
    for actual, wanted in zip(got, expected(grad), strict=True):
        assert torch.allclose(actual, wanted, atol=1e-10), name


def test_at_least_ten_nodes_have_their_rule_checked() -> None:
    checked = {case[0] for case in _rule_cases()}
    required = {"MulBackward0", "DivBackward0", "PowBackward0", "ExpBackward0", "LogBackward0",
                "SinBackward0", "TanhBackward0", "SigmoidBackward0", "MmBackward0",
                "MeanBackward0", "SumBackward0", "ReluBackward0"}
    assert required <= checked


# 5. Names without notes still get something readable.

def test_unknown_name_gets_a_generic_note_naming_the_op() -> None:
    doc = describe_node("FooBarBackward1")
    assert doc.generic
    assert doc.name == "FooBarBackward1"
    assert "foo bar" in doc.title
    assert "foo bar" in doc.computes
    assert "vector-Jacobian product" in doc.rule


@pytest.mark.parametrize("name", ["", "weird", "torch::autograd::CopySlices", "   ",
                                  "Backward0", "MaxPool3DWithIndicesBackward0", "ü::Ωmega"])
def test_odd_names_never_raise(name: str) -> None:
    doc = describe_node(name)
    assert doc.generic
    assert doc.title.strip() and doc.computes.strip() and doc.rule.strip()
    assert input_label(doc, 0) == "input 0"


def test_generic_op_names_read_as_words() -> None:
    assert "copy slices" in describe_node("torch::autograd::CopySlices").title
    assert "max pool 3d with indices" in describe_node("MaxPool3DWithIndicesBackward0").title
    assert "weird" in describe_node("weird").title


def test_documented_lookup_returns_the_written_note() -> None:
    doc = describe_node("MulBackward0")
    assert not doc.generic and doc.inputs == ("a", "b")
    assert describe_node("torch::autograd::AccumulateGrad").inputs == ()
    assert "MulBackward0" in documented_names() and "FooBarBackward1" not in documented_names()


def test_input_label_names_every_slot_of_a_long_concatenation() -> None:
    cat = describe_node("CatBackward0")
    assert [input_label(cat, slot) for slot in range(3)] == [
        "tensors[0]", "tensors[1]", "tensors[2]"]
    assert input_label(describe_node("MulBackward0"), 1) == "b"
    assert input_label(describe_node("MulBackward0"), 5) == "input 5"
