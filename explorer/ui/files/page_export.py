"""File → Export Interactive Page…: the graph on screen as one self-contained web page."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMessageBox

from explorer.web import PageText, write_page
from explorer.web.placement import Placement

if TYPE_CHECKING:
    from explorer.ui.window.facade import WindowFacade

TITLE = "Export Interactive Page"


def export_page(window: WindowFacade, path: Path) -> bool:
    """Write the current trace's page, opened at the pass and step on screen, in its theme."""
    document = window.document
    trace, shown = document.trace, document.current_pass
    if trace is None or shown is None:
        QMessageBox.information(window.widget, TITLE, "There is no backward pass to export yet.")
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
                   orientation=controller.style.orientation, compact=controller.style.compact)
    except (OSError, ValueError) as error:
        QMessageBox.warning(window.widget, TITLE, f"Could not export {path.name}:\n{error}")
        return False
    window.show_status(f"Exported {path}: open it in a web browser")
    return True


def _export_dialog(window: WindowFacade) -> None:
    start = Path(str(window.settings.value("lastFolder", str(Path.home())))) / "graph.html"
    path, _ = QFileDialog.getSaveFileName(window.widget, TITLE, str(start), "Web page (*.html)")
    if path:
        chosen = Path(path)
        export_page(window, chosen if chosen.suffix.lower() in (".html", ".htm") else chosen.with_suffix(".html"))


class PageExport:
    """File → Export Interactive Page…, just below Export Image."""

    def __init__(self, window: WindowFacade) -> None:
        self.action = QAction("Export Interactive &Page (HTML)…", window.widget)
        self.action.setObjectName("pageExportAction")
        self.action.setStatusTip("One web page to step through in any browser: no app, no network needed")
        self.action.triggered.connect(lambda: _export_dialog(window))
        window.add_export_action(self.action)
