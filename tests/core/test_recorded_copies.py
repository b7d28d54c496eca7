"""What the recorder keeps is a copy made at hook time, and recording changes nothing the program sees.

The engine may keep the very tensor a hook receives as a leaf's ``.grad`` (or a detached alias
of it), and the program can reach seeds and hook arguments: a later ``zero_()``, ``backward()``
or optimizer step must not rewrite the record, and holding references must not change what the
engine steals (and so what the program prints). Every case is checked against real Python.
"""

from __future__ import annotations

import pytest
import torch

from explorer.core import run_program
from explorer.core.capture.graph import ACCUMULATE_GRAD
from explorer.core.capture.trace import Pass
from tests.core.checks import assert_matches_torch
from tests.core.reference import assert_same, run_reference
from tests.core.test_trace import FORWARDS

DOT_TWICE = """\
x = torch.tensor([1.0, 2.0], requires_grad=True)
y = 2 * torch.dot(x, x)
y.backward()
x.grad.zero_()
print(x.grad)
"""

SEED_VIEWED = """\
x = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
y = x.view(4)
g = torch.tensor([1.0, 2.0, 3.0, 4.0])
y.backward(g)
g.mul_(100)
print(x.grad)
"""

DATA_STEP = """\
torch.manual_seed(0)
X = torch.randn(8, 3)
t = torch.randn(8)
w = torch.randn(3, requires_grad=True)
lr = 0.1
for step in range(3):
    loss = ((X @ w - t) ** 2).mean()
    loss.backward()
    w.data -= lr * w.grad
    w.grad.zero_()
    print(step, loss.item(), w)
"""

NO_GRAD_STEP = """\
torch.manual_seed(0)
X = torch.randn(8, 3)
t = torch.randn(8)
w = torch.randn(3, requires_grad=True)
b = torch.zeros(1, requires_grad=True)
for step in range(3):
    loss = ((X @ w + b - t) ** 2).sum()
    loss.backward()
    with torch.no_grad():
        w -= 0.01 * w.grad
        b -= 0.01 * b.grad
        w.grad.zero_()
        b.grad.zero_()
    print(step, loss.item(), w.grad, b)
"""

GRAD_NONE_STEP = """\
a = torch.tensor(0.5, requires_grad=True)
x = torch.linspace(-1, 1, 5)
for step in range(3):
    loss = ((a * x - x) ** 2).sum()
    loss.backward()
    with torch.no_grad():
        a -= 0.1 * a.grad
    a.grad = None
    print(step, a)
"""

ACCUMULATED_THEN_STEPPED = """\
w = torch.tensor([1.0, -2.0], requires_grad=True)
for step in range(2):
    (w * w).sum().backward()
    (3 * w).sum().backward()
    with torch.no_grad():
        w.sub_(0.25 * w.grad)
    print(w.grad)
    w.grad.mul_(0)
print(w, w.grad)
"""


def _collector_steps(one_pass: Pass) -> dict[str, torch.Tensor]:
    """What each named leaf's AccumulateGrad received in this pass."""
    found = {}
    for step in one_pass.steps:
        data = one_pass.graph.nodes[step.node]
        if data["name"] == ACCUMULATE_GRAD and data["variable"]:
            found[data["variable"]] = step.grad_outputs[0]
    return found


def test_zeroing_the_grad_afterwards_does_not_rewrite_what_the_collector_received() -> None:
    trace = assert_matches_torch(DOT_TWICE)
    (one_pass,) = trace.passes
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    expected = torch.autograd.grad(2 * torch.dot(x, x), x)[0]
    assert_same(_collector_steps(one_pass)["x"], expected)
    assert_same(one_pass.grads["x"], expected)
    (collector,) = one_pass.grads_after
    assert_same(one_pass.grads_after[collector], expected)


def test_a_seed_the_engine_keeps_as_grad_is_not_held_by_the_recorder() -> None:
    trace = assert_matches_torch(SEED_VIEWED)
    reference = run_reference(SEED_VIEWED)
    assert "100." in reference.stdout  # Python's x.grad aliases g: the test means something
    assert trace.stdout == reference.stdout
    # and the recorded seed and collector input are what they were at backward time
    (one_pass,) = trace.passes
    assert_same(one_pass.seeds[0], torch.tensor([1.0, 2.0, 3.0, 4.0]))
    assert_same(_collector_steps(one_pass)["x"], torch.tensor([[1.0, 2.0], [3.0, 4.0]]))


