"""Presentation mode: full screen, graph and narration only, big fonts, clicker-friendly keys.

Presentation clickers send Right/Left, PageDown/PageUp or Space; B blanks the screen (as in
slide software) and Escape leaves. The mode's own key actions are enabled only while it is on,
and the step bar (whose Right/Left/Space would clash) is hidden then, so no key is ever claimed
by two enabled actions at once: Qt would ignore both.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QEvent, QObject, Qt
from PySide6.QtGui import QAction, QColor, QKeySequence, QPainter, QPaintEvent
from PySide6.QtWidgets import QToolBar, QWidget

from explorer.core.view.stepper import StepMove
from explorer.ui.actions import make_action
from explorer.ui.canvas.canvas import READABLE_PIXELS
from explorer.ui.window.theme import THEMES

if TYPE_CHECKING:
    from explorer.ui.classroom.gallery import Gallery
    from explorer.ui.panels.narration import NarrationController
    from explorer.ui.window.facade import WindowFacade

MIN_SCALE, MAX_SCALE = 1.0, 3.0
SCALE_STEP = 0.25
DEFAULT_SCALE = 2.0
CANVAS_SCALE_LIMIT = 1.25
NARRATION_SHARE = 0.38  # of the screen's width
DEFAULT_THEME = "projector"
SCALE_KEY = "presentation/fontScale"
THEME_KEY = "presentation/theme"
BLANK_COLOUR = "#000000"


@dataclass
class _Saved:
    """What presentation mode changed, to put back when it ends."""

    state: QByteArray
    theme: str
    font_scale: float
    maximized: bool
    visible: list[QWidget]
    play_shortcut: QKeySequence


class QtBlank(QWidget):
    """A plain screen over everything, for when the class should look at the teacher."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("presentationBlank")
        self.hide()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        QPainter(self).fillRect(self.rect(), QColor(BLANK_COLOUR))

    def cover(self, on: bool) -> None:
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())
        self.setVisible(on)
        if on:
            self.raise_()


