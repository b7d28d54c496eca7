"""Runs programs off the UI thread, so the window never freezes on a slow program.

The program itself runs in the warm worker process (``explorer.core.sandbox.worker``), which is killed
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

from explorer.core.capture.trace import Trace
from explorer.core.errors import ExplorerError
from explorer.core.sandbox.limits import Limits
from explorer.core.sandbox.worker import EvaluationWorker, shared_worker
from explorer.core.view.layout import Layout, LayoutCancelled, Progress
from explorer.core.view.style import LayoutStyle
from explorer.core.view.warm import warm_views
from explorer.ui.canvas.graph_controller import DEFAULT_STYLE, lay_out_pass
from explorer.ui.window.theme import Theme


@dataclass(frozen=True)
class RunRequest:
    number: int
    code: str
    overrides: dict[str, Any]
    keep_position: bool
    pass_index: int = 0
    font_scale: float = 1.0
    previous: Layout | None = None  # the layout on screen, kept if the structure is the same
    position: int | None = None  # the step to stand at (None: the end of the pass)
    theme: Theme | None = None  # the drawing arrays are made in this theme
    style: LayoutStyle = DEFAULT_STYLE
    trace: Trace | None = None  # lay this trace out again instead of running anything
    passes: str | None = None  # which passes the run records in full (explorer.core.capture.passes)
    pass_number: int | None = None  # show this pass (from 0 among all) if kept, else pass_index


BIG_RESULT = 5_000  # nodes in a result that is then frozen out of the collector (gc.freeze)


class _MainThreadCollector(QObject):
    """Collects cyclic garbage on the UI thread only, and never while the window waits on it.

    Left automatic, a collection can start in the runner's thread (it allocates a lot while it
    reads a trace) and delete a closed window's Qt objects there, which crashes Qt.

    A full collection looks at every object alive: with a 100,000-node trace that is 3.5
    million objects and a second of frozen window. So nothing is collected while a run is in
    flight (what the runner allocates is its result, not garbage), and a big result, once
    taken, is frozen out of the collector's reach (``gc.freeze``). Traces are freed by
    reference counting alone (``AutogradGraph``), so dropping a frozen trace frees it. Should
    frozen objects pile up anyway (a cycle frozen with them), one full collection runs the next
    time a small result arrives, when it is cheap.
    """

    def __init__(self) -> None:
        super().__init__()
        self.thresholds = gc.get_threshold()
        self.timer = QTimer(self, interval=500)
        self.timer.timeout.connect(self._on_timeout)
        self.busy = False
        gc.disable()
        gc.freeze()  # the modules and widgets made at start-up live as long as the app
        self.frozen_floor = gc.get_freeze_count()
        self.timer.start()

    def _on_timeout(self) -> None:
        if self.busy:
            return
        counts = gc.get_count()
        for generation in (2, 1, 0):  # the oldest generation due, as gc's own rule picks it
            if counts[generation] > self.thresholds[generation]:
                gc.collect(generation)
                return

    def result_taken(self, nodes: int, replaced: bool) -> None:
        """After the window has taken a result of ``nodes`` nodes: freeze it if big; when a
        small new trace has ``replaced`` the one shown, tidy up if frozen objects piled up.

        The size comes from the result itself: the collector's own counters net out a big
        trace replacing another big one.
        """
        self.busy = False
        if nodes > BIG_RESULT:
            gc.freeze()  # not collected first: that alone would scan the whole result
        elif replaced and gc.get_freeze_count() > 2 * self.frozen_floor:
            gc.unfreeze()
            gc.collect()
            gc.freeze()
            self.frozen_floor = gc.get_freeze_count()


_COLLECTOR: list[_MainThreadCollector] = []


def collect_garbage_on_ui_thread() -> None:
    """Install the UI-thread collector once per process (it lives as long as the application)."""
    if not _COLLECTOR and QCoreApplication.instance() is not None:
        _COLLECTOR.append(_MainThreadCollector())


def _collector_busy(busy: bool, nodes: int = 0, replaced: bool = False) -> None:
    for collector in _COLLECTOR:
        if busy:
            collector.busy = True
        else:
            collector.result_taken(nodes, replaced)


class _Signals(QObject):
    finished = Signal(RunRequest, Trace, object)  # the last: LaidOutPass, or None
    progressed = Signal(int, str, float, int)  # request number, stage, fraction done, nodes


class _Job(QRunnable):
    def __init__(self, request: RunRequest, cancel: threading.Event, signals: _Signals,
                 worker: EvaluationWorker | None, limits: Limits) -> None:
        super().__init__()
        self.worker = worker
        self.limits = limits
        self.request = request
        self.cancel = cancel
        self.signals = signals
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            trace, laid_out = self._work()
        except Exception as error:  # noqa: BLE001 - the window must hear back, whatever happened
            sys.excepthook(*sys.exc_info())
            trace, laid_out = Trace(error=ExplorerError(f"the run failed: {error}")), None
        self.signals.finished.emit(self.request, trace, laid_out)

    def _work(self) -> tuple[Trace, object]:
        request = self.request
        if request.trace is not None:
            trace = request.trace
        else:
            self._report("running", 0.0, 0)
            assert self.worker is not None
            trace = self.worker.run(request.code, limits=self.limits, overrides=request.overrides,
                                    cancel=self.cancel, passes=request.passes)
        laid_out = None
        if trace.passes and not self.cancel.is_set():
            try:
                # laying out a big graph takes a while: do it here, not on the UI thread
                index = trace.position_for(request.pass_number, request.pass_index)
                nodes = trace.passes[index].graph.number_of_nodes()
                laid_out = lay_out_pass(trace, index, request.previous, request.font_scale,
                                          request.position, request.theme, self._layout_progress(nodes),
                                          request.style)
                self._report("preparing", 1.0, nodes)
                warm_views(trace, index)
            except LayoutCancelled:
                laid_out = None
            except Exception:  # noqa: BLE001 - reported, and the trace still arrives
                sys.excepthook(*sys.exc_info())
        if self.cancel.is_set() and trace.passes:
            # Cancel means "keep what is on screen": a half-laid_out result is not shown (the
            # UI thread would have to lay it out itself)
            trace = Trace(stdout=trace.stdout, error=ExplorerError(
                "cancelled; the graph shown is from the last run", kind="cancelled"))
        return trace, laid_out

    def _report(self, stage: str, fraction: float, nodes: int) -> None:
        self.signals.progressed.emit(self.request.number, stage, fraction, nodes)

    def _layout_progress(self, nodes: int) -> Progress:
        """Reports each percent of the layout (not every call), and stops it on cancel."""
        last: list[tuple[str, int]] = [("", -1)]

        def report(phase: str, fraction: float) -> None:
            if self.cancel.is_set():
                raise LayoutCancelled
            shown = (phase, int(fraction * 100))
            if shown != last[0]:
                last[0] = shown
                self._report(phase, fraction, nodes)

        return report


class QtRunner(QObject):
    """Starts one run at a time; a newer request cancels the one in flight."""

    finished = Signal(RunRequest, Trace, object)  # the last: LaidOutPass or None (newest run only)
    busyChanged = Signal(bool)
    progressed = Signal(str, float, int)  # stage ("running", a layout phase, "preparing"), done, nodes

    def __init__(self, parent: QObject | None = None, worker: EvaluationWorker | None = None) -> None:
        super().__init__(parent)
        # The worker process and the collector policy start with the first run: a window that
        # only shows a ready trace (explorer.show() in the user's own process) starts neither.
        self._worker = worker
        self.limits = Limits()
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)  # runs share torch's global random state: one at a time
        self.signals = _Signals()
        self.signals.finished.connect(self._on_finished)
        self.signals.progressed.connect(self._on_progressed)
        self._count = 0
        self._cancel: threading.Event | None = None
        self.busy = False

    def run(self, code: str, overrides: dict[str, Any], *, keep_position: bool = False,
            pass_index: int = 0, font_scale: float = 1.0, previous: Layout | None = None,
            position: int | None = None, theme: Theme | None = None,
            style: LayoutStyle = DEFAULT_STYLE, passes: str | None = None,
            pass_number: int | None = None) -> RunRequest:
        return self._start(RunRequest(self._count + 1, code, dict(overrides), keep_position, pass_index,
                                      font_scale, previous, position, theme, style, None, passes,
                                      pass_number))

    def lay_out(self, trace: Trace, code: str, *, pass_index: int, font_scale: float,
                position: int | None, theme: Theme | None, style: LayoutStyle) -> RunRequest:
        """Lay a trace on screen out again (new label size or layout style): nothing runs."""
        return self._start(RunRequest(self._count + 1, code, {}, True, pass_index, font_scale, None,
                                      position, theme, style, trace))

    @property
    def worker(self) -> EvaluationWorker:
        if self._worker is None:
            self._worker = shared_worker()
        return self._worker

    @worker.setter
    def worker(self, worker: EvaluationWorker) -> None:
        self._worker = worker

    def warm_up(self) -> None:
        """Start the worker process now, so torch is loaded in it by the first run."""
        _ = self.worker

    def _start(self, request: RunRequest) -> RunRequest:
        if request.trace is None:  # a program runs: the app's own process policies apply
            collect_garbage_on_ui_thread()
        if self._cancel is not None:
            self._cancel.set()
        self._count = request.number
        self._cancel = threading.Event()
        worker = self.worker if request.trace is None else None  # a ready trace needs none
        self.pool.start(_Job(request, self._cancel, self.signals, worker, self.limits))
        self._set_busy(True)
        return request

    def cancel(self) -> None:
        if self._cancel is not None:
            self._cancel.set()

    def wait(self, milliseconds: int = 30_000) -> bool:
        return self.pool.waitForDone(milliseconds)

    def _on_progressed(self, number: int, stage: str, fraction: float, nodes: int) -> None:
        if number == self._count:
            self.progressed.emit(stage, fraction, nodes)

    def _on_finished(self, request: RunRequest, trace: Trace, laid_out: object) -> None:
        if request.number != self._count:
            return  # an older run finished after a newer one started: drop it
        self.busy = False
        self.finished.emit(request, trace, laid_out)
        if self.busy:
            return  # a handler started a new job: it is busy again
        self.busyChanged.emit(False)
        nodes = max((one_pass.graph.number_of_nodes() for one_pass in trace.passes), default=0)
        _collector_busy(False, nodes, replaced=bool(trace.passes) and request.trace is None)

    def _set_busy(self, busy: bool) -> None:
        if busy != self.busy:
            self.busy = busy
            self.busyChanged.emit(busy)
            _collector_busy(busy)
