"""Runs programs off the UI thread, so the window never freezes on a slow program.

The program itself runs in the warm worker process (``explorer.core.worker``), which is killed
and replaced when one operation will not stop; this thread only waits for it, then lays out the
first pass, so neither user code nor layout ever runs on the UI thread.
"""

from __future__ import annotations

import gc
import sys
import threading
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QRunnable, QThreadPool, QTimer, Signal

from explorer.core.layout import Layout
from explorer.core.limits import Limits
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


class _MainThreadCollector(QObject):
    """Collects cyclic garbage on the UI thread only.

    Left automatic, a collection can start in the runner's thread (it allocates a lot while it
    reads a trace) and delete a closed window's Qt objects there, which crashes Qt.
    """

    def __init__(self) -> None:
        super().__init__()
        self.thresholds = gc.get_threshold()
        self.timer = QTimer(self, interval=500)
        self.timer.timeout.connect(self._on_timeout)
        gc.disable()
        self.timer.start()

    def _on_timeout(self) -> None:
        counts = gc.get_count()
        for generation in (2, 1, 0):  # the oldest generation due, as gc's own rule picks it
            if counts[generation] > self.thresholds[generation]:
                gc.collect(generation)
                return


_COLLECTOR: list[_MainThreadCollector] = []


def collect_garbage_on_ui_thread() -> None:
    """Install the UI-thread collector once per process (it lives as long as the application)."""
    if not _COLLECTOR and QCoreApplication.instance() is not None:
        _COLLECTOR.append(_MainThreadCollector())


class _Signals(QObject):
    finished = Signal(object, object, object)  # RunRequest, Trace, PreparedLayout | None


class _Job(QRunnable):
    def __init__(self, request: RunRequest, cancel: threading.Event, signals: _Signals,
                 worker: EvaluationWorker, limits: Limits) -> None:
        super().__init__()
        self.worker = worker
        self.limits = limits
        self.request = request
        self.cancel = cancel
        self.signals = signals
        self.setAutoDelete(True)

    def run(self) -> None:
        request = self.request
        trace = self.worker.run(request.code, limits=self.limits, overrides=request.overrides,
                                cancel=self.cancel)
        prepared = None
        if trace.passes and not self.cancel.is_set():
            try:
                # laying out a big graph takes a while: do it here, not on the UI thread
                prepared = prepare_layout(trace, min(request.pass_index, len(trace.passes) - 1),
                                          request.previous, request.font_scale)
            except Exception:  # noqa: BLE001 - reported, and the trace still arrives
                sys.excepthook(*sys.exc_info())
        self.signals.finished.emit(request, trace, prepared)


class QtRunner(QObject):
    """Starts one run at a time; a newer request cancels the one in flight."""

    finished = Signal(object, object, object)  # RunRequest, Trace, PreparedLayout (newest only)
    busyChanged = Signal(bool)

    def __init__(self, parent: QObject | None = None, worker: EvaluationWorker | None = None) -> None:
        super().__init__(parent)
        self.worker = worker or shared_worker()  # started now: warm by the first run
        self.limits = Limits()
        collect_garbage_on_ui_thread()
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
        self.pool.start(_Job(request, self._cancel, self.signals, self.worker, self.limits))
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
