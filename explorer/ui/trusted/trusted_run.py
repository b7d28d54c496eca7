"""Run as Trusted Python: the honest way out when the code box refuses code the user typed.

Offered (a button next to the refusal, and Run → Run as Trusted Python…) only while the code
box has refused the code in the editor, that code parses as Python, and the user typed or
edited it in this window (``Document.typed``: never for a file, lesson, session or autosave as
it was loaded). Every run asks first, in words, and nothing about it is remembered or saved.
The code runs in a process of its own (``explorer.core.sandbox.trusted_run``); while its graph is on
screen a coloured banner and the window title say that it did not run in the code box.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QMenu, QMessageBox, QPushButton, QToolBar, QWidget

from explorer.core.capture.trace import Trace
from explorer.core.sandbox.trusted_run import TrustedProcessRunner, trusted_run_offered
from explorer.ui.canvas.graph_controller import LaidOutPass
from explorer.ui.window.runner import QtRunner, RunRequest

if TYPE_CHECKING:
    from explorer.ui.window.facade import WindowFacade

ACTION_TEXT = "Run as &Trusted Python…"
BUTTON_TEXT = "Run as trusted Python…"
BANNER_TEXT = ("⚠  Trusted Python run: not sandboxed. This graph came from running your code as "
               "full Python on this machine, outside the code box.")
TITLE_SUFFIX = " — Trusted Python run (not sandboxed)"
BANNER_COLOURS = ("#ffb300", "#1a1a1a")  # amber with near-black text: readable in every theme
CONFIRM_TITLE = "Run as trusted Python?"
CONFIRM_TEXT = ("The code box refused this program. Run the code you typed as trusted Python "
                "instead?")
CONFIRM_DETAILS = (
    "It will run with full Python access on this machine, like a script you start yourself: "
    "it can read, change and delete your files, use the network and start other programs. "
    "None of the code box's checks or limits apply.\n\n"
    "Run it only if you wrote it or trust where it came from. It runs in a separate process "
    "(Stop ends it), and you will be asked again every time.")
RUN_BUTTON_TEXT = "Run with full Python access"


def confirmation_box(parent: QWidget, code: str) -> QMessageBox:
    """The question asked before every trusted run; Cancel is the default answer."""
    box = QMessageBox(QMessageBox.Icon.Warning, CONFIRM_TITLE, CONFIRM_TEXT,
                      QMessageBox.StandardButton.Cancel, parent)
    box.setObjectName("trustedRunConfirmation")
    box.setInformativeText(CONFIRM_DETAILS)
    box.setDetailedText(code)  # exactly what will run, one click away
    run = box.addButton(RUN_BUTTON_TEXT, QMessageBox.ButtonRole.AcceptRole)
    run.setObjectName("confirmTrustedRun")
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.setEscapeButton(QMessageBox.StandardButton.Cancel)
    return box


def ask_confirmation(parent: QWidget, code: str) -> bool:
    """Ask, modally, whether to run ``code`` as trusted Python; only the run button says yes."""
    box = confirmation_box(parent, code)
    box.exec()
    clicked = box.clickedButton()
    return clicked is not None and clicked.objectName() == "confirmTrustedRun"


class QtTrustedBanner(QToolBar):
    """A full-width amber strip under the toolbars while a trusted result is on screen."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__("Trusted Python run", parent)
        self.setObjectName("trustedBanner")
        self.setMovable(False)
        self.setFloatable(False)
        self.toggleViewAction().setVisible(False)  # not one the user can hide while it applies
        background, text = BANNER_COLOURS
        self.setStyleSheet(f"QToolBar#trustedBanner {{ background: {background}; border: none; }}")
        self.label = QLabel(BANNER_TEXT)
        self.label.setObjectName("trustedBannerText")
        self.label.setStyleSheet(f"color: {text}; font-weight: bold; padding: 4px 8px;")
        self.label.setToolTip("The code box refused this code; you chose to run it as trusted "
                              "Python. Run it again in the code box (Ctrl+Enter) at any time.")
        self.addWidget(self.label)
        self.hide()


