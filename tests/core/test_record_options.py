"""What a recorded pass keeps can be trimmed for a picture: the saved tensors (which only the
Inspector, the narration and the trace JSON show) and the forward NaN checks (which only the
diagnostics use) are left out, and nothing else changes."""

from __future__ import annotations

import pickle

import torch

from explorer.core import run_program
from explorer.core.capture.recording import RecordOptions
from explorer.core.sandbox.worker import EvaluationWorker, WorkerOptions
from explorer.core.view.picture import PictureRequest, picture_of
from tests.core.reference import reference_grads

PROGRAM = """\
x = torch.tensor([0.5, -1.5], requires_grad=True)
w = torch.tensor([2.0, 3.0], requires_grad=True)
h = x
for step in range(4):
    h = h + torch.tanh(h * w)
loss = (h ** 2).sum()
loss.backward()
"""
LIGHT = RecordOptions(saved_tensors=False, forward_checks=False)
FORWARD_NAN = """\
x = torch.tensor([1.0, -2.0], requires_grad=True)
y = torch.log(x) * 3
loss = y.sum()
loss.backward()
"""


def _same_grads(first: tuple, second: tuple) -> bool:
    return len(first) == len(second) and all(
        (a is None and b is None) or (a is not None and b is not None and torch.equal(a, b))
        for a, b in zip(first, second))


def test_by_default_every_node_keeps_what_it_saved() -> None:
    one_pass = run_program(PROGRAM).passes[0]
    saved = [data["saved"] for _, data in one_pass.graph.nodes(data=True)]
    assert any(isinstance(value, torch.Tensor) for node in saved for value in node.values())
    assert all("freed_after" in data for _, data in one_pass.graph.nodes(data=True))


def test_a_pass_recorded_for_a_picture_leaves_out_only_the_saved_tensors_and_nan_checks() -> None:
    full, light = run_program(PROGRAM).passes[0], run_program(PROGRAM, recording=LIGHT).passes[0]
    assert not any("saved" in data or "freed_after" in data for _, data in light.graph.nodes(data=True))
    trimmed = [(node, {key: value for key, value in data.items() if key not in ("saved", "freed_after")})
               for node, data in full.graph.nodes(data=True)]
    assert list(light.graph.nodes(data=True)) == trimmed
    assert list(light.graph.edges(keys=True, data=True)) == list(full.graph.edges(keys=True, data=True))
    assert [step.node for step in light.steps] == [step.node for step in full.steps]
    for ours, theirs in zip(light.steps, full.steps):
        assert _same_grads(ours.grad_outputs, theirs.grad_outputs)
        assert _same_grads(ours.grad_inputs, theirs.grad_inputs)
    expected = reference_grads(PROGRAM.replace("loss.backward()\n", ""), "loss", ["x", "w"])
    assert all(torch.allclose(light.grads[name], expected[name]) for name in ("x", "w"))


def test_forward_nan_is_noted_unless_a_picture_is_all_that_is_wanted() -> None:
    def noted(recording: RecordOptions | None) -> list[str]:
        graph = run_program(FORWARD_NAN, recording=recording).passes[0].graph
        return [data["name"] for _, data in graph.nodes(data=True) if data.get("non_finite")]

    assert bool(torch.log(torch.tensor(-2.0)).isnan())
    assert sorted(noted(None)) == ["LogBackward0", "MulBackward0", "SumBackward0"]  # the NaN and after
    assert noted(RecordOptions(forward_checks=False)) == []


def test_the_picture_of_a_lighter_record_is_the_same_picture() -> None:
    for source in (PROGRAM, FORWARD_NAN):
        for request in (PictureRequest(), PictureRequest(step=3), PictureRequest(full=True)):
            assert request.recording == LIGHT
            pictures = [picture_of(run_program(source, passes=request.passes, recording=recording), request)
                        for recording in (None, request.recording)]
            assert pictures[0].scene is not None
            assert pickle.dumps(pictures[0]) == pickle.dumps(pictures[1])


def test_the_worker_records_as_asked() -> None:
    worker = EvaluationWorker(WorkerOptions(warm_up=False))
    try:
        light, full = worker.run(PROGRAM, recording=LIGHT), worker.run(PROGRAM)
    finally:
        worker.close()
    assert light.error is None and full.error is None
    assert not any("saved" in data for _, data in light.passes[0].graph.nodes(data=True))
    assert all("saved" in data for _, data in full.passes[0].graph.nodes(data=True))
    assert torch.equal(light.passes[0].grads["w"], full.passes[0].grads["w"])
