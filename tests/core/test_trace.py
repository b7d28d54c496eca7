"""The trace is the real engine's: same graph, same order, same gradients as torch."""

from __future__ import annotations

import networkx as nx
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from explorer.core import run_program
from explorer.core.capture.graph import ACCUMULATE_GRAD
from tests.core.reference import assert_same, engine_order, reference_grads, run_reference

FORWARDS = {
    "polynomial": ("x = torch.tensor(2.0, requires_grad=True)\ny = 5 * x**3 + 2 * x**2 + 4 * x + 8\n", "y", ["x"]),
    "used_twice": ("x = torch.tensor(2.0, requires_grad=True)\ny = 3 * x + 4 * x\n", "y", ["x"]),
    "chain_rule": ("x = torch.tensor(0.7, requires_grad=True)\ny = torch.sin(x ** 2)\n", "y", ["x"]),
    "mlp": (
        "torch.manual_seed(1)\nX = torch.randn(4, 3)\nW1 = torch.randn(3, 5, requires_grad=True)\n"
        "b1 = torch.zeros(5, requires_grad=True)\nW2 = torch.randn(5, 1, requires_grad=True)\n"
        "h = F.relu(X @ W1 + b1)\nout = (h @ W2).sigmoid()\nloss = F.mse_loss(out, torch.ones(4, 1))\n",
        "loss", ["W1", "b1", "W2"]),
    "broadcast_bias": (
        "W = torch.randn(4, 5, requires_grad=True)\nb = torch.randn(5, requires_grad=True)\n"
        "y = ((W + b) * 2).sum()\n", "y", ["W", "b"]),
    "softmax_xent": (
        "z = torch.randn(3, 4, requires_grad=True)\nt = torch.tensor([0, 3, 1])\n"
        "loss = F.cross_entropy(z, t)\n", "loss", ["z"]),
    "multi_output": (
        "v = torch.randn(4, requires_grad=True)\na, b = v.split(2)\ny = (a * b).sum() + a.sum()\n",
        "y", ["v"]),
    "unused_leaf": (
        "x = torch.tensor(1.0, requires_grad=True)\nu = torch.tensor(5.0, requires_grad=True)\n"
        "y = x.exp()\n", "y", ["x", "u"]),
    "detach_cuts": (
        "x = torch.tensor(3.0, requires_grad=True)\ny = x * x.detach() + x\n", "y", ["x"]),
    "no_grad_cuts": (
        "x = torch.tensor(3.0, requires_grad=True)\nwith torch.no_grad():\n    c = x * 10\ny = x * c\n",
        "y", ["x"]),
    "layer_norm_conv": (
        "img = torch.randn(1, 1, 5, 5, requires_grad=True)\nk = torch.randn(2, 1, 3, 3, requires_grad=True)\n"
        "o = F.conv2d(img, k)\ny = F.layer_norm(o, o.shape[1:]).pow(2).mean()\n", "y", ["img", "k"]),
}


def _trace_of(forward: str, root: str):
    trace = run_program(forward + f"{root}.backward()\n")
    assert trace.ok, trace.error
    (one_pass,) = trace.passes
    return one_pass


@pytest.mark.parametrize("name", sorted(FORWARDS))
def test_gradients_equal_autograd_grad(name: str) -> None:
    forward, root, leaves = FORWARDS[name]
    one_pass = _trace_of(forward, root)
    expected = reference_grads(forward, root, leaves)
    for leaf in leaves:
        assert_same(one_pass.grads[leaf], expected[leaf])


@pytest.mark.parametrize("name", sorted(FORWARDS))
def test_step_order_is_the_engines(name: str) -> None:
    forward, root, _ = FORWARDS[name]
    one_pass = _trace_of(forward, root)
    names = [one_pass.graph.nodes[step.node]["name"] for step in one_pass.steps]
    assert names == engine_order(forward, root)
    sequence = [one_pass.graph.nodes[step.node]["seq"] for step in one_pass.steps
                if one_pass.graph.nodes[step.node]["kind"] == "function"]
    assert sequence == sorted(sequence, reverse=True)


def _direct_walk(root_fn) -> nx.MultiDiGraph:
    """A plain recursive walk, as simple as possible: the graph the trace must equal."""
    graph = nx.MultiDiGraph()

    def visit(node) -> None:
        if node in graph:
            return
        graph.add_node(node, name=node.name())
        for slot, (next_node, _) in enumerate(node.next_functions):
            if next_node is not None:
                visit(next_node)
                graph.add_edge(node, next_node, key=slot)

    visit(root_fn)
    return graph


