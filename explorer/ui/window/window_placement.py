"""The window's place on screen, remembered as numbers and restored inside a screen that exists.

Qt's saveGeometry blob keeps the frame but not which screen it was on by name; this keeps the
screen's name, the normal (not maximized) frame and the maximized flag, and places the window
with :func:`explorer.desktop.screens.place_window`.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QSettings, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

from explorer.desktop.screens import Rect, Screen, cascade, place_window

KEY = "placement"  # settings group: screen, frame (x, y, width, height), margins, maximized


def current_screens() -> list[Screen]:
    """Every screen, the primary first."""
    primary = QGuiApplication.primaryScreen()
    screens = [primary, *(s for s in QGuiApplication.screens() if s is not primary)]
    return [Screen(s.name(), _rect(s.availableGeometry())) for s in screens if s is not None]


def remember(window: QWidget, settings: QSettings) -> None:
    """Save the window's screen, frame and maximized state (called as it closes)."""
    normal, frame, inner = window.normalGeometry(), window.frameGeometry(), window.geometry()
    margins = [inner.left() - frame.left(), inner.top() - frame.top(),
               frame.right() - inner.right(), frame.bottom() - inner.bottom()]
    screen = window.screen()
    settings.setValue(f"{KEY}/screen", screen.name() if screen is not None else "")
    settings.setValue(f"{KEY}/frame", [normal.x() - margins[0], normal.y() - margins[1],
                                       normal.width() + margins[0] + margins[2],
                                       normal.height() + margins[1] + margins[3]])
    settings.setValue(f"{KEY}/margins", margins)
    settings.setValue(f"{KEY}/maximized", window.isMaximized())


def restore(window: QWidget, settings: QSettings) -> bool:
    """Put the window where it was (clamped to a screen that exists); False if nothing was saved."""
    frame, margins = _numbers(settings.value(f"{KEY}/frame"), 4), _numbers(settings.value(f"{KEY}/margins"), 4)
    screens = current_screens()
    if frame is None or not screens:
        return False
    margins = margins or [0, 0, 0, 0]
    placed, _ = place_window(Rect(*frame), str(settings.value(f"{KEY}/screen", "")), screens)
    _set_frame(window, placed, margins)
    if str(settings.value(f"{KEY}/maximized", "false")).lower() == "true":
        window.setWindowState(window.windowState() | Qt.WindowState.WindowMaximized)
    return True


def cascade_from(window: QWidget, other: QWidget) -> None:
    """Place a new ``window`` down and right of ``other``, on ``other``'s screen."""
    screen = other.screen() or QGuiApplication.primaryScreen()
    frame, inner = other.frameGeometry(), other.geometry()
    margins = [inner.left() - frame.left(), inner.top() - frame.top(),
               frame.right() - inner.right(), frame.bottom() - inner.bottom()]
    moved = cascade(_rect(frame), _rect(screen.availableGeometry()))
    _set_frame(window, moved, margins)


def _set_frame(window: QWidget, frame: Rect, margins: list[int]) -> None:
    """Put the frame's corner at ``frame`` (move() places the frame: the title bar stays on
    screen) and size the inside to what is left of ``frame`` without the frame's margins."""
    left, top, right, bottom = margins
    window.move(frame.x, frame.y)
    window.resize(max(1, frame.width - left - right), max(1, frame.height - top - bottom))


def _rect(rect: QRect) -> Rect:
    return Rect(rect.x(), rect.y(), rect.width(), rect.height())


def _numbers(value: object, count: int) -> list[int] | None:
    """``count`` integers from a settings value (a list, or strings from an INI file)."""
    if not isinstance(value, (list, tuple)) or len(value) != count:
        return None
    try:
        return [int(item) for item in value]
    except (TypeError, ValueError):
        return None
