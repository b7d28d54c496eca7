"""Room for the graph: panels folded into tabs beside and below it, toolbars that shrink or wrap
when the window is narrow, and View → Panels reopening every dock.

On a 1366×768 screen, or at 150 % scaling, side-by-side docks left the graph a third of the
window. Here the code runs down the left with the variables, inspector and diagnostics as tabs
under it, and the narration, output, plots and passes share one tab strip under the graph, so
the graph keeps at least half the window at any size.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMenu, QTabBar, QToolBar, QToolButton

if TYPE_CHECKING:
    from explorer.ui.window.facade import WindowFacade

LEFT_SHARE, LEFT_LEAST, LEFT_MOST = 0.25, 280, 480  # of the window's width, in pixels
BOTTOM_SHARE, BOTTOM_LEAST, BOTTOM_MOST = 0.19, 120, 250  # of its height
CODE_SHARE = 0.55  # of the left column, for the code; its tabs get the rest
LEFT_TABS = ("inspectorDock", "variablesDock", "diagnosticsDock")  # the first is shown
BOTTOM_TABS = ("narrationDock", "consoleDock", "plotsDock", "passesDock")
LOW_WINDOW = 1150  # pixels: below this height (1080p and less) the bottom panels join the left column's tabs
ARRANGED_KEY = "window/arranged"  # settings: the layout was made by this module's rules


@dataclass(frozen=True)
class Sizes:
    """How wide the left column and how tall the bottom strip are for a window."""

    left: int
    bottom: int
    code: int


def sizes_for(width: int, height: int) -> Sizes:
    """Left column and bottom strip sizes for a window of ``width`` × ``height`` pixels."""
    left = round(min(LEFT_MOST, max(LEFT_LEAST, width * LEFT_SHARE)))
    bottom = round(min(BOTTOM_MOST, max(BOTTOM_LEAST, height * BOTTOM_SHARE)))
    return Sizes(left, bottom, round(height * CODE_SHARE))


class Arrangement(QObject):
    """Arranges the window's docks and keeps its top toolbars within its width."""

    def __init__(self, facade: WindowFacade) -> None:
        """Made after every feature added its docks and menus."""
        window = facade.widget
        super().__init__(window)
        self.facade = facade
        self.window = window
        self.compact_bars = False
        self.wrapped = False
        self.panels_menu = QMenu("&Panels", window)
        self.arrange_action = QAction("&Arrange panels for this window", window)
        self.arrange_action.setShortcut(QKeySequence("Ctrl+Shift+R"))
        self.arrange_action.setStatusTip("Code at the left with its tabs, narration and output under the graph")
        self.arrange_action.triggered.connect(self.arrange)
        window.installEventFilter(self)
        self.fill_panels_menu()
        self.panels_menu.aboutToShow.connect(self.fill_panels_menu)  # docks added later too
        view = facade.menu("&View")
        view.addSeparator()
        view.addMenu(self.panels_menu)
        move_help_last(window)
        if facade.settings.value("windowState") is None:  # first start: arrange for this screen,
            QTimer.singleShot(0, self.arrange)  # once the window has its size
        QTimer.singleShot(0, self.fit_toolbars)
        QTimer.singleShot(0, lambda: move_help_last(window))  # after menus features add later

    def docks(self) -> list[QDockWidget]:
        return list(self.facade.docks().values())

    def arrange(self) -> None:
        """Code down the left with tabs under it; the other panels as tabs under the graph."""
        window = self.window
        docks = self.facade.docks()
        code = docks.get("codeDock")
        left = [docks[name] for name in LEFT_TABS if name in docks]
        bottom = [docks[name] for name in BOTTOM_TABS if name in docks]
        with_code: list[QDockWidget] = []
        if window.height() < LOW_WINDOW:  # a low window: every panel beside the graph, none under it
            left, with_code, bottom = bottom[:1] + left, bottom[1:], []
        others = [dock for name, dock in docks.items()
                  if dock is not code and name not in LEFT_TABS + BOTTOM_TABS]
        window.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
        window.setCorner(Qt.Corner.TopLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
        for dock in docks.values():
            dock.setFloating(False)
            window.removeDockWidget(dock)
        if code is not None:
            _tabbed(window, Qt.DockWidgetArea.LeftDockWidgetArea, [code] + with_code)
        _tabbed(window, Qt.DockWidgetArea.LeftDockWidgetArea, left + others)
        _tabbed(window, Qt.DockWidgetArea.BottomDockWidgetArea, bottom)
        for dock in docks.values():
            dock.show()
        for first in ([code] if code is not None else []) + left[:1] + bottom[:1]:
            first.raise_()
        QTimer.singleShot(0, self._unelided_tabs)
        QTimer.singleShot(0, self._size_docks)  # once the docks are in place
        self.facade.settings.setValue(ARRANGED_KEY, True)

    def _unelided_tabs(self) -> None:
        """Whole tab titles, scrolled when they do not fit, never cut to "N…"."""
        for bar in self.window.findChildren(QTabBar):
            if bar.parentWidget() is self.window:  # the dock areas' own tab bars
                bar.setElideMode(Qt.TextElideMode.ElideNone)
                bar.setUsesScrollButtons(True)

    def _size_docks(self) -> None:
        window = self.window
        sizes = sizes_for(window.width(), window.height())
        docks = self.facade.docks()
        code = docks.get("codeDock")
        tabbed_with_code = set(window.tabifiedDockWidgets(code)) if code is not None else set()
        under_code = [dock for dock in docks.values() if dock is not code and dock not in tabbed_with_code
                      and window.dockWidgetArea(dock) == Qt.DockWidgetArea.LeftDockWidgetArea]
        left = under_code[0] if under_code else None
        bottom = next((dock for dock in docks.values()
                       if window.dockWidgetArea(dock) == Qt.DockWidgetArea.BottomDockWidgetArea), None)
        if code is not None:
            window.resizeDocks([code], [sizes.left], Qt.Orientation.Horizontal)
            if left is not None:
                window.resizeDocks([code, left], [sizes.code, max(1, window.height() - sizes.code)],
                                   Qt.Orientation.Vertical)
        if bottom is not None:
            window.resizeDocks([bottom], [sizes.bottom], Qt.Orientation.Vertical)

    # ----- toolbars ----------------------------------------------------------------------

    def top_bars(self) -> list[QToolBar]:
        window = self.window
        return [bar for bar in window.findChildren(QToolBar)
                if bar.parentWidget() is window and window.toolBarArea(bar) == Qt.ToolBarArea.TopToolBarArea
                and not bar.isHidden()]

    def fit_toolbars(self) -> None:
        """Text beside icons when there is room; icons only when not; a second row when even
        that does not fit (nothing hides behind an overflow arrow)."""
        width = self.window.width()
        self._set_compact(False)
        if _row_width(self.top_bars()) > width:
            self._set_compact(True)
        self._set_wrapped(_row_width(self.top_bars()) > width)

    def _set_compact(self, compact: bool) -> None:
        if compact == self.compact_bars:
            return
        self.compact_bars = compact
        bar = self.facade.step_bar
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly if compact
                               else Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        bar.label.setMinimumWidth(150 if compact else 260)
        bar.passes.setMinimumWidth(120 if compact else 220)
        bar.slider.setMinimumWidth(90 if compact else 160)
        for button in bar.findChildren(QToolButton):
            button.updateGeometry()
        bar.adjustSize()

    def _set_wrapped(self, wrapped: bool) -> None:
        if wrapped == self.wrapped:
            return
        self.wrapped = wrapped
        bar = self.facade.step_bar
        if wrapped:
            self.window.insertToolBarBreak(bar)
        else:
            self.window.removeToolBarBreak(bar)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self.window and event.type() == QEvent.Type.Resize:
            self.fit_toolbars()
        return False

    # ----- the View menu -----------------------------------------------------------------

    def fill_panels_menu(self) -> None:
        """Every dock, by title, checkable: a closed one comes back from here."""
        self.panels_menu.clear()
        for dock in sorted(self.docks(), key=lambda dock: dock.windowTitle()):
            self.panels_menu.addAction(dock.toggleViewAction())
        self.panels_menu.addSeparator()
        self.panels_menu.addAction(self.arrange_action)


def _tabbed(window: QMainWindow, area: Qt.DockWidgetArea, docks: list[QDockWidget]) -> None:
    if not docks:
        return
    window.addDockWidget(area, docks[0])
    for dock in docks[1:]:
        window.tabifyDockWidget(docks[0], dock)


def _row_width(bars: list[QToolBar]) -> int:
    """The width the bars need side by side on one row."""
    return sum(bar.sizeHint().width() for bar in bars) + 8


def move_help_last(window: QMainWindow) -> None:
    """Help is the last menu, where people look for it (features add theirs after it)."""
    bar = window.menuBar()
    help_action = next((action for action in bar.actions()
                        if action.text().replace("&", "") == "Help"), None)
    if help_action is not None and bar.actions()[-1] is not help_action:
        bar.removeAction(help_action)
        bar.addAction(help_action)
