"""Seeing the calculus: y(x) with its tangent and a draggable x, gradient components, and depth.

The curve is sampled by re-running the program in the sandbox on the runner's one thread (so
runs never overlap and share torch's random state safely); dragging the marker edits x through
the same path as the variables panel, so graph and gradients follow.
"""

from __future__ import annotations

import atexit
import math
import threading
from concurrent import futures
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from explorer.core.sandbox.worker import EvaluationWorker, WorkerOptions
from explorer.core.view.calculus import (
    Curve,
    Tangent,
    gradient_by_depth,
    nearest_sample,
    node_gradient,
    rounding_limited,
    sample_curve,
    sample_range,
    scalar_leaves,
    tangent,
)
from explorer.core.view.narration import display_name
from explorer.ui.window.theme import Theme

if TYPE_CHECKING:
    from explorer.ui.window.facade import WindowFacade

DRAG_DELAY_MS = 60  # re-run at most this often while the marker is dragged
POLL_MS = 50  # how often the window looks for a sampled curve while one is on its way


_PLOT_WORKER: list[EvaluationWorker] = []


def plot_worker() -> EvaluationWorker:
    """The plots' own worker process: sampling runs the user's program dozens of times, never
    in the app's process, and never queued in front of the window's own runs."""
    if not _PLOT_WORKER:
        _PLOT_WORKER.append(EvaluationWorker(WorkerOptions(grace_seconds=0.5)))
        atexit.register(_PLOT_WORKER[0].close)
    return _PLOT_WORKER[0]


def sampler() -> ThreadPoolExecutor:
    """The thread the plots wait for their worker process in: one for the app, owned by no
    window, and touching no Qt object (the window polls for the curve), so a window that goes
    away while a curve is sampled leaves nothing behind that Qt could still call."""
    if not _SAMPLER:
        _SAMPLER.append(ThreadPoolExecutor(max_workers=1, thread_name_prefix="explorer-plots"))
    return _SAMPLER[0]


_SAMPLER: list[ThreadPoolExecutor] = []


def wait_for_sampling(seconds: float = 30.0) -> None:
    """Return once every curve asked for so far is sampled or given up (for tests and exit)."""
    sampler().submit(lambda: None).result(timeout=seconds)


def _sample(code: str, leaf: str, xs: list[float], pass_index: int, overrides: dict[str, Any],
            cancel: threading.Event) -> Curve:
    return sample_curve(code, leaf, xs, pass_index=pass_index, overrides=overrides, cancel=cancel,
                        run=plot_worker().run)


