"""Gradient diagnostics in the window: a findings dock, parameter norm bars, magnitude colouring.

``install(window)`` adds the dock, a View action "Colour by gradient magnitude" and a Step
action "Jump to first NaN/Inf"; everything shown is computed by ``explorer.core.view.diagnostics``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QAction, QBrush, QColor, QLinearGradient, QPainter, QPen
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from explorer.core.capture.trace import Pass
from explorer.core.view.diagnostics import (
    EXPLODING,
    VANISHING,
    Finding,
    ParameterNorm,
    diagnose,
    first_non_finite,
    forward_non_finite,
    gradient_magnitudes,
    parameter_norms,
)
from explorer.core.view.stepper import StepMove

if TYPE_CHECKING:
    from explorer.ui.window.facade import WindowFacade

# Blue (tiny) -> green -> yellow -> red (huge): readable on light and dark backgrounds.
MAGNITUDE_STOPS = ((0.0, "#3b4cc0"), (0.35, "#2ca25f"), (0.7, "#fdb42f"), (1.0, "#d7301f"))
NON_FINITE_COLOUR = "#c51b8a"
STATUS_COLOURS = {"ok": "#2ca25f", "vanishing": "#3b4cc0", "exploding": "#d7301f",
                  "non-finite": NON_FINITE_COLOUR, "forward_non_finite": NON_FINITE_COLOUR,
                  "by_design": "#2ca25f"}
NON_FINITE_KINDS = ("forward_non_finite", "non_finite")
_FLOOR = -12.0  # log10 of the smallest norm the bar chart draws


def magnitude_colour(fraction: float) -> QColor:
    """The colour at ``fraction`` (0..1) of the magnitude scale."""
    fraction = min(max(fraction, 0.0), 1.0)
    for (start, low), (end, high) in zip(MAGNITUDE_STOPS, MAGNITUDE_STOPS[1:]):
        if fraction <= end:
            t = (fraction - start) / (end - start)
            a, b = QColor(low), QColor(high)
            return QColor.fromRgbF(a.redF() + t * (b.redF() - a.redF()),
                                   a.greenF() + t * (b.greenF() - a.greenF()),
                                   a.blueF() + t * (b.blueF() - a.blueF()))
    return QColor(MAGNITUDE_STOPS[-1][1])


def log_range(magnitudes: dict[str, float]) -> tuple[float, float]:
    """log10 of the smallest and largest finite non-zero magnitude (a unit range at least)."""
    logs = [math.log10(value) for value in magnitudes.values() if math.isfinite(value) and value > 0]
    if not logs:
        return 0.0, 1.0
    low, high = math.floor(min(logs)), math.ceil(max(logs))
    return (low, high) if high > low else (low, low + 1)


class QtMagnitudeOverlay(pg.GraphicsObject):
    """Frames every node that has run in the colour of the gradient it received (log scale)."""

    def __init__(self) -> None:
        super().__init__()
        self.rects: dict[str, QRectF] = {}
        self.magnitudes: dict[str, float] = {}
        self.range = (0.0, 1.0)
        self.setZValue(10)

    def set_content(self, rects: dict[str, QRectF], magnitudes: dict[str, float],
                    value_range: tuple[float, float]) -> None:
        self.prepareGeometryChange()
        self.rects, self.magnitudes, self.range = rects, magnitudes, value_range
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt override
        bounds = QRectF()
        for rect in self.rects.values():
            bounds = bounds.united(rect)
        return bounds.adjusted(-8, -8, 8, 8)

    def paint(self, painter: QPainter, *args: object) -> None:
        low, high = self.range
        for node, value in self.magnitudes.items():
            rect = self.rects.get(node)
            if rect is None:
                continue
            colour = self._colour(value, low, high)
            tint = QColor(colour)
            tint.setAlpha(70)
            painter.setBrush(QBrush(tint))
            painter.setPen(QPen(colour, 6))
            painter.drawRoundedRect(rect.adjusted(-3, -3, 3, 3), 9, 9)

    @staticmethod
    def _colour(value: float, low: float, high: float) -> QColor:
        if not math.isfinite(value):
            return QColor(NON_FINITE_COLOUR)
        if value <= 0:
            return QColor("#9e9e9e")
        return magnitude_colour((math.log10(value) - low) / (high - low))


class QtMagnitudeLegend(QWidget):
    """A log-scale colour bar: 10^low .. 10^high, plus the NaN/Inf and zero colours."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("magnitudeLegend")
        self.range = (0.0, 1.0)
        self.setMinimumHeight(34)
        self.hide()

    def set_range(self, value_range: tuple[float, float]) -> None:
        self.range = value_range
        self.update()

    def paintEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        bar = QRectF(150, 6, max(self.width() - 330, 80), 12)
        gradient = QLinearGradient(bar.topLeft(), bar.topRight())
        for stop, colour in MAGNITUDE_STOPS:
            gradient.setColorAt(stop, QColor(colour))
        painter.fillRect(bar, gradient)
        painter.setPen(self.palette().windowText().color())
        painter.drawText(QRectF(4, 0, 144, 24), Qt.AlignmentFlag.AlignVCenter,
                         "gradient norm (log):")
        low, high = self.range
        for exponent in range(int(low), int(high) + 1):
            x = bar.left() + (exponent - low) / (high - low) * bar.width()
            painter.drawLine(int(x), int(bar.bottom()), int(x), int(bar.bottom()) + 3)
            painter.drawText(QRectF(x - 30, bar.bottom() + 2, 60, 14),
                             Qt.AlignmentFlag.AlignHCenter, f"1e{exponent}")
        right = bar.right() + 12
        for colour, text in ((NON_FINITE_COLOUR, "NaN/Inf"), ("#9e9e9e", "zero")):
            painter.fillRect(QRectF(right, 6, 12, 12), QColor(colour))
            painter.drawText(QRectF(right + 16, 0, 70, 24), Qt.AlignmentFlag.AlignVCenter, text)
            right += 86
        painter.end()


