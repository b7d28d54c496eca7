"""The output console: what print wrote, torch's warnings, and errors with their line."""

from __future__ import annotations

import html

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QTextEdit, QWidget

from explorer.core.capture.trace import Trace
from explorer.core.errors import ExplorerError
from explorer.ui.window.theme import LIGHT, Theme


class QtConsole(QTextEdit):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("console")
        self.setReadOnly(True)
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.theme: Theme = LIGHT

    def show_run(self, trace: Trace, stale: bool) -> None:
        parts = []
        if trace.stdout:
            parts.append(f"<pre style='margin:0'>{html.escape(trace.stdout)}</pre>")
        for warning in trace.warnings:
            parts.append(f"<p style='color:{self.theme.stale}; margin:0'>{html.escape(warning)}</p>")
        if trace.error is not None:
            parts.extend(self._error_html(place) for place in trace.error.every_place())
            if stale:
                parts.append(f"<p style='color:{self.theme.muted}; margin:0'>The graph shows the "
                             "last program that ran.</p>")
        if not parts:
            parts.append(f"<p style='color:{self.theme.muted}; margin:0'>(no output)</p>")
        self.setHtml("".join(parts))

    def _error_html(self, error: ExplorerError) -> str:
        where = f"line {error.line}, col {error.col}: " if error.line else ""
        advice = (f"<br><span style='color:{self.theme.muted}'>{html.escape(error.advice)}</span>"
                  if error.advice else "")
        return (f"<p style='color:{self.theme.error}; margin:0'><b>{html.escape(where)}"
                f"{html.escape(error.message)}</b>{advice}</p>")
