"""The window shell shown at once on launch, while PyTorch loads behind it.

Importing torch takes one to several seconds (ten on a busy machine); nothing appeared until
it had. Now the app opens a plain window of the main window's size within a second of launch,
loads torch and the app's own modules in a thread, and swaps in the real window when they are
there. Only imports happen in the thread: every widget is made on the UI thread.
"""

from __future__ import annotations

import importlib
import threading
import time

from PySide6.QtCore import QObject, QRect, Qt, Signal
from PySide6.QtGui import QGuiApplication, QPaintEvent
from PySide6.QtWidgets import QLabel, QProgressBar, QVBoxLayout, QWidget

# loaded in the background thread: plain Python and torch, no widgets made at import
HEAVY_MODULES = ("torch", "numpy", "networkx", "explorer.core.sandbox.program", "explorer.core.view.narration",
                 "explorer.core.view.diagnostics")


class QtShell(QWidget):
    """A window with the app's name and a busy bar, the size the main window will have."""

    painted = Signal(float)  # time.perf_counter() of the first paint

    def __init__(self, title: str) -> None:
        super().__init__()
        self.setObjectName("startShell")
        self.setWindowTitle(title)
        self.first_paint: float | None = None
        heading = QLabel("<h2>Autograd Explorer</h2>")
        heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message = QLabel("Loading PyTorch…")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        busy = QProgressBar()
        busy.setRange(0, 0)  # no known length: just show that work goes on
        busy.setMaximumWidth(240)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(heading)
        layout.addWidget(self.message)
        layout.addWidget(busy, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)
        self.setGeometry(default_geometry())

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        super().paintEvent(event)
        if self.first_paint is None:
            self.first_paint = time.perf_counter()
            self.painted.emit(self.first_paint)


def default_geometry() -> QRect:
    """Where a first main window goes: most of a big screen, all of a small one."""
    screen = QGuiApplication.primaryScreen()
    if screen is None:
        return QRect(0, 0, 1366, 768)
    available = screen.availableGeometry()
    if available.width() > 1400:
        width, height = int(available.width() * 0.92), int(available.height() * 0.92)
    else:
        width, height = min(1366, available.width()), min(768, available.height())
    return QRect(available.left() + (available.width() - width) // 2,
                 available.top() + (available.height() - height) // 2, width, height)


class QtLoader(QObject):
    """Imports the heavy modules in a thread; ``loaded`` arrives on the UI thread."""

    loaded = Signal(object)  # None, or the exception an import raised

    def __init__(self, modules: tuple[str, ...] = HEAVY_MODULES, *, start_worker: bool = True) -> None:
        super().__init__()
        self.modules = modules
        self.start_worker = start_worker
        self.loading = threading.Thread(target=self._load, name="explorer-load", daemon=True)

    def start(self) -> None:
        self.loading.start()

    def _load(self) -> None:
        failure: BaseException | None = None
        try:
            if self.start_worker:  # the worker process loads its own torch meanwhile
                importlib.import_module("explorer.core.sandbox.worker").shared_worker()
            for name in self.modules:
                importlib.import_module(name)
        except BaseException as error:  # noqa: BLE001 - handed to the UI thread, which raises it
            failure = error
        self.loaded.emit(failure)  # queued to the UI thread: this object lives there
