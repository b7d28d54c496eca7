"""Legible at every size: room for the graph, readable zoom, code and graph linked, values shown."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QGuiApplication, QImage, QTextCursor
from PySide6.QtWidgets import QDockWidget, QMessageBox, QToolBar, QToolButton

from explorer.core.view.folding import GROUP_KIND
from explorer.examples import example
from explorer.ui.canvas.scene_painter import BODY_UNITS
from explorer.ui.files.export import TEXT_PIXELS_KEY
from tests.core.programs import POLYNOMIAL, RESIDUAL_LOOP
from tests.ui.conftest import run_and_wait

NETWORK = """\
import torch
import torch.nn.functional as F

torch.manual_seed(0)
x = torch.randn(8, 4)
y = torch.randn(8, 2)
W1 = torch.randn(4, 6, requires_grad=True)
b1 = torch.zeros(6, requires_grad=True)
W2 = torch.randn(6, 6, requires_grad=True)
b2 = torch.zeros(6, requires_grad=True)
W3 = torch.randn(6, 2, requires_grad=True)
b3 = torch.zeros(2, requires_grad=True)
h1 = torch.relu(x @ W1 + b1)
h2 = torch.tanh(h1 @ W2 + b2)
out = torch.sigmoid(h2 @ W3 + b3)
loss = F.mse_loss(out, y)
loss.backward()
"""

LOOP = RESIDUAL_LOOP


def zoom(window) -> float:
    """Pixels per scene unit in the canvas now."""
    return 1.0 / abs(window.canvas.view_box.viewPixelSize()[0])


def settle(qtbot, window) -> None:
    qtbot.wait(200)  # the arrangement sizes docks and the view refits once the window settles


# ----- room for the graph -------------------------------------------------------------------------

@pytest.mark.parametrize("size", [(1366, 768), (1280, 720)])  # a laptop; 1920×1080 at 150 %
def test_the_graph_keeps_at_least_half_the_window(qtbot, window, size) -> None:
    window.resize(*size)
    window.arrangement.arrange()
    run_and_wait(qtbot, window, NETWORK)
    settle(qtbot, window)
    graph = window.canvas.view_widget
    assert graph.width() * graph.height() >= 0.5 * window.width() * window.height()
    for bar in window.findChildren(QToolBar):  # every button on screen, none behind a » menu
        if bar.isVisible() and window.toolBarArea(bar) == Qt.ToolBarArea.TopToolBarArea:
            assert bar.geometry().right() <= window.width()
            extension = bar.findChild(QToolButton, "qt_toolbar_ext_button")
            assert extension is None or not extension.isVisible()


def test_text_is_at_least_9_points_at_first_view_and_small_graphs_fit(qtbot, window) -> None:
    run_and_wait(qtbot, window, NETWORK)
    settle(qtbot, window)
    assert BODY_UNITS * zoom(window) >= 12.0 - 1e-6  # 9 pt at 96 dpi
    shown = window.canvas.view_box.viewRect()
    root = window.document.current_pass.root
    assert shown.contains(*window.controller.geometry.centres[root])  # the output is in view
    run_and_wait(qtbot, window, POLYNOMIAL)
    settle(qtbot, window)
    assert BODY_UNITS * zoom(window) >= 12.0 - 1e-6
    shown = window.canvas.view_box.viewRect()
    assert all(shown.contains(x, y) for x, y in window.controller.geometry.centres.values())


def test_view_panels_reopen_every_dock_and_help_is_last(qtbot, window) -> None:
    docks = [dock for dock in window.findChildren(QDockWidget) if dock.parentWidget() is window]
    window.arrangement.fill_panels_menu()
    toggles = {action.text() for action in window.arrangement.panels_menu.actions()}
    assert {dock.windowTitle() for dock in docks} <= toggles
    for dock in docks:
        dock.close()
        assert not dock.isVisible()
        dock.toggleViewAction().trigger()
        assert dock.isVisible()
    qtbot.wait(50)
    assert window.menuBar().actions()[-1].text().replace("&", "") == "Help"


# ----- files and the clipboard --------------------------------------------------------------------

def test_unsaved_work_offers_save_discard_and_cancel(qtbot, window, monkeypatch, tmp_path: Path) -> None:
    offered = []
    saved = []

    def answer(parent, title, text, buttons, default=None):
        offered.append(buttons)
        return QMessageBox.StandardButton.Save

    monkeypatch.setattr(QMessageBox, "question", staticmethod(answer))
    monkeypatch.setattr(window, "save", lambda: saved.append(True) or False)  # saving was cancelled
    window.editor.setPlainText("x = 1\n")
    window.editor.document().setModified(True)
    assert not window._confirm_discard()  # not saved: the work is kept, nothing replaced
    buttons = offered[0]
    for button in (QMessageBox.StandardButton.Save, QMessageBox.StandardButton.Discard,
                   QMessageBox.StandardButton.Cancel):
        assert buttons & button
    assert saved == [True]


def test_copy_graph_image_puts_the_graph_on_the_clipboard(qtbot, window) -> None:
    run_and_wait(qtbot, window, POLYNOMIAL)
    QGuiApplication.clipboard().clear()
    window.copy_graph_action.trigger()
    image = QGuiApplication.clipboard().image()
    assert not image.isNull() and image.width() > 300 and image.height() > 300


# ----- code and graph point at each other ---------------------------------------------------------

def _source_of_span(code: str, span: tuple[int, int, int, int]) -> str:
    line = code.splitlines()[span[0] - 1].encode()
    return line[span[1]:span[3]].decode()


def test_stepping_marks_the_expression_and_a_node_selects_its_code(qtbot, window) -> None:
    run_and_wait(qtbot, window, POLYNOMIAL)
    window.document.step("jump", 3)
    stepper = window.document.stepper
    active = window.document.current_pass.graph.nodes[stepper.active_node]
    assert window.editor.linked == tuple(active["span"])
    node = next(node for node, data in window.document.current_pass.graph.nodes(data=True)
                if data["name"] == "PowBackward0")
    window.canvas.nodeSelected.emit(node)
    span = window.document.current_pass.graph.nodes[node]["span"]
    assert window.editor.textCursor().selectedText() == _source_of_span(POLYNOMIAL, span)
    assert window.editor.textCursor().selectedText() in ("x ** 3", "x ** 2")


def test_the_cursor_line_lights_up_the_nodes_it_made(qtbot, window) -> None:
    run_and_wait(qtbot, window, POLYNOMIAL)
    cursor = window.editor.textCursor()
    cursor.setPosition(window.editor.document().findBlockByNumber(2).position())  # line 3: y = ...
    window.editor.setTextCursor(cursor)
    graph = window.document.current_pass.graph
    made = {node for node, data in graph.nodes(data=True) if data.get("line") == 3}
    assert made and window.canvas.item.highlighted == made
    cursor.movePosition(QTextCursor.MoveOperation.Start)
    window.editor.setTextCursor(cursor)
    assert window.canvas.item.highlighted == frozenset()


def test_an_edited_value_is_marked_on_its_line(qtbot, window) -> None:
    run_and_wait(qtbot, window, POLYNOMIAL)
    with qtbot.waitSignal(window.runFinished, timeout=30_000):
        window.document.set_override("x", 3.0)
    assert window.editor.edited_lines == {2}  # x = torch.tensor(...) is line 2
    assert window.editor.toPlainText() == POLYNOMIAL  # the code is not rewritten
    assert window.variables.table.item(0, 0).text() == "x ✎"


def test_the_inspector_follows_the_step(qtbot, window) -> None:
    run_and_wait(qtbot, window, POLYNOMIAL)
    window.document.step("reset")
    for _ in range(3):
        window.document.step("next")
        name = window.document.current_pass.graph.nodes[window.document.stepper.active_node]["name"]
        assert name in window.inspector.html()


# ----- lessons --------------------------------------------------------------------------------------

def test_a_lesson_opens_at_step_0_and_a_failing_one_shows_its_own_graph(qtbot, window) -> None:
    with qtbot.waitSignal(window.runFinished, timeout=30_000):
        window.load_example("chain_rule")
    assert window.document.stepper.position == 0
    with qtbot.waitSignal(window.runFinished, timeout=30_000):
        window.load_example("zero_before_backward")
    document = window.document
    assert document.error is not None and not document.stale and document.stepper.position == 0
    assert "stopped at line" in document.current_pass.note
    variables = {data.get("variable") for _, data in document.current_pass.graph.nodes(data=True)}
    assert "x" in variables


# ----- tensor values --------------------------------------------------------------------------------

def test_values_show_as_matrices_in_inspector_variables_and_edge_tooltips(qtbot, window) -> None:
    run_and_wait(qtbot, window, example("linear_layer").source())
    window.document.step("end")
    grad = window.document.trace.passes[0].grads["W"]
    window.variables.select_variable("W")
    details = window.variables.details.toPlainText()
    for number in grad.flatten().tolist():
        assert f"{number:.4g}" in details  # every number of the 2×2 gradient, not just its norm
    stepper = window.document.stepper
    received = stepper.one_pass.steps[stepper.position - 1].grad_outputs[0]
    for number in received.flatten().tolist():  # the inspector follows the last step
        assert f"{number:.4g}" in window.inspector.html()
    cache = window.canvas.item.cache
    delivered = next(index for index, edge in enumerate(cache.edges) if edge.delivered and edge.shape == "2×2")
    tip = window.canvas._tip_for(None, delivered)
    assert "<table" in tip and "gradient" in tip


# ----- big graphs -----------------------------------------------------------------------------------

def test_a_big_loop_opens_as_a_readable_summary_that_unfolds(qtbot, window) -> None:
    run_and_wait(qtbot, window, LOOP.format(turns=800))  # 2,400 nodes
    controller = window.controller
    assert controller.view_graph is not None
    blocks = [node for node, kind in controller.view_graph.nodes(data="kind") if kind == GROUP_KIND]
    assert len(blocks) == 1 and controller.view_graph.nodes[blocks[0]]["label"] == "repeat ×798"
    assert controller.view_graph.number_of_nodes() < 15
    settle(qtbot, window)
    assert BODY_UNITS * zoom(window) >= 12.0 - 1e-6
    window.canvas.nodeDoubleClicked.emit(blocks[0])  # unfold on demand
    assert controller.view_graph is None
    assert len(controller.geometry.centres) == window.document.current_pass.graph.number_of_nodes()


def test_presentation_mode_scales_the_graph_too(qtbot, window) -> None:
    run_and_wait(qtbot, window, POLYNOMIAL)
    presentation = window.presentation
    presentation.set_scale(2.0)
    presentation.enter()
    try:
        qtbot.wait(100)
        assert window.canvas.readable_pixels == pytest.approx(24.0)
        assert BODY_UNITS * window.font_scale * zoom(window) >= 24.0 - 1e-6 or \
            window.canvas.view_box.viewRect().contains(window.controller.geometry.bounds())
    finally:
        presentation.leave()
    assert window.canvas.readable_pixels == pytest.approx(12.0)


def test_plots_have_axis_labels(qtbot, window) -> None:
    run_and_wait(qtbot, window, POLYNOMIAL)
    plot = window.plots.function_plot.plot
    assert plot.getAxis("bottom").labelText == "x"
    assert plot.getAxis("left").labelText.startswith("y")


# ----- export ---------------------------------------------------------------------------------------

def test_a_big_export_is_a_legible_summary_and_full_is_an_atlas(qtbot, tmp_path: Path) -> None:
    from explorer.ui.files.headless import ExportError, export_program

    program = tmp_path / "loop.py"
    program.write_text(LOOP.format(turns=800))
    export_program(program, tmp_path / "summary.png")
    image = QImage(str(tmp_path / "summary.png"))
    assert max(image.width(), image.height()) <= 16_000
    assert float(image.text(TEXT_PIXELS_KEY)) >= 8.0
    assert image.width() < 2_000 and image.height() < 3_000  # a summary, not 2,400 boxes
    atlas = tmp_path / "atlas.pdf"
    export_program(program, atlas, full=True)
    pages = atlas.read_bytes().count(b"/Type /Page\n") or atlas.read_bytes().count(b"/Type/Page")
    assert atlas.read_bytes().startswith(b"%PDF") and pages != 1
    with pytest.raises(ExportError, match="svg or .pdf"):
        export_program(program, tmp_path / "full.png", full=True)


def test_settings_keep_their_own_arrangement(qtbot, tmp_path: Path) -> None:
    """A window with a saved layout keeps it: the arrangement is for first starts and on demand."""
    from explorer.ui.window.main_window import QtMainWindow

    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    first = QtMainWindow(settings)
    qtbot.addWidget(first)
    first.show()
    qtbot.wait(50)
    assert settings.value("window/arranged") in (True, "true")
    first.runner.cancel()
    first.runner.wait(10_000)
    assert torch.is_grad_enabled()


def test_fold_repeats_folds_a_small_loop_on_demand(qtbot, window) -> None:
    run_and_wait(qtbot, window, LOOP.format(turns=20))  # small: opens unfolded
    assert window.controller.view_graph is None
    action = next(action for action in window.findChildren(type(window.copy_graph_action))
                  if action.text() == "Fold &repeats (summary)")
    action.trigger()
    labels = {data.get("label") for _, data in window.controller.view_graph.nodes(data=True)}
    assert "repeat ×18" in labels


def test_atlas_pages_hold_every_box_whole_and_no_empty_page() -> None:
    import numpy as np

    from explorer.ui.files.export import following_tiles

    rng = np.random.default_rng(0)
    lefts, tops = rng.uniform(0, 5000, 300), rng.uniform(0, 20000, 300)
    boxes = np.column_stack([lefts, tops, lefts + rng.uniform(60, 300, 300), tops + 58])
    tiles = [area for *_, area in following_tiles(boxes, 1000.0, 700.0)]
    for left, top, right, bottom in boxes.tolist():
        assert any(area.left() <= left and right <= area.right() and area.top() <= top
                   and bottom <= area.bottom() for area in tiles)
    for area in tiles:
        assert any(area.intersects(area.__class__(left, top, right - left, bottom - top))
                   for left, top, right, bottom in boxes.tolist())