@pytest.mark.parametrize("name", sorted(FORWARDS))
def test_graph_equals_a_direct_walk(name: str) -> None:
    forward, root, _ = FORWARDS[name]
    one_pass = _trace_of(forward, root)
    direct = _direct_walk(run_reference(forward).namespace[root].grad_fn)
    assert nx.is_isomorphic(
        one_pass.graph, direct,
        node_match=lambda a, b: a["name"] == b["name"],
        edge_match=lambda a, b: sorted(a) == sorted(b))


def test_nodes_carry_names_kinds_and_saved_tensors() -> None:
    one_pass = _trace_of(*FORWARDS["polynomial"][:2])
    nodes = one_pass.graph.nodes
    leaves = [n for n in nodes if nodes[n]["kind"] == "accumulate_grad"]
    assert [nodes[n]["variable"] for n in leaves] == ["x"]
    assert nodes[leaves[0]]["name"] == ACCUMULATE_GRAD and nodes[leaves[0]]["seq"] is None
    assert nodes[one_pass.root]["variable"] == "y"
    pow_nodes = [n for n in nodes if nodes[n]["name"] == "PowBackward0"]
    saved = nodes[pow_nodes[0]]["saved"]
    assert torch.equal(saved["self"], torch.tensor(2.0)) and saved["exponent"] in (2, 3)
    assert all(nodes[n]["freed_after"] for n in pow_nodes)


def test_edges_carry_slot_and_gradient_shape() -> None:
    one_pass = _trace_of(*FORWARDS["broadcast_bias"][:2])
    graph = one_pass.graph
    add = next(n for n in graph if graph.nodes[n]["name"] == "AddBackward0")
    shapes = {data["slot"]: data["shape"] for _, _, data in graph.out_edges(add, data=True)}
    assert shapes == {0: (4, 5), 1: (5,)}


def test_each_step_sends_what_the_next_node_receives() -> None:
    """A node's incoming gradient is the sum of what its consumers sent (engine's own sum)."""
    for forward, root, _ in FORWARDS.values():
        one_pass = _trace_of(forward, root)
        received: dict[tuple[str, int], torch.Tensor] = {}
        by_node = {step.node: step for step in one_pass.steps}
        for step in one_pass.steps:
            for _, target, slot, data in one_pass.graph.out_edges(step.node, keys=True, data=True):
                grad = step.grad_inputs[slot]
                if grad is not None:
                    key = (target, data["input_nr"])
                    received[key] = grad if key not in received else received[key] + grad
        for (target, input_nr), total in received.items():
            if target in by_node:
                assert torch.allclose(by_node[target].grad_outputs[input_nr], total)


# ----- hypothesis: random expressions over the allow-list -------------------------------

_UNARY = ["torch.sin({})", "torch.exp({} * 0.1)", "torch.tanh({})", "torch.sigmoid({})",
          "({}).abs()", "F.relu({})", "({}) ** 2", "-({})", "torch.log1p(({}) ** 2)",
          "({}).clamp(-1.0, 1.0)", "F.gelu({})", "torch.sqrt(({}) ** 2 + 1.0)"]
_BINARY = ["({}) + ({})", "({}) - ({})", "({}) * ({})", "({}) / (({}) ** 2 + 1.0)",
           "torch.maximum({}, {})", "torch.where(({}) > 0, {}, 0.5)"]


def _expressions(depth: int) -> st.SearchStrategy[str]:
    leaves = st.sampled_from(["x", "y", "w", "torch.tensor(2.0)", "torch.tensor(0.5)"])
    if depth == 0:
        return leaves
    smaller = _expressions(depth - 1)
    return st.one_of(
        leaves,
        st.builds(lambda f, a: f.format(a), st.sampled_from(_UNARY), smaller),
        st.builds(lambda f, a, b: f.format(a, b), st.sampled_from(_BINARY), smaller, smaller),
    )


_LEAVES = (
    "x = torch.tensor([0.3, -1.2, 2.0], requires_grad=True)\n"
    "y = torch.tensor(0.7, requires_grad=True)\n"
    "w = torch.tensor([[1.5, -0.5, 0.25]], requires_grad=True)\n"
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_expressions(4))
def test_random_expressions_match_torch(expression: str) -> None:
    forward = _LEAVES + f"out = (({expression}) + x.sum() * 0 + y * 0 + w.sum() * 0).sum()\n"
    one_pass = _trace_of(forward, "out")
    expected = reference_grads(forward, "out", ["x", "y", "w"])
    for leaf in ("x", "y", "w"):
        assert_same(one_pass.grads[leaf], expected[leaf])
    names = [one_pass.graph.nodes[step.node]["name"] for step in one_pass.steps]
    assert names == engine_order(forward, "out")
