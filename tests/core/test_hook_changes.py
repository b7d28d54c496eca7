"""A user's hook that changes a gradient is shown as such in the step (trusted code records it).

Each program runs under ``explorer.core.capture.trusted.record`` with real torch and real hooks; what
the step says a node received, and what it was before the hook, is checked against torch.
"""

from __future__ import annotations

import torch

from explorer.core.capture.trace import Pass, Step
from explorer.core.capture.trusted import record
from explorer.core.view.narration import narrate_step
from explorer.core.view.stepper import Stepper
from tests.core.reference import assert_same


def _step_of(one_pass: Pass, name: str) -> tuple[int, Step]:
    for index, step in enumerate(one_pass.steps):
        if one_pass.graph.nodes[step.node]["name"] == name:
            return index, step
    raise AssertionError(f"no {name} step")


def _narration_at(one_pass: Pass, index: int) -> str:
    stepper = Stepper(one_pass)
    stepper.jump(index + 1)
    return narrate_step(one_pass, stepper, index).text()


def test_a_tensor_hook_that_doubles_the_gradient_is_shown_with_the_value_before() -> None:
    with record() as recording:
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        m = x * 3
        m.register_hook(lambda grad: grad * 2)
        m.sum().backward()
    (one_pass,) = recording.passes
    index, step = _step_of(one_pass, "MulBackward0")
    (change,) = step.changed_by_hook
    assert (change.grad, change.slot) == ("grad_outputs", 0)
    plain = torch.tensor([1.0, 2.0], requires_grad=True)
    product = plain * 3
    sent = torch.autograd.grad(product.sum(), product)[0]  # what SumBackward0 sends, no hook
    assert_same(change.before, sent)
    assert_same(step.grad_outputs[0], 2 * sent)
    assert_same(step.grad_inputs[0], x.grad)  # the node worked with the changed gradient
    text = _narration_at(one_pass, index)
    assert "hook" in text and "changed it to" in text
    # the running sum on the edge is what was sent; the step shows what the node then used
    stepper = Stepper(one_pass)
    stepper.jump(index)
    assert_same(stepper.inflow(step.node, 0).total, sent)


def test_a_hook_on_a_leaf_changes_what_its_collector_stores() -> None:
    with record() as recording:
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        x.register_hook(lambda grad: grad + 100)
        (x * x).sum().backward()
    (one_pass,) = recording.passes
    _, step = _step_of(one_pass, "torch::autograd::AccumulateGrad")
    (change,) = step.changed_by_hook
    plain = torch.tensor([1.0, 2.0], requires_grad=True)
    assert_same(change.before, torch.autograd.grad((plain * plain).sum(), plain)[0])
    assert_same(step.grad_outputs[0], x.grad)
    assert_same(one_pass.grads_after[step.node], x.grad)


def test_a_hook_on_the_output_changes_the_seed() -> None:
    with record() as recording:
        x = torch.tensor(3.0, requires_grad=True)
        y = x * x
        y.register_hook(lambda grad: grad * 10)
        y.backward()
    (one_pass,) = recording.passes
    index, step = _step_of(one_pass, "MulBackward0")
    (change,) = step.changed_by_hook
    assert_same(change.before, torch.tensor(1.0))
    assert_same(step.grad_outputs[0], torch.tensor(10.0))
    assert x.grad is not None and x.grad.item() == 60.0
    assert "seed" in _narration_at(one_pass, index)


def test_a_hook_that_zeroes_the_gradient_in_place_is_seen() -> None:
    with record() as recording:
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        m = x.exp()
        m.register_hook(lambda grad: grad.mul_(0))
        (m * 2).sum().backward()
    (one_pass,) = recording.passes
    _, step = _step_of(one_pass, "ExpBackward0")
    (change,) = step.changed_by_hook
    assert_same(change.before, torch.tensor([2.0, 2.0]))
    assert_same(step.grad_outputs[0], torch.zeros(2))
    assert_same(x.grad, torch.zeros(2))


