"""The main window: editor, graph canvas, variables, inspector, console, menus and step controls."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QColor, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QToolBar,
    QWidget,
)

from explorer.core.capture.trace import Trace
from explorer.core.storage.document import Document
from explorer.core.storage.session import Session, SessionError, load_session, save_session
from explorer.core.view.stepper import StepMove
from explorer.core.view.style import LayoutStyle, Orientation
from explorer.desktop.recent import note_recent_document
from explorer.examples import WELCOME, all_examples, example
from explorer.ui.actions import Keys, make_action
from explorer.ui.canvas.canvas import QtGraphCanvas
from explorer.ui.canvas.code_link import CodeLink
from explorer.ui.canvas.graph_controller import GraphController, LaidOutPass
from explorer.ui.canvas.navigation import Navigation
from explorer.ui.classroom.gallery import Gallery
from explorer.ui.classroom.handouts import Handouts
from explorer.ui.classroom.presentation import Presentation
from explorer.ui.files.export import render_image, write_image
from explorer.ui.files.page_export import PageExport
from explorer.ui.panels.console import QtConsole
from explorer.ui.panels.diagnostics import DiagnosticsController
from explorer.ui.panels.editor import QtCodeEditor
from explorer.ui.panels.inspector import QtInspector
from explorer.ui.panels.narration import NarrationController
from explorer.ui.panels.plots import PlotsController
from explorer.ui.panels.stepbar import QtStepBar
from explorer.ui.panels.timeline import PassTimeline
from explorer.ui.panels.variables import QtVariablesPanel
from explorer.ui.trusted.trusted_run import QtTrustedRun
from explorer.ui.window import about, window_placement
from explorer.ui.window.arrangement import Arrangement
from explorer.ui.window.autosave import QtAutosave
from explorer.ui.window.background import wait_in_background
from explorer.ui.window.runner import QtRunner, RunRequest
from explorer.ui.window.theme import THEMES, Theme, apply_palette

TITLE = "Autograd Explorer"
SESSION_SUFFIX = ".explorer.json"
MAX_RECENT = 8
FONT_SCALES = (0.8, 1.0, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0)

SHORTCUTS_HELP = """\
<h3>Keyboard</h3>
<table cellspacing=6>
<tr><td><b>Ctrl+Enter</b></td><td>run the program</td></tr>
<tr><td><b>Right / F8</b></td><td>step: run the next node</td></tr>
<tr><td><b>Left / F7</b></td><td>step back</td></tr>
<tr><td><b>Home / End</b></td><td>reset to step 0 / run the whole pass</td></tr>
<tr><td><b>Space</b></td><td>play or pause</td></tr>
<tr><td><b>F</b></td><td>fit the graph in the window</td></tr>
<tr><td><b>Ctrl++ / Ctrl+-</b></td><td>zoom in / out</td></tr>
<tr><td><b>Ctrl+Shift+Up / Ctrl+Shift+Down</b></td><td>bigger / smaller labels</td></tr>
<tr><td><b>Esc</b></td><td>leave the editor (arrow keys then step)</td></tr>
<tr><td><b>Ctrl+E</b></td><td>back to the editor</td></tr>
<tr><td><b>Ctrl+F / F3 / Shift+F3</b></td><td>find nodes / next / previous match</td></tr>
<tr><td><b>Z</b></td><td>zoom to the selected node</td></tr>
<tr><td><b>Ctrl+Shift+O / Ctrl+Shift+U</b></td><td>fold loop turns and modules / unfold all</td></tr>
<tr><td><b>Ctrl+Alt+O</b></td><td>fold repeats: each run of identical turns as one repeat ×N block</td></tr>
<tr><td><b>Shift+F</b></td><td>fit the whole graph, however small its text</td></tr>
<tr><td><b>Ctrl+Shift+C</b></td><td>copy the graph as an image</td></tr>
<tr><td><b>Ctrl+Shift+R</b></td><td>arrange the panels for this window</td></tr>
<tr><td><b>F11</b></td><td>presentation: Right, PageDown, Space step; Left, PageUp back;
B blanks; +/− text size; Escape leaves</td></tr>
<tr><td><b>Ctrl+Shift+G</b></td><td>the lesson gallery</td></tr>
</table>
<p>Arrow keys move the cursor while the editor has focus; F7 and F8 step from anywhere.</p>
"""


class QtMainWindow(QMainWindow):
    """Everything on screen comes from the document's trace; views only draw it.

    It is the ``WindowFacade`` its features are made with; each feature is a typed field here.
    """

    runFinished = Signal()

    def __init__(self, settings: QSettings | None = None) -> None:
        super().__init__()
        self.settings = settings or QSettings()
        theme = str(self.settings.value("theme", "light"))
        self.document = Document(theme=theme if theme in THEMES else "light",
                                 font_scale=float(str(self.settings.value("fontScale", 1.0))))
        self.path: Path | None = None
        self.trusted = False  # a window on the user's own script: its code is never re-run
        self._open_at_start = False  # the next run's pass opens at step 0 (a lesson just opened)
        self._docks: dict[str, QDockWidget] = {}
        self.runner = QtRunner(self)
        self._build_widgets()
        self._build_actions()
        self._build_menus()
        self._connect()
        # the features, each made with this window as its facade (see ``facade.WindowFacade``)
        self.diagnostics = DiagnosticsController(self)
        self.gallery = Gallery(self)
        self.narration = NarrationController(self)
        self.plots = PlotsController(self)
        self.presentation = Presentation(self, self.narration, self.gallery)
        self.navigation = Navigation(self)
        self.page_export = PageExport(self)  # File → Export Interactive Page
        self.handouts = Handouts(self)
        self.pass_timeline = PassTimeline(self)
        self.trusted_run = QtTrustedRun(self)
        self.code_link = CodeLink(self)
        self.autosave: QtAutosave | None = None  # the app starts it for the windows it opens
        self.arrangement = Arrangement(self)  # after every dock and menu is in
        self._restore_layout()
        self._restore_style()
        self._on_appearance_changed()
        self.set_title()

    # ----- the facade features use ------------------------------------------------------

    @property
    def theme(self) -> Theme:
        return THEMES[self.document.theme]

    @property
    def font_scale(self) -> float:
        return self.document.font_scale

    @property
    def selected(self) -> str | None:
        return self.document.selected

    @property
    def widget(self) -> QMainWindow:
        return self

    def menu(self, title: str) -> QMenu:
        for action in self.menuBar().actions():
            menu = action.menu()
            if isinstance(menu, QMenu) and action.text().replace("&", "") == title.replace("&", ""):
                return menu
        return self.menuBar().addMenu(title)

    def add_dock(self, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea, *,
                 tab_with: QDockWidget | None = None) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)  # Qt saves each dock's place under its name
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        if tab_with is not None:
            self.tabifyDockWidget(tab_with, dock)
            tab_with.raise_()
        self._docks[name] = dock
        return dock

    def add_output_tab(self, title: str, name: str, widget: QWidget) -> QDockWidget:
        return self.add_dock(title, name, widget, Qt.DockWidgetArea.BottomDockWidgetArea,
                             tab_with=self.console_dock)

    def add_tool_bar(self, bar: QToolBar, *, own_row: bool = False) -> None:
        if own_row:
            self.addToolBarBreak(Qt.ToolBarArea.TopToolBarArea)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)

    def add_export_action(self, action: QAction) -> None:
        file_menu = self.menu("&File")
        entries = file_menu.actions()
        below = entries.index(self._export_actions[-1]) + 1
        file_menu.insertAction(entries[below], action) if below < len(entries) else file_menu.addAction(action)
        self._export_actions.append(action)

    def docks(self) -> dict[str, QDockWidget]:
        return dict(self._docks)

    def show_status(self, text: str) -> None:
        self.status.setText(text)

    def start_autosave(self, directory: Path | None = None, *, number: int = 0) -> QtAutosave:
        """Autosave this window's work (into ``directory``, else the data directory); window
        ``number`` 0 of the process also offers what a crash left behind."""
        self.autosave = QtAutosave(self, directory, number)
        return self.autosave

    # ----- construction -----------------------------------------------------------------

    def _build_widgets(self) -> None:
        self.canvas = QtGraphCanvas(self)
        self.canvas.setObjectName("canvas")
        self.setCentralWidget(self.canvas)
        self.editor = QtCodeEditor()
        self.variables = QtVariablesPanel()
        self.inspector = QtInspector()
        self.console = QtConsole()
        self.editor_dock = self.add_dock("Code", "codeDock", self.editor, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.variables_dock = self.add_dock("Variables", "variablesDock", self.variables,
                                            Qt.DockWidgetArea.LeftDockWidgetArea)
        self.inspector_dock = self.add_dock("Inspector", "inspectorDock", self.inspector,
                                            Qt.DockWidgetArea.RightDockWidgetArea)
        self.console_dock = self.add_dock("Output", "consoleDock", self.console,
                                          Qt.DockWidgetArea.BottomDockWidgetArea)
        self.splitDockWidget(self.editor_dock, self.variables_dock, Qt.Orientation.Vertical)
        self.resizeDocks([self.editor_dock, self.inspector_dock], [480, 320], Qt.Orientation.Horizontal)
        self.resizeDocks([self.console_dock], [130], Qt.Orientation.Vertical)
        self.step_bar = QtStepBar(self)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.step_bar)
        self.status = QLabel("")
        self.status.setObjectName("statusMessage")
        self.statusBar().addWidget(self.status, 1)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)  # a run has no known length: show that work goes on
        self.progress.setMaximumWidth(160)
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop the running program")
        self.cancel_button.clicked.connect(self.cancel_run)
        self.cancel_button.hide()
        self.statusBar().addPermanentWidget(self.progress)
        self.statusBar().addPermanentWidget(self.cancel_button)
        self.controller = GraphController(self.document, self.canvas)
        self.controller.lay_out_elsewhere = self._lay_out_elsewhere

    def _action(self, text: str, slot: Any, shortcut: Keys | None = None, tip: str = "") -> QAction:
        return make_action(self, text, slot, shortcut, tip)

    def _build_actions(self) -> None:
        self.new_action = self._action("&New", self.new_program, QKeySequence.StandardKey.New)
        self.open_action = self._action("&Open…", self.open_dialog, QKeySequence.StandardKey.Open)
        self.save_action = self._action("&Save", self.save, QKeySequence.StandardKey.Save)
        self.save_as_action = self._action("Save &As…", self.save_as_dialog, QKeySequence.StandardKey.SaveAs)
        self.export_action = self._action("&Export Image…", self.export_dialog, "Ctrl+Shift+E")
        self._export_actions = [self.export_action]  # features add theirs below (add_export_action)
        self.quit_action = self._action("&Quit", self.close, QKeySequence.StandardKey.Quit)
        self.run_action = self._action("&Run", self.run_code, "Ctrl+Return", "Run the program (Ctrl+Enter)")
        self.live_action = self._action("&Live mode", self._toggle_live, None,
                                        "Re-run shortly after typing stops")
        self.live_action.setCheckable(True)
        self.fit_action = self._action("&Fit graph", self.canvas.fit_readable, "F",
                                       "The whole graph if its text stays readable, else the output at a "
                                       "readable size (F)")
        self.fit_all_action = self._action("Fit &whole graph", self.canvas.fit, "Shift+F",
                                           "The whole graph, however small its text (Shift+F)")
        self.zoom_in_action = self._action("Zoom &in", lambda: self.canvas.zoom(1.25), QKeySequence.StandardKey.ZoomIn)
        self.zoom_out_action = self._action("Zoom &out", lambda: self.canvas.zoom(0.8), QKeySequence.StandardKey.ZoomOut)
        self.bigger_action = self._action("&Bigger labels", lambda: self._step_font(+1), "Ctrl+Shift+Up")
        self.smaller_action = self._action("&Smaller labels", lambda: self._step_font(-1), "Ctrl+Shift+Down")
        self.reset_font_action = self._action("&Normal labels", lambda: self.set_font_scale(1.0), "Ctrl+0")
        self.left_to_right_action = self._action("&Left to right layout", self._on_style_changed, "Ctrl+Shift+L",
                                                 "Data flows left to right (off: top to bottom)")
        self.left_to_right_action.setCheckable(True)
        self.compact_action = self._action("&Compact layout", self._on_style_changed, None,
                                           "Boxes closer together: more of a big graph on screen")
        self.compact_action.setCheckable(True)
        self.theme_group = QActionGroup(self)
        self.theme_actions = {}
        for name in THEMES:
            action = self._action(f"{name.title()} theme", lambda checked=False, n=name: self.apply_theme(n))
            action.setCheckable(True)
            self.theme_group.addAction(action)
            self.theme_actions[name] = action
        self.step_forward_action = self._action("Step", lambda: self.document.step(StepMove.NEXT), "F8")
        self.step_back_action = self._action("Step back", lambda: self.document.step(StepMove.PREVIOUS), "F7")
        self.focus_graph_action = self._action("Focus graph", self.canvas.view_widget.setFocus, None)
        self.focus_editor_action = self._action("Focus editor", self.editor.setFocus, "Ctrl+E")
        self.shortcuts_action = self._action("&Keyboard shortcuts", self.show_shortcuts, "F1")
        self.about_action = self._action("&About", self.show_about)
        run_bar = QToolBar("Run", self)
        run_bar.setObjectName("runBar")
        run_bar.setMovable(False)
        run_bar.addAction(self.run_action)
        run_bar.addAction(self.live_action)
        run_bar.addAction(self.fit_action)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, run_bar)
        self.insertToolBar(self.step_bar, run_bar)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addActions([self.new_action, self.open_action])
        self.recent_menu = file_menu.addMenu("Open &Recent")
        file_menu.addActions([self.save_action, self.save_as_action])
        file_menu.addSeparator()
        file_menu.addAction(self.export_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        edit_menu = bar.addMenu("&Edit")
        edit_menu.addAction(self._action("&Undo", self.editor.undo, QKeySequence.StandardKey.Undo))
        edit_menu.addAction(self._action("&Redo", self.editor.redo, QKeySequence.StandardKey.Redo))
        edit_menu.addSeparator()
        edit_menu.addAction(self._action("Cu&t", self.editor.cut, QKeySequence.StandardKey.Cut))
        edit_menu.addAction(self._action("&Copy", self.editor.copy, QKeySequence.StandardKey.Copy))
        edit_menu.addAction(self._action("&Paste", self.editor.paste, QKeySequence.StandardKey.Paste))
        edit_menu.addAction(self._action("Select &All", self.editor.selectAll, QKeySequence.StandardKey.SelectAll))
        edit_menu.addSeparator()
        self.copy_graph_action = self._action("Copy &Graph Image", self.copy_graph_image, "Ctrl+Shift+C",
                                              "The graph at this step as a picture, to paste into slides")
        edit_menu.addAction(self.copy_graph_action)
        edit_menu.addSeparator()
        edit_menu.addActions([self.run_action, self.live_action])
        edit_menu.addAction(self._action("Reset edited &values", self.document.reset_overrides))
        view_menu = bar.addMenu("&View")
        view_menu.addActions([self.fit_action, self.fit_all_action, self.zoom_in_action, self.zoom_out_action])
        view_menu.addSeparator()
        view_menu.addActions([self.bigger_action, self.smaller_action, self.reset_font_action])
        view_menu.addSeparator()
        view_menu.addActions([self.left_to_right_action, self.compact_action])
        view_menu.addSeparator()
        view_menu.addActions(list(self.theme_actions.values()))
        step_menu = bar.addMenu("&Step")
        step_menu.addActions([self.step_bar.reset_action, self.step_bar.back_action,
                              self.step_bar.step_action, self.step_bar.end_action,
                              self.step_bar.play_action])
        step_menu.addSeparator()
        step_menu.addActions([self.step_forward_action, self.step_back_action,
                              self.focus_graph_action, self.focus_editor_action])
        examples_menu = bar.addMenu("E&xamples")
        for item in all_examples():
            action = self._action(item.title, lambda checked=False, slug=item.slug: self.load_example(slug),
                                  tip=item.idea)
            examples_menu.addAction(action)
        help_menu = bar.addMenu("&Help")
        help_menu.addActions([self.shortcuts_action, self.about_action])
        self._refresh_recent_menu()

    def _connect(self) -> None:
        self.editor.runRequested.connect(self.run_code)
        self.runner.finished.connect(self._on_run_finished)
        self.runner.busyChanged.connect(self._on_busy)
        self.runner.progressed.connect(self._on_progress)
        self.step_bar.stepRequested.connect(self.document.step)
        self.step_bar.passSelected.connect(self.document.select_pass)
        self.canvas.nodeSelected.connect(self.document.select)
        self.document.selection_changed.connect(self._on_node_selected)
        self.variables.valueEdited.connect(self.document.set_override)
        self.document.trace_changed.connect(self._on_trace_changed)
        self.document.step_changed.connect(self._on_step_changed)
        self.document.overrides_changed.connect(self._on_overrides_changed)
        self.document.appearance_changed.connect(self._on_appearance_changed)
        self.editor.document().modificationChanged.connect(lambda _: self.set_title())
        # an undo step is added by the user's own edits only (loading text adds none)
        self.editor.document().undoCommandAdded.connect(self.document.code_typed)
        escape = QAction(self.editor)
        escape.setShortcut(QKeySequence("Escape"))
        escape.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        escape.triggered.connect(self.canvas.view_widget.setFocus)
        self.editor.addAction(escape)

    # ----- running ----------------------------------------------------------------------

    def set_code(self, code: str, *, run: bool = True) -> None:
        self.editor.setPlainText(code)
        self.editor.document().setModified(False)
        self.document.program_replaced()  # not typed here: never offered as trusted Python
        if run:
            self.run_code()

    def run_code(self, *, keep_position: bool = False, pass_number: int | None = None) -> RunRequest:
        """Run the editor's code; show pass ``pass_number`` (from 0) or the one shown now."""
        self.status.setText("Running…")
        index = self.document.pass_index
        stepper = self.document.stepper
        current = self.document.current_pass
        number = pass_number if pass_number is not None else (current.index if current else None)
        return self.runner.run(self.editor.toPlainText(), self.document.overrides,
                               keep_position=keep_position, pass_index=index,
                               font_scale=self.font_scale,
                               previous=self.controller.previous_layout(index),
                               position=stepper.position if keep_position and stepper else None,
                               theme=self.theme, style=self.controller.style,
                               passes=self.document.pass_spec(), pass_number=number)

    def _lay_out_elsewhere(self) -> bool:
        """Lay the shown trace out again in the runner's thread (False while a run is on)."""
        trace, stepper = self.document.trace, self.document.stepper
        if trace is None or self.runner.busy:
            return False
        self.runner.lay_out(trace, self.document.code, pass_index=self.document.pass_index,
                            font_scale=self.font_scale, position=stepper.position if stepper else None,
                            theme=self.theme, style=self.controller.style)
        return True

    def _on_run_finished(self, request: RunRequest, trace: Trace, laid_out: LaidOutPass | None) -> None:
        if request.trace is not None:  # the same trace laid out again: a new picture only
            if laid_out is not None and trace is self.document.trace:
                self.controller.offer(laid_out)
                self.document.refresh(laid_out.stepper if laid_out is not None else None)
            self.status.setText("")
            self.runFinished.emit()
            return
        self.controller.offer(laid_out)
        self.document.accept_run(request.code, trace, keep_position=request.keep_position,
                                 stepper=laid_out.stepper if laid_out is not None else None,
                                 pass_number=request.pass_number)
        if self._open_at_start:
            self._open_at_start = False
            self.document.step(StepMove.RESET)
        self.editor.show_error(trace.error)
        self.console.show_run(trace, self.document.stale)
        if trace.error is not None:
            more = f" (and {len(trace.error.also)} more, see Output)" if trace.error.also else ""
            self.status.setText((str(trace.error) if trace.error.line else trace.error.message) + more)
        else:
            passes = trace.pass_count
            kept = f" ({len(trace.passes)} recorded in full)" if passes > len(trace.passes) else ""
            self.status.setText(f"Ran: {passes} backward pass{'es' if passes != 1 else ''}{kept}")
        self.runFinished.emit()

    def _on_progress(self, stage: str, fraction: float, nodes: int) -> None:
        """The runner's stage: running the program, laying out (with its share), preparing."""
        if stage == "running":
            self.progress.setRange(0, 0)  # a program's length is not known beforehand
            self.status.setText("Running…")
            return
        self.progress.setRange(0, 100)
        self.progress.setValue(round(fraction * 100))
        if stage == "preparing":
            self.status.setText(f"Preparing the picture of {nodes:,} nodes…")
        else:
            self.status.setText(f"Laying out {nodes:,} nodes: {stage} ({fraction:.0%})")

    def _on_busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy)
        if busy:
            QApplication.setOverrideCursor(Qt.CursorShape.BusyCursor)
        else:
            QApplication.restoreOverrideCursor()

    def cancel_run(self) -> None:
        self.runner.cancel()
        self.status.setText("Cancelling…")

    def _on_overrides_changed(self) -> None:
        if self.trusted:
            return  # an edit means re-running the code, and trusted code is never run again
        self.run_code(keep_position=True)

    def _toggle_live(self) -> None:
        self.editor.set_live(self.live_action.isChecked())

    # ----- document changes -------------------------------------------------------------

    def _on_trace_changed(self) -> None:
        trace = self.document.trace
        labels = []
        if trace is not None:
            # a loop's trace keeps some passes in full: say of how many (the timeline has them all)
            of = f" of {trace.pass_count}" if trace.pass_count > len(trace.passes) else ""
            for one_pass in trace.passes:
                where = f"line {one_pass.line}" if one_pass.line else "implicit"
                labels.append(f"Pass {one_pass.index + 1}{of}: {one_pass.call} ({where})")
        self.step_bar.show_passes(labels, self.document.pass_index)
        if self.selected is not None and (self.document.current_pass is None
                                          or self.selected not in self.document.current_pass.graph):
            self.document.select(None)
        self._on_step_changed()

    def _on_step_changed(self) -> None:
        stepper = self.document.stepper
        trace = self.document.trace
        if stepper is None:
            self.step_bar.show_position(0, 0, "No backward pass: nothing in the program has a graph")
        else:
            scene = self.controller.current_scene()
            self.step_bar.show_position(stepper.position, stepper.count, scene.header if scene else "")
        grads = stepper.leaf_grads() if stepper is not None else {}
        self.variables.edited = set(self.document.overrides)
        self.variables.show_leaves(trace.leaves if trace is not None else [], grads)
        # the inspector follows the step: the node running now, else the one clicked
        running = stepper.active_node if stepper is not None and stepper.position > 0 else None
        self.inspector.show_node(stepper, running or self.selected)

    def _on_node_selected(self, node: str | None) -> None:
        self.canvas.select(node)
        self.inspector.show_node(self.document.stepper, node)
        one_pass = self.document.current_pass
        # a folded group's box is no node of the pass: it names no variable
        if node is not None and one_pass is not None and node in one_pass.graph:
            variable = one_pass.graph.nodes[node].get("variable")
            if variable:
                self.variables.select_variable(variable)

    # ----- files ------------------------------------------------------------------------

    def new_program(self) -> None:
        if not self._confirm_discard():
            return
        self.path = None
        self.set_code("import torch\n\nx = torch.tensor(1.0, requires_grad=True)\ny = x * x\ny.backward()\n")
        self.set_title()

    def load_example(self, slug: str) -> None:
        if not self._confirm_discard():
            return
        self.path = None
        self._open_at_start = True  # a lesson starts at step 0, before anything has run
        self.set_code(example(slug).source())
        self.set_title(example(slug).title)

    def open_dialog(self) -> None:
        if not self._confirm_discard():
            return
        path, _ = QFileDialog.getOpenFileName(
            self, "Open", str(self._last_folder()),
            f"Programs and sessions (*.py *{SESSION_SUFFIX} *.json);;All files (*)")
        if path:
            self.open_path(Path(path))

    def open_path(self, path: Path) -> bool:
        """Open a program (.py) or a session (.json); refuse a bad file with its reason."""
        try:
            if path.suffix == ".json":
                self.open_session(wait_in_background(lambda: load_session(path)))
            else:
                self.set_code(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, SessionError) as error:
            reason = getattr(error, "message", None) or str(error)
            QMessageBox.warning(self, TITLE, f"Could not open {path.name}:\n{reason}")
            return False
        self.path = path
        self._remember_recent(path)
        self.set_title()
        return True

    def open_session(self, session: Session) -> None:
        self.editor.setPlainText(session.code)
        self.editor.document().setModified(False)
        self.document.code_loaded()
        self.document.restore(session.overrides, session.pass_index)
        self.document.set_appearance(theme=session.theme if session.theme in THEMES else None,
                                     font_scale=session.font_size / 11)
        self.live_action.setChecked(session.live_mode)
        self.editor.set_live(session.live_mode)
        position = {"pass": session.pass_index, "step": session.step}

        def restore_position() -> None:
            self.runFinished.disconnect(restore_position)
            trace = self.document.trace  # the session names a pass by its number among all
            found = trace.position_of(position["pass"]) if trace is not None else None
            if found is not None:
                self.document.select_pass(found)
            self.document.step(StepMove.JUMP, position["step"])

        self.runFinished.connect(restore_position)
        self.run_code(pass_number=session.pass_index)

    def current_session(self) -> Session:
        stepper = self.document.stepper
        return Session(
            code=self.editor.toPlainText(), overrides=dict(self.document.overrides),
            theme=self.theme.name,
            pass_index=self.document.current_pass.index if self.document.current_pass else 0,
            step=stepper.position if stepper else 0, font_size=round(11 * self.font_scale),
            live_mode=self.live_action.isChecked())

    def save(self) -> bool:
        if self.path is None:
            return self.save_as_dialog()
        return self.save_to(self.path)

    def save_as_dialog(self) -> bool:
        suggested = self.path or (self._last_folder() / f"untitled{SESSION_SUFFIX}")
        path, _ = QFileDialog.getSaveFileName(
            self, "Save As", str(suggested),
            f"Session (*{SESSION_SUFFIX});;Python program (*.py)")
        return self.save_to(Path(path)) if path else False

    def save_to(self, path: Path) -> bool:
        """A session for .json files, the plain program text otherwise; never truncates on failure."""
        from explorer.core.storage.files import write_atomic

        try:
            if path.suffix == ".json":
                save_session(path, self.current_session())
            else:
                write_atomic(path, self.editor.toPlainText())
        except (OSError, SessionError) as error:
            QMessageBox.warning(self, TITLE, f"Could not save {path.name}:\n{error}")
            return False
        self.path = path
        self.editor.document().setModified(False)
        self._remember_recent(path)
        self.set_title()
        self.status.setText(f"Saved {path}")
        return True

    def export_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export Image", str(self._last_folder() / "graph.png"),
                                              "PNG image (*.png);;SVG drawing (*.svg)")
        if path:
            self.export_image(Path(path))

    def export_image(self, path: Path) -> bool:
        scene = self.controller.current_scene()
        if scene is None or self.controller.geometry is None:
            QMessageBox.information(self, TITLE, "There is no graph to export yet.")
            return False
        try:
            write_image(path, scene, self.controller.geometry, self.theme, font_scale=self.font_scale)
        except (OSError, ValueError) as error:
            QMessageBox.warning(self, TITLE, f"Could not export {path.name}:\n{error}")
            return False
        self.status.setText(f"Exported {path}")
        return True

    def copy_graph_image(self) -> bool:
        """Put the graph at this step on the clipboard, drawn as Export Image draws it."""
        scene = self.controller.current_scene()
        if scene is None or self.controller.geometry is None:
            self.status.setText("There is no graph to copy yet")
            return False
        image = render_image(scene, self.controller.geometry, self.theme, font_scale=self.font_scale)
        QApplication.clipboard().setImage(image)
        self.status.setText(f"Copied the graph ({image.width()}×{image.height()} pixels)")
        return True

    def _confirm_discard(self) -> bool:
        """Save, discard or keep unsaved changes; False when the user cancels (or saving failed)."""
        if not self.editor.document().isModified() or not self.isVisible():
            return True
        answer = QMessageBox.question(
            self, TITLE, "The program has unsaved changes. Save them first?",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Save)
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    def _last_folder(self) -> Path:
        return Path(str(self.settings.value("lastFolder", str(Path.home()))))

    def _remember_recent(self, path: Path) -> None:
        recent = [str(path.resolve())] + [item for item in self._recent() if item != str(path.resolve())]
        self.settings.setValue("recentFiles", recent[:MAX_RECENT])
        self.settings.setValue("lastFolder", str(path.resolve().parent))
        note_recent_document(path)  # the platform's recent documents, where it has them
        self._refresh_recent_menu()

    def _recent(self) -> list[str]:
        value = self.settings.value("recentFiles", [])
        if isinstance(value, str):
            return [value]
        return [str(item) for item in value] if isinstance(value, list) else []

    def _refresh_recent_menu(self) -> None:
        self.recent_menu.clear()
        for item in self._recent():
            action = self.recent_menu.addAction(item)
            action.triggered.connect(lambda checked=False, p=item: self._confirm_discard() and self.open_path(Path(p)))
        self.recent_menu.setEnabled(bool(self._recent()))

    # ----- appearance -------------------------------------------------------------------

    def apply_theme(self, name: str) -> None:
        self.document.set_appearance(theme=name if name in THEMES else "light")

    def set_font_scale(self, scale: float) -> None:
        self.document.set_appearance(font_scale=scale)

    def _on_appearance_changed(self) -> None:
        self._show_theme()
        self._show_font_scale()

    def _show_theme(self) -> None:
        self.theme_actions[self.theme.name].setChecked(True)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_palette(app, self.theme)
        self.canvas.set_theme(self.theme)
        self.step_bar.set_icon_colour(QColor(self.theme.foreground))
        self.editor.set_theme(self.theme)
        self.inspector.theme = self.theme
        self.console.theme = self.theme
        self.settings.setValue("theme", self.theme.name)
        self.inspector.show_node(self.document.stepper, self.selected)
        if self.document.trace is not None:
            self.console.show_run(self.document.trace, self.document.stale)

    def _restore_style(self) -> None:
        left_to_right = str(self.settings.value("layoutOrientation", "TB")) == Orientation.LEFT_TO_RIGHT
        compact = str(self.settings.value("compactLayout", "false")).lower() == "true"
        self.left_to_right_action.setChecked(left_to_right)
        self.compact_action.setChecked(compact)
        self._on_style_changed()

    def _on_style_changed(self) -> None:
        orientation = (Orientation.LEFT_TO_RIGHT if self.left_to_right_action.isChecked()
                       else Orientation.TOP_TO_BOTTOM)
        compact = self.compact_action.isChecked()
        self.settings.setValue("layoutOrientation", orientation.value)
        self.settings.setValue("compactLayout", compact)
        self.document.set_style(LayoutStyle(orientation, compact))

    def _step_font(self, direction: int) -> None:
        index = min(range(len(FONT_SCALES)), key=lambda i: abs(FONT_SCALES[i] - self.font_scale))
        index = max(0, min(len(FONT_SCALES) - 1, index + direction))
        self.set_font_scale(FONT_SCALES[index])

    def _show_font_scale(self) -> None:
        self.settings.setValue("fontScale", self.font_scale)
        font = QApplication.font()
        font.setPointSizeF(10 * self.font_scale)
        for widget in (self.variables, self.inspector, self.console, self.step_bar):
            widget.setFont(font)
        self.editor.set_point_size(round(12 * self.font_scale))
        self.controller.set_font_scale(self.font_scale)

    def set_title(self, name: str | None = None) -> None:
        shown = name or (self.path.name if self.path else "untitled")
        modified = " •" if self.editor.document().isModified() else ""
        self.setWindowTitle(f"{TITLE} — {shown}{modified}")

    # ----- help -------------------------------------------------------------------------

    def show_shortcuts(self) -> None:
        QMessageBox.information(self, "Keyboard shortcuts", SHORTCUTS_HELP)

    def show_about(self) -> QMessageBox:
        return about.show_about(self, self.settings)

    # ----- window state -----------------------------------------------------------------

    def _restore_layout(self) -> None:
        geometry = self.settings.value("geometry")
        state = self.settings.value("windowState")
        if window_placement.restore(self, self.settings):  # its screen, or clamped to one there is
            pass
        elif isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            screen = QApplication.primaryScreen()
            available = screen.availableGeometry() if screen is not None else None
            if available is not None and available.width() > 1400:
                self.resize(int(available.width() * 0.92), int(available.height() * 0.92))
            elif available is not None:  # a small screen, or 150 % scaling: all of it, never more
                self.resize(min(1366, available.width()), min(768, available.height()))
            else:
                self.resize(1366, 768)
        if isinstance(state, QByteArray):
            self.restoreState(state)

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt override
        if not self._confirm_discard():
            event.ignore()
            return
        self.runner.cancel()
        self.plots.stop()  # no curve is sampled for a window that is gone
        self.settings.setValue("geometry", self.saveGeometry())
        window_placement.remember(self, self.settings)
        self.settings.setValue("windowState", self.saveState())
        self.runner.wait(5000)
        super().closeEvent(event)


def start_window(path: Path | None = None, settings: QSettings | None = None) -> QtMainWindow:
    window = QtMainWindow(settings)
    if path is None:
        window.set_code(example(WELCOME).source())
        window.set_title(example(WELCOME).title)
    else:
        window.open_path(path)
    QTimer.singleShot(0, window.canvas.view_widget.setFocus)
    return window
