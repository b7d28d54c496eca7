"""The classroom in the window: gallery, narration, plots, presentation mode and handouts."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest
import torch
from PIL import Image
from PySide6.QtCore import QPointF, QSettings, Qt
from PySide6.QtWidgets import QDockWidget, QToolBar

from explorer.core.capture.tensors import describe
from explorer.core.view.calculus import gradient_by_depth
from explorer.core.view.stepper import Stepper
from explorer.examples import all_examples, example
from explorer.ui.classroom.handouts import render_frames, write_gif, write_pdf, write_png_frames
from explorer.ui.classroom.presentation import SCALE_KEY
from explorer.ui.window.theme import THEMES
from tests.ui.conftest import run_and_wait
from tests.ui.mouse import click, drag, node_pixel, view_to_widget, widget_to_view


def load(qtbot, window, slug: str) -> None:
    with qtbot.waitSignal(window.runFinished, timeout=30_000):
        window.load_example(slug)


def wait_for_curve(qtbot, window) -> None:
    qtbot.waitUntil(lambda: window.plots.function_plot.curve is not None
                    and window.plots.function_plot.curve.complete, timeout=30_000)


@pytest.fixture(autouse=True)
def patient_sampling(monkeypatch) -> None:
    """The plot stops sampling after 2 s and draws what came back: on a loaded machine that cuts
    curves short, so these tests (which check the curve, never its speed) give it longer."""
    from explorer.ui.panels import plots

    monkeypatch.setattr(plots, "sample_curve", functools.partial(plots.sample_curve, seconds=120.0))


# ----- gallery --------------------------------------------------------------------------------

def test_examples_menu_lists_every_lesson_and_the_gallery(window) -> None:
    menu = next(action.menu() for action in window.menuBar().actions()
                if action.text().replace("&", "") == "Examples")
    titles = {action.text() for action in menu.actions()}
    assert {item.title for item in all_examples()} <= titles
    assert window.gallery.action in menu.actions()


def test_gallery_card_opens_its_lesson(qtbot, window) -> None:
    dialog = window.gallery.show()
    assert set(dialog.page.cards) == {item.slug for item in all_examples()}
    card = dialog.page.cards["chain_rule"]
    with qtbot.waitSignal(window.runFinished, timeout=30_000):
        qtbot.mouseClick(card, Qt.MouseButton.LeftButton)
    assert window.editor.toPlainText() == example("chain_rule").source()
    assert "sin(x²)" in window.narration.panel.toPlainText()  # the lesson box is shown


def test_start_page_can_be_turned_off(qtbot, window, settings) -> None:
    from explorer.ui.classroom.gallery import START_PAGE_KEY

    window.gallery.show_at_start()
    dialog = window.gallery.dialog
    assert dialog.isVisible()
    dialog.at_start.setChecked(False)
    dialog.close()
    assert str(settings.value(START_PAGE_KEY)).lower() == "false"
    window.gallery.show_at_start()
    assert not dialog.isVisible()
    window.presentation.enter()  # presenting closes a gallery left open
    window.gallery.action.trigger()
    opened = window.gallery.dialog  # made again: the projector theme has other colours
    assert opened is not dialog and opened.theme_name == "projector" and opened.isVisible()
    window.presentation.leave()
    window.presentation.enter()
    assert not opened.isVisible()
    window.presentation.leave()


# ----- narration ------------------------------------------------------------------------------

def test_narration_follows_the_steps_with_the_traces_numbers(qtbot, window) -> None:
    load(qtbot, window, "polynomial")
    one_pass = window.document.current_pass
    for position in (1, 3, one_pass.steps.__len__()):
        window.document.step("jump", position)
        text = window.narration.panel.toPlainText()
        step = one_pass.steps[position - 1]
        assert f"Step {position} of {len(one_pass.steps)}" in text
        for grad in (*step.grad_outputs, *step.grad_inputs):
            if grad is not None:
                assert describe(grad) in text
    assert "grad = 4 + 8 + 60 = 72" in window.narration.panel.toPlainText()


# ----- plots ----------------------------------------------------------------------------------

def test_tangent_slope_is_x_grad_and_the_curve_is_the_programs_output(qtbot, window) -> None:
    load(qtbot, window, "chain_rule")
    wait_for_curve(qtbot, window)
    plot = window.plots.function_plot
    trace = window.document.trace
    assert plot.tangent.slope == pytest.approx(trace.passes[0].grads["x"].item(), rel=1e-6)
    curve = plot.curve
    middle = len(curve.xs) // 2
    assert curve.xs[middle] == pytest.approx(1.5)
    assert curve.ys[middle] == pytest.approx(torch.sin(torch.tensor(1.5) ** 2).item(), rel=1e-6)
    x = torch.tensor(curve.xs[3], dtype=torch.float32)
    assert curve.ys[3] == pytest.approx(torch.sin(x**2).item(), rel=1e-5)


def test_dragging_the_marker_moves_x_through_the_value_path(qtbot, window) -> None:
    load(qtbot, window, "chain_rule")
    wait_for_curve(qtbot, window)
    window.plots.dock.raise_()  # tabbed behind the console: bring it up, as a user clicks its tab
    plot = window.plots.function_plot
    qtbot.waitUntil(lambda: plot.plot.isVisible() and plot.plot.height() > 80, timeout=30_000)
    box = plot.plot.getViewBox()
    start_x = plot.marker.value()
    middle_y = box.viewRect().center().y()
    start = view_to_widget(plot.plot, box, QPointF(start_x, middle_y))
    end = view_to_widget(plot.plot, box, QPointF(0.75, middle_y))
    assert start_x > 1.0 and abs(end.x() - start.x()) > 20  # a drag the mouse can make
    assert plot.plot.viewport().rect().contains(start) and plot.plot.viewport().rect().contains(end)
    with qtbot.waitSignal(window.runFinished, timeout=30_000):
        drag(plot.plot, start, end)
        dropped = widget_to_view(plot.plot, box, end).x()  # where the mouse let go, in x
    pixel = box.viewPixelSize()[0]
    # a slow machine may run once mid-drag too: wait for the run of where the marker was let go
    qtbot.waitUntil(lambda: not window.runner.busy and abs(
        window.document.trace.leaves[0].value.item() - dropped) <= pixel, timeout=30_000)
    x_value = window.document.overrides["x"]
    assert x_value == pytest.approx(dropped, abs=pixel)
    assert x_value == pytest.approx(0.75, abs=0.05)
    x = torch.tensor(x_value, requires_grad=True)
    (expected,) = torch.autograd.grad(torch.sin(x**2), x)
    trace = window.document.trace
    assert trace.leaves[0].value.item() == pytest.approx(x_value)
    assert trace.passes[0].grads["x"].item() == pytest.approx(expected.item(), rel=1e-6)
    assert plot.tangent.slope == pytest.approx(expected.item(), rel=1e-6)
    assert plot.marker.value() == pytest.approx(x_value)


def test_a_new_run_cancels_sampling_and_the_curve_comes_back(qtbot, window) -> None:
    load(qtbot, window, "chain_rule")
    plots = window.plots
    plots.curve_key = None
    window.plots.function_plot.curve = None
    plots._refresh_function()  # samples again, in the plots' thread
    cancel = plots._cancel
    with qtbot.waitSignal(window.runFinished, timeout=30_000):
        window.run_code()
    assert cancel.is_set()
    wait_for_curve(qtbot, window)
    assert len(window.plots.function_plot.curve.xs) == 61


def test_closing_the_window_stops_sampling_and_waits_for_it(qtbot, window) -> None:
    load(qtbot, window, "chain_rule")
    plots = window.plots
    plots.curve_key = None
    window.plots.function_plot.curve = None
    plots._refresh_function()  # samples in the plots' thread
    cancel = plots._cancel
    assert window.plots.sampling()
    window.close()
    assert cancel.is_set() and not window.plots.sampling()
    plots._refresh_function()  # a late change starts nothing once the window is closed
    assert not window.plots.sampling()


def test_components_and_depth_charts_show_the_pass(qtbot, window) -> None:
    load(qtbot, window, "vanishing_sigmoid")
    one_pass = window.document.current_pass
    assert len(window.plots.depth.values) == len(gradient_by_depth(one_pass))
    load(qtbot, window, "linear_layer")
    window.document.step("end")
    leaf = next(node for node, data in window.document.current_pass.graph.nodes(data=True)
                if data.get("variable") == "W")
    window.canvas.centre_on(leaf)
    click(window.canvas.view_widget, node_pixel(window.canvas, leaf))
    assert window.selected == leaf and window.plots.components.values.shape == (2, 2)
    assert torch.allclose(torch.from_numpy(window.plots.components.values).float(),
                          window.document.trace.passes[0].grads["W"])


# ----- presentation ---------------------------------------------------------------------------

def visible_docks(window) -> set[str]:
    return {dock.objectName() for dock in window.findChildren(QDockWidget) if dock.isVisible()}


def test_presentation_toggles_scales_fonts_and_steps_with_clicker_keys(qtbot, window, settings) -> None:
    load(qtbot, window, "polynomial")
    theme_before, scale_before = window.theme.name, window.font_scale
    docks_before = visible_docks(window)
    presentation = window.presentation
    presentation.toggle_action.trigger()
    assert presentation.active and window.isFullScreen()
    assert visible_docks(window) == {"narrationDock"}
    assert not any(bar.isVisible() for bar in window.findChildren(QToolBar))
    assert window.theme.name == "projector"
    assert window.narration.panel.scale == pytest.approx(2.0)
    presentation.set_scale(2.5)
    assert window.narration.panel.scale == pytest.approx(2.5)
    assert float(settings.value(SCALE_KEY)) == pytest.approx(2.5)
    presentation.set_scale(9.0)
    assert presentation.scale == pytest.approx(3.0)
    target = window.canvas.view_widget
    window.document.step("reset")
    for key in (Qt.Key.Key_Right, Qt.Key.Key_PageDown, Qt.Key.Key_Space):
        qtbot.keyClick(target, key)
    assert window.document.stepper.position == 3
    assert not window.step_bar.play_action.isChecked()  # Space stepped; it did not play
    for key in (Qt.Key.Key_Left, Qt.Key.Key_PageUp):
        qtbot.keyClick(target, key)
    assert window.document.stepper.position == 1
    qtbot.keyClick(target, Qt.Key.Key_B)
    assert presentation.blank.isVisible()
    screen = window.grab().toImage()
    assert screen.pixelColor(10, 10).name() == screen.pixelColor(window.width() - 10, 10).name() == "#000000"
    qtbot.keyClick(target, Qt.Key.Key_Right)  # the first click only brings the screen back
    assert not presentation.blank.isVisible() and window.document.stepper.position == 1
    qtbot.keyClick(target, Qt.Key.Key_Escape)
    assert not presentation.active and not window.isFullScreen()
    assert visible_docks(window) == docks_before
    assert (window.theme.name, window.font_scale) == (theme_before, scale_before)
    assert window.narration.panel.scale == pytest.approx(1.0)
    qtbot.keyClick(target, Qt.Key.Key_Space)  # Space plays again outside presentation
    assert window.step_bar.play_action.isChecked()
    window.step_bar.play_action.setChecked(False)


def test_closing_while_presenting_saves_the_normal_settings(qtbot, window, settings) -> None:
    theme, scale = window.theme.name, window.font_scale
    window.presentation.enter()
    window.close()
    assert not window.presentation.active
    assert (settings.value("theme"), float(settings.value("fontScale"))) == (theme, scale)


def test_presentation_scale_is_remembered(qtbot, window, settings: QSettings) -> None:
    from explorer.ui.window.main_window import QtMainWindow

    window.presentation.set_scale(1.5)
    again = QtMainWindow(settings)
    qtbot.addWidget(again)
    assert again.presentation.scale == pytest.approx(1.5)


def test_projector_theme_is_added_without_changing_the_others() -> None:
    assert list(THEMES)[:2] == ["light", "dark"]
    projector = THEMES["projector"]
    assert (projector.background, projector.foreground) == ("#ffffff", "#000000")
    assert THEMES["light"].background == "#fbfbfd" and THEMES["dark"].background == "#16181d"


# ----- handouts -------------------------------------------------------------------------------

def count_pdf_pages(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", data))


def test_pdf_handout_has_one_page_per_step(qtbot, window, tmp_path: Path) -> None:
    load(qtbot, window, "polynomial")
    trace = window.document.trace
    steps = Stepper(trace.passes[0]).count
    path = tmp_path / "handout.pdf"
    # a title page with the code listing, then a page per step
    assert write_pdf(path, trace, 0, THEMES["light"], code=window.document.code, title="Polynomial") == steps + 1
    data = path.read_bytes()
    assert data.startswith(b"%PDF") and count_pdf_pages(data) == steps + 1 == 10
    long_code = "\n".join(f"x{number} = {number}" for number in range(200))  # listing runs on
    assert write_pdf(tmp_path / "long.pdf", trace, 0, code=long_code) > steps + 2


def test_gif_and_png_frames_have_one_frame_per_step(qtbot, window, tmp_path: Path) -> None:
    load(qtbot, window, "chain_rule")
    trace = window.document.trace
    frames = render_frames(trace, 0, THEMES["dark"], size=(640, 400))
    assert len(frames) == len(trace.passes[0].steps) == 3
    write_gif(tmp_path / "steps.gif", frames)
    with Image.open(tmp_path / "steps.gif") as gif:
        assert gif.n_frames == 3 and gif.size == (640, 400)
    paths = write_png_frames(tmp_path / "frames", frames)
    assert [path.name for path in paths] == ["step_01.png", "step_02.png", "step_03.png"]


def test_handout_action_exports_the_current_pass(qtbot, window, tmp_path: Path) -> None:
    from explorer.ui.classroom.handouts import export_handout

    run_and_wait(qtbot, window, example("accumulate_and_zero").source())
    window.document.select_pass(1)
    assert export_handout(window, tmp_path / "second.pdf")
    assert count_pdf_pages((tmp_path / "second.pdf").read_bytes()) == 1 + len(
        window.document.trace.passes[1].steps)
