"""The pass timeline: a loop's passes by loss; picking one shows it, running again when not kept."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from PySide6.QtCore import QPointF

from explorer.core.capture.passes import timeline_of
from tests.core.reference import assert_same, run_reference
from tests.ui.conftest import run_and_wait
from tests.ui.mouse import click, view_to_widget

STEPS = 25
# A vector parameter: no scalar leaf, so the Plots panel does not sample y(x) by running the
# loop again and again in the background while these tests go on.
LOOP = f"""\
x = torch.linspace(-1, 1, 50)
y = 2 * x + 1
w = torch.randn(2, requires_grad=True)
for t in range({STEPS}):
    loss = ((w[0] * x + w[1] - y) ** 2).sum()
    loss.backward()
    with torch.no_grad():
        w -= 1e-3 * w.grad
        w.grad = None
"""


def _python_loop() -> tuple[list[float], list[dict[str, torch.Tensor]]]:
    """The loop run by real torch: each pass's loss and the gradient of w."""
    namespace = run_reference(LOOP.split("for t in")[0]).namespace
    x, y, w = namespace["x"], namespace["y"], namespace["w"]
    losses, grads = [], []
    for _ in range(STEPS):
        loss = ((w[0] * x + w[1] - y) ** 2).sum()
        (grad,) = torch.autograd.grad(loss, w)
        losses.append(loss.item())
        grads.append({"w": grad})
        with torch.no_grad():
            w -= 1e-3 * grad
    return losses, grads


def _shown(window) -> int:
    current = window.document.current_pass
    assert current is not None
    return current.index


def test_a_loop_fills_the_timeline_and_the_selector_names_each_kept_pass(qtbot, window) -> None:
    run_and_wait(qtbot, window, LOOP)
    view = window.pass_timeline.view
    xs, ys = view.curve.xData, view.curve.yData  # as given: getData() is log10 on a log scale
    losses, _ = _python_loop()
    assert list(xs) == list(range(1, STEPS + 1))
    assert np.allclose(ys, losses, rtol=1e-6)
    assert len(view.kept_item.data) == 11  # the first ten and the last
    selector = window.step_bar.passes
    assert selector.count() == 11
    assert selector.itemText(10).startswith(f"Pass {STEPS} of {STEPS}:")
    assert window.pass_timeline.dock.isVisible()


def test_picking_a_kept_pass_shows_it_at_once(qtbot, window) -> None:
    run_and_wait(qtbot, window, LOOP)
    view = window.pass_timeline.view
    box = view.plot.getViewBox()
    # the plot takes its range from the data once laid out: every pass on the axis
    qtbot.waitUntil(lambda: view.plot.isVisible() and box.viewRect().left() <= 1
                    and box.viewRect().right() >= STEPS, timeout=30_000)
    click(view.plot, view_to_widget(view.plot, box, QPointF(STEPS, box.viewRect().center().y())))
    assert _shown(window) == STEPS - 1 and not window.runner.busy
    assert window.step_bar.passes.currentIndex() == 10
    assert window.pass_timeline.view.current.value() == STEPS


def test_picking_a_pass_not_kept_runs_again_and_shows_it(qtbot, window) -> None:
    run_and_wait(qtbot, window, LOOP)
    view = window.pass_timeline.view
    view.number.setValue(17)
    with qtbot.waitSignal(window.runFinished, timeout=60_000):
        view.show_button.click()
        assert window.runner.busy  # in the worker: the window stays free meanwhile
    assert _shown(window) == 16
    _, grads = _python_loop()
    assert_same(window.document.current_pass.grads["w"], grads[16]["w"])
    stepper = window.document.stepper
    assert stepper is not None and stepper.at_end and stepper.count == len(window.document.current_pass.steps)
    assert window.controller.current_scene() is not None
    assert [one_pass.index for one_pass in window.document.trace.passes] == [*range(10), 16, STEPS - 1]
    assert 16 + 1 in timeline_of(window.document.trace).kept
    window.document.step("reset")
    window.document.step("next")
    assert window.document.stepper.position == 1
    # an edit re-runs: the picked pass stays recorded and shown
    run_and_wait(qtbot, window)
    assert _shown(window) == 16


def test_a_session_reopens_on_a_pass_not_kept_by_default(qtbot, window, settings, tmp_path: Path) -> None:
    from explorer.ui.window.main_window import QtMainWindow

    run_and_wait(qtbot, window, LOOP)
    with qtbot.waitSignal(window.runFinished, timeout=60_000):
        window.pass_timeline.pick(20)
    window.document.step("jump", 3)
    path = tmp_path / "loop.explorer.json"
    assert window.save_to(path)
    other = QtMainWindow(settings)
    qtbot.addWidget(other)
    with qtbot.waitSignal(other.runFinished, timeout=60_000):
        assert other.open_path(path)
    qtbot.waitUntil(lambda: other.document.stepper is not None and other.document.stepper.position == 3,
                    timeout=10_000)
    assert _shown(other) == 20
    other.runner.cancel()
    other.runner.wait(10_000)


def test_diagnostics_find_a_pass_by_its_number(qtbot, window) -> None:
    source = LOOP.replace("loss.backward()", "(loss * float('nan') if t == 24 else loss).backward()\n"
                          "    if t == 24:\n        break")  # NaN gradients, parameters left finite
    run_and_wait(qtbot, window, source)
    assert window.document.trace.error is None
    found = window.diagnostics.jump_to_first_non_finite()
    assert found is not None and found.pass_index == STEPS - 1
    assert _shown(window) == STEPS - 1


@pytest.mark.parametrize("picked", [3, STEPS - 1])
def test_handouts_of_a_loop_pass(qtbot, window, picked: int) -> None:
    from explorer.ui.classroom.handouts import step_pages

    run_and_wait(qtbot, window, LOOP)
    window.pass_timeline.pick(picked)
    pages = list(step_pages(window.document.trace, window.document.pass_index))
    assert len(pages) == len(window.document.current_pass.steps)
    assert torch.is_tensor(window.document.current_pass.grads["w"])


def test_export_draws_a_pass_the_default_does_not_keep(qtbot, tmp_path: Path) -> None:
    from explorer.ui.files.headless import ExportError, export_program

    program = tmp_path / "loop.py"
    program.write_text(LOOP)
    out = tmp_path / "pass17.png"
    export_program(program, out, pass_number=17)
    assert out.stat().st_size > 1000
    with pytest.raises(ExportError, match=f"has {STEPS} backward pass"):
        export_program(program, tmp_path / "none.png", pass_number=STEPS + 1)