class Presentation:
    """Turns the window into a presentation and back; scale and theme are remembered."""

    def __init__(self, window: WindowFacade, narration: NarrationController, gallery: Gallery) -> None:
        self.window = window
        self.narration = narration
        self.gallery = gallery
        self.active = False
        self._saved: _Saved | None = None
        self._saved_geometry = window.widget.geometry()
        self.scale = _clamp(float(str(window.settings.value(SCALE_KEY, DEFAULT_SCALE))))
        self.theme_name = str(window.settings.value(THEME_KEY, DEFAULT_THEME))
        if self.theme_name not in THEMES:
            self.theme_name = DEFAULT_THEME
        self.blank = QtBlank(window.widget)
        self.toggle_action = self._action("&Presentation", "F11", self.toggle, enabled=True)
        self.toggle_action.setCheckable(True)
        self.toggle_action.setStatusTip("Full screen, graph and narration only, big fonts (F11)")
        self.mode_actions = [
            self._action("Next step", ["Right", "PgDown", "Space"], lambda: self._step(StepMove.NEXT)),
            self._action("Previous step", ["Left", "PgUp"], lambda: self._step(StepMove.PREVIOUS)),
            self._action("First step", "Home", lambda: self._step(StepMove.RESET)),
            self._action("Last step", "End", lambda: self._step(StepMove.END)),
            self._action("Blank the screen", ["B", "."], self.toggle_blank),
            self._action("Leave presentation", "Escape", self.leave),
            self._action("Bigger text", ["+", "="], lambda: self.set_scale(self.scale + SCALE_STEP)),
            self._action("Smaller text", "-", lambda: self.set_scale(self.scale - SCALE_STEP)),
            self._action("Next theme", "T", self.next_theme),
        ]
        window.widget.installEventFilter(_LeaveOnClose(self))
        view_menu = window.menu("&View")
        view_menu.addSeparator()
        view_menu.addAction(self.toggle_action)

    def _action(self, text: str, keys: str | list[str], slot: Callable[[], object], *,
                enabled: bool = False) -> QAction:
        action = make_action(self.window.widget, text, slot, keys)
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.setEnabled(enabled)
        self.window.widget.addAction(action)
        return action

    # ----- entering and leaving ------------------------------------------------------------

    def toggle(self) -> None:
        self.leave() if self.active else self.enter()

    def enter(self) -> None:
        if self.active:
            return
        window, qt_window = self.window, self.window.widget
        play = window.step_bar.play_action
        self._saved = _Saved(qt_window.saveState(), window.theme.name, window.document.font_scale,
                             qt_window.isMaximized(), self._visible_chrome(), play.shortcut())
        play.setChecked(False)
        play.setShortcut(QKeySequence())  # Space steps in presentation mode
        self.gallery.close()  # nothing may sit over the slides
        for widget in self._saved.visible:
            widget.hide()
        self.active = True
        for action in self.mode_actions:
            action.setEnabled(True)
        self.toggle_action.setChecked(True)
        window.document.set_appearance(theme=self.theme_name)
        self._apply_scale()
        self._saved_geometry = qt_window.geometry()
        screen = qt_window.screen()
        if screen is not None:  # without a window manager showFullScreen() keeps the old size
            qt_window.setGeometry(screen.geometry())
        qt_window.showFullScreen()
        self._show_narration()
        window.canvas.view_widget.setFocus()

    def leave(self) -> None:
        if not self.active or self._saved is None:
            return
        window, saved, qt_window = self.window, self._saved, self.window.widget
        self.active = False
        self.blank.cover(False)
        for action in self.mode_actions:
            action.setEnabled(False)
        self.toggle_action.setChecked(False)
        window.step_bar.play_action.setShortcut(saved.play_shortcut)
        qt_window.showMaximized() if saved.maximized else qt_window.showNormal()
        if not saved.maximized:
            qt_window.setGeometry(self._saved_geometry)
        for widget in saved.visible:
            widget.show()
        self.narration.dock.setTitleBarWidget(None)  # type: ignore[arg-type]  # None restores the default
        qt_window.restoreState(saved.state)
        window.document.set_appearance(theme=saved.theme, font_scale=saved.font_scale)
        self._scale_narration(1.0)
        window.canvas.readable_pixels = READABLE_PIXELS
        window.canvas.fit_readable()
        self._saved = None

    def _visible_chrome(self) -> list[QWidget]:
        """Menus, toolbars, status bar and docks on screen now (all but the narration)."""
        window = self.window.widget
        chrome: list[QWidget] = [window.menuBar(), window.statusBar()]
        chrome += [bar for bar in window.findChildren(QToolBar) if bar.parentWidget() is window]
        chrome += [dock for dock in self.window.docks().values() if dock is not self.narration.dock]
        return [widget for widget in chrome if widget.isVisible()]

    def _show_narration(self) -> None:
        dock, window = self.narration.dock, self.window.widget
        if dock.isFloating():
            dock.setFloating(False)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        dock.setTitleBarWidget(QWidget(dock))  # no title bar or buttons on the big screen
        dock.show()
        width = max(420, int(window.width() * NARRATION_SHARE))
        window.resizeDocks([dock], [width], Qt.Orientation.Horizontal)

    # ----- while presenting ------------------------------------------------------------------

    def set_scale(self, scale: float) -> None:
        self.scale = _clamp(scale)
        self.window.settings.setValue(SCALE_KEY, self.scale)
        if self.active:
            self._apply_scale()

    def _apply_scale(self) -> None:
        # Labels grow a little (three-line leaf boxes would overflow beyond this); the graph
        # itself is zoomed so its text is ``scale`` times the readable size, as far as it fits.
        self.window.document.set_appearance(font_scale=min(self.scale, CANVAS_SCALE_LIMIT))
        self._scale_narration(self.scale)
        canvas = self.window.canvas
        canvas.readable_pixels = READABLE_PIXELS * self.scale
        canvas.fit_readable()

    def _scale_narration(self, scale: float) -> None:
        self.narration.panel.set_scale(scale, compact=self.active)

    def next_theme(self) -> None:
        names = list(THEMES)
        self.theme_name = names[(names.index(self.theme_name) + 1) % len(names)] \
            if self.theme_name in names else DEFAULT_THEME
        self.window.settings.setValue(THEME_KEY, self.theme_name)
        if self.active:
            self.window.document.set_appearance(theme=self.theme_name)

    def toggle_blank(self) -> None:
        self.blank.cover(not self.blank.isVisible())

    def _step(self, move: StepMove) -> None:
        if self.blank.isVisible():  # the first click after blanking only brings the screen back
            self.blank.cover(False)
            return
        self.window.document.step(move)


def _clamp(scale: float) -> float:
    return max(MIN_SCALE, min(MAX_SCALE, round(scale / SCALE_STEP) * SCALE_STEP))


class _LeaveOnClose(QObject):
    """Leaves presentation before the window saves its layout and settings on close."""

    def __init__(self, presentation: Presentation) -> None:
        super().__init__(presentation.window.widget)
        self.presentation = presentation

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.Close and self.presentation.active:
            self.presentation.leave()
        return False
