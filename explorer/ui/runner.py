"""Runs programs off the UI thread, so the window never freezes on a slow program.

The program itself runs in the warm worker process (``explorer.core.worker``), which is killed
and replaced when one operation will not stop; this thread only waits for it, then lays out the
first pass, so neither user code nor layout ever runs on the UI thread.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from explorer.core.layout import Layout
from explorer.core.trace import Trace
from explorer.core.worker import EvaluationWorker, shared_worker
from explorer.ui.graph_controller import prepare_layout


@dataclass(frozen=True)
class RunRequest:
    number: int
    code: str
    overrides: dict[str, Any]
    keep_position: bool
    pass_index: int = 0
    font_scale: float = 1.0
    previous: Layout | None = None  # the layout on screen, kept if the structure is the same


class _Signals(QObject):
    finished = Signal(object, object, object)  # RunRequest, Trace, PreparedLayout | None


class _Job(QRunnable):
    def __init__(self, request: RunRequest, cancel: threading.Event, signals: _Signals,
                 worker: EvaluationWorker) -> None:
        super().__init__()
        self.worker = worker
        self.request = request
        self.cancel = cancel
        self.signals = signals
        self.setAutoDelete(True)

    def run(self) -> None:
        request = self.request
        trace = self.worker.run(request.code, overrides=request.overrides, cancel=self.cancel)
        prepared = None
        if trace.passes and not self.cancel.is_set():
            # laying out a big graph takes a while: do it here, not on the UI thread
            prepared = prepare_layout(trace, min(request.pass_index, len(trace.passes) - 1),
                                      request.previous, request.font_scale)
        self.signals.finished.emit(request, trace, prepared)


class QtRunner(QObject):
    """Starts one run at a time; a newer request cancels the one in flight."""

    finished = Signal(object, object, object)  # RunRequest, Trace, PreparedLayout (newest only)
    busyChanged = Signal(bool)

    def __init__(self, parent: QObject | None = None, worker: EvaluationWorker | None = None) -> None:
        super().__init__(parent)
        self.worker = worker or shared_worker()  # started now: warm by the first run
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)  # runs share torch's global random state: one at a time
        self.signals = _Signals()
        self.signals.finished.connect(self._on_finished)
        self._count = 0
        self._cancel: threading.Event | None = None
        self.busy = False

    def run(self, code: str, overrides: dict[str, Any], *, keep_position: bool = False,
            pass_index: int = 0, font_scale: float = 1.0, previous: Layout | None = None) -> RunRequest:
        if self._cancel is not None:
            self._cancel.set()
        self._count += 1
        request = RunRequest(self._count, code, dict(overrides), keep_position, pass_index,
                             font_scale, previous)
        self._cancel = threading.Event()
        self.pool.start(_Job(request, self._cancel, self.signals, self.worker))
        self._set_busy(True)
        return request

    def cancel(self) -> None:
        if self._cancel is not None:
            self._cancel.set()

    def wait(self, milliseconds: int = 30_000) -> bool:
        return self.pool.waitForDone(milliseconds)

    def _on_finished(self, request: RunRequest, trace: Trace, prepared: object) -> None:
        if request.number != self._count:
            return  # an older run finished after a newer one started: drop it
        self._set_busy(False)
        self.finished.emit(request, trace, prepared)

    def _set_busy(self, busy: bool) -> None:
        if busy != self.busy:
            self.busy = busy
            self.busyChanged.emit(busy)