class QtTrustedRun(QObject):
    """The feature: offer, confirm, run in its own process, show the result marked as trusted."""

    def __init__(self, window: WindowFacade) -> None:
        super().__init__(window.widget)
        self.window = window
        self.qt_window = window.widget
        self.runner = QtRunner(self, worker=TrustedProcessRunner())  # type: ignore[arg-type]
        self.action = QAction(ACTION_TEXT, window.widget)
        self.action.setStatusTip("Run the code you typed with full Python, outside the code box "
                                 "(asks first, every time)")
        self.action.triggered.connect(self.run_trusted)
        self.offer_button = self._status_button(BUTTON_TEXT, "offerTrustedRun", self.run_trusted)
        self.offer_button.setToolTip("The code box refused this code, but Python can run it: run "
                                     "it with full Python access (asks first)")
        self.running_label = QLabel("Running as trusted Python…")
        self.stop_button = self._status_button("Stop", "stopTrustedRun", self.stop)
        self.stop_button.setToolTip("End the trusted Python run (its process is stopped)")
        for widget in (self.running_label, self.stop_button):
            self.qt_window.statusBar().addPermanentWidget(widget)
            widget.hide()
        self.banner = QtTrustedBanner(window.widget)
        window.add_tool_bar(self.banner, own_row=True)
        self._add_menu()
        self._connect()
        self._update_offer()
        # the window restores its saved toolbar state after features are installed
        QTimer.singleShot(0, self._update_marking)

    def _status_button(self, text: str, name: str, slot: object) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.clicked.connect(slot)
        return button

    def _add_menu(self) -> None:
        bar = self.qt_window.menuBar()
        menu = QMenu("&Run", bar)
        menu.setObjectName("runMenu")
        menu.addActions([self.window.run_action, self.window.live_action])
        menu.addSeparator()
        menu.addAction(self.action)
        after_edit = next((action for previous, action in zip(bar.actions(), bar.actions()[1:])
                           if previous.text() == "&Edit"), None)
        if after_edit is not None:
            bar.insertMenu(after_edit, menu)
        else:
            bar.addMenu(menu)
        self.qt_window.statusBar().addWidget(self.offer_button)

    def _connect(self) -> None:
        window, document = self.window, self.window.document
        for event in (document.error_changed, document.typed_changed, document.trace_changed):
            event.connect(self._update_offer)
        document.trace_changed.connect(self._update_marking)
        window.editor.textChanged.connect(self._update_offer)
        self.qt_window.windowTitleChanged.connect(self._keep_title_mark)
        self.runner.finished.connect(self._on_finished)
        self.runner.busyChanged.connect(self._on_busy)
        self.qt_window.installEventFilter(self)

    # ----- offering ---------------------------------------------------------------------

    def offered(self) -> bool:
        """The code box refused the editor's code, which the user typed and Python can parse."""
        window, document = self.window, self.window.document
        if window.trusted or self.runner.busy or window.editor.toPlainText() != document.code:
            return False
        return trusted_run_offered(document.error, document.code, document.typed)

    def _update_offer(self) -> None:
        offered = self.offered()
        self.action.setEnabled(offered)
        self.offer_button.setVisible(offered)

    # ----- running ----------------------------------------------------------------------

    def run_trusted(self) -> RunRequest | None:
        """Ask, then run the editor's code as trusted Python; None when not offered or declined."""
        if not self.offered():
            return None
        window = self.window
        code = window.document.code
        if not ask_confirmation(window.widget, code):
            window.show_status("Not run: the code stays refused by the code box")
            return None
        window.show_status("Running the code as trusted Python in a separate process…")
        return self.runner.run(code, {}, font_scale=window.document.font_scale, theme=window.theme,
                               style=window.controller.style)

    def stop(self) -> None:
        self.runner.cancel()

    def _on_busy(self, busy: bool) -> None:
        self.running_label.setVisible(busy)
        self.stop_button.setVisible(busy)
        self._update_offer()

    def _on_finished(self, request: RunRequest, trace: Trace, laid_out: LaidOutPass | None) -> None:
        window = self.window
        if trace.error is not None and trace.error.kind == "cancelled":
            window.show_status("The trusted Python run was stopped; nothing changed")
            return
        if window.editor.toPlainText() != request.code:
            window.show_status("The code changed while it ran as trusted Python: its result "
                                  "is not shown")
            return
        if laid_out is not None:
            window.controller.offer(laid_out)
        window.document.accept_run(request.code, trace, trusted=True,
                                   stepper=laid_out.stepper if laid_out is not None else None)
        window.editor.show_error(trace.error)
        window.console.show_run(trace, window.document.stale)
        window.show_status(status_text(trace))

    # ----- marking ----------------------------------------------------------------------

    def showing_trusted(self) -> bool:
        document = self.window.document
        return document.trusted and document.trace is not None

    def _update_marking(self) -> None:
        self.banner.setVisible(self.showing_trusted())
        self._keep_title_mark(self.qt_window.windowTitle())

    def _keep_title_mark(self, title: str) -> None:
        """The title ends with the trusted mark exactly while a trusted result is shown."""
        marked = title.endswith(TITLE_SUFFIX)
        if self.showing_trusted() and not marked:
            self.qt_window.setWindowTitle(title + TITLE_SUFFIX)
        elif not self.showing_trusted() and marked:
            self.qt_window.setWindowTitle(title.removesuffix(TITLE_SUFFIX))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self.qt_window and event.type() == QEvent.Type.Close:
            self.runner.cancel()  # a window going away ends the process it started
            self.runner.wait(10_000)
        return super().eventFilter(watched, event)


def status_text(trace: Trace, what: str = "Ran as trusted Python", stopped: str = "it") -> str:
    """What a trusted run recorded, and how it stopped if it failed, for the status bar."""
    count = len(trace.passes)
    text = f"{what}: {count} backward pass{'es' if count != 1 else ''} recorded"
    if trace.error is not None:
        text += f"; {stopped} stopped with {trace.error.message.splitlines()[0]}"
    return text
