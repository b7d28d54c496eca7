"""What a feature may use of the main window: the document, the canvas, menus, docks and status.

Features (classroom, diagnostics, navigation, plots, narration, handouts, presentation, autosave,
trusted runs, ...) are objects the window creates with itself as this facade and holds as typed
fields. They change state only through ``document`` and hear of changes by its events, so a
feature can be read, and tested, on its own. ``QtMainWindow`` is the one implementation.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMenu, QToolBar, QWidget

from explorer.core.storage.document import Document
from explorer.core.storage.session import Session
from explorer.ui.canvas.canvas import QtGraphCanvas
from explorer.ui.canvas.graph_controller import GraphController
from explorer.ui.panels.console import QtConsole
from explorer.ui.panels.editor import QtCodeEditor
from explorer.ui.panels.stepbar import QtStepBar
from explorer.ui.window.runner import QtRunner, RunRequest
from explorer.ui.window.theme import Theme


class WindowFacade(Protocol):
    document: Document  # the only way state changes; its events say what changed
    canvas: QtGraphCanvas
    controller: GraphController  # what the canvas shows: the folded graph, the scene, positions
    editor: QtCodeEditor
    console: QtConsole
    step_bar: QtStepBar
    runner: QtRunner  # runs programs in the worker process
    settings: QSettings
    path: Path | None  # the file the program came from, if any
    trusted: bool  # a window on the user's own script: its code is never run again
    inspector_dock: QDockWidget  # the node inspector, on the right
    console_dock: QDockWidget  # the program's output, at the bottom
    run_action: QAction
    live_action: QAction

    @property
    def theme(self) -> Theme:
        """The colours of ``document.theme``."""

    @property
    def selected(self) -> str | None:
        """The node picked last (``document.selected``)."""

    @property
    def widget(self) -> QMainWindow:
        """The window as a Qt widget: the parent of dialogs, and what presentation mode shows
        full screen."""

    def menu(self, title: str) -> QMenu:
        """The menu bar's menu called ``title`` (without its &), made if there is none yet."""

    def add_dock(self, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea, *,
                 tab_with: QDockWidget | None = None) -> QDockWidget:
        """A dock in ``area`` (``name`` keeps its place across sessions), listed in View → Panels."""

    def add_output_tab(self, title: str, name: str, widget: QWidget) -> QDockWidget:
        """A dock at the bottom, as a tab beside the output (which stays in front)."""

    def add_tool_bar(self, bar: QToolBar, *, own_row: bool = False) -> None:
        """A tool bar at the top; ``own_row`` starts a new row for it."""

    def add_export_action(self, action: QAction) -> None:
        """An entry in the File menu, below the exports already there."""

    def docks(self) -> dict[str, QDockWidget]:
        """Every dock by its name."""

    def show_status(self, text: str) -> None:
        """A message in the status bar, until the next one."""

    def set_title(self, name: str | None = None) -> None:
        """The window title for the program ``name`` (None: the file's name or "untitled")."""

    def run_code(self, *, keep_position: bool = False, pass_number: int | None = None) -> RunRequest:
        """Run the editor's code in the worker; the result reaches the document."""

    def load_example(self, slug: str) -> None:
        """Open a lesson (after asking about unsaved work)."""

    def open_session(self, session: Session) -> None:
        """Show a session: its code, edits, theme and position."""

    def current_session(self) -> Session:
        """What a session file saves of this window now."""
