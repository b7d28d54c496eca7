"""The narration panel: the current step told in plain words, and the lesson it belongs to."""

from __future__ import annotations

import functools
import html
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextOption
from PySide6.QtWidgets import QTextBrowser, QWidget

from explorer.core.view.narration import Narration, narrate
from explorer.core.view.stepper import Stepper
from explorer.core.view.tensor_view import tensor_html
from explorer.examples import Example, all_examples
from explorer.ui.window.theme import LIGHT, Theme

if TYPE_CHECKING:
    from explorer.ui.window.facade import WindowFacade

BASE_POINT_SIZE = 11.0
FORWARD_PREFIX = "In the forward pass"


def lesson_for_code(code: str) -> Example | None:
    """The bundled lesson whose program is exactly ``code`` (an edited program is no lesson)."""
    return _lessons_by_source().get(code.strip())


@functools.cache
def _lessons_by_source() -> dict[str, Example]:
    """Read once: every value edit re-runs the program and asks again."""
    return {item.source().strip(): item for item in all_examples()}


def narration_html(narration: Narration | None, lesson: Example | None, theme: Theme,
                   point_size: float, *, compact: bool = False, values: str = "") -> str:
    """The panel's content: the lesson box (if any), then the step's title and paragraphs.

    ``compact`` (presentation mode) names the lesson without its explanation and leaves out
    what the forward pass computed, so big text still fits on one screen.
    """
    parts = [f"<body style='color:{theme.foreground}; font-size:{point_size:.1f}pt'>"]
    if lesson is not None and compact:
        parts.append(f"<p style='color:{theme.muted}'>{html.escape(lesson.title)}</p>")
    elif lesson is not None:
        parts.append(
            f"<table width='100%' cellpadding='8' style='background:{theme.panel}; "
            f"border:1px solid {theme.border}'><tr><td>"
            f"<b>{html.escape(lesson.title)}</b><br>{html.escape(lesson.explanation)}</td></tr></table>")
    if narration is None:
        parts.append(f"<p style='color:{theme.muted}'>Run a program with a backward pass to "
                     "hear each step explained.</p>")
    else:
        parts.append(f"<p style='font-size:{point_size * 1.25:.1f}pt'><b>"
                     f"{html.escape(narration.title)}</b></p>")
        parts.extend(_paragraph(text, theme) for text in narration.paragraphs
                     if not (compact and text.startswith(FORWARD_PREFIX)))
        if values and not compact:
            parts.append(values)
    parts.append("</body>")
    return "".join(parts)


def step_values_html(stepper: Stepper | None, theme: Theme) -> str:
    """The tensors of the step just run, as matrices or heat maps: what the words above sum up
    as a shape and a norm (nothing when every one is a single number, already in the words)."""
    if stepper is None or stepper.position == 0:
        return ""
    step = stepper.one_pass.steps[stepper.position - 1]
    if all(grad is None or grad.numel() == 1 for grad in step.grad_outputs + step.grad_inputs):
        return ""
    rows = [("received", grad) for grad in step.grad_outputs]
    rows += [(f"sent to input {slot}" if len(step.grad_inputs) > 1 else "sent on", grad)
             for slot, grad in enumerate(step.grad_inputs)]
    return "".join(f"<p><span style='color:{theme.muted}'>{label}</span><br>"
                   f"{tensor_html(grad, muted=theme.muted)}</p>" for label, grad in rows if grad is not None)


def _paragraph(text: str, theme: Theme) -> str:
    escaped = html.escape(text)
    if text.startswith("grad_"):  # the arithmetic lines: the heart of the step
        return f"<p style='font-family:DejaVu Sans Mono, monospace; color:{theme.foreground}'>{escaped}</p>"
    return f"<p>{escaped}</p>"


class QtNarrationPanel(QTextBrowser):
    """Shows the narration of the document's current step; redrawn on every step change."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("narrationPanel")
        self.setOpenLinks(False)
        self.theme: Theme = LIGHT
        self.scale = 1.0
        self.narration: Narration | None = None
        self.lesson: Example | None = None
        self.values = ""
        self.compact = False
        # At 300% a long formula must still wrap inside the panel, never run off its edge.
        self.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        # (a wide matrix of values, which cannot wrap, scrolls instead)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)

    def show_narration(self, narration: Narration | None, lesson: Example | None, values: str = "") -> None:
        self.narration, self.lesson, self.values = narration, lesson, values
        self._redraw()

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.setStyleSheet(f"QTextBrowser {{ background: {theme.background}; border: none; }}")
        self._redraw()

    def set_scale(self, scale: float, *, compact: bool | None = None) -> None:
        self.scale = scale
        if compact is not None:
            self.compact = compact
        self._redraw()

    def _redraw(self) -> None:
        self.setHtml(narration_html(self.narration, self.lesson, self.theme,
                                    BASE_POINT_SIZE * self.scale, compact=self.compact, values=self.values))
        self.document().setDocumentMargin(6 + 8 * self.scale)  # text never touches the edges


class NarrationController:
    """Feeds the panel from the window's document: step changes, trace changes, theme."""

    def __init__(self, window: WindowFacade) -> None:
        self.window = window
        self.panel = QtNarrationPanel()
        self.lesson: Example | None = None
        # under the graph, beside the output: long lines read well there
        self.dock = window.add_dock("Narration", "narrationDock", self.panel,
                                    Qt.DockWidgetArea.BottomDockWidgetArea)
        qt_window = window.widget
        qt_window.splitDockWidget(window.console_dock, self.dock, Qt.Orientation.Horizontal)
        qt_window.resizeDocks([window.console_dock, self.dock], [2, 3], Qt.Orientation.Horizontal)
        window.document.trace_changed.connect(self._on_trace_changed)
        window.document.step_changed.connect(self.refresh)
        window.document.appearance_changed.connect(self.refresh)  # the new theme's colours

    def _on_trace_changed(self) -> None:
        document = self.window.document
        # With edited values the lesson's stated numbers no longer hold: leave its box out.
        self.lesson = None if document.overrides else lesson_for_code(document.code)
        self.refresh()

    def refresh(self) -> None:
        document = self.window.document
        one_pass, stepper = document.current_pass, document.stepper
        narration = narrate(one_pass, stepper) if one_pass is not None and stepper is not None else None
        if self.panel.theme is not self.window.theme:
            self.panel.set_theme(self.window.theme)
        self.panel.show_narration(narration, self.lesson, step_values_html(stepper, self.window.theme))
