"""Narration tells each step with the trace's own numbers, for every node kind in the lessons."""

from __future__ import annotations

import pytest
import torch

from explorer.core import run_program
from explorer.core.capture.tensors import describe, format_number
from explorer.core.view.narration import ACCUMULATE, narrate, narrate_step, narrated_kinds, node_doc
from explorer.core.view.node_docs import documented_names
from explorer.core.view.stepper import Stepper
from explorer.examples import all_examples, example

LESSON_TRACES = {item.slug: run_program(item.source()) for item in all_examples()}


def _kinds_in_lessons() -> set[str]:
    return {data["name"] for trace in LESSON_TRACES.values() for one_pass in trace.passes
            for _, data in one_pass.graph.nodes(data=True)}


def test_at_least_forty_kinds_have_written_arithmetic() -> None:
    kinds = narrated_kinds()
    # Kinds with both a written rule (node_docs) and arithmetic with the numbers put in.
    assert len(kinds & documented_names()) >= 40
    assert _kinds_in_lessons() <= kinds


@pytest.mark.parametrize("slug", sorted(LESSON_TRACES))
def test_every_step_of_every_lesson_states_its_numbers(slug: str) -> None:
    for one_pass in LESSON_TRACES[slug].passes:
        stepper = Stepper(one_pass)
        stepper.reset()
        while stepper.next():
            step = one_pass.steps[stepper.position - 1]
            text = narrate(one_pass, stepper).text()
            name = one_pass.graph.nodes[step.node]["name"]
            assert node_doc(name).title in text
            for grad in (*step.grad_outputs, *step.grad_inputs):
                if grad is not None:
                    assert describe(grad) in text, (slug, name, describe(grad), text)
            if name != ACCUMULATE:
                assert node_doc(name).rule in text
                assert "→ sent to" in text or all(g is None for g in step.grad_inputs)


def test_multiplication_shows_its_arithmetic_with_saved_values() -> None:
    trace = LESSON_TRACES["polynomial"]
    one_pass = trace.passes[0]
    stepper = Stepper(one_pass)
    index = next(i for i, step in enumerate(one_pass.steps)
                 if one_pass.graph.nodes[step.node]["name"] == "MulBackward0"
                 and describe(step.grad_inputs[0]) == "5")
    text = narrate_step(one_pass, stepper, index).text()
    assert "grad_a = grad · b = 1 · 5 = 5 → sent to PowBackward0" in text


def test_sum_at_a_node_with_several_consumers_uses_the_engines_total() -> None:
    trace = LESSON_TRACES["used_twice"]
    one_pass = trace.passes[0]
    stepper = Stepper(one_pass)
    stepper.to_end()
    text = narrate(one_pass, stepper).text()
    x = torch.tensor(3.0, requires_grad=True)
    (expected,) = torch.autograd.grad(x * x, x)
    half = describe(one_pass.steps[0].grad_inputs[0])
    assert f"grad = {half} + {half} = {describe(expected)}" in text
    assert f"x.grad = {describe(expected)}" in text


def test_chain_rule_narration_uses_the_saved_input_and_torchs_result() -> None:
    trace = LESSON_TRACES["chain_rule"]
    one_pass = trace.passes[0]
    stepper = Stepper(one_pass)
    stepper.jump(1)
    x = torch.tensor(1.5, requires_grad=True)
    u = x**2
    (grad_u,) = torch.autograd.grad(torch.sin(u), u)
    text = narrate(one_pass, stepper).text()
    assert f"1 · cos({describe(u)}) = {describe(grad_u)}" in text


def test_accumulation_onto_an_existing_grad_is_spelled_out() -> None:
    trace = run_program("import torch\nx = torch.tensor(2.0, requires_grad=True)\n"
                        "(x * 3).backward()\n(x * x).backward()\n")
    one_pass = trace.passes[1]
    stepper = Stepper(one_pass)
    stepper.to_end()
    assert "x.grad already held 3" in narrate(one_pass, stepper).text()
    assert "x.grad = 3 + 4 = 7" in narrate(one_pass, stepper).text()


def test_start_names_the_seed_and_unknown_kinds_still_give_numbers() -> None:
    one_pass = LESSON_TRACES["backward_with_gradient"].passes[0]
    stepper = Stepper(one_pass)
    stepper.reset()
    assert describe(one_pass.seeds[0]) in narrate(one_pass, stepper).text()
    trace = run_program(example("polynomial").source())
    assert "grad = 1" in narrate(trace.passes[0], Stepper(trace.passes[0])).text()


def test_a_leaf_fed_by_a_long_loop_is_summarised_not_listed() -> None:
    source = ("w = torch.tensor(0.5, requires_grad=True)\nh = torch.tensor(1.0)\n"
              "for i in range(40):\n    h = h * w + 1\nh.backward()\n")
    trace = run_program(source)
    one_pass = trace.passes[0]
    stepper = Stepper(one_pass)
    stepper.to_end()
    text = narrate(one_pass, stepper).text()
    w = torch.tensor(0.5, requires_grad=True)
    h = torch.tensor(1.0)
    for _ in range(40):
        h = h * w + 1
    (expected,) = torch.autograd.grad(h, w)
    assert "40 consumers" in text and "and 34 more" in text and "(34 more)" in text
    assert f"= {describe(expected)}" in text
    assert len(text) < 1500


def test_a_vector_fed_by_many_uses_names_the_shape_once_and_each_norm() -> None:
    source = ("x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)\n"
              "y = (x * 2).sum() + (x * 3).sum() + (x ** 2).sum()\ny.backward()\n")
    trace = run_program(source)
    one_pass = trace.passes[0]
    stepper = Stepper(one_pass)
    stepper.to_end()
    text = narrate(one_pass, stepper).text()
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    uses = [(x * 2).sum(), (x * 3).sum(), (x ** 2).sum()]
    norms = [format_number(float(torch.autograd.grad(use, x, retain_graph=True)[0].norm())) for use in uses]
    (total,) = torch.autograd.grad(sum(uses), x)
    assert "3 consumers sent gradients" in text and "of shape 3, with norms" in text
    listed = text.split("with norms ")[1].split(";")[0].split(", ")
    assert sorted(listed) == sorted(norms)  # in the engine's order, each use's own gradient
    assert f"grad = {describe(total)}" in text and "‖·‖=" not in text.split("with norms")[0]
