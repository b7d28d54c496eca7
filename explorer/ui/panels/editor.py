"""The code editor: monospace, line numbers, Python highlighting, the error marked in place."""

from __future__ import annotations

import keyword
import re

from PySide6.QtCore import QRect, QRegularExpression, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QKeySequence,
    QPainter,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextCursor,
    QTextFormat,
)
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit, QWidget

from explorer.core.errors import ExplorerError
from explorer.core.view.stepper import NodeState
from explorer.ui.window.theme import LIGHT, Theme


def _format(colour: str, bold: bool = False, italic: bool = False) -> QTextCharFormat:
    text_format = QTextCharFormat()
    text_format.setForeground(QColor(colour))
    if bold:
        text_format.setFontWeight(QFont.Weight.Bold)
    text_format.setFontItalic(italic)
    return text_format


class QtPythonHighlighter(QSyntaxHighlighter):
    """Keywords, builtins, numbers, strings and comments, coloured for the current theme."""

    def __init__(self, document, dark: bool = False) -> None:
        super().__init__(document)
        self.set_dark(dark)

    def set_dark(self, dark: bool) -> None:
        colours = {
            "keyword": "#c678dd" if dark else "#8839ef",
            "builtin": "#61afef" if dark else "#1e66f5",
            "number": "#d19a66" if dark else "#d05a00",
            "string": "#98c379" if dark else "#2f8f3a",
            "comment": "#7f848e" if dark else "#7c7f93",
            "torch": "#56b6c2" if dark else "#0f7b8a",
        }
        words = r"\b(" + "|".join(keyword.kwlist) + r")\b"
        self.rules = [
            (QRegularExpression(words), _format(colours["keyword"], bold=True)),
            (QRegularExpression(r"\b(print|range|len|float|int|abs|min|max|sum|list|tuple|zip|"
                                r"enumerate|round|str|bool|sorted|reversed|any|all|ste_round|ste_sign)\b"),
             _format(colours["builtin"])),
            (QRegularExpression(r"\b(torch|F|math)\b"), _format(colours["torch"], bold=True)),
            (QRegularExpression(r"\b[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?\b"), _format(colours["number"])),
            (QRegularExpression(r"(\"[^\"\\n]*\"|'[^'\\n]*')"), _format(colours["string"])),
            (QRegularExpression(r"#[^\n]*"), _format(colours["comment"], italic=True)),
        ]
        self.rehighlight()

    def highlightBlock(self, text: str) -> None:  # noqa: N802 - Qt override
        for expression, text_format in self.rules:
            matches = expression.globalMatch(text)
            while matches.hasNext():
                match = matches.next()
                self.setFormat(match.capturedStart(), match.capturedLength(), text_format)


class _LineNumbers(QWidget):
    def __init__(self, editor: QtCodeEditor) -> None:
        super().__init__(editor)
        self.editor = editor

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(self.editor.line_number_width(), 0)

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        self.editor.paint_line_numbers(event)


