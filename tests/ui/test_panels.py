"""Panels on their own: the grid editor, dragging a node, the legend and themes."""

from __future__ import annotations

import torch
from PySide6.QtCore import QPoint, QPointF

from explorer.core.capture.trace import LeafVariable
from explorer.ui.panels.variables import QtGridEditor, QtVariablesPanel, slider_range
from tests.core.programs import LINEAR_LAYER
from tests.ui.conftest import run_and_wait
from tests.ui.mouse import drag, view_to_widget, widget_to_view


def test_grid_editor_returns_values_in_the_tensors_shape(qtbot) -> None:
    editor = QtGridEditor("W", torch.tensor([[1.0, 2.0], [3.0, 4.0]]))
    qtbot.addWidget(editor)
    editor.table.item(1, 0).setText("7.5")
    assert editor.values() == [[1.0, 2.0], [7.5, 4.0]]
    editor.table.item(0, 0).setText("seven")
    editor.accept()
    assert editor.result() == 0 and "Not a number" in editor.message.text()


def test_matrix_edit_reruns_with_the_new_values(qtbot, window, monkeypatch) -> None:
    run_and_wait(qtbot, window, LINEAR_LAYER)
    monkeypatch.setattr(QtGridEditor, "exec", lambda self: QtGridEditor.DialogCode.Accepted)
    monkeypatch.setattr(QtGridEditor, "values", lambda self: [[0.0, 1.0], [1.0, 0.0]])
    row = [leaf.name for leaf in window.variables.leaves].index("W")
    with qtbot.waitSignal(window.runFinished, timeout=30_000):
        window.variables.table.cellDoubleClicked.emit(row, 4)
    W = torch.tensor([[0.0, 1.0], [1.0, 0.0]], requires_grad=True)
    b = torch.tensor([0.5, 1.0], requires_grad=True)
    X = torch.tensor([[1.0, 0.5], [0.2, 0.8]])
    (expected,) = torch.autograd.grad(torch.sum((X @ W + b) ** 2), W)
    assert torch.allclose(window.document.trace.passes[0].grads["W"], expected)


def test_slider_range_surrounds_the_value() -> None:
    assert slider_range(2.0) == (-2.0, 6.0)
    low, high = slider_range(-100.0)
    assert low < -100.0 < high


def test_variables_panel_shows_grad_at_the_step(qtbot) -> None:
    panel = QtVariablesPanel()
    qtbot.addWidget(panel)
    leaf = LeafVariable("x", torch.tensor(2.0), True, torch.tensor(72.0))
    panel.show_leaves([leaf], {"x": None})
    assert panel.table.item(0, 5).text() == "None"
    panel.show_leaves([leaf], {"x": torch.tensor(72.0)})
    assert panel.table.item(0, 5).text() == "72"
    assert panel.slider.isEnabled() and panel.spin.value() == 2.0


def test_dragging_a_node_moves_it_and_a_value_edit_keeps_it_there(qtbot, window) -> None:
    from tests.core.programs import POLYNOMIAL

    run_and_wait(qtbot, window, POLYNOMIAL)
    node = window.document.current_pass.root
    view, box = window.canvas.view_widget, window.canvas.view_box
    others = {k: v for k, v in window.controller.geometry.centres.items() if k != node}
    start = view_to_widget(view, box, QPointF(*window.controller.geometry.centres[node]))
    end = start + QPoint(-70, 25)
    assert view.viewport().rect().contains(start) and view.viewport().rect().contains(end)
    with qtbot.waitSignal(window.canvas.nodeMoved, timeout=30_000) as moved:
        drag(view, start, end)
    dropped = widget_to_view(view, box, end)
    target = window.controller.geometry.centres[node]
    pixel = max(box.viewPixelSize())  # scene units per screen pixel: the mouse's resolution
    assert moved.args[0] == node and moved.args[1] == target
    assert abs(target[0] - dropped.x()) <= pixel and abs(target[1] - dropped.y()) <= pixel
    assert {k: v for k, v in window.controller.geometry.centres.items() if k != node} == others
    assert window.canvas.item.geometry.node_at(*target) == node
    window.variables.select_variable("x")
    with qtbot.waitSignal(window.runFinished, timeout=30_000):
        window.variables.spin.setValue(3.0)
    assert window.document.trace.leaves[0].value.item() == 3.0  # the edit ran
    assert window.controller.geometry.centres[node] == target
    assert window.canvas.item.geometry.node_at(*target) == node


def test_themes_change_what_is_drawn(qtbot, window) -> None:
    from tests.core.programs import POLYNOMIAL

    run_and_wait(qtbot, window, POLYNOMIAL)
    light = window.canvas.view_widget.grab().toImage()
    window.apply_theme("dark")
    qtbot.wait(20)
    dark = window.canvas.view_widget.grab().toImage()
    corner = QPointF(5, 5).toPoint()
    assert light.pixelColor(corner).lightness() > 200 > 60 > dark.pixelColor(corner).lightness()
    assert "running" in window.canvas.legend.text()
