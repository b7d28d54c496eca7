"""Paint a scene with QPainter: shared by the live canvas and by headless export.

Coordinates are scene units (y grows downward); one layout unit is ``SPACING`` scene units.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPen,
    QPolygonF,
)

from explorer.core.scene import Scene, SceneEdge, SceneNode
from explorer.core.stepper import NodeState
from explorer.ui.theme import Theme

LAYER_SPACING = 120.0  # scene units between layers
COLUMN_SPACING = 60.0  # scene units per layout unit across a layer
NODE_HEIGHT = 62.0
MIN_NODE_WIDTH = 120.0
PADDING = 14.0


@dataclass
class Geometry:
    """Where each node sits and how big it is, in scene units."""

    centres: dict[str, tuple[float, float]]
    widths: dict[str, float]
    bends: dict[tuple[str, str, int], list[tuple[float, float]]] = field(default_factory=dict)

    def rect(self, node_id: str) -> QRectF:
        x, y = self.centres[node_id]
        width = self.widths.get(node_id, MIN_NODE_WIDTH)
        return QRectF(x - width / 2, y - NODE_HEIGHT / 2, width, NODE_HEIGHT)

    def bounds(self) -> QRectF:
        if not self.centres:
            return QRectF(-100, -50, 200, 100)
        rects = [self.rect(node_id) for node_id in self.centres]
        left = min(rect.left() for rect in rects)
        top = min(rect.top() for rect in rects)
        right = max(rect.right() for rect in rects)
        bottom = max(rect.bottom() for rect in rects)
        return QRectF(left, top, right - left, bottom - top).adjusted(-40, -40, 40, 40)

    def node_at(self, x: float, y: float) -> str | None:
        """The node under a scene point (the topmost when boxes overlap)."""
        if not self.centres:
            return None
        ids = list(self.centres)
        points = np.array([self.centres[node_id] for node_id in ids])
        widths = np.array([self.widths.get(node_id, MIN_NODE_WIDTH) for node_id in ids])
        inside = (np.abs(points[:, 0] - x) <= widths / 2) & (np.abs(points[:, 1] - y) <= NODE_HEIGHT / 2)
        hits = np.flatnonzero(inside)
        return ids[int(hits[-1])] if hits.size else None


def title_font(scale: float = 1.0) -> QFont:
    font = QFont("DejaVu Sans")
    font.setPixelSize(max(1, round(15 * scale)))
    font.setBold(True)
    return font


def body_font(scale: float = 1.0) -> QFont:
    font = QFont("DejaVu Sans")
    font.setPixelSize(max(1, round(13 * scale)))
    return font


def node_width(node: SceneNode, scale: float = 1.0) -> float:
    """Wide enough for the node's longest line of text."""
    title = QFontMetricsF(title_font(scale)).horizontalAdvance(node.title)
    body = QFontMetricsF(body_font(scale))
    lines = [node.subtitle, node.running_sum]
    widest = max([title] + [body.horizontalAdvance(line) for line in lines if line])
    return max(MIN_NODE_WIDTH * scale, widest + 2 * PADDING)


def paint_scene(painter: QPainter, scene: Scene, geometry: Geometry, theme: Theme, *,
                selected: str | None = None, font_scale: float = 1.0, stale: bool = False) -> None:
    """Draw edges, then nodes, with labels wherever they are big enough to read."""
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    pixels_per_unit = abs(painter.worldTransform().m11()) or 1.0
    show_text = pixels_per_unit * 13 * font_scale >= 6.0  # level of detail: skip unreadable text
    placed: list[QRectF] = []  # edge labels already drawn, so the next ones avoid them
    for edge in scene.edges:
        if edge.source in geometry.centres and edge.target in geometry.centres:
            _paint_edge(painter, edge, geometry, theme, show_text, font_scale, placed)
    for node in scene.nodes:
        if node.id in geometry.centres:
            _paint_node(painter, node, geometry.rect(node.id), theme, node.id == selected,
                        show_text, font_scale, stale)


def _edge_points(edge: SceneEdge, geometry: Geometry) -> list[QPointF]:
    source = geometry.rect(edge.source)
    target = geometry.rect(edge.target)
    bends = geometry.bends.get((edge.target, edge.source, edge.slot), [])
    start = QPointF(source.center().x(), source.bottom())
    end = QPointF(target.center().x(), target.top())
    if source.center().y() >= target.center().y():  # drawn left to right or against the flow
        start = QPointF(source.right(), source.center().y())
        end = QPointF(target.left(), target.center().y())
    return [start] + [QPointF(x, y) for x, y in bends] + [end]


