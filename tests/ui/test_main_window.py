"""The desktop app, driven as a person would, offscreen."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import torch
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QTextCursor

from explorer.core.capture.tensors import describe
from explorer.examples import all_examples
from tests.core.programs import POLYNOMIAL
from tests.core.reference import run_reference
from tests.ui.conftest import run_and_wait
from tests.ui.mouse import click, node_pixel


def _count_nodes(output: torch.Tensor) -> int:
    seen, stack = set(), [output.grad_fn]
    while stack:
        node = stack.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        stack.extend(next_node for next_node, _ in node.next_functions)
    return len(seen)


def test_launch_with_a_file_shows_every_node(qtbot, settings, tmp_path: Path) -> None:
    from explorer.ui.window.main_window import start_window

    program = tmp_path / "poly.py"
    program.write_text(POLYNOMIAL)
    window = start_window(program, settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.document.trace is not None, timeout=30_000)
    reference = run_reference(POLYNOMIAL.replace("y.backward()", ""))
    expected = _count_nodes(reference.namespace["y"])
    scene = window.controller.current_scene()
    assert len(scene.nodes) == expected == len(window.controller.geometry.centres)
    assert window.windowTitle().startswith("Autograd Explorer")
    assert "Function output: 64.0" in window.console.toPlainText()
    window.runner.wait()


def test_stepping_moves_the_highlight_and_the_inspector_follows(qtbot, window) -> None:
    run_and_wait(qtbot, window, POLYNOMIAL)
    stepper = window.document.stepper
    window.canvas.view_widget.setFocus()
    qtbot.keyClick(window.canvas.view_widget, Qt.Key.Key_Home)
    assert stepper.position == 0 and window.controller.current_scene().active is None
    active_nodes = []
    for _ in range(3):
        qtbot.keyClick(window.canvas.view_widget, Qt.Key.Key_Right)
        active_nodes.append(window.controller.current_scene().active)
    assert stepper.position == 3 and len(set(active_nodes)) == 3
    assert window.step_bar.label.text().startswith("Step 3 / ")
    step = stepper.one_pass.steps[2]
    window.canvas.centre_on(step.node)
    click(window.canvas.view_widget, node_pixel(window.canvas, step.node))
    assert window.selected == step.node == window.canvas.item.selected
    text = window.inspector.html()
    for grad in step.grad_outputs + step.grad_inputs:
        if grad is not None:
            assert describe(grad) in text
    qtbot.keyClick(window.canvas.view_widget, Qt.Key.Key_Left)
    assert stepper.position == 2 and window.controller.current_scene().active == active_nodes[1]
    qtbot.keyClick(window.canvas.view_widget, Qt.Key.Key_End)
    assert stepper.at_end


def test_editing_a_value_reruns_and_updates_grad(qtbot, window) -> None:
    run_and_wait(qtbot, window, POLYNOMIAL)
    window.variables.select_variable("x")
    with qtbot.waitSignal(window.runFinished, timeout=30_000):
        window.variables.spin.setValue(3.0)
    x = torch.tensor(3.0, requires_grad=True)
    (expected,) = torch.autograd.grad(5 * x**3 + 2 * x**2 + 4 * x + 8, x)
    assert torch.equal(window.document.trace.passes[0].grads["x"], expected)
    assert window.document.overrides == {"x": 3.0}
    assert "x = torch.tensor(2.0" in window.editor.toPlainText()  # the code is not rewritten
    row = [leaf.name for leaf in window.variables.leaves].index("x")
    assert window.variables.table.item(row, 5).text() == describe(expected)


def test_syntax_error_shows_its_line_and_keeps_the_last_graph(qtbot, window) -> None:
    run_and_wait(qtbot, window, POLYNOMIAL)
    nodes_before = len(window.controller.current_scene().nodes)
    # the user's own edit (through the editor's cursor, as typing goes), not a loaded file
    cursor = window.editor.textCursor()
    start = window.editor.toPlainText().index("y.backward()")
    cursor.setPosition(start)
    cursor.setPosition(start + len("y.backward()"), QTextCursor.MoveMode.KeepAnchor)
    cursor.insertText("y.backward((")
    assert window.document.typed
    run_and_wait(qtbot, window)
    assert window.editor.error is not None and window.editor.error.line == 5
    assert window.document.stale and window.canvas.banner.isVisible()
    assert len(window.controller.current_scene().nodes) == nodes_before
    assert "line 5" in window.status.text()


def test_session_round_trip(qtbot, window, settings, tmp_path: Path) -> None:
    from explorer.ui.window.main_window import QtMainWindow

    run_and_wait(qtbot, window, POLYNOMIAL)
    window.variables.select_variable("x")
    with qtbot.waitSignal(window.runFinished, timeout=30_000):
        window.variables.spin.setValue(1.5)
    window.apply_theme("dark")
    window.document.step("jump", 4)
    path = tmp_path / "lesson.explorer.json"
    assert window.save_to(path)
    other = QtMainWindow(settings)
    qtbot.addWidget(other)
    with qtbot.waitSignal(other.runFinished, timeout=30_000):
        assert other.open_path(path)
    qtbot.waitUntil(lambda: other.document.stepper is not None and other.document.stepper.position == 4)
    assert other.editor.toPlainText() == window.editor.toPlainText()
    assert other.document.overrides == {"x": 1.5} and other.theme.name == "dark"
    assert torch.equal(other.document.trace.passes[0].grads["x"], window.document.trace.passes[0].grads["x"])
    other.runner.wait()


def test_corrupt_session_is_refused_and_nothing_changes(qtbot, window, tmp_path: Path, monkeypatch) -> None:
    run_and_wait(qtbot, window, POLYNOMIAL)
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema": "explorer.session/1", "code": 5}')
    messages = []
    monkeypatch.setattr("explorer.ui.window.main_window.QMessageBox.warning",
                        lambda *args: messages.append(args[2]))
    assert not window.open_path(bad)
    assert messages and "code" in messages[0]
    assert window.editor.toPlainText() == POLYNOMIAL and window.document.trace.ok


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_export_writes_an_image(qtbot, window, tmp_path: Path, suffix: str) -> None:
    run_and_wait(qtbot, window, POLYNOMIAL)
    path = tmp_path / f"graph{suffix}"
    assert window.export_image(path)
    data = path.read_bytes()
    assert len(data) > 1000
    assert data.startswith(b"\x89PNG") if suffix == ".png" else b"<svg" in data and b"PowBackward0" in data


def test_every_example_loads(qtbot, window) -> None:
    for item in all_examples():
        with qtbot.waitSignal(window.runFinished, timeout=30_000):
            window.load_example(item.slug)
        trace = window.document.trace
        if item.error:  # lessons that end with an error on purpose
            assert window.editor.error is not None and item.error in window.editor.error.message
        else:
            assert window.editor.error is None, (item.slug, window.editor.error)
            assert trace.passes and window.controller.current_scene().nodes


def test_active_highlight_changes_the_pixels(qtbot, window) -> None:
    run_and_wait(qtbot, window, POLYNOMIAL)
    window.document.step("jump", 1)
    active = window.controller.current_scene().active
    qtbot.wait(50)

    def pixel_at_node(node_id: str) -> QColor:
        rect = window.controller.geometry.rect(node_id)
        corner = window.canvas.view_box.mapViewToScene(rect.center() + (rect.topLeft() - rect.center()) * 0.7)
        point = window.canvas.view_widget.mapFromScene(corner)
        return window.canvas.view_widget.grab().toImage().pixelColor(point)

    during = pixel_at_node(active)
    window.document.step("jump", 2)
    qtbot.wait(50)
    after = pixel_at_node(active)
    theme = window.theme
    from explorer.core.view.stepper import NodeState

    assert during.name() == QColor(theme.node_fill[NodeState.ACTIVE]).name()
    assert after.name() == QColor(theme.node_fill[NodeState.DONE]).name()


def test_headless_export_command(tmp_path: Path) -> None:
    program = tmp_path / "poly.py"
    program.write_text(POLYNOMIAL)
    for name, step in (("end.png", None), ("step2.svg", 2)):
        args = [sys.executable, "-m", "explorer", "export", str(program), "-o", str(tmp_path / name)]
        if step is not None:
            args += ["--step", str(step)]
        result = subprocess.run(args, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        assert (tmp_path / name).stat().st_size > 1000
    assert b"Step 2 / " in (tmp_path / "step2.svg").read_bytes()
    refused = subprocess.run([sys.executable, "-m", "explorer", "export", str(program), "-o",
                              str(tmp_path / "x.gif")], capture_output=True, text=True, timeout=120)
    assert refused.returncode == 2 and ".png, .svg or .pdf" in refused.stderr


def test_headless_export_follows_the_layout_style(tmp_path: Path) -> None:
    from explorer.cli import main

    program = tmp_path / "poly.py"
    program.write_text(POLYNOMIAL)
    sizes = {}
    for name, flags in (("down", []), ("across", ["--left-to-right"]), ("tight", ["--compact"])):
        target = tmp_path / f"{name}.png"
        assert main(["export", str(program), "-o", str(target), *flags]) == 0
        image = QImage(str(target))
        sizes[name] = (image.width(), image.height())
    # the polynomial is deeper than it is wide: taller top to bottom, wider left to right
    assert sizes["down"][1] > sizes["across"][1] and sizes["across"][0] > sizes["down"][0]
    assert sizes["across"][0] > sizes["across"][1]
    assert sizes["tight"][1] < sizes["down"][1]


def test_app_starts_and_quits_from_the_command_line(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "explorer", "--quit-after", "100"],
                            capture_output=True, text=True, timeout=120,
                            env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen",
                                 "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert "window shown after" in result.stdout