class QtNormChart(pg.PlotWidget):
    """Horizontal bars: log10 of each parameter's gradient norm, with the two thresholds."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, background=None)
        self.setObjectName("normChart")
        self.setMinimumHeight(160)
        self.getPlotItem().setLabel("bottom", "log10 gradient norm")
        self.getPlotItem().getViewBox().invertY(True)
        self.norms: list[ParameterNorm] = []

    def show_norms(self, norms: list[ParameterNorm]) -> None:
        self.norms = norms
        plot = self.getPlotItem()
        plot.clear()
        if not norms:
            return
        logs = np.array([_clamped_log(item.norm) for item in norms])
        brushes = [pg.mkBrush(_translucent(STATUS_COLOURS[item.status])) for item in norms]
        plot.addItem(pg.BarGraphItem(x0=np.full(len(norms), _FLOOR), y=np.arange(len(norms)),
                                     width=logs - _FLOOR, height=0.8, brushes=brushes, pen=None))
        for threshold in (VANISHING, EXPLODING):
            plot.addItem(pg.InfiniteLine(math.log10(threshold), angle=90,
                                         pen=pg.mkPen("#888", style=Qt.PenStyle.DashLine)))
        # names written on the bars: long parameter paths would squeeze an axis to nothing
        plot.hideAxis("left")
        colour = self.palette().windowText().color()
        for index, item in enumerate(norms):
            label = pg.TextItem(f"{item.name}  {item.norm:.2g}", color=colour, anchor=(0, 0.5))
            label.setPos(_FLOOR, index)
            plot.addItem(label)
        plot.setXRange(_FLOOR, max(math.log10(EXPLODING) + 1, float(logs.max()) + 0.5))
        plot.setYRange(-0.6, len(norms) - 0.4)


def _translucent(colour: str) -> QColor:
    tinted = QColor(colour)
    tinted.setAlpha(140)
    return tinted


def _clamped_log(norm: float) -> float:
    if not math.isfinite(norm):
        return 6.0  # drawn past the exploding line, in the non-finite colour
    return max(math.log10(norm), _FLOOR) if norm > 0 else _FLOOR


class QtDiagnosticsPanel(QWidget):
    """Findings (click one to go to it), a button for the first NaN, and the norm bars."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.findings_list = QListWidget()
        self.findings_list.setObjectName("findings")
        self.findings_list.setWordWrap(True)
        self.first_nan_button = QPushButton("Jump to first NaN/Inf")
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        self.chart = QtNormChart()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.summary)
        layout.addWidget(self.findings_list, 1)
        layout.addWidget(self.first_nan_button)
        layout.addWidget(QLabel("Parameter gradient norms (this pass)"))
        layout.addWidget(self.chart, 2)

    def show_findings(self, findings: list[Finding]) -> None:
        self.findings_list.clear()
        for finding in findings:
            item = QListWidgetItem(finding.message)
            item.setToolTip(finding.message)
            item.setData(Qt.ItemDataRole.UserRole, finding)
            item.setForeground(QColor(STATUS_COLOURS.get(finding.kind, "#d7301f")))
            self.findings_list.addItem(item)
        problems = [finding for finding in findings if finding.kind != "by_design"]
        notes = len(findings) - len(problems)
        said = f"{len(problems)} finding{'s' if len(problems) != 1 else ''}" if problems else \
            "No problems found in the recorded passes."
        self.summary.setText(said + (f" ({notes} expected by design)" if notes else ""))