def _paint_edge(painter: QPainter, edge: SceneEdge, geometry: Geometry, theme: Theme,
                show_text: bool, font_scale: float, placed: list[QRectF]) -> None:
    colour = QColor(theme.gradient_colour(edge.magnitude) if edge.delivered else theme.edge_idle)
    width = 3.2 if edge.delivered else 1.6
    points = _edge_points(edge, geometry)
    path = QPainterPath(points[0])
    if len(points) == 2:
        start, end = points
        middle_y = (start.y() + end.y()) / 2
        path.cubicTo(QPointF(start.x(), middle_y), QPointF(end.x(), middle_y), end)
    else:
        for point in points[1:]:
            path.lineTo(point)
    painter.setPen(QPen(colour, width, Qt.PenStyle.SolidLine if edge.delivered else Qt.PenStyle.SolidLine,
                        Qt.PenCapStyle.RoundCap))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawPath(path)
    _paint_arrowhead(painter, path, colour)
    if show_text:
        label = edge.grad_text if edge.delivered else edge.shape
        if label:
            _paint_edge_label(painter, path, label, colour, theme, edge.delivered, font_scale, placed)


def _paint_arrowhead(painter: QPainter, path: QPainterPath, colour: QColor) -> None:
    tip = path.pointAtPercent(1.0)
    angle = math.radians(-path.angleAtPercent(0.98))
    size = 11.0
    left = QPointF(tip.x() - size * math.cos(angle - 0.4), tip.y() - size * math.sin(angle - 0.4))
    right = QPointF(tip.x() - size * math.cos(angle + 0.4), tip.y() - size * math.sin(angle + 0.4))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QBrush(colour))
    painter.drawPolygon(QPolygonF([tip, left, right]))


_LABEL_SPOTS = (0.5, 0.35, 0.65, 0.22, 0.78)  # where along an edge its label may sit, in turn


def _paint_edge_label(painter: QPainter, path: QPainterPath, label: str, colour: QColor,
                      theme: Theme, delivered: bool, font_scale: float, placed: list[QRectF]) -> None:
    font = body_font(font_scale)
    font.setBold(delivered)
    metrics = QFontMetricsF(font)
    width = metrics.horizontalAdvance(label) + 10
    height = metrics.height() + 4
    box = QRectF()
    for spot in _LABEL_SPOTS:
        where = path.pointAtPercent(spot)
        box = QRectF(where.x() - width / 2, where.y() - height / 2, width, height)
        if not any(box.intersects(other) for other in placed):
            break
    placed.append(box)
    painter.setPen(QPen(colour if delivered else QColor(theme.border), 1.0))
    painter.setBrush(QBrush(QColor(theme.background)))
    painter.drawRoundedRect(box, 5, 5)
    painter.setFont(font)
    painter.setPen(QColor(colour if delivered else theme.muted))
    painter.drawText(box, Qt.AlignmentFlag.AlignCenter, label)


def _paint_node(painter: QPainter, node: SceneNode, rect: QRectF, theme: Theme, selected: bool,
                show_text: bool, font_scale: float, stale: bool) -> None:
    fill = QColor(theme.state_fill(node.state, node.kind))
    if stale:
        fill.setAlpha(140)
    outline = QColor(theme.border)
    width = 1.5
    if node.is_root:
        outline, width = QColor(theme.root_outline), 3.0
    if node.state is NodeState.ACTIVE:
        outline, width = QColor(theme.active_outline), 4.5
    if selected:
        width += 2.0
    painter.setPen(QPen(outline, width, Qt.PenStyle.DashLine if selected else Qt.PenStyle.SolidLine))
    painter.setBrush(QBrush(fill))
    radius = NODE_HEIGHT / 2 if node.kind == "accumulate_grad" else 10.0
    painter.drawRoundedRect(rect, radius, radius)
    if not show_text:
        return
    lines = [(node.title, title_font(font_scale))]
    if node.subtitle:
        lines.append((node.subtitle, body_font(font_scale)))
    if node.running_sum:
        lines.append((node.running_sum, body_font(font_scale)))
    heights = [QFontMetricsF(font).height() for _, font in lines]
    y = rect.center().y() - sum(heights) / 2
    painter.setPen(QColor(theme.node_text))
    for (text, font), height in zip(lines, heights):
        painter.setFont(font)
        painter.drawText(QRectF(rect.left(), y, rect.width(), height), Qt.AlignmentFlag.AlignCenter, text)
        y += height
