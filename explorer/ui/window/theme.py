"""Light, dark and projector themes: the colours every view draws with, given to Qt's widgets."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

# the colours live in the core, Qt-free, so the web page draws with the very same ones
from explorer.core.view.themes import DARK, LIGHT, PROJECTOR, THEMES, Theme

__all__ = ["DARK", "LIGHT", "PROJECTOR", "THEMES", "Theme", "apply_palette"]


def apply_palette(app: QApplication, theme: Theme) -> None:
    """Give Qt's own widgets the theme's colours (Fusion style draws them consistently)."""
    app.setStyle("Fusion")
    palette = QPalette()
    base = QColor(theme.panel)
    window = QColor(theme.background)
    text = QColor(theme.foreground)
    for role, colour in (
        (QPalette.ColorRole.Window, window), (QPalette.ColorRole.WindowText, text),
        (QPalette.ColorRole.Base, base), (QPalette.ColorRole.AlternateBase, window),
        (QPalette.ColorRole.Text, text), (QPalette.ColorRole.Button, base),
        (QPalette.ColorRole.ButtonText, text), (QPalette.ColorRole.ToolTipBase, base),
        (QPalette.ColorRole.ToolTipText, text), (QPalette.ColorRole.PlaceholderText, QColor(theme.muted)),
        (QPalette.ColorRole.Highlight, QColor(theme.root_outline)),
        (QPalette.ColorRole.HighlightedText, QColor("#ffffff")),
    ):
        palette.setColor(role, colour)
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor(theme.muted))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor(theme.muted))
    app.setPalette(palette)
