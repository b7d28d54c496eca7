"""Training loops: every pass summarised cheaply, a bounded set recorded in full, any pass on demand."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from explorer.cli import DEFAULT_PASSES_TEXT
from explorer.core import run_program
from explorer.core.capture.passes import DEFAULT_PASSES, PassSelection, PassSpecError, timeline_of
from explorer.core.capture.trace import dumps
from explorer.core.storage.document import Document
from tests.core.reference import assert_same, run_reference

STEPS = 25
LOOP = f"""\
import math
x = torch.linspace(-math.pi, math.pi, 50)
y = torch.sin(x)
a = torch.randn((), requires_grad=True)
b = torch.randn((), requires_grad=True)
c = torch.randn((), requires_grad=True)
for t in range({STEPS}):
    y_pred = a + b * x + c * x ** 2
    loss = (y_pred - y).pow(2).sum()
    if t % 5 == 4:
        print(t, loss.item())
    loss.backward()
    with torch.no_grad():
        a -= 1e-3 * a.grad
        b -= 1e-3 * b.grad
        c -= 1e-3 * c.grad
        a.grad = None
        b.grad = None
        c.grad = None
"""


def _python_loop() -> tuple[list[float], list[dict[str, torch.Tensor]]]:
    """The loop run by real torch: each pass's loss and each parameter's gradient."""
    namespace = run_reference(LOOP.split("for t in")[0]).namespace
    x, y = namespace["x"], namespace["y"]
    a, b, c = (namespace[name] for name in "abc")
    losses, grads = [], []
    for _ in range(STEPS):
        loss = (a + b * x + c * x ** 2 - y).pow(2).sum()
        found = dict(zip("abc", torch.autograd.grad(loss, [a, b, c])))
        losses.append(loss.item())
        grads.append(found)
        with torch.no_grad():
            for name, parameter in zip("abc", (a, b, c)):
                parameter -= 1e-3 * found[name]
    return losses, grads


@pytest.mark.parametrize(("spec", "indices"), [
    ("first,last", ([(0, 0)], True, False)),
    ("1-10", ([(0, 9)], False, False)),
    ("3,7", ([(2, 2), (6, 6)], False, False)),
    ("all", ([], False, True)),
    (" 2 - 4 , last ", ([(1, 3)], True, False)),
])
def test_specs_are_read_counting_from_one(spec: str, indices: tuple) -> None:
    ranges, last, everything = indices
    selection = PassSelection.parse(spec)
    assert (list(selection.ranges), selection.last, selection.everything) == (ranges, last, everything)


@pytest.mark.parametrize("spec", ["0", "5-2", "two", "1-", "-3", "1,,2"])
def test_bad_specs_say_what_is_wrong(spec: str) -> None:
    with pytest.raises(PassSpecError):
        PassSelection.parse(spec)


def test_the_default_is_bounded_and_picks_add_to_it() -> None:
    selection = PassSelection.parse(None)
    assert selection.spec == DEFAULT_PASSES and selection.bound() == 11
    assert PassSelection.parse("1-10,5-12,last").bound() == 13
    picked = selection.with_passes([499, 3])
    assert picked.wants(499) and picked.wants(3) and not picked.wants(498) and picked.last


def test_a_loop_keeps_the_default_passes_and_summarises_every_pass() -> None:
    trace = run_program(LOOP)
    reference = run_reference(LOOP)
    assert trace.error is None and trace.stdout == reference.stdout
    assert [one_pass.index for one_pass in trace.passes] == [*range(10), STEPS - 1]
    assert trace.pass_count == STEPS == len(trace.pass_summaries)
    losses, grads = _python_loop()
    for summary, loss, grad in zip(trace.pass_summaries, losses, grads):
        assert summary.loss == pytest.approx(loss, rel=1e-6)
        for name in "abc":
            # the program sets .grad to None after each step: the norm is taken right after the pass
            assert summary.grad_norms[name] == pytest.approx(float(grad[name].abs()), rel=1e-6)
    for one_pass in trace.passes:
        for name in "abc":
            assert_same(one_pass.grads[name], grads[one_pass.index][name])
    assert [summary.recorded for summary in trace.pass_summaries] == [
        index < 10 or index == STEPS - 1 for index in range(STEPS)]


def test_summaries_name_the_nodes_the_engine_ran_in_its_order() -> None:
    summarised = run_program(LOOP, passes="first")
    full = run_program(LOOP, passes="all")
    assert len(summarised.passes) == 1 and len(full.passes) == STEPS
    for summary, one_pass in zip(summarised.pass_summaries, full.passes):
        ran = [one_pass.graph.nodes[step.node]["name"] for step in one_pass.steps]
        assert list(summary.order) == ran
    assert [summary.loss for summary in summarised.pass_summaries] == [
        summary.loss for summary in full.pass_summaries]


def test_a_pass_not_kept_is_recorded_the_same_when_asked_for() -> None:
    full = run_program(LOOP, passes="all")
    again = run_program(LOOP, passes="13")
    (one_pass,) = again.passes
    assert one_pass.index == 12 and again.stdout == full.stdout
    same = full.passes[12]
    assert [step.node for step in one_pass.steps] != [] and len(one_pass.steps) == len(same.steps)
    for mine, theirs in zip(one_pass.steps, same.steps):
        for grad, expected in zip(mine.grad_outputs + mine.grad_inputs, theirs.grad_outputs + theirs.grad_inputs):
            assert (grad is None) == (expected is None)
            if grad is not None:
                assert torch.equal(grad, expected)


def test_last_is_the_last_pass_even_after_an_error() -> None:
    failing = LOOP + "print(undefined_name)\n"
    trace = run_program(failing, passes="last")
    assert trace.error is not None and "undefined_name" in trace.error.message
    assert [one_pass.index for one_pass in trace.passes] == [STEPS - 1]


def test_the_json_says_which_passes_were_recorded() -> None:
    trace = run_program(LOOP, passes="first,last")
    document = json.loads(dumps(trace.to_json()))
    assert document["schema"] == "explorer.trace/1"
    assert document["passes_recorded"] == {"spec": "first,last", "indices": [0, STEPS - 1]}
    assert [one_pass["index"] for one_pass in document["passes"]] == [0, STEPS - 1]
    summaries = document["pass_summaries"]
    assert [entry["index"] for entry in summaries] == list(range(STEPS))
    assert {entry["order"] for entry in summaries} == {0}  # one loop body: one engine order
    names = document["engine_orders"][0]
    assert names[0] == "SumBackward0" and names.count("torch::autograd::AccumulateGrad") == 3
    assert all(entry["steps"] == len(names) for entry in summaries)
    assert [entry["recorded"] for entry in summaries].count(True) == 2
    assert json.loads(json.dumps(trace.to_json(), allow_nan=False)) == document


def test_dumps_writes_each_tensor_on_one_line() -> None:
    trace = run_program("x = torch.arange(6.0, requires_grad=True)\n(x * x).sum().backward()\n")
    text = dumps(trace.to_json())
    assert '"values": [0.0, 2.0, 4.0, 6.0, 8.0, 10.0]' in text
    assert json.loads(text) == json.loads(json.dumps(trace.to_json()))


def test_timeline_has_every_pass_and_marks_the_kept_ones() -> None:
    trace = run_program(LOOP, passes="2,last")
    timeline = timeline_of(trace)
    losses, _ = _python_loop()
    assert timeline.measure == "loss" and timeline.numbers == tuple(range(1, STEPS + 1))
    assert timeline.values == pytest.approx(losses, rel=1e-6)
    assert timeline.kept == (2, STEPS)
    assert timeline.nearest(7.4) == 6 and timeline.nearest(-3) == 0 and timeline.nearest(10**6) == STEPS - 1


def test_timeline_of_non_scalar_roots_uses_the_gradient_norm() -> None:
    source = ("w = torch.tensor([3.0, 4.0], requires_grad=True)\n"
              "for i in range(3):\n    (w * 1.0).backward(torch.ones(2))\n")
    timeline = timeline_of(run_program(source))
    assert timeline.measure == "‖grad‖"
    assert timeline.values == pytest.approx([2 ** 0.5, 2 * 2 ** 0.5, 3 * 2 ** 0.5])


def test_the_document_shows_a_picked_pass_and_asks_for_a_run_when_it_was_not_kept() -> None:
    document = Document()
    trace = run_program(LOOP, passes=document.pass_spec())
    document.accept_run(LOOP, trace)
    assert document.current_pass is not None and document.current_pass.index == 0
    assert document.pick_pass(STEPS - 1) and document.current_pass.index == STEPS - 1
    assert not document.pick_pass(16)  # not kept: the caller runs again with the new spec
    assert PassSelection.parse(document.pass_spec()).wants(16)
    again = run_program(LOOP, passes=document.pass_spec())
    document.accept_run(LOOP, again, pass_number=16)
    assert document.current_pass.index == 16 and document.stepper is not None
    assert document.stepper.one_pass is document.current_pass
    document.accept_run(LOOP, run_program(LOOP, passes=document.pass_spec()))
    assert document.current_pass.index == 16  # a re-run keeps the pass shown, by its number


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "explorer", *args], capture_output=True,
                          text=True, timeout=120)


def test_cli_passes_option(tmp_path: Path) -> None:
    program = tmp_path / "loop.py"
    program.write_text(LOOP)
    out = tmp_path / "trace.json"
    result = _cli("trace", str(program), "--passes", "3-4", "-o", str(out))
    assert result.returncode == 0, result.stderr
    document = json.loads(out.read_text())
    assert document["passes_recorded"] == {"spec": "3-4", "indices": [2, 3]}
    assert len(document["pass_summaries"]) == STEPS
    default = json.loads(_cli("trace", str(program)).stdout)
    assert default["passes_recorded"]["spec"] == DEFAULT_PASSES == DEFAULT_PASSES_TEXT
    refused = _cli("trace", str(program), "--passes", "0")
    assert refused.returncode == 2 and refused.stdout == ""
    assert refused.stderr.startswith("autograd-explorer: --passes:") and "from 1" in refused.stderr
