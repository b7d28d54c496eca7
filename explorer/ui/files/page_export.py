"""File → Export Interactive Page…: the graph on screen as one self-contained web page."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMessageBox

from explorer.ui.classroom.gallery import menu_named
from explorer.web import PageText, write_page
from explorer.web.placement import Placement

if TYPE_CHECKING:
    from explorer.ui.window.main_window import QtMainWindow

TITLE = "Export Interactive Page"


def export_page(window: QtMainWindow, path: Path) -> bool:
    """Write the current trace's page, opened at the pass and step on screen, in its theme."""
    document = window.document
    trace, shown = document.trace, document.current_pass
    if trace is None or shown is None:
        QMessageBox.information(window, TITLE, "There is no backward pass to export yet.")
        return False
    index = next(number for number, one_pass in enumerate(trace.passes) if one_pass is shown)
    controller = window.controller
    geometry = controller.geometry
    # the picture on screen (layout style, moved boxes) unless groups are folded in it: the page
    # folds and unfolds by itself, from layouts of its own
    placement = None if geometry is None or controller.view_graph is not None else Placement(
        dict(geometry.centres), dict(geometry.widths), dict(geometry.bends), geometry.orientation)
    title = window.path.name if window.path is not None else "Autograd Explorer"
    step = document.stepper.position if document.stepper is not None else 0
    try:
        write_page(path, trace, PageText(title=title, code=window.editor.toPlainText()),
                   theme=window.theme.name, step=step, pass_index=index, placement=placement,
                   orientation=controller.orientation, compact=controller.compact)
    except (OSError, ValueError) as error:
        QMessageBox.warning(window, TITLE, f"Could not export {path.name}:\n{error}")
        return False
    window.status.setText(f"Exported {path}: open it in a web browser")
    return True


def _export_dialog(window: QtMainWindow) -> None:
    start = Path(str(window.settings.value("lastFolder", str(Path.home())))) / "graph.html"
    path, _ = QFileDialog.getSaveFileName(window, TITLE, str(start), "Web page (*.html)")
    if path:
        chosen = Path(path)
        export_page(window, chosen if chosen.suffix.lower() in (".html", ".htm") else chosen.with_suffix(".html"))


def install(window: QtMainWindow) -> QAction:
    """Add File → Export Interactive Page… just below Export Image."""
    action = QAction("Export Interactive &Page (HTML)…", window)
    action.setObjectName("pageExportAction")
    action.setStatusTip("One web page to step through in any browser: no app, no network needed")
    action.triggered.connect(lambda: _export_dialog(window))
    file_menu = menu_named(window, "File")
    if file_menu is not None:
        actions = file_menu.actions()
        export = getattr(window, "export_action", None)
        below = actions[actions.index(export) + 1] if export in actions[:-1] else None
        file_menu.insertAction(below, action) if below is not None else file_menu.addAction(action)
    return action
