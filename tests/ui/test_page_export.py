"""File → Export Interactive Page: the picture on screen, at its step, as one web page."""

from __future__ import annotations

import json
import re
from pathlib import Path

from explorer.examples import example
from tests.ui.conftest import run_and_wait


def _view(path: Path) -> dict:
    found = re.search(r'<script type="application/json" id="data-view">(.*?)</script>',
                      path.read_text(encoding="utf-8"), re.S)
    assert found is not None
    return json.loads(found.group(1))


def test_the_file_menu_exports_the_page_on_screen(qtbot, window, tmp_path: Path) -> None:
    file_menu = next(action.menu() for action in window.menuBar().actions() if action.text() == "&File")
    entries = [action for action in file_menu.actions() if action.objectName() == "pageExportAction"]
    assert entries == [window.page_export.action]
    run_and_wait(qtbot, window, example("polynomial").source())
    window.document.step("jump", 4)
    assert window.document.stepper.position == 4
    target = tmp_path / "graph.html"
    from explorer.ui.files.page_export import export_page

    assert export_page(window, target)
    view = _view(target)
    assert view["start"]["step"] == window.document.stepper.position
    assert view["theme"] == window.theme.name
    layout = view["passes"][0]["layouts"]["given"]  # the window's own placement, as on screen
    geometry = window.controller.geometry
    ids = list(window.document.current_pass.graph.nodes)
    assert [(x, y) for x, y in zip(layout["x"], layout["y"])] == [
        (round(geometry.centres[node][0], 1), round(geometry.centres[node][1], 1)) for node in ids]
    assert view["text"]["code"] == window.editor.toPlainText()


def test_nothing_to_export_says_so(qtbot, window, tmp_path: Path, no_blocking_dialogs) -> None:
    from explorer.ui.files.page_export import export_page

    window.document.trace = None
    assert not export_page(window, tmp_path / "graph.html")
    assert not (tmp_path / "graph.html").exists()
    assert any("no backward pass" in str(answer) for answer in no_blocking_dialogs)