class QtFunctionPlot(QWidget):
    """y(x) around the current x, the tangent with slope x.grad, and a draggable marker."""

    valueDragged = Signal(str, float)
    leafChosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.leaf_box = QComboBox()
        self.leaf_box.setObjectName("plotLeaf")
        self.leaf_box.setToolTip("The input to move along (the others stay fixed)")
        self.leaf_box.currentTextChanged.connect(self._on_leaf_changed)
        self.caption = QLabel("")
        self.caption.setObjectName("plotCaption")
        _wrapping(self.caption)
        self.plot = pg.PlotWidget()
        self.plot.showGrid(x=True, y=True, alpha=0.25)
        self.curve_item = self.plot.plot([], [], pen=pg.mkPen("#1c7ed6", width=2))
        self.samples_item = pg.ScatterPlotItem(size=5, brush=pg.mkBrush("#1c7ed6"))  # a staircase: dots
        self.plot.addItem(self.samples_item)
        self.note = QLabel("")
        self.note.setObjectName("plotNote")
        _wrapping(self.note)
        self.tangent_item = self.plot.plot([], [], pen=pg.mkPen("#e8590c", width=2, style=Qt.PenStyle.DashLine))
        self.point_item = pg.ScatterPlotItem(size=11, brush=pg.mkBrush("#e8590c"))
        self.plot.addItem(self.point_item)
        self.marker = pg.InfiniteLine(angle=90, movable=True, pen=pg.mkPen("#7048e8", width=2),
                                      hoverPen=pg.mkPen("#7048e8", width=4))
        self.marker.setToolTip("Drag to change x: the program re-runs and the graph follows")
        self.plot.addItem(self.marker)
        self.marker.sigPositionChanged.connect(self._on_marker_moved)
        self.marker.sigPositionChangeFinished.connect(self._on_marker_dropped)
        self._drag_timer = QTimer(self, singleShot=True, interval=DRAG_DELAY_MS)
        self._drag_timer.timeout.connect(self._emit_drag)
        self._placing = False
        self.output_name = "y"  # the plotted output: the root's variable name when it has one
        self.curve: Curve | None = None
        self.tangent: Tangent | None = None
        top = QHBoxLayout()
        top.addWidget(QLabel("along"))
        top.addWidget(self.leaf_box)
        top.addWidget(self.caption, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.note)

    def set_leaves(self, leaves: list[str], chosen: str | None) -> None:
        self.leaf_box.blockSignals(True)
        self.leaf_box.clear()
        self.leaf_box.addItems(leaves)
        if chosen in leaves:
            self.leaf_box.setCurrentText(chosen)
        self.leaf_box.blockSignals(False)

    def show_tangent(self, point: Tangent | None, message: str = "") -> None:
        self.tangent = point
        if point is None:
            self.curve_item.setData([], [])
            self.tangent_item.setData([], [])
            self.point_item.setData([], [])
            self.caption.setText(message)
            return
        self._placing = True
        self.marker.setValue(point.x)
        self._placing = False
        self.point_item.setData([point.x], [point.y])
        self.plot.setLabel("bottom", point.leaf)
        self.plot.setLabel("left", self.output_name)
        self.caption.setText(f"{point.leaf} = {point.x:.4g},  y = {point.y:.4g},  "
                             f"slope = {point.leaf}.grad = {point.slope:.4g}")
        self._draw_tangent()

    def show_curve(self, curve: Curve | None) -> None:
        self.curve = curve
        self.note.setText("")
        if curve is None:
            self.curve_item.setData([], [])
            self.samples_item.setData([], [])
            return
        xs, ys = np.array(curve.xs, dtype=float), np.array(curve.ys, dtype=float)
        if rounding_limited(curve):  # the staircase is float32 rounding: show samples, say so
            self.curve_item.setData([], [])
            self.samples_item.setData(xs, ys)
            self.note.setText("Over this range y changes by less than float32 can tell apart, so the "
                              "samples sit on a few rounding steps: the tangent's slope, computed by "
                              "the pass, is the exact answer here.")
        else:
            self.samples_item.setData([], [])
            self.curve_item.setData(xs, ys, connect="finite")
        self._draw_tangent()

    def set_theme(self, theme: Theme) -> None:
        self.plot.setBackground(theme.background)
        for axis in ("left", "bottom"):
            self.plot.getAxis(axis).setPen(pg.mkPen(theme.foreground))
            self.plot.getAxis(axis).setTextPen(pg.mkPen(theme.foreground))
        self.curve_item.setPen(pg.mkPen(theme.grad_small, width=2))
        self.samples_item.setBrush(pg.mkBrush(theme.grad_small))
        self.tangent_item.setPen(pg.mkPen(theme.grad_large, width=2, style=Qt.PenStyle.DashLine))
        self.point_item.setBrush(pg.mkBrush(theme.grad_large))
        self.marker.setPen(pg.mkPen(theme.root_outline, width=2))

    def _draw_tangent(self) -> None:
        point = self.tangent
        if point is None:
            return
        xs = self.curve.xs if self.curve and self.curve.xs else tuple(sample_range(point.x, 3))
        ends = [min(xs), max(xs)]
        self.tangent_item.setData(ends, [point.at(x) for x in ends])
        finite = [y for y in (self.curve.ys if self.curve else ()) if math.isfinite(y)]
        if finite:  # keep the view on the curve; a steep tangent must not squash it flat
            low, high = min(finite + [point.y]), max(finite + [point.y])
            pad = (high - low) * 0.08 or 1.0
            self.plot.setRange(xRange=ends, yRange=(low - pad, high + pad), padding=0)

    def _on_marker_moved(self) -> None:
        if not self._placing:
            self._drag_timer.start()

    def _on_marker_dropped(self) -> None:
        """Let go, the marker snaps to the nearest sample of the curve (y is known exactly there)."""
        snapped = nearest_sample(self.curve, float(self.marker.value()))
        if snapped != float(self.marker.value()):
            self._placing = True
            self.marker.setValue(snapped)
            self._placing = False
            self._drag_timer.start()

    def _emit_drag(self) -> None:
        if self.tangent is not None:
            value = nearest_sample(self.curve, float(self.marker.value()))
            self.valueDragged.emit(self.tangent.leaf, value)

    def _on_leaf_changed(self, leaf: str) -> None:
        if leaf:
            self.leafChosen.emit(leaf)