@pytest.mark.parametrize("source", [DATA_STEP, NO_GRAD_STEP, GRAD_NONE_STEP, ACCUMULATED_THEN_STEPPED],
                         ids=["data", "no_grad", "grad_none", "accumulated"])
@pytest.mark.parametrize("passes", ["all", "first", "last"])
def test_optimizer_style_loops_print_as_python_does(source: str, passes: str) -> None:
    trace = run_program(source, passes=passes)
    reference = run_reference(source)
    assert reference.error is None and trace.error is None, trace.error
    assert trace.stdout == reference.stdout
    for leaf in trace.leaves:
        value = reference.namespace[leaf.name]
        assert_same(leaf.value, value)
        assert_same(leaf.grad, value.grad)


def test_each_pass_of_a_loop_keeps_the_gradients_of_its_own_time() -> None:
    trace = run_program(NO_GRAD_STEP, passes="all")
    assert trace.error is None and len(trace.passes) == 3
    torch.manual_seed(0)
    X, t = torch.randn(8, 3), torch.randn(8)
    w = torch.randn(3, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    for one_pass in trace.passes:
        loss = ((X @ w + b - t) ** 2).sum()
        grad_w, grad_b = torch.autograd.grad(loss, [w, b])
        received = _collector_steps(one_pass)
        assert_same(received["w"], grad_w)
        assert_same(received["b"], grad_b)
        assert_same(one_pass.grads["w"], grad_w)
        with torch.no_grad():
            w -= 0.01 * grad_w
            b -= 0.01 * grad_b


def test_accumulating_passes_record_before_and_after_as_they_were() -> None:
    trace = run_program(ACCUMULATED_THEN_STEPPED, passes="all")
    assert trace.error is None and len(trace.passes) == 4
    w = torch.tensor([1.0, -2.0])
    first, second = trace.passes[0], trace.passes[1]
    (node,) = first.grads_after
    assert first.grads_before[node] is None
    assert_same(first.grads_after[node], 2 * w)
    (node,) = second.grads_after
    assert_same(second.grads_before[node], 2 * w)
    assert_same(second.grads_after[node], 2 * w + 3)


def test_recorded_gradients_share_no_storage_with_the_program() -> None:
    from explorer.core.capture.graph import Naming
    from explorer.core.capture.recorder import PassRequest, record_pass

    x = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    seed = torch.ones(4)
    y = x.view(4)
    request = PassRequest("backward", 1, [y], [seed], False, False)
    one_pass, _ = record_pass(request, lambda: y.backward(seed), naming=Naming(), index=0,
                              named_leaves={"x": x})
    assert one_pass is not None
    reachable = {x.grad.untyped_storage().data_ptr(), seed.untyped_storage().data_ptr()}
    for step in one_pass.steps:
        for grad in step.grad_outputs + step.grad_inputs:
            if isinstance(grad, torch.Tensor):
                assert grad.untyped_storage().data_ptr() not in reachable


@pytest.mark.parametrize("name", sorted(FORWARDS))
def test_freed_after_is_what_torch_says_about_each_node(name: str) -> None:
    from explorer.core.capture.graph import Naming
    from explorer.core.capture.recorder import PassRequest, record_pass
    from explorer.core.capture.saved import is_freed

    forward, root, _ = FORWARDS[name]
    output = run_reference(forward).namespace[root]
    request = PassRequest("backward", 1, [output], [None], False, False)
    walked = {}

    def run() -> None:
        from explorer.core.capture.graph import walk

        walked.update(walk([output.grad_fn]).nodes)  # the same node objects, held to ask torch after
        output.backward()

    one_pass, _ = record_pass(request, run, naming=Naming(), index=0, named_leaves={})
    assert one_pass is not None
    by_name = {}
    for _, data in one_pass.graph.nodes(data=True):
        by_name.setdefault(data["name"], []).append(data["freed_after"])
    asked = {}
    for node in walked.values():
        asked.setdefault(node.name(), []).append(is_freed(node))
    assert {key: sorted(value) for key, value in by_name.items()} == {
        key: sorted(value) for key, value in asked.items()}
