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

from explorer.version import __version__

if TYPE_CHECKING:
    from explorer.ui.window.crash import QtCrashReporter
    from explorer.ui.window.main_window import QtMainWindow

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
        from explorer.ui.window import single_instance

        claim = single_instance.claim(files)
        if claim.handed_over:
            return 0
        server = claim.server
    from explorer.ui.window import icon

    icon.install()
    windows = QtWindows(app)
    if server is not None:
        server.pathsReceived.connect(windows.open_files)
        app.aboutToQuit.connect(server.close)  # the next app may take the name at once
    if sys.platform == "darwin":  # macOS hands double-clicked files over as events (a filter on
        app.installEventFilter(windows)  # the app sees every event: only where it is needed)
    # a window at once; torch and the app load behind it, then the real windows replace it
    from explorer.ui.window.startup import QtLoader, QtShell

    shell = QtShell("Autograd Explorer")
    shell.show()
    loader = QtLoader()

    def open_windows(failure: BaseException | None) -> None:
        if failure is not None:
            shell.close()
            raise failure  # the crash hook reports it
        first = windows.open(files[0] if files else None)
        for path in files[1:]:
            windows.open(path)
        shell.close()
        if not files and quit_after_ms is None:
            first.gallery.show_at_start()
        if quit_after_ms is not None:
            _quit_after_first_run(app, first, quit_after_ms, shell.first_paint)

    loader.loaded.connect(open_windows)
    loader.start()
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
        from explorer.ui.window import window_placement
        from explorer.ui.window.main_window import start_window

        window = start_window(path)
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # a closed window frees its trace
        neighbour = next((w for w in reversed(self.windows) if w.isVisible()), None)
        if neighbour is not None:
            window_placement.cascade_from(window, neighbour)
        saver = window.start_autosave(number=self.opened)  # the first offers crash recovery
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
        from explorer.ui.window import crash

        if self.windows and (self.reporter is None or self.reporter.parent_widget not in self.windows):
            self.reporter = crash.install(self.windows[0])


def _forget(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink(missing_ok=True)


def _quit_after_first_run(app: QApplication, window: QtMainWindow, quit_after_ms: int,
                          first_paint: float | None = None) -> None:
    """Close ``quit_after_ms`` after the first run finishes, printing how long start-up took.

    The times are also printed as unix times (``first paint at``, ``window shown at``, ``graph
    drawn at``), so a caller that knows when it started the process can measure from there.
    """
    window_shown_at = time.perf_counter()
    painted = first_paint if first_paint is not None else window_shown_at
    drawn: list[float] = []

    def unix(moment: float) -> float:
        return time.time() - (time.perf_counter() - moment)

    def note_drawn() -> None:
        if not drawn:
            drawn.append(time.perf_counter())

    def report_and_quit() -> None:
        graph = drawn[0] if drawn else time.perf_counter()
        print(f"window shown after {window_shown_at - STARTED:.2f} s; first run finished after "
              f"{graph - STARTED:.2f} s (counted from the app's import; first paint at unix time "
              f"{unix(painted):.3f}, window shown at unix time {unix(window_shown_at):.3f}, graph "
              f"drawn at unix time {unix(graph):.3f})", flush=True)
        window.close()
        app.quit()

    def on_run_finished() -> None:
        window.canvas.item.painted_once(note_drawn)  # the graph's first frame after the run
        QTimer.singleShot(quit_after_ms, report_and_quit)

    window.runFinished.connect(on_run_finished)
