"""Real mouse drags on pyqtgraph views, as a user makes them: press, moves with the button held, release."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QGraphicsView

if TYPE_CHECKING:
    from explorer.ui.canvas.canvas import QtGraphCanvas

# pyqtgraph drops mouse moves that come closer together than its rate limit (100 a second)
MOVE_PAUSE_MS = 25


def view_to_widget(view: QGraphicsView, box: pg.ViewBox, point: QPointF) -> QPoint:
    """Where a point in ``box``'s data coordinates is on ``view``'s viewport, in pixels."""
    return view.mapFromScene(box.mapViewToScene(point))


def widget_to_view(view: QGraphicsView, box: pg.ViewBox, pixel: QPoint) -> QPointF:
    """The data coordinates under a pixel of ``view``'s viewport."""
    return box.mapSceneToView(view.mapToScene(pixel))


def _send(view: QGraphicsView, kind: QEvent.Type, at: QPoint, button: Qt.MouseButton,
          held: Qt.MouseButton) -> None:
    viewport = view.viewport()
    local = QPointF(at)
    event = QMouseEvent(kind, local, QPointF(viewport.mapToGlobal(at)), button,
                        held, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(viewport, event)


def drag(view: QGraphicsView, start: QPoint, end: QPoint, moves: int = 10) -> None:
    """Press the left button at ``start``, move to ``end`` in ``moves`` steps holding it, release."""
    left = Qt.MouseButton.LeftButton
    _send(view, QEvent.Type.MouseMove, start, Qt.MouseButton.NoButton, Qt.MouseButton.NoButton)
    QTest.qWait(MOVE_PAUSE_MS)
    _send(view, QEvent.Type.MouseButtonPress, start, left, left)
    for step in range(1, moves + 1):
        QTest.qWait(MOVE_PAUSE_MS)
        at = start + (end - start) * (step / moves)
        _send(view, QEvent.Type.MouseMove, at, Qt.MouseButton.NoButton, left)
    QTest.qWait(MOVE_PAUSE_MS)
    _send(view, QEvent.Type.MouseButtonRelease, end, left, Qt.MouseButton.NoButton)


def click(view: QGraphicsView, at: QPoint, *, double: bool = False) -> None:
    """A left click at ``at`` (twice, the second as Qt's double click, when ``double``)."""
    left = Qt.MouseButton.LeftButton
    _send(view, QEvent.Type.MouseMove, at, Qt.MouseButton.NoButton, Qt.MouseButton.NoButton)
    _send(view, QEvent.Type.MouseButtonPress, at, left, left)
    _send(view, QEvent.Type.MouseButtonRelease, at, left, Qt.MouseButton.NoButton)
    if double:
        _send(view, QEvent.Type.MouseButtonDblClick, at, left, left)
        _send(view, QEvent.Type.MouseButtonRelease, at, left, Qt.MouseButton.NoButton)


def node_pixel(canvas: QtGraphCanvas, node: str) -> QPoint:
    """Where a node's centre is on the graph canvas's viewport, in pixels."""
    x, y = canvas.item.geometry.centres[node]
    return view_to_widget(canvas.view_widget, canvas.view_box, QPointF(x, y))
