"""Start the desktop app: its icon, one process for every window, and a window per file."""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QFileOpenEvent, QGuiApplication
from PySide6.QtWidgets import QApplication

from explorer import __version__

if TYPE_CHECKING:
    from explorer.ui.crash import QtCrashReporter
    from explorer.ui.main_window import QtMainWindow

STARTED = time.perf_counter()
DESKTOP_FILE = "autograd-explorer"  # the .desktop entry install-desktop writes (Wayland finds the icon there)


def name_the_app() -> None:
    """Names that settings, data folders and the desktop know the app by."""
    QCoreApplication.setOrganizationName("AutogradExplorer")
    QCoreApplication.setApplicationName("Autograd Explorer")
    QCoreApplication.setApplicationVersion(__version__)
    QGuiApplication.setDesktopFileName(DESKTOP_FILE)


def run_app(paths: Sequence[Path] | Path | None = None, *, quit_after_ms: int | None = None) -> int:
    """Open a window on each of ``paths`` (or one on the welcome example) and run the event loop.

    When the app already runs for this user, the paths are handed to it instead (each opens
    in a new window there) and this returns 0 at once. ``quit_after_ms`` (start-up
    measurements) always starts a process of its own.
    """
    files = [paths] if isinstance(paths, Path) else list(paths or [])
    name_the_app()
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    server = None
    if quit_after_ms is None:
        from explorer.ui import single_instance

        claim = single_instance.claim(files)
        if claim.handed_over:
            return 0
        server = claim.server
    from explorer.ui import icon

    icon.install()
    windows = QtWindows(app)
    if server is not None:
        server.pathsReceived.connect(windows.open_files)
        app.aboutToQuit.connect(server.close)  # the next app may take the name at once
    if sys.platform == "darwin":  # macOS hands double-clicked files over as events (a filter on
        app.installEventFilter(windows)  # the app sees every event: only where it is needed)
    first = windows.open(files[0] if files else None)
    for path in files[1:]:
        windows.open(path)
    if not files and quit_after_ms is None:
        from explorer.ui.classroom import show_start_page

        show_start_page(first)
    if quit_after_ms is not None:
        _quit_after_first_run(app, first, quit_after_ms)
    return app.exec()


class QtWindows(QObject):
    """The app's windows: opens one per file, each with its own autosave, and keeps them alive."""

    windowOpened = Signal(object)  # the new QtMainWindow, shown

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self.windows: list[QtMainWindow] = []
        self.reporter: QtCrashReporter | None = None
        self.opened = 0  # windows opened so far: numbers each one's autosave file

    def open(self, path: Path | None, *, to_front: bool = False) -> QtMainWindow:
        """A new window on ``path`` (or the welcome example), beside the others, and shown
        (``to_front``: raised above other apps' windows, for a file another launch handed over)."""
        from explorer.ui import autosave, window_placement
        from explorer.ui.main_window import start_window

        window = start_window(path)
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # a closed window frees its trace
        neighbour = next((w for w in reversed(self.windows) if w.isVisible()), None)
        if neighbour is not None:
            window_placement.cascade_from(window, neighbour)
        saver = autosave.install(window, number=self.opened)  # the first offers crash recovery
        saved_at = saver.path
        window.destroyed.connect(lambda *_: _forget(saved_at))  # closed: discarded or saved
        window.destroyed.connect(lambda *_, w=window: self._on_destroyed(w))
        self.opened += 1
        self.windows.append(window)
        self._report_crashes()
        window.show()
        if to_front:
            window.raise_()
            window.activateWindow()
        self.windowOpened.emit(window)
        return window

    def open_files(self, paths: list[Path]) -> None:
        """Each file in a new window (a later launch or the system asked); none: a plain new window."""
        wanted: list[Path | None] = list(paths) or [None]
        for path in wanted:
            self.open(path, to_front=True)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.FileOpen and isinstance(event, QFileOpenEvent) and event.file():
            self.open(Path(event.file()), to_front=True)
            return True
        return super().eventFilter(watched, event)

    def _on_destroyed(self, window: QtMainWindow) -> None:
        with contextlib.suppress(ValueError):
            self.windows.remove(window)
        self._report_crashes()

    def _report_crashes(self) -> None:
        """The crash dialog belongs to an open window: the first one, or the next if it closed."""
        from explorer.ui import crash

        if self.windows and (self.reporter is None or self.reporter.parent_widget not in self.windows):
            self.reporter = crash.install(self.windows[0])


def _forget(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink(missing_ok=True)


def _quit_after_first_run(app: QApplication, window: QtMainWindow, quit_after_ms: int) -> None:
    """Close ``quit_after_ms`` after the first run finishes, printing how long start-up took."""
    window_shown_at = time.perf_counter()
    shown_wall_clock = time.time()

    def report_and_quit() -> None:
        print(f"window shown after {window_shown_at - STARTED:.2f} s; first run finished after "
              f"{time.perf_counter() - STARTED:.2f} s (counted from the app's import; "
              f"shown at unix time {shown_wall_clock:.3f})", flush=True)
        window.close()
        app.quit()

    window.runFinished.connect(lambda: QTimer.singleShot(quit_after_ms, report_and_quit))
