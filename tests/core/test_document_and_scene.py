"""What the app shows is computed in the core: the document's state and the scene at each step."""

from __future__ import annotations

import random

import pytest
import torch

from explorer.core import run_program
from explorer.core.capture.tensors import describe
from explorer.core.storage.document import Document
from explorer.core.view.scene import build_scene
from explorer.core.view.stepper import NodeState, Stepper
from tests.core.programs import POLYNOMIAL
from tests.core.reference import reference_grads

USED_TWICE = "x = torch.tensor(2.0, requires_grad=True)\ny = 3 * x + 4 * x\ny.backward()\n"


def _document(source: str) -> Document:
    document = Document()
    document.accept_run(source, run_program(source))
    return document


def test_new_trace_starts_at_the_end_and_edits_keep_the_position() -> None:
    document = _document(POLYNOMIAL)
    assert document.stepper.at_end
    document.step("jump", 3)
    edited = run_program(POLYNOMIAL, overrides={"x": 1.0})
    document.accept_run(POLYNOMIAL, edited, keep_position=True)
    assert document.stepper.position == 3 and document.trace is edited


def test_failed_run_keeps_the_last_good_trace_and_marks_it_stale() -> None:
    document = _document(POLYNOMIAL)
    good = document.trace
    events = []
    document.trace_changed.connect(lambda: events.append("trace"))
    document.code_typed()  # the user typed the broken line
    document.accept_run("x = (", run_program("x = ("))
    assert document.trace is good and document.stale and document.error.kind == "syntax"
    assert events == ["trace"]
    document.accept_run(POLYNOMIAL, run_program(POLYNOMIAL))
    assert not document.stale and document.error is None


def test_another_program_that_fails_without_a_graph_does_not_show_the_last_one() -> None:
    document = _document(POLYNOMIAL)
    document.code_loaded()  # a lesson or file replaced the code: the old graph is not its graph
    document.accept_run("x = (", run_program("x = ("))
    assert document.trace is not None and not document.trace.passes and document.stepper is None
    assert not document.stale and document.error.kind == "syntax"


def test_a_program_failing_before_backward_shows_the_graph_built_up_to_its_error() -> None:
    source = ("import torch\nx = torch.tensor(3.0, requires_grad=True)\ny = x * x + 1\n"
              "x.grad.zero_()\ny.backward()\n")
    trace = run_program(source)
    assert trace.error is not None and trace.error.line == 4
    assert len(trace.passes) == 1 and "stopped at line 4" in trace.passes[0].note
    names = sorted(data["name"] for _, data in trace.passes[0].graph.nodes(data=True))
    assert names == ["AddBackward0", "MulBackward0", "torch::autograd::AccumulateGrad"]
    expected = reference_grads(source.split("x.grad.zero_()")[0], "y", ["x"])["x"]
    assert torch.equal(trace.passes[0].grads["x"], expected)  # the implicit y.backward(), by torch


def test_step_events_fire_only_when_the_position_moves() -> None:
    document = _document(POLYNOMIAL)
    moves = []
    document.step_changed.connect(lambda: moves.append(document.stepper.position))
    document.step("next")  # already at the end
    document.step("reset")
    document.step("previous")  # already at 0
    document.step("next")
    assert moves == [0, 1]


def test_scene_shows_the_running_sum_with_the_engines_total() -> None:
    document = _document(USED_TWICE)
    scene = build_scene(document.current_pass, document.stepper, document.trace.leaves)
    leaf = next(node for node in scene.nodes if node.kind == "accumulate_grad")
    expected = reference_grads(USED_TWICE.replace("y.backward()\n", ""), "y", ["x"])["x"]
    assert leaf.title == "x = 2"
    assert leaf.subtitle == f"grad = {describe(expected)}"
    assert leaf.running_sum in (f"3 + 4 = {describe(expected)}", f"4 + 3 = {describe(expected)}")


def test_scene_edges_carry_delivered_gradients_in_data_flow_direction() -> None:
    document = _document(POLYNOMIAL)
    document.step("reset")
    scene = build_scene(document.current_pass, document.stepper, document.trace.leaves)
    assert not any(edge.delivered for edge in scene.edges) and scene.active is None
    assert all(node.state is NodeState.WAITING for node in scene.nodes)
    assert scene.header.startswith("Step 0 / ")
    document.step("next")
    scene = build_scene(document.current_pass, document.stepper, document.trace.leaves)
    root = document.current_pass.root
    delivered = [edge for edge in scene.edges if edge.delivered]
    assert delivered and all(edge.target == root for edge in delivered)
    step = document.current_pass.steps[0]
    for edge in delivered:
        grad = step.grad_inputs[edge.slot]
        assert edge.grad_text == describe(grad, 4)
        assert edge.magnitude == float(torch.linalg.vector_norm(grad.double()))


@pytest.mark.parametrize("source", [
    POLYNOMIAL,
    "x = torch.tensor(0.5, requires_grad=True)\nw = torch.tensor([1.5, -0.5], requires_grad=True)\n"
    "h = x * w\nfor i in range(12):\n    h = torch.tanh(h * w) + h\nloss = (h * h).sum()\nloss.backward()\n",
    "a = torch.tensor(1.0, requires_grad=True)\nb = a * 3\nb.backward(retain_graph=True)\n"
    "(b * b).backward()\n",
])
def test_a_scene_made_from_the_previous_one_equals_one_made_afresh(source: str) -> None:
    trace = run_program(source)
    rng = random.Random(3)
    for one_pass in trace.passes:
        stepper = Stepper(one_pass)
        scene, position = build_scene(one_pass, stepper, trace.leaves), 0
        moves = ["next"] * stepper.count + ["previous"] * stepper.count + ["jump"] * 30
        for move in moves:
            if move == "jump":
                stepper.jump(rng.randint(0, stepper.count))
            else:
                getattr(stepper, move)()
            patched = build_scene(one_pass, stepper, trace.leaves, (scene, position))
            assert patched == build_scene(one_pass, _stepper_at(one_pass, stepper.position), trace.leaves)
            scene, position = patched, stepper.position


def _stepper_at(one_pass, position: int) -> Stepper:
    stepper = Stepper(one_pass)
    stepper.jump(position)
    return stepper
