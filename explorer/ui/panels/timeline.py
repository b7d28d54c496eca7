"""The pass timeline: every backward pass's loss, to pick one and step through it.

A training loop makes thousands of passes and only some are recorded in full (the first, the
last and the ones picked: ``explorer.core.capture.passes``). The timeline draws the loss of every pass
(from the trace's summaries), marks the passes kept in full and the one shown. Clicking a pass,
or typing its number, shows it: at once when it was kept, else the program runs again (in the
worker, as every run does: the window stays free) recording that pass too, and then shows it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from explorer.core.capture.passes import Timeline, timeline_of
from explorer.core.capture.trace import Trace
from explorer.ui.window.theme import Theme

if TYPE_CHECKING:
    from explorer.ui.window.facade import WindowFacade

_LOG_SPAN = 100.0  # values spanning more than this factor are drawn on a log scale


class QtPassTimeline(QWidget):
    """Draws a :class:`Timeline`; emits the pass (from 0) the user picks."""

    passPicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.timeline = Timeline((), (), "loss", ())
        self.caption = QLabel("")
        self.caption.setObjectName("timelineCaption")
        self.caption.setWordWrap(True)  # else its one long line widens the whole dock area
        self.number = QSpinBox()
        self.number.setObjectName("timelinePass")
        self.number.setToolTip("A pass to show, counted from 1")
        self.number.setMinimum(1)
        self.show_button = QPushButton("Show")
        self.show_button.setToolTip("Show this pass (a pass not kept is recorded by running again)")
        self.show_button.clicked.connect(lambda: self.passPicked.emit(self.number.value() - 1))
        self.plot = pg.PlotWidget()
        self.plot.setObjectName("timelinePlot")
        self.plot.showGrid(x=True, y=True, alpha=0.25)
        self.plot.setLabel("bottom", "pass")
        self.plot.setMouseEnabled(x=True, y=False)
        self.curve = self.plot.plot([], [], pen=pg.mkPen("#1c7ed6", width=2))
        self.kept_item = pg.ScatterPlotItem(size=8, brush=pg.mkBrush("#2ca25f"), pen=None)
        self.kept_item.setToolTip("recorded in full")
        self.plot.addItem(self.kept_item)
        self.current = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen("#7048e8", width=2))
        self.plot.addItem(self.current)
        self.plot.scene().sigMouseClicked.connect(self._on_clicked)
        top = QHBoxLayout()
        top.addWidget(self.caption, 1)
        top.addWidget(QLabel("pass"))
        top.addWidget(self.number)
        top.addWidget(self.show_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.plot, 1)

    def set_theme(self, theme: Theme) -> None:
        self.plot.setBackground(theme.background)
        for axis in ("left", "bottom"):
            self.plot.getAxis(axis).setPen(pg.mkPen(theme.foreground))
            self.plot.getAxis(axis).setTextPen(pg.mkPen(theme.foreground))
        self.curve.setPen(pg.mkPen(theme.grad_small, width=2))
        self.current.setPen(pg.mkPen(theme.root_outline, width=2))

    def show_timeline(self, timeline: Timeline, shown: int | None) -> None:
        """Draw ``timeline``; ``shown`` is the pass on screen (from 0), if any."""
        self.timeline = timeline
        xs = np.array(timeline.numbers, dtype=float)
        ys = np.array(timeline.values, dtype=float)
        log = _log_scale(ys)
        self.plot.setLogMode(x=False, y=log)
        self.curve.setData(xs, ys, connect="finite")
        kept = [(number, value) for number, value in zip(timeline.numbers, timeline.values)
                if number in set(timeline.kept)]
        self.kept_item.setData([x for x, _ in kept], [np.log10(y) if log else y for _, y in kept])
        self.plot.setLabel("left", timeline.measure + (" (log scale)" if log else ""))
        self.current.setVisible(shown is not None)
        if shown is not None:
            self.current.setValue(shown + 1)
        count = len(timeline.numbers)
        self.number.setMaximum(max(count, 1))
        self.number.setEnabled(count > 0)
        self.show_button.setEnabled(count > 0)
        if shown is not None:
            self.number.setValue(shown + 1)
        self.caption.setText(_caption(timeline, shown))
        self.plot.enableAutoRange()

    def _on_clicked(self, event: Any) -> None:  # pyqtgraph's MouseClickEvent
        if getattr(event, "button", lambda: None)() != Qt.MouseButton.LeftButton:
            return
        position = self.plot.plotItem.vb.mapSceneToView(event.scenePos())
        picked = self.timeline.nearest(position.x())
        if picked is not None:
            self.passPicked.emit(picked)


def _log_scale(values: np.ndarray) -> bool:
    finite = values[np.isfinite(values)]
    return bool(finite.size and (finite > 0).all() and finite.max() / finite.min() > _LOG_SPAN)


def _caption(timeline: Timeline, shown: int | None) -> str:
    count = len(timeline.numbers)
    if count == 0:
        return "No backward pass yet."
    kept = len(timeline.kept)
    where = f"showing pass {shown + 1}. " if shown is not None else ""
    if kept == count:
        return f"{count} pass{'es' if count != 1 else ''}, all recorded in full: {where}click one to show it."
    return (f"{count} passes, {kept} recorded in full (green): {where}click any pass to show it "
            "(one not kept is recorded by running again).")


class PassTimeline:
    """The "Passes" dock (tabbed with the output), in step with the document; a pick shows the
    pass or runs the program again to record it."""

    def __init__(self, window: WindowFacade) -> None:
        self.window = window
        self.view = QtPassTimeline()
        self.dock = window.add_output_tab("Passes", "passesDock", self.view)
        self.raised = False  # brought forward once, for the first loop: then the user chooses
        self.view.passPicked.connect(self.pick)
        window.document.trace_changed.connect(self.refresh)
        window.document.appearance_changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        document = self.window.document
        trace = document.trace
        current = document.current_pass
        self.view.set_theme(self.window.theme)
        self.view.show_timeline(timeline_of(trace) if trace is not None else Timeline((), (), "loss", ()),
                                current.index if current is not None else None)
        if trace is not None and _is_loop(trace) and not self.raised:
            self.raised = True
            self.dock.show()
            self.dock.raise_()

    def pick(self, number: int) -> None:
        """Show pass ``number`` (from 0); one not kept is recorded by running the program again."""
        document = self.window.document
        if document.pick_pass(number):
            return
        if self.window.trusted:
            self.window.show_status(f"Pass {number + 1} was not recorded, and your own script "
                                       "is not run again from here")
            return
        self.window.run_code(pass_number=number)
        self.window.show_status(f"Running again to record pass {number + 1} in full…")


def _is_loop(trace: Trace) -> bool:
    return trace.pass_count > len(trace.passes)