class QtCodeEditor(QPlainTextEdit):
    """Ctrl+Enter runs; in live mode a run follows shortly after typing stops."""

    runRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.theme: Theme = LIGHT
        self.error: ExplorerError | None = None
        self.linked: tuple[int, int, int, int] | None = None  # the step's expression, marked
        self.edited_lines: set[int] = set()  # lines of variables whose value was edited
        self.live = False
        self.setObjectName("codeEditor")
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setPointSize(12)
        self.setFont(font)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setTabStopDistance(4 * self.fontMetrics().horizontalAdvance(" "))
        self.highlighter = QtPythonHighlighter(self.document())
        self.numbers = _LineNumbers(self)
        self.blockCountChanged.connect(self._update_margin)
        self.updateRequest.connect(self._update_numbers)
        self.live_timer = QTimer(self, singleShot=True, interval=600)
        self.live_timer.timeout.connect(self.runRequested.emit)
        self.textChanged.connect(self._on_text_changed)
        self._update_margin()

    # ----- appearance -------------------------------------------------------------------

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.highlighter.set_dark(theme.name == "dark")
        self.numbers.update()
        self._mark_error()

    def set_point_size(self, size: int) -> None:
        font = self.font()
        font.setPointSize(size)
        self.setFont(font)
        self.setTabStopDistance(4 * self.fontMetrics().horizontalAdvance(" "))
        self._update_margin()

    def line_number_width(self) -> int:
        digits = len(str(max(1, self.blockCount())))
        return 16 + self.fontMetrics().horizontalAdvance("9") * (max(2, digits) + 2)  # room for ● or ✎

    def paint_line_numbers(self, event) -> None:
        painter = QPainter(self.numbers)
        painter.fillRect(event.rect(), QColor(self.theme.panel))
        block = self.firstVisibleBlock()
        top = round(self.blockBoundingGeometry(block).translated(self.contentOffset()).top())
        height = round(self.blockBoundingRect(block).height())
        while block.isValid() and top <= event.rect().bottom():
            number = block.blockNumber() + 1
            is_error = self.error is not None and number in {
                place.line for place in self.error.every_place()}
            edited = number in self.edited_lines
            painter.setPen(QColor(self.theme.error if is_error else self.theme.stale if edited
                                  else self.theme.muted))
            mark = "● " if is_error else "✎ " if edited else ""
            painter.drawText(0, top, self.numbers.width() - 6, height,
                             Qt.AlignmentFlag.AlignRight, mark + str(number))
            block = block.next()
            top += height

    # ----- errors -----------------------------------------------------------------------

    def show_error(self, error: ExplorerError | None) -> None:
        """Underline the error's place with a squiggle and mark its line number."""
        self.error = error
        self._mark_error()
        self.numbers.update()

    def show_span(self, span: tuple[int, int, int, int] | None, *, select: bool = False) -> None:
        """Mark the expression at ``span`` (line, col, end_line, end_col as ``ast`` counts: the
        columns in UTF-8 bytes) and scroll it into view; ``select`` also selects its text."""
        self.linked = span
        self._mark_error()
        cursor = self.span_cursor(span) if span is not None else None
        if cursor is None:
            return
        if select:
            self.setTextCursor(cursor)
        else:
            self._show_without_moving(cursor)

    def mark_edited(self, lines: set[int]) -> None:
        """Mark the lines whose values the variables panel overrides (the code is not rewritten)."""
        self.edited_lines = set(lines)
        self._mark_error()
        self.numbers.update()

    def span_cursor(self, span: tuple[int, int, int, int]) -> QTextCursor | None:
        """A cursor selecting ``span``, or None when the text no longer has it."""
        start = self._position(span[0], span[1])
        end = self._position(span[2], span[3])
        if start is None or end is None or end < start:
            return None
        cursor = QTextCursor(self.document())
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        return cursor

    def _position(self, line: int, byte_column: int) -> int | None:
        block = self.document().findBlockByNumber(line - 1)
        if not block.isValid():
            return None
        text = block.text().encode("utf-8")[:byte_column].decode("utf-8", errors="ignore")
        return block.position() + min(len(text), max(block.length() - 1, 0))

    def _show_without_moving(self, cursor: QTextCursor) -> None:
        """Scroll so ``cursor`` is on screen, leaving the user's own cursor where it is."""
        keep = self.textCursor()
        blocked = self.blockSignals(True)  # the cursor "moves" only to scroll: no line linking
        self.setTextCursor(cursor)
        self.ensureCursorVisible()
        self.setTextCursor(keep)
        self.blockSignals(blocked)

    def _mark_error(self) -> None:
        selections: list[QTextEdit.ExtraSelection] = []
        selections.extend(self._edited_selections())
        if self.linked is not None:
            selections.extend(self._linked_selections(self.linked))
        for place in self.error.every_place() if self.error is not None else []:
            selections.extend(self._error_selections(place))
        self.setExtraSelections(selections)

    def _linked_selections(self, span: tuple[int, int, int, int]) -> list[QTextEdit.ExtraSelection]:
        cursor = self.span_cursor(span)
        if cursor is None:
            return []
        marked = QTextEdit.ExtraSelection()
        colour = QColor(self.theme.node_fill[NodeState.ACTIVE])  # the running node's own colour
        colour.setAlpha(90)  # a tint: the code's own colours stay readable on it (dark theme too)
        marked.format.setBackground(colour)
        marked.format.setProperty(QTextFormat.Property.OutlinePen, QColor(self.theme.active_outline))
        marked.cursor = cursor
        return [marked]

    def _edited_selections(self) -> list[QTextEdit.ExtraSelection]:
        """A tinted line and a dotted underline where a value the user edited is defined."""
        selections = []
        for line in sorted(self.edited_lines):
            block = self.document().findBlockByNumber(line - 1)
            if not block.isValid():
                continue
            marked = QTextEdit.ExtraSelection()
            colour = QColor(self.theme.stale)
            colour.setAlpha(45)
            marked.format.setBackground(colour)
            marked.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
            marked.format.setToolTip("This value was edited in the Variables panel: the program runs "
                                     "with your value (Edit → Reset edited values puts it back)")
            marked.cursor = QTextCursor(block)
            selections.append(marked)
        return selections

    def _error_selections(self, error: ExplorerError) -> list[QTextEdit.ExtraSelection]:
        """The tinted line and the squiggle under the error's columns."""
        selections = []
        if error.line:
            block = self.document().findBlockByNumber(error.line - 1)
            if block.isValid():
                line_selection = QTextEdit.ExtraSelection()
                background = QColor(self.theme.error)
                background.setAlpha(40)
                line_selection.format.setBackground(background)
                line_selection.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
                line_selection.cursor = QTextCursor(block)
                selections.append(line_selection)
                squiggle = QTextEdit.ExtraSelection()
                squiggle.format.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
                squiggle.format.setUnderlineColor(QColor(self.theme.error))
                cursor = QTextCursor(block)
                start = min(error.col, max(block.length() - 1, 0))
                end_col = error.end_col if error.end_line in (None, error.line) and error.end_col else None
                end = block.length() - 1 if end_col is None or end_col <= start else end_col
                cursor.setPosition(block.position() + start)
                cursor.setPosition(block.position() + max(end, start + 1), QTextCursor.MoveMode.KeepAnchor)
                squiggle.cursor = cursor
                selections.append(squiggle)
        return selections

    # ----- behaviour --------------------------------------------------------------------

    def set_live(self, live: bool) -> None:
        self.live = live
        if not live:
            self.live_timer.stop()

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt override
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and (
                event.modifiers() & Qt.KeyboardModifier.ControlModifier):
            self.runRequested.emit()
            return
        if event.key() == Qt.Key.Key_Tab and not event.modifiers():
            self.insertPlainText("    ")
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            leading = re.match(r"[ \t]*", self.textCursor().block().text())
            indent = leading.group(0) if leading is not None else ""
            if self.textCursor().block().text().rstrip().endswith(":"):
                indent += "    "
            super().keyPressEvent(event)
            self.insertPlainText(indent)
            return
        super().keyPressEvent(event)

    def _on_text_changed(self) -> None:
        if self.live:
            self.live_timer.start()

    def _update_margin(self, *_args: object) -> None:
        self.setViewportMargins(self.line_number_width(), 0, 0, 0)

    def _update_numbers(self, rect: QRect, dy: int) -> None:
        if dy:
            self.numbers.scroll(0, dy)
        else:
            self.numbers.update(0, rect.y(), self.numbers.width(), rect.height())

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        area = self.contentsRect()
        self.numbers.setGeometry(QRect(area.left(), area.top(), self.line_number_width(), area.height()))


RUN_SHORTCUT = QKeySequence("Ctrl+Return")
