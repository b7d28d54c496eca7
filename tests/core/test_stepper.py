"""The Stepper shows, at every position, what the engine had done by then."""

from __future__ import annotations

import torch

from explorer.core import NodeState, Stepper, run_program
from tests.core.reference import reference_grads

USED_TWICE = "x = torch.tensor(2.0, requires_grad=True)\ny = 3 * x + 4 * x\n"


def _pass(source: str):
    trace = run_program(source)
    assert trace.ok, trace.error
    return trace.passes[0]


def _leaf_node(one_pass, name: str) -> str:
    return next(n for n, d in one_pass.graph.nodes(data=True) if d["variable"] == name
                and d["kind"] == "accumulate_grad")


def test_running_sum_where_a_variable_is_used_twice() -> None:
    one_pass = _pass(USED_TWICE + "y.backward()\n")
    stepper = Stepper(one_pass)
    x_node = _leaf_node(one_pass, "x")
    sums = []
    while stepper.next():
        inflow = stepper.inflow(x_node)
        if inflow.deliveries:
            sums.append([float(d.grad) for d in inflow.deliveries] + [float(inflow.total)])
    assert sums[-1][:2] in ([3.0, 4.0], [4.0, 3.0])
    expected = reference_grads(USED_TWICE, "y", ["x"])["x"]
    assert torch.equal(stepper.inflow(x_node).total, expected)
    assert sums[-1][2] == float(expected)


def test_leaf_grad_changes_exactly_when_its_accumulate_grad_runs() -> None:
    one_pass = _pass("x = torch.tensor(2.0, requires_grad=True)\ny = (x * x).exp()\ny.backward()\n")
    stepper = Stepper(one_pass)
    x_node = _leaf_node(one_pass, "x")
    while stepper.next():
        ran = stepper.node_state(x_node) in (NodeState.ACTIVE, NodeState.DONE)
        grad = stepper.leaf_grads()["x"]
        assert (grad is not None) == ran
    assert torch.equal(stepper.leaf_grads()["x"], one_pass.grads["x"])


def test_states_active_done_waiting_unreached() -> None:
    source = ("x = torch.tensor(1.0, requires_grad=True)\nu = torch.tensor(2.0, requires_grad=True)\n"
              "y = x.exp() * u\ng = torch.autograd.grad(y, x)\n")
    one_pass = _pass(source)
    stepper = Stepper(one_pass)
    u_node = _leaf_node(one_pass, "u")
    assert stepper.node_state(u_node) is NodeState.UNREACHED  # autograd.grad does not run it
    assert all(state is NodeState.WAITING for n, state in stepper.node_states().items()
               if state is not NodeState.UNREACHED)
    stepper.next()
    assert stepper.node_state(one_pass.root) is NodeState.ACTIVE
    stepper.next()
    assert stepper.node_state(one_pass.root) is NodeState.DONE


def test_stepping_back_restores_every_state_exactly() -> None:
    one_pass = _pass(
        "torch.manual_seed(0)\nW = torch.randn(3, 3, requires_grad=True)\nb = torch.randn(3, requires_grad=True)\n"
        "h = W @ torch.ones(3) + b\ny = (h.tanh() * h).sum() + (W * W).sum()\ny.backward()\n")
    stepper = Stepper(one_pass)

    def snapshot():
        inflows = {key: ([d.source for d in flow.deliveries], [t.clone() for t in flow.totals])
                   for key, flow in stepper.inflows.items()}
        return (stepper.position, stepper.active_node, dict(stepper.node_states()),
                [(d.source, d.target, d.slot) for d in stepper.delivered()], inflows)

    forward = []
    forward.append(snapshot())
    while stepper.next():
        forward.append(snapshot())
    backward = [snapshot()]
    while stepper.previous():
        backward.append(snapshot())
    for ahead, behind in zip(forward, reversed(backward)):
        assert ahead[:4] == behind[:4]
        assert ahead[4].keys() == behind[4].keys()
        for key in ahead[4]:
            assert ahead[4][key][0] == behind[4][key][0]
            assert all(torch.equal(a, b) for a, b in zip(ahead[4][key][1], behind[4][key][1]))
    stepper.jump(3)
    assert stepper.position == 3 and stepper.active_node == one_pass.steps[2].node
    stepper.to_end()
    assert stepper.at_end and not stepper.next()
    stepper.reset()
    assert stepper.position == 0 and stepper.active_node is None and not stepper.previous()


def test_accumulation_across_passes_shows_grad_before_and_after() -> None:
    trace = run_program("x = torch.tensor(2.0, requires_grad=True)\ny = x ** 2\n"
                        "y.backward(retain_graph=True)\ny.backward()\n")
    first, second = trace.passes
    x_node = _leaf_node(second, "x")
    stepper = Stepper(second)
    assert torch.equal(stepper.leaf_grad(x_node), first.grads["x"])
    stepper.to_end()
    assert torch.equal(stepper.leaf_grad(x_node), 2 * first.grads["x"])
