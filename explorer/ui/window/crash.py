"""Unhandled exceptions in the UI: logged to a file, shown in a dialog, and the app carries on."""

from __future__ import annotations

import datetime
import sys
import threading
import traceback
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QObject, QStandardPaths, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from explorer.version import __version__

LOG_NAME = "crash.log"
MAX_LOG_BYTES = 1_000_000  # past this the log starts over, keeping the previous one as .old


def data_directory() -> Path:
    """The user's data directory for the app (QStandardPaths.AppDataLocation), created if needed."""
    location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    directory = Path(location or Path.home() / ".autograd-explorer")
    directory.mkdir(parents=True, exist_ok=True)
    return directory


class QtCrashReporter(QObject):
    """The excepthook of the app: writes each error to the log and shows it once in a dialog."""

    reported = Signal(str)  # the error's text; queued, so errors of other threads reach the UI

    def __init__(self, parent: QWidget, log_path: Path) -> None:
        super().__init__(parent)
        self.parent_widget = parent
        self.log_path = log_path
        self.dialog: QMessageBox | None = None
        self.count = 0
        self.reported.connect(self._on_reported)

    def handle(self, kind: type[BaseException], value: BaseException,
               trace: TracebackType | None) -> None:
        """Log and report one unhandled exception; Ctrl+C still ends the app as usual."""
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, value, trace)
            return
        text = "".join(traceback.format_exception(kind, value, trace))
        self.count += 1
        try:
            self._append_to_log(text)
        except OSError as error:  # a full disk must not turn one error into two
            text += f"\n(the log could not be written: {error})"
        sys.stderr.write(text)
        self.reported.emit(text)

    def _append_to_log(self, text: str) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        if self.log_path.exists() and self.log_path.stat().st_size > MAX_LOG_BYTES:
            self.log_path.replace(self.log_path.with_suffix(".old"))
        stamp = datetime.datetime.now().isoformat(timespec="seconds")
        with self.log_path.open("a", encoding="utf-8") as log:
            log.write(f"--- {stamp} Autograd Explorer {__version__}\n{text}\n")

    def _on_reported(self, text: str) -> None:
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.setDetailedText(text)  # one dialog at a time: the newest error in it
            return
        dialog = QMessageBox(QMessageBox.Icon.Warning, "Something went wrong",
                             "Autograd Explorer hit an unexpected error. Your work is still "
                             "here and the app carries on.", QMessageBox.StandardButton.Ok,
                             self.parent_widget)
        dialog.setObjectName("crashDialog")
        dialog.setInformativeText(f"The details were saved to {self.log_path}")
        dialog.setDetailedText(text)
        dialog.setModal(False)  # never blocks the window, and never blocks a test
        dialog.open()
        self.dialog = dialog

    def install(self) -> None:
        sys.excepthook = self.handle
        threading.excepthook = self._handle_thread

    def _handle_thread(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None:
            self.handle(args.exc_type, args.exc_value, args.exc_traceback)


def install(window: QWidget, directory: Path | None = None) -> QtCrashReporter:
    """Catch every unhandled exception of the app from now on; returns the reporter."""
    reporter = QtCrashReporter(window, (directory or data_directory()) / LOG_NAME)
    reporter.install()
    return reporter