def test_a_post_accumulate_grad_hook_that_steps_and_clears_is_shown() -> None:
    def step_and_clear(parameter: torch.Tensor) -> None:
        with torch.no_grad():
            parameter -= 0.1 * parameter.grad
        parameter.grad = None

    with record() as recording:
        w = torch.tensor([1.0, 2.0], requires_grad=True)
        w.register_post_accumulate_grad_hook(step_and_clear)
        (w * w).sum().backward()
    (one_pass,) = recording.passes
    index, step = _step_of(one_pass, "torch::autograd::AccumulateGrad")
    (change,) = step.changed_by_hook
    assert change.grad == "grad"
    assert_same(change.before, torch.tensor([2.0, 4.0]))
    assert one_pass.grads_after[step.node] is None and w.grad is None
    assert_same(w.detach(), torch.tensor([0.8, 1.6]))
    assert "post-accumulate-grad hook" in _narration_at(one_pass, index)


def test_a_module_backward_hook_that_replaces_grad_input_is_shown_where_it_acts() -> None:
    with record() as recording:
        torch.manual_seed(0)
        layer = torch.nn.Linear(2, 1)
        layer.register_full_backward_hook(
            lambda module, grad_input, grad_output: tuple(None if g is None else 3 * g for g in grad_input))
        inputs = torch.tensor([[1.0, 2.0]], requires_grad=True)
        layer(inputs).sum().backward()
    changed = [(one_pass.graph.nodes[step.node]["name"], change) for one_pass in recording.passes
               for step in one_pass.steps for change in step.changed_by_hook]
    assert [(name, change.grad) for name, change in changed] == [
        ("BackwardHookFunctionBackward", "grad_inputs")]
    before = changed[0][1].before
    assert_same(before, layer.weight.detach().expand(1, 2))  # d(sum(W x + b))/dx, before the hook
    assert_same(inputs.grad, 3 * before)


def test_without_hooks_nothing_is_marked_even_where_gradients_add_up() -> None:
    with record() as recording:
        x = torch.tensor(2.0, requires_grad=True)
        w = torch.randn(3, 3, requires_grad=True)
        (x * x + x.exp() * x).backward()
        ((w @ w).tanh() + w).sum().backward()
        torch.autograd.grad((w.sin() * w).sum(), w)
    assert recording.passes
    assert all(not step.changed_by_hook for one_pass in recording.passes for step in one_pass.steps)


def test_a_recorded_hook_change_is_written_in_the_json() -> None:
    import json

    from explorer.core.capture.trace import dumps

    with record() as recording:
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        m = x * 3
        m.register_hook(lambda grad: grad * 2)
        m.sum().backward()
    document = json.loads(dumps(recording.trace().to_json()))
    changed = [step["changed_by_hook"] for step in document["passes"][0]["steps"] if "changed_by_hook" in step]
    assert changed == [[{"grad": "grad_outputs", "slot": 0,
                         "before": {"shape": [2], "dtype": "float32", "values": [1.0, 1.0]}}]]


def test_a_long_trusted_loop_keeps_a_summary_of_every_pass() -> None:
    with record(max_passes=3) as recording:
        w = torch.tensor([1.0, -1.0], requires_grad=True)
        losses = []
        for _ in range(8):
            loss = (w * w).sum()
            losses.append(loss.item())
            loss.backward()
            with torch.no_grad():
                w -= 0.1 * w.grad
            w.grad = None
    trace = recording.trace()
    assert len(trace.passes) == 3 and recording.unrecorded == 5
    assert [summary.loss for summary in trace.pass_summaries] == losses
    assert [summary.recorded for summary in trace.pass_summaries] == [True] * 3 + [False] * 5
    assert all(summary.order == trace.pass_summaries[0].order for summary in trace.pass_summaries)


CODE_BOX_HOOKS = """\
x = torch.tensor([1.0, 2.0], requires_grad=True)
m = x * 3
seen = []
def double(grad):
    seen.append(grad.clone())
    return grad * 2
h = m.register_hook(double)
m.sum().backward()
h.remove()
print(x.grad, seen)
(x * 3).sum().backward()
print(x.grad)
"""


def test_a_hook_written_in_the_code_box_is_shown_and_prints_as_python_does() -> None:
    from explorer.core import run_program
    from tests.core.reference import run_reference

    trace = run_program(CODE_BOX_HOOKS)
    reference = run_reference(CODE_BOX_HOOKS)
    assert reference.error is None and trace.error is None, trace.error
    assert trace.stdout == reference.stdout
    first, second = trace.passes
    index, step = _step_of(first, "MulBackward0")
    (change,) = step.changed_by_hook
    assert_same(change.before, torch.ones(2))
    assert_same(step.grad_outputs[0], 2 * torch.ones(2))
    assert "changed it to" in _narration_at(first, index)
    assert all(not step.changed_by_hook for step in second.steps)  # the hook was removed
