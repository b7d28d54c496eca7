"""The window on trusted code: read-only code box, diagnostics dock, magnitude colours, export."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import torch
from PySide6.QtGui import QColor
from torch import nn

import explorer
from explorer.core.capture.trusted import run_script
from explorer.ui.panels.diagnostics import (
    NON_FINITE_COLOUR,
    QtMagnitudeOverlay,
    log_range,
    magnitude_colour,
)
from explorer.ui.window.trusted_window import TRUSTED_DOCK_TITLE, start_trace_window

SCRIPT = """\
import torch
from torch import nn
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(3, 6), nn.ReLU(), nn.Linear(6, 1))
x = torch.randn(5, 3)
model(x).pow(2).mean().backward()
h = model[0](x)
torch.where(h > 0, h.sqrt(), 0.0).sum().backward()
"""


@pytest.fixture
def script_window(qtbot, settings, tmp_path: Path):
    script = tmp_path / "train.py"
    script.write_text(SCRIPT, encoding="utf-8")
    recording = run_script(script)
    window = start_trace_window(recording.trace(), title="train.py", code=recording.source,
                                settings=settings)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_trusted_window_is_read_only_and_lists_the_passes(script_window) -> None:
    window = script_window
    assert window.editor.isReadOnly() and not window.run_action.isEnabled()
    assert window.editor_dock.windowTitle() == TRUSTED_DOCK_TITLE
    assert "trusted code" in window.windowTitle()
    assert window.step_bar.passes.count() == 2
    assert "line 6" in window.step_bar.passes.itemText(0)
    assert {leaf.name for leaf in window.document.trace.leaves} == {"0.weight", "0.bias", "2.weight", "2.bias"}
    window.variables.valueEdited.emit("2.bias", 1.0)  # would re-run the code in a normal window
    window.plots.function_plot.valueDragged.emit("2.bias", 1.0)  # the plot's marker too
    window.editor.runRequested.emit()
    window.plots.refresh()  # the y(x) curve would be sampled by re-running the code
    assert not window.runner.busy and window.document.overrides == {}
    assert not window.plots.sampling()


def test_jump_to_first_nan_goes_to_the_sqrt_of_the_second_pass(script_window) -> None:
    window = script_window
    assert window.diagnostics.panel.first_nan_button.isEnabled()
    found = window.diagnostics.jump_to_first_non_finite()
    assert found is not None and window.document.pass_index == 1
    graph = window.document.current_pass.graph
    assert graph.nodes[found.node]["name"] == "SqrtBackward0"
    assert window.document.stepper.position == found.position
    assert window.selected == found.node


def test_findings_list_and_norm_chart_follow_the_pass(script_window) -> None:
    window = script_window
    panel = window.diagnostics.panel
    assert panel.findings_list.count() >= 1
    assert "SqrtBackward0" in panel.findings_list.item(0).text()
    window.document.select_pass(0)
    assert sorted(item.name for item in panel.chart.norms) == ["0.bias", "0.weight", "2.bias", "2.weight"]
    window.document.select_pass(1)  # the second pass reaches only the first layer
    assert sorted(item.name for item in panel.chart.norms) == ["0.bias", "0.weight"]


def test_colour_by_magnitude_frames_nodes_that_ran(script_window, qtbot) -> None:
    window = script_window
    controller = window.diagnostics
    assert not controller.legend.isVisible()
    controller.colour_action.setChecked(True)
    assert controller.legend.isVisible()
    window.document.select_pass(1)
    window.document.step("end")
    overlay = controller.overlay
    assert set(overlay.magnitudes) == set(window.document.current_pass.executed())
    assert any(math.isnan(value) for value in overlay.magnitudes.values())
    window.document.step("reset")
    assert overlay.magnitudes == {}
    window.document.step("jump", 2)
    assert len(overlay.magnitudes) == 2
    controller.colour_action.setChecked(False)
    assert overlay.magnitudes == {} and not controller.legend.isVisible()


def test_overlay_paints_the_non_finite_colour(qtbot) -> None:
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QImage, QPainter

    overlay = QtMagnitudeOverlay()
    overlay.set_content({"a": QRectF(10, 10, 40, 20)}, {"a": math.nan}, (0.0, 1.0))
    image = QImage(80, 60, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    overlay.paint(painter)
    painter.end()
    assert image.pixelColor(30, 8).name() == QColor(NON_FINITE_COLOUR).name()


def test_magnitude_scale_runs_from_blue_to_red() -> None:
    assert log_range({"a": 0.01, "b": 50.0, "c": math.nan, "d": 0.0}) == (-2, 2)
    assert magnitude_colour(0.0).name() == "#3b4cc0" and magnitude_colour(1.0).name() == "#d7301f"


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_export_draws_pictures(qtbot, tmp_path: Path, suffix: str) -> None:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
    loss = model(torch.randn(2, 3)).sum()
    path = explorer.export(loss, tmp_path / f"graph{suffix}", model=model)
    data = path.read_bytes()
    assert data.startswith(b"\x89PNG") if suffix == ".png" else b"0.weight" in data


def test_show_without_blocking_returns_the_window(qtbot) -> None:
    x = torch.randn(3, requires_grad=True)
    window = explorer.show((x * x).sum(), names={"x": x}, block=False)
    qtbot.addWidget(window)
    assert window.isVisible() and window.document.current_pass is not None
    assert "test_debugging.py" in window.windowTitle()
    window.close()


def test_show_does_not_block_when_ipython_runs_a_qt_loop(qtbot, monkeypatch) -> None:
    import sys
    import types

    shell = types.SimpleNamespace(active_eventloop="qt6")
    monkeypatch.setitem(sys.modules, "IPython", types.SimpleNamespace(get_ipython=lambda: shell))
    x = torch.randn(2, requires_grad=True)
    with explorer.record(names={"x": x}) as rec:
        (x.exp() * 2).sum().backward()
    window = explorer.show(rec, block=True)  # would hang in app.exec() if it blocked
    qtbot.addWidget(window)
    assert window.isVisible() and window.step_bar.passes.count() == 1
    window.close()
