"""Autosave of the unsaved program, and the offer to restore it after the app did not close cleanly.

Each running app writes ``autosave-<pid>.explorer.json`` (a normal session file) in the user's
data directory a moment after each change, and deletes it when it quits. A file whose process
is no longer running was left by a crash or a kill: the next launch offers to restore it.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import re
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal
from PySide6.QtWidgets import QMessageBox

from explorer.core.storage.files import write_atomic
from explorer.core.storage.session import Session, SessionError, load_session, session_to_json
from explorer.ui.window.crash import data_directory
from explorer.ui.window.facade import WindowFacade

SAVE_DELAY_MS = 1500  # after the last keystroke
_NAME = re.compile(r"autosave-(\d+)(?:-\d+)?\.explorer\.json")  # -N: the process's Nth window


def autosave_directory() -> Path:
    directory = data_directory() / "autosave"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, but someone else's
        return True
    return True


def orphaned_autosaves(directory: Path) -> list[Path]:
    """Autosaves whose app is no longer running, newest first."""
    found = []
    for path in directory.glob("autosave-*.explorer.json"):
        match = _NAME.fullmatch(path.name)
        if match and int(match.group(1)) != os.getpid() and not process_alive(int(match.group(1))):
            found.append(path)
    return sorted(found, key=lambda path: path.stat().st_mtime, reverse=True)


class QtAutosave(QObject):
    """Keeps the window's unsaved work in this process's autosave file."""

    saved = Signal(str)  # the autosave path, after each write
    failed = Signal(str)  # why an autosave could not be written
    recoveryOffered = Signal(object)  # the QMessageBox that asks

    def __init__(self, window: WindowFacade, directory: Path | None = None, number: int = 0) -> None:
        """Autosave the window's work from now on, and offer to restore what a crash left behind
        (the process's first window, ``number`` 0, offers; the others only save)."""
        super().__init__(window.widget)
        directory = directory or autosave_directory()
        self.window = window
        self.directory = directory
        suffix = f"-{number}" if number else ""  # each window of the process has its own file
        self.path = directory / f"autosave-{os.getpid()}{suffix}.explorer.json"
        self.timer = QTimer(self, singleShot=True, interval=SAVE_DELAY_MS)
        self.timer.timeout.connect(self.save_now)
        window.editor.textChanged.connect(self.timer.start)
        document = window.document  # value edits, positions and looks are saved too
        for event in (document.trace_changed, document.step_changed, document.appearance_changed):
            event.connect(self._soon)
        window.editor.document().modificationChanged.connect(self.timer.start)  # saved: drop it
        self.offer: QMessageBox | None = None
        application = QCoreApplication.instance()
        if application is not None:
            application.aboutToQuit.connect(self.discard)  # a clean exit leaves nothing behind
        if number == 0:
            QTimer.singleShot(0, self.offer_recovery)

    def _soon(self) -> None:
        self.timer.start()

    def save_now(self) -> None:
        """Write the work if it is unsaved; otherwise there is nothing to recover."""
        if not self.window.editor.document().isModified():
            self.discard()
            return
        try:
            write_atomic(self.path, session_to_json(self.window.current_session()))
        except (OSError, SessionError) as error:
            # a full disk or an oversized program: say so; the next change tries again
            reason = f"Autosave failed: {error}"
            self.window.show_status(reason)
            self.failed.emit(reason)
            return
        self.saved.emit(str(self.path))

    def discard(self) -> None:
        with contextlib.suppress(OSError):
            self.path.unlink(missing_ok=True)

    def offer_recovery(self) -> QMessageBox | None:
        """Ask (without blocking) whether to restore the newest autosave left by a crash."""
        for path in orphaned_autosaves(self.directory):
            try:
                session = load_session(path)  # validated like any session file
            except (OSError, SessionError):
                _remove(path)
                continue
            return self._ask(path, session)
        return None

    def _ask(self, path: Path, session: Session) -> QMessageBox:
        when = datetime.datetime.fromtimestamp(path.stat().st_mtime).strftime("%Y-%m-%d %H:%M")
        box = QMessageBox(QMessageBox.Icon.Question, "Restore unsaved work?",
                          "Autograd Explorer did not close properly last time.\n"
                          f"Restore the unsaved program from {when}?",
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Discard,
                          self.window.widget)
        box.setObjectName("recoveryDialog")
        box.setInformativeText(_first_lines(session.code))
        box.button(QMessageBox.StandardButton.Yes).setText("Restore")
        box.finished.connect(lambda result: self._on_answer(result, path, session))
        box.open()
        self.offer = box
        self.recoveryOffered.emit(box)
        return box

    def _on_answer(self, result: int, path: Path, session: Session) -> None:
        if result == QMessageBox.StandardButton.Yes:
            self.window.path = None
            self.window.open_session(session)  # the same path as opening a session file
            self.window.editor.document().setModified(True)  # still unsaved: keep autosaving
            self.window.set_title("restored work")
        for orphan in orphaned_autosaves(self.directory):
            _remove(orphan)
        self.offer = None


def _first_lines(code: str, count: int = 6) -> str:
    lines = code.splitlines()
    shown = "\n".join(line[:80] for line in lines[:count])
    return shown + ("\n…" if len(lines) > count else "")


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink(missing_ok=True)