class DiagnosticsController:
    """Keeps the diagnostics dock, the overlay and the legend in step with the document."""

    def __init__(self, window: WindowFacade) -> None:
        self.window = window
        self.panel = QtDiagnosticsPanel()
        self.overlay = QtMagnitudeOverlay()
        self.legend = QtMagnitudeLegend(window.canvas)
        window.canvas.view_box.addItem(self.overlay)
        canvas_layout = window.canvas.layout()
        if canvas_layout is not None:  # under the graph, above the canvas's own legend strip
            canvas_layout.addWidget(self.legend)
        self.colour_action = QAction("Colour by gradient &magnitude", window.widget)
        self.colour_action.setCheckable(True)
        self.colour_action.setStatusTip("Frame each node that has run in the colour of its "
                                        "gradient's norm, on a log scale")
        self.colour_action.toggled.connect(self._on_colour_toggled)
        self.first_nan_action = QAction("Jump to first &NaN/Inf", window.widget)
        self.first_nan_action.triggered.connect(self.jump_to_first_non_finite)
        self.panel.first_nan_button.clicked.connect(self.jump_to_first_non_finite)
        self.panel.findings_list.itemActivated.connect(self._on_finding_activated)
        self.panel.findings_list.itemClicked.connect(self._on_finding_activated)
        window.document.trace_changed.connect(self._on_trace_changed)
        window.document.step_changed.connect(self._update_overlay)
        self.dock = window.add_dock("Diagnostics", "diagnosticsDock", self.panel,
                                    Qt.DockWidgetArea.RightDockWidgetArea, tab_with=window.inspector_dock)
        view_menu = window.menu("&View")
        view_menu.addSeparator()
        view_menu.addAction(self.colour_action)
        window.menu("&Step").addAction(self.first_nan_action)

    def _on_trace_changed(self) -> None:
        trace = self.window.document.trace
        findings = diagnose(trace) if trace is not None else []
        self.panel.show_findings(findings)
        one_pass = self.window.document.current_pass
        self.panel.chart.show_norms(parameter_norms(one_pass) if one_pass is not None else [])
        self.panel.first_nan_button.setEnabled(any(f.kind in NON_FINITE_KINDS for f in findings))
        self._update_overlay()

    def _pass_magnitudes(self, one_pass: Pass) -> dict[str, float]:
        return one_pass.cached("gradient_magnitudes", lambda: gradient_magnitudes(one_pass))

    def _update_overlay(self) -> None:
        document, geometry = self.window.document, self.window.controller.geometry
        enabled = self.colour_action.isChecked()
        self.legend.setVisible(enabled)
        if not enabled or document.stepper is None or geometry is None:
            self.overlay.set_content({}, {}, (0.0, 1.0))
            return
        everything = self._pass_magnitudes(document.stepper.one_pass)
        ran = {step.node for step in document.stepper.one_pass.steps[:document.stepper.position]}
        shown = {node: value for node, value in everything.items() if node in ran}
        value_range = log_range(everything)  # the whole pass: colours do not shift while stepping
        rects = {node: geometry.rect(node) for node in shown if node in geometry.centres}
        self.overlay.set_content(rects, shown, value_range)
        self.legend.set_range(value_range)

    def _on_colour_toggled(self, _checked: bool) -> None:
        self._update_overlay()

    def jump_to_first_non_finite(self) -> Finding | None:
        """Go to the first node whose forward result, or else whose gradient, held NaN/Inf."""
        trace = self.window.document.trace
        for one_pass in trace.passes if trace is not None else []:
            found = forward_non_finite(one_pass) or first_non_finite(one_pass)
            if found is not None:
                self.go_to(found)
                self.window.show_status(found.message)
                return found
        self.window.show_status("No NaN or Inf gradient in the recorded passes")
        return None

    def go_to(self, finding: Finding) -> None:
        """Show a finding's pass, step and node."""
        document = self.window.document
        trace = document.trace
        # a finding names its pass by number; a loop's trace keeps only some passes in full
        position = trace.position_of(finding.pass_index) if trace and finding.pass_index is not None else None
        if position is not None and position != document.pass_index:
            document.select_pass(position)
        if finding.position is not None:
            document.step(StepMove.JUMP, finding.position)
        if finding.node is not None:
            document.select(finding.node)  # as a click on the node would
            self.window.canvas.centre_on(finding.node)

    def _on_finding_activated(self, item: QListWidgetItem) -> None:
        finding = item.data(Qt.ItemDataRole.UserRole)
        if isinstance(finding, Finding):
            self.go_to(finding)
