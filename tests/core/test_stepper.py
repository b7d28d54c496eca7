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


SHARED_LOOP = """\
h = torch.tensor([0.5, -0.25], requires_grad=True)
w = torch.tensor([0.9, 1.1], requires_grad=True)
for step in range(6):
    h = h + torch.tanh(h * w)
loss = h.sum()
"""


def _inflows(stepper: Stepper, nodes: list[str]) -> dict:
    """What arrived at each input of ``nodes`` so far: senders, slots, gradients, running sums."""
    return {key: ([(d.source, d.slot, d.input_nr, d.grad) for d in inflow.deliveries], inflow.totals)
            for key, inflow in stepper.inflows.items() if key[0] in nodes}


def _same_inflows(first: dict, second: dict) -> bool:
    return first.keys() == second.keys() and all(
        [row[:3] for row in first[key][0]] == [row[:3] for row in second[key][0]]
        and all(torch.equal(a[3], b[3]) for a, b in zip(first[key][0], second[key][0]))
        and all(torch.equal(a, b) for a, b in zip(first[key][1], second[key][1])) for key in first)


def test_a_stepper_that_follows_some_nodes_keeps_their_sums_as_the_full_one_does() -> None:
    one_pass = _pass(SHARED_LOOP + "loss.backward()\n")
    w_node = _leaf_node(one_pass, "w")
    # w feeds every turn: its sum grows by one gradient a turn
    followed = [w_node, one_pass.steps[1].node]
    full, following = Stepper(one_pass), Stepper(one_pass, follow=followed)
    while True:
        assert _same_inflows(_inflows(full, followed), _inflows(following, followed))
        assert set(following.inflows) <= {key for key in full.inflows if key[0] in followed}
        assert following.node_states() == full.node_states()
        if not (full.next() and following.next()):
            break
    assert any(key[0] not in followed for key in full.inflows)  # the others' sums were left out
    assert len(following.inflow(w_node).deliveries) == 6  # one gradient from each turn
    expected = reference_grads(SHARED_LOOP, "loss", ["w"])["w"]
    assert torch.allclose(following.inflow(w_node).total, expected)
    following.jump(4)
    full.jump(4)  # back again: exactly the deliveries of the steps undone are taken away
    assert _same_inflows(_inflows(full, followed), _inflows(following, followed))