class QtBarChart(pg.PlotWidget):
    """Bars for a vector (or one per element of a small tensor), a heat map for a matrix."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.showGrid(y=True, alpha=0.25)
        self.bars: pg.BarGraphItem | None = None
        self.image = pg.ImageItem()
        self.addItem(self.image)
        self.values: np.ndarray | None = None

    def set_theme(self, theme: Theme) -> None:
        self.setBackground(theme.background)
        for axis in ("left", "bottom"):
            self.getAxis(axis).setPen(pg.mkPen(theme.foreground))
            self.getAxis(axis).setTextPen(pg.mkPen(theme.foreground))

    def show_values(self, values: np.ndarray | None, colour: str) -> None:
        self.values = values
        if self.bars is not None:
            self.removeItem(self.bars)
            self.bars = None
        self.image.clear()
        if values is None or values.size == 0:
            return
        matrix = values.ndim == 2 and min(values.shape) > 1
        self.getViewBox().invertY(matrix)  # a matrix reads with row 0 at the top
        if matrix:
            self.image.setImage(values.T, levels=_symmetric_levels(values))
            self.image.setColorMap(pg.colormap.get("CET-D1"))
        else:
            flat = values.reshape(-1)
            self.bars = pg.BarGraphItem(x=np.arange(flat.size), height=flat, width=0.7, brush=colour)
            self.addItem(self.bars)
        self.autoRange()


def _wrapping(label: QLabel) -> None:
    """A long caption wraps instead of widening the dock (and every dock tabbed with it)."""
    label.setWordWrap(True)
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)


def _symmetric_levels(values: np.ndarray) -> tuple[float, float]:
    """Zero in the middle of the colour map, so the sign of each component reads at a glance."""
    finite = np.abs(values[np.isfinite(values)])
    largest = float(finite.max()) if finite.size else 0.0
    return -(largest or 1.0), largest or 1.0


class PlotsController:
    """Feeds the three plots from the document; owns sampling jobs and the selected node."""

    def __init__(self, window: WindowFacade) -> None:
        self.window = window
        self.function_plot = QtFunctionPlot()
        self.components, self.depth = QtBarChart(), QtBarChart()
        self.component_label = QLabel("")
        self.dock = window.add_output_tab("Plots", "plotsDock", self._tabs())
        self.leaf: str | None = None
        self.node: str | None = None
        self.curve_key: tuple | None = None
        self._stopped = False  # the window closed: nothing is sampled any more
        self._cancel: threading.Event | None = None
        self._sampling = False
        self._pending: list[tuple[tuple, Future[Curve]]] = []  # key, the curve on its way
        self._poll = QTimer(window.widget, interval=POLL_MS)
        self._poll.timeout.connect(self._take_curves)
        window.document.trace_changed.connect(self.refresh)
        window.document.step_changed.connect(self._refresh_components)
        window.document.selection_changed.connect(self._on_node_selected)
        window.runner.busyChanged.connect(self._on_run_busy)
        window.document.appearance_changed.connect(lambda: self.set_theme(window.theme))
        self.function_plot.valueDragged.connect(window.document.set_override)
        self.function_plot.leafChosen.connect(self._on_leaf_chosen)
        self.set_theme(window.theme)

    def _tabs(self) -> QTabWidget:
        """The function, gradient components and gradient by depth, one tab each."""
        _wrapping(self.component_label)
        component_page = QWidget()
        column = QVBoxLayout(component_page)
        column.addWidget(self.component_label)
        column.addWidget(self.components, 1)
        tabs = QTabWidget()
        tabs.setObjectName("plotTabs")
        tabs.addTab(self.function_plot, "y(x) and tangent")
        tabs.addTab(component_page, "Gradient components")
        tabs.addTab(self.depth, "Gradient by depth")
        return tabs

    def set_theme(self, theme: Theme) -> None:
        self.function_plot.set_theme(theme)
        self.components.set_theme(theme)
        self.depth.set_theme(theme)
        self._refresh_components()
        self._refresh_depth()

    def refresh(self) -> None:
        self._refresh_function()
        self._refresh_components()
        self._refresh_depth()

    def _refresh_function(self) -> None:
        trace, document = self.window.document.trace, self.window.document
        leaves = scalar_leaves(trace) if trace is not None else []
        if self.leaf not in leaves:
            self.leaf = leaves[0] if leaves else None
        self.function_plot.set_leaves(leaves, self.leaf)
        one_pass = document.current_pass
        root = one_pass.graph.nodes[one_pass.root] if one_pass is not None else {}
        self.function_plot.output_name = str(root.get("variable") or "y") + " (the pass's output)"
        point = tangent(trace, document.pass_index, self.leaf) if trace and self.leaf else None
        self.function_plot.show_tangent(point, "No input with one number to move along: the plot "
                                        "needs a leaf like x = torch.tensor(2.0, requires_grad=True)")
        if point is None:
            self.curve_key = None
            self.function_plot.show_curve(None)
            return
        self._sample_if_needed(point)

    def _sample_if_needed(self, point: Tangent) -> None:
        """Sample again only when the curve itself changed: code, other inputs, pass or range."""
        if self.window.trusted or self._stopped:
            return  # sampling re-runs the code, and trusted code is never run again
        document = self.window.document
        others = tuple(sorted((k, repr(v)) for k, v in document.overrides.items() if k != point.leaf))
        curve = self.function_plot.curve
        inside = curve is not None and curve.xs and min(curve.xs) <= point.x <= max(curve.xs)
        key = (document.code, others, point.leaf, document.pass_index)
        if key == self.curve_key and inside:
            return
        self.curve_key = key
        if self._cancel is not None:
            self._cancel.set()
        self._cancel = threading.Event()
        overrides = {k: v for k, v in document.overrides.items() if k != point.leaf}
        number = document.current_pass.index if document.current_pass is not None else 0
        future = sampler().submit(_sample, document.code, point.leaf, sample_range(point.x), number,
                                  overrides, self._cancel)
        self._pending.append((key, future))
        self._sampling = True
        self._poll.start()

    def _take_curves(self) -> None:
        """Curves that arrived, shown if still wanted (polled: the sampling thread touches no Qt)."""
        arrived = [(key, future) for key, future in self._pending if future.done()]
        self._pending = [item for item in self._pending if not item[1].done()]
        if not self._pending:
            self._poll.stop()
        for key, future in arrived:
            if not future.cancelled() and future.exception() is None:
                self._on_sampled(key, future.result())

    def _on_sampled(self, key: tuple, curve: Curve) -> None:
        if key == self.curve_key and not self._stopped:
            self._sampling = False
            self.function_plot.show_curve(curve)

    def stop(self) -> None:
        """Stop sampling for good (the window is closing): a job must not outlive it."""
        if self._cancel is not None:
            self._cancel.set()
        self._sampling = False
        self._stopped = True
        self.curve_key = ("stopped",)  # a curve still arriving is for no key: never shown
        self._poll.stop()
        futures.wait([future for _, future in self._pending], timeout=10)  # a cancelled run ends soon
        self._pending = []

    def sampling(self) -> bool:
        """Whether a curve this window asked for is still being sampled."""
        return any(not future.done() for _, future in self._pending)

    def _on_run_busy(self, busy: bool) -> None:
        """A new run goes first: stop sampling (it would compete for the processor) and redo it later."""
        if busy and self._sampling and self._cancel is not None:
            self._cancel.set()
            self._sampling = False
            self.curve_key = None

    def _on_leaf_chosen(self, leaf: str) -> None:
        self.leaf = leaf
        self.curve_key = None
        self._refresh_function()

    def _on_node_selected(self, node: str | None) -> None:
        self.node = node
        self._refresh_components()

    def _refresh_components(self) -> None:
        stepper = self.window.document.stepper
        node = self.node or (stepper.active_node if stepper is not None else None)
        grad = node_gradient(stepper, node) if stepper is not None and node is not None else None
        if grad is None or stepper is None or node is None:
            self.component_label.setText("Select a node (or step) to see the gradient it received.")
            self.components.show_values(None, self.window.theme.grad_small)
            return
        shape = "×".join(str(size) for size in grad.shape) or "scalar"
        largest = float(grad.detach().abs().max()) if grad.numel() else 0.0
        matrix = grad.dim() == 2 and min(grad.shape) > 1
        key = "  (blue negative, red positive)" if matrix else ""
        self.component_label.setText(f"Gradient received by {display_name(stepper.one_pass, node)}: "
                                     f"{shape}, largest |g| = {largest:.4g}{key}")
        values = grad.detach().double().numpy()
        self.components.setLabel("left", "gradient")
        self.components.setLabel("bottom", "column" if matrix else "element")
        if matrix:
            self.components.setLabel("left", "row")
        self.components.show_values(values if values.ndim <= 2 else values.reshape(values.shape[0], -1),
                                    self.window.theme.grad_small)

    def _refresh_depth(self) -> None:
        one_pass = self.window.document.current_pass
        pairs = gradient_by_depth(one_pass) if one_pass is not None else []
        heights = np.array([math.log10(norm) if norm > 0 else np.nan for _, norm in pairs])
        self.depth.show_values(heights if pairs else None, self.window.theme.grad_mid)
        self.depth.setLabel("left", "log₁₀ ‖grad‖")
        self.depth.setLabel("bottom", "depth (edges from the output)")
