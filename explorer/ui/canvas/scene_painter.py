"""Paint a scene with QPainter: shared by the live canvas and by headless export.

Coordinates are scene units (y grows downward); one layout unit is ``SPACING`` scene units.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
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

from explorer.core.capture.graph import paused_gc
from explorer.core.view.scene_model import NodeState, Scene, SceneEdge, SceneNode
from explorer.ui.window.theme import Theme

LAYER_SPACING = 96.0  # scene units between layers: room for an edge label between boxes
COLUMN_SPACING = 60.0  # scene units per layout unit across a layer
NODE_HEIGHT = 58.0  # three lines of text (title 15, two of 13) with a little room
MIN_NODE_WIDTH = 120.0
PADDING = 14.0
GAP = 36.0  # scene units between neighbouring boxes in a layer


@dataclass
class Geometry:
    """Where each node sits and how big it is, in scene units."""

    centres: dict[str, tuple[float, float]]
    widths: dict[str, float]
    bends: dict[tuple[str, str, object], list[tuple[float, float]]] = field(default_factory=dict)
    orientation: str = "TB"  # "LR": data flows left to right, edges leave and enter boxes sideways
    # drawing arrays derived from the positions, kept until a node moves (see ``moved``)
    arrays: dict[str, object] = field(default_factory=dict, repr=False, compare=False)

    def moved(self) -> None:
        self.arrays.clear()

    def rect(self, node_id: str) -> QRectF:
        x, y = self.centres[node_id]
        width = self.widths.get(node_id, MIN_NODE_WIDTH)
        return QRectF(x - width / 2, y - NODE_HEIGHT / 2, width, NODE_HEIGHT)

    def bounds(self) -> QRectF:
        cached = self.arrays.get("bounds")
        if isinstance(cached, QRectF):
            return QRectF(cached)
        self.arrays["bounds"] = box = self._bounds()
        return QRectF(box)

    def _bounds(self) -> QRectF:
        if not self.centres:
            return QRectF(-100, -50, 200, 100)
        centres = np.array(list(self.centres.values()), dtype=float).reshape(-1, 2)
        half = np.array([self.widths.get(node_id, MIN_NODE_WIDTH) for node_id in self.centres]) / 2
        left, right = float((centres[:, 0] - half).min()), float((centres[:, 0] + half).max())
        top = float(centres[:, 1].min()) - NODE_HEIGHT / 2
        bottom = float(centres[:, 1].max()) + NODE_HEIGHT / 2
        if self.bends:  # a long edge may be routed outside the boxes: it is drawn too
            points = np.array([point for line in self.bends.values() for point in line], dtype=float)
            if len(points):
                left, right = min(left, float(points[:, 0].min())), max(right, float(points[:, 0].max()))
                top, bottom = min(top, float(points[:, 1].min())), max(bottom, float(points[:, 1].max()))
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


BODY_UNITS = 13.0  # scene units of body text (edge labels, grads) at label size 1


def body_font(scale: float = 1.0) -> QFont:
    font = QFont("DejaVu Sans")
    font.setPixelSize(max(1, round(BODY_UNITS * scale)))
    return font


def torch_font(scale: float = 1.0) -> QFont:
    """The torch name under a node's title: the title's size, not bold, so that it reads (by a
    person, and by OCR) at the smallest zoom the view chooses."""
    font = QFont("DejaVu Sans")
    font.setPixelSize(max(1, round(15 * scale)))
    return font


@functools.lru_cache(maxsize=16)
def _metrics(bold: bool, scale: float) -> QFontMetricsF:
    return QFontMetricsF(title_font(scale) if bold else body_font(scale))


@functools.lru_cache(maxsize=65536)
def text_width(text: str, bold: bool, scale: float) -> float:
    """Widths repeat (AddBackward0 a thousand times): measure each text once."""
    return _metrics(bold, scale).horizontalAdvance(text)


def node_width(node: SceneNode, scale: float = 1.0) -> float:
    """Wide enough for the node's longest line of text."""
    widest = max(text_width(node.title, True, scale), text_width(node.torch_line, True, scale))
    for line in (node.subtitle, node.running_sum):
        if line:
            widest = max(widest, text_width(line, False, scale))
    return max(MIN_NODE_WIDTH * scale, widest + 2 * PADDING)


def _kept(placed: list[bool]) -> list[int] | None:
    """The indices to keep, or None when every one is kept (the usual case: no copy then)."""
    return None if all(placed) else [index for index, kept in enumerate(placed) if kept]


def _edge_colour(edge: SceneEdge, theme: Theme) -> str:
    return theme.gradient_colour(edge.magnitude) if edge.delivered else theme.edge_idle


class SceneCache:
    """Arrays of one scene's boxes and edge segments, so a frame draws only what is on screen.

    Built once per scene (each step), not per frame: culling is a numpy comparison, and the
    zoomed-out overview draws all boxes and lines of one colour in a single call.
    """

    def __init__(self, scene: Scene, geometry: Geometry, theme: Theme,
                 previous: SceneCache | None = None) -> None:
        """``previous``, the cache of the step before on the same layout, saves the work that
        does not change from step to step (which nodes are placed, most edge colours)."""
        self.sideways = geometry.orientation == "LR"  # edges run left to right
        self.geometry, self.sizes = geometry, (len(scene.nodes), len(scene.edges))
        same_layout = previous is not None and previous.fits(scene, geometry, theme)
        self._placed: tuple[list[int] | None, list[int] | None]
        self.colours: list[str]
        if previous is not None and same_layout:
            self._placed = previous._placed
        else:
            centres = geometry.centres
            self._placed = (_kept([node.id in centres for node in scene.nodes]),
                            _kept([edge.source in centres and edge.target in centres for edge in scene.edges]))
        nodes, edges = self._placed
        self.nodes = scene.nodes if nodes is None else [scene.nodes[index] for index in nodes]
        self.edges = scene.edges if edges is None else [scene.edges[index] for index in edges]
        arrays = _arrays_for(self.nodes, self.edges, geometry)
        self.node_boxes: np.ndarray = arrays["node_boxes"]  # type: ignore[assignment]
        self.edge_points: list[list[QPointF]] = arrays["edge_points"]  # type: ignore[assignment]
        self.segment_edge: np.ndarray = arrays["segment_edge"]  # type: ignore[assignment]
        self.segment_boxes: np.ndarray = arrays["segment_boxes"]  # type: ignore[assignment]
        self.segment_run: np.ndarray = arrays["segment_run"]  # type: ignore[assignment]
        self.last_boxes: np.ndarray = arrays["last_boxes"]  # type: ignore[assignment]
        self.node_rects: list[QRectF] = arrays["node_rects"]  # type: ignore[assignment]
        self.slanted: np.ndarray = arrays["slanted"]  # type: ignore[assignment]
        self.slanted_lines: list[QLineF] = arrays["slanted_lines"]  # type: ignore[assignment]
        if previous is not None and same_layout:  # a step changes few edges: the same objects
            self.colours = [colour if edge is before else _edge_colour(edge, theme)
                            for edge, before, colour in zip(self.edges, previous.edges, previous.colours)]
        else:
            self.colours = [_edge_colour(edge, theme) for edge in self.edges]
        self.theme = theme
        self._overview: tuple[dict[str, list[QRectF]], dict[str, list[QLineF]]] | None = None

    def fits(self, scene: Scene, geometry: Geometry, theme: Theme) -> bool:
        """Whether this cache was made for a scene of the same pass on this very layout."""
        return self.geometry is geometry and self.theme is theme and self.sizes == (
            len(scene.nodes), len(scene.edges))

    def overview(self) -> tuple[dict[str, list[QRectF]], dict[str, list[QLineF]]]:
        """Boxes and lines grouped by colour, made the first time the view is zoomed far out.

        The rectangles and lines themselves come with the geometry (made off the UI thread);
        a step only sorts them by colour.
        """
        if self._overview is None:
            boxes: dict[str, list[QRectF]] = {}
            for node, rect in zip(self.nodes, self.node_rects):
                boxes.setdefault(self.theme.state_fill(node.state, node.kind), []).append(rect)
            self._overview = (boxes, self._overview_lines())
        return self._overview

    def _overview_lines(self) -> dict[str, list[QLineF]]:
        """Every segment, by colour; vertical runs that overlap (the bus of a weight used at
        every turn of a loop) become one line: drawn once per edge they cost seconds."""
        # colours in edge order, as drawn one edge at a time: where lines of two colours cross,
        # the same one stays on top
        lines: dict[str, list[QLineF]] = {colour: [] for colour in dict.fromkeys(self.colours)}
        colours = self.colours
        for edge, line in zip(self.segment_edge[self.slanted].tolist(), self.slanted_lines):
            lines[colours[edge]].append(line)
        vertical = np.ones(len(self.segment_edge), dtype=bool)
        vertical[self.slanted] = False
        for (colour, _), x, top, bottom in self.merged_runs(np.flatnonzero(vertical)):
            lines[colour].append(QLineF(x, top, x, bottom))
        return lines

    def merged_runs(self, segments: np.ndarray, area: QRectF | None = None
                    ) -> list[tuple[tuple[str, bool], float, float, float]]:
        """Vertical segments as (pen, x, top, bottom), overlapping ones of one pen merged
        (cut to ``area`` first, so runs passing through the view become one)."""
        boxes = self.segment_boxes[segments]
        top, bottom = boxes[:, 1], boxes[:, 3]
        if area is not None:
            top, bottom = np.maximum(top, area.top()), np.minimum(bottom, area.bottom())
        # each pen (colour, delivered) as a number, for numpy; only the edges asked about
        numbers: dict[tuple[str, bool], int] = {}
        owners = self.segment_edge[segments].tolist()
        style = np.fromiter((numbers.setdefault((self.colours[edge], self.edges[edge].delivered),
                                                len(numbers)) for edge in owners),
                            dtype=np.int64, count=len(owners))
        pens = list(numbers)
        return [(pens[pen], x, low, high)
                for pen, x, low, high in _merge_spans(style, boxes[:, 0], top, bottom)]

    def visible(self, boxes: np.ndarray, area: QRectF | None) -> np.ndarray:
        if area is None or not len(boxes):
            return np.arange(len(boxes))
        inside = ((boxes[:, 2] >= area.left()) & (boxes[:, 0] <= area.right())
                  & (boxes[:, 3] >= area.top()) & (boxes[:, 1] <= area.bottom()))
        return np.flatnonzero(inside)

    def visible_edges(self, area: QRectF | None) -> list[int]:
        """Edges with a segment on screen (a long edge is tested piece by piece)."""
        hits = self.segment_edge[self.visible(self.segment_boxes, area)]
        return sorted(set(hits.tolist()))

    def edge_work(self, area: QRectF | None, near: QRectF | None
                  ) -> tuple[list[int], list[tuple[tuple[str, bool], float, float, float]]]:
        """What one frame draws of the edges: those with a piece on screen other than a
        shared vertical run, or whose last piece (curve, arrow, label) is ``near``; and the
        runs on screen, merged. Close up in a loop thousands of edges only pass through."""
        hits = self.visible(self.segment_boxes, area)
        runs = self.segment_run[hits]
        detailed = set(self.segment_edge[hits[~runs]].tolist())
        detailed.update(self.visible(self.last_boxes, near).tolist())
        return sorted(detailed), self.merged_runs(hits[runs], area)


def _merge_spans(style: np.ndarray, x: np.ndarray, top: np.ndarray, bottom: np.ndarray
                 ) -> list[tuple[int, float, float, float]]:
    """Overlapping or touching spans with the same style and x joined into one, with numpy."""
    if not len(style):
        return []
    order = np.lexsort((top, x, style))
    style, x, top, bottom = style[order], x[order], top[order], bottom[order]
    group_start = np.ones(len(style), dtype=bool)
    group_start[1:] = (style[1:] != style[:-1]) | (x[1:] != x[:-1])
    # shift each group above the one before, so one running maximum serves every group
    group = np.cumsum(group_start) - 1
    lowest = float(top.min())
    shift = group * (float(bottom.max()) - lowest + 1.0)
    ends = np.maximum.accumulate(bottom - lowest + shift)
    starts = group_start.copy()
    starts[1:] |= (top[1:] - lowest + shift[1:]) > ends[:-1]
    first = np.flatnonzero(starts)
    highest = np.maximum.reduceat(bottom, first)
    return list(zip(style[first].tolist(), x[first].tolist(), top[first].tolist(), highest.tolist()))


def fill_drawing_arrays(scene: Scene, geometry: Geometry) -> None:
    """Work out a geometry's drawing arrays ahead (e.g. on the thread that laid it out)."""
    nodes = [node for node in scene.nodes if node.id in geometry.centres]
    edges = [edge for edge in scene.edges
             if edge.source in geometry.centres and edge.target in geometry.centres]
    _arrays_for(nodes, edges, geometry)


def _arrays_for(nodes: list[SceneNode], edges: list[SceneEdge], geometry: Geometry) -> dict[str, object]:
    key = (tuple(node.id for node in nodes[:1]), len(nodes), len(edges))
    if geometry.arrays.get("key") != key:  # positions change rarely; states every step
        geometry.arrays.clear()
        with paused_gc():  # a point object per bend, all acyclic: nothing for the collector
            geometry.arrays.update(_geometry_arrays(nodes, edges, geometry), key=key)
    return geometry.arrays


def _geometry_arrays(nodes: list[SceneNode], edges: list[SceneEdge],
                     geometry: Geometry) -> dict[str, object]:
    centres = np.array([geometry.centres[node.id] for node in nodes], dtype=float).reshape(-1, 2)
    half = np.array([geometry.widths.get(node.id, MIN_NODE_WIDTH) / 2 for node in nodes])
    node_boxes = np.column_stack([centres[:, 0] - half, centres[:, 1] - NODE_HEIGHT / 2,
                                  centres[:, 0] + half, centres[:, 1] + NODE_HEIGHT / 2]) \
        if len(nodes) else np.zeros((0, 4))
    polylines = _edge_polylines(edges, geometry)
    edge_points = [[QPointF(x, y) for x, y in line] for line in polylines]
    # every point of every edge in one array: a segment joins two neighbours of the same edge
    owner = np.repeat(np.arange(len(polylines)), [len(line) for line in polylines])
    points = np.array([point for line in polylines for point in line], dtype=float).reshape(-1, 2)
    joined = np.flatnonzero(owner[1:] == owner[:-1])
    a, b = points[joined], points[joined + 1]
    segment_boxes = np.column_stack([np.minimum(a, b), np.maximum(a, b)]).reshape(-1, 4)
    first_point = np.cumsum([0] + [len(line) for line in polylines])
    at = joined - first_point[:-1][owner[joined]]  # which piece of its edge
    is_first, is_last = at == 0, joined + 2 == first_point[1:][owner[joined]]
    slanted = np.flatnonzero(segment_boxes[:, 0] != segment_boxes[:, 2])
    return {"node_boxes": node_boxes, "edge_points": edge_points,
            "segment_edge": owner[joined].astype(np.int64), "segment_boxes": segment_boxes,
            # the overview's rectangles and lines, made here rather than on the UI thread
            "node_rects": [QRectF(left, top, right - left, bottom - top)
                           for left, top, right, bottom in node_boxes.tolist()],
            "slanted": slanted,
            "slanted_lines": [QLineF(a[0], a[1], b[0], b[1])
                              for a, b in zip(points[joined[slanted]].tolist(),
                                              points[joined[slanted] + 1].tolist())],
            # middle pieces running straight down: drawn merged, once for all edges sharing them
            "segment_run": ~is_first & ~is_last & (segment_boxes[:, 0] == segment_boxes[:, 2]),
            "last_boxes": segment_boxes[is_last],  # one per edge, in edge order
            "bounds": geometry._bounds()}  # here, off the UI thread, not at the first frame


def _edge_polylines(edges: list[SceneEdge], geometry: Geometry) -> list[list[tuple[float, float]]]:
    """Each edge from the bottom of its source box to the top of its target's, through its
    bends; in a left-to-right layout, or against the flow, it goes from side to side instead."""
    if not edges:
        return []
    centres, widths = geometry.centres, geometry.widths
    source = np.array([centres[edge.source] for edge in edges], dtype=float)
    target = np.array([centres[edge.target] for edge in edges], dtype=float)
    source_half = np.array([widths.get(edge.source, MIN_NODE_WIDTH) for edge in edges]) / 2
    target_half = np.array([widths.get(edge.target, MIN_NODE_WIDTH) for edge in edges]) / 2
    if geometry.orientation == "LR":
        sideways = np.ones(len(edges), dtype=bool)
    else:
        sideways = source[:, 1] >= target[:, 1]
    start_x = np.where(sideways, source[:, 0] + source_half, source[:, 0]).tolist()
    start_y = np.where(sideways, source[:, 1], source[:, 1] + NODE_HEIGHT / 2).tolist()
    end_x = np.where(sideways, target[:, 0] - target_half, target[:, 0]).tolist()
    end_y = np.where(sideways, target[:, 1], target[:, 1] - NODE_HEIGHT / 2).tolist()
    bends = geometry.bends
    return [[(start_x[index], start_y[index]), *bends.get((edge.target, edge.source, edge.slot), ()),
             (end_x[index], end_y[index])] for index, edge in enumerate(edges)]


class LabelGrid:
    """Placed label boxes, bucketed by area, so a new label is tested only against its
    neighbours (testing against every label made a 10,000-edge export take minutes)."""

    CELL = 240.0

    def __init__(self) -> None:
        self.cells: dict[tuple[int, int], list[QRectF]] = {}

    def _keys(self, box: QRectF) -> list[tuple[int, int]]:
        columns = range(int(box.left() // self.CELL), int(box.right() // self.CELL) + 1)
        rows = range(int(box.top() // self.CELL), int(box.bottom() // self.CELL) + 1)
        return [(column, row) for column in columns for row in rows]

    def overlaps(self, box: QRectF) -> bool:
        return any(box.intersects(other) for key in self._keys(box) for other in self.cells.get(key, ()))

    def add(self, box: QRectF) -> None:
        for key in self._keys(box):
            self.cells.setdefault(key, []).append(box)


OVERVIEW_BELOW = 6.0  # pixels of box height under which the overview replaces detailed drawing


def paint_scene(painter: QPainter, scene: Scene, geometry: Geometry, theme: Theme, *,
                selected: str | None = None, font_scale: float = 1.0, stale: bool = False,
                visible: QRectF | None = None, cache: SceneCache | None = None,
                highlighted: frozenset[str] = frozenset()) -> None:
    """Draw edges, then nodes, with labels wherever they are big enough to read.

    ``highlighted`` nodes (those the code line under the editor's cursor made) get a halo.

    ``visible`` limits drawing to what is on screen; far out, boxes and lines are drawn in one
    call per colour and text is left out (level of detail).
    """
    cache = cache or SceneCache(scene, geometry, theme)
    pixels_per_unit = abs(painter.worldTransform().m11()) or 1.0
    if pixels_per_unit * NODE_HEIGHT < OVERVIEW_BELOW:
        _paint_overview(painter, cache, selected, geometry)
        return
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    show_text = pixels_per_unit * 13 * font_scale >= 6.0  # level of detail: skip unreadable text
    _paint_edges(painter, cache, visible, theme, show_text, font_scale)
    for index in cache.visible(cache.node_boxes, visible):
        node = cache.nodes[index]
        rect = geometry.rect(node.id)
        if node.id in highlighted:
            _paint_halo(painter, rect, theme)
        _paint_node(painter, node, rect, theme, node.id == selected, show_text, font_scale, stale)


def _paint_halo(painter: QPainter, rect: QRectF, theme: Theme) -> None:
    """A wide soft ring around a box: this node comes from the code line the cursor is on."""
    colour = QColor(theme.root_outline)
    colour.setAlpha(90)
    painter.setPen(QPen(colour, 12.0))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRoundedRect(rect.adjusted(-3, -3, 3, 3), 14, 14)


def _paint_overview(painter: QPainter, cache: SceneCache, selected: str | None,
                    geometry: Geometry) -> None:
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
    boxes_by_colour, lines_by_colour = cache.overview()
    for colour, lines in lines_by_colour.items():
        painter.setPen(QPen(QColor(colour), 0))  # cosmetic: one pixel wide at any zoom
        painter.drawLines(lines)
    painter.setPen(Qt.PenStyle.NoPen)
    for colour, boxes in boxes_by_colour.items():
        painter.setBrush(QBrush(QColor(colour)))
        painter.drawRects(boxes)
    if selected is not None and selected in geometry.centres:
        painter.setPen(QPen(QColor("#e8590c"), 0))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(geometry.rect(selected))


def _edge_path(points: list[QPointF], sideways: bool = False) -> QPainterPath:
    """A curve that leaves and arrives along the flow (down, or right when ``sideways``)."""
    path = QPainterPath(points[0])
    if len(points) == 2:
        start, end = points
        if sideways:
            middle_x = (start.x() + end.x()) / 2
            path.cubicTo(QPointF(middle_x, start.y()), QPointF(middle_x, end.y()), end)
        else:
            middle_y = (start.y() + end.y()) / 2
            path.cubicTo(QPointF(start.x(), middle_y), QPointF(end.x(), middle_y), end)
    else:
        for point in points[1:]:
            path.lineTo(point)
    return path


LABEL_MARGIN = 150.0  # scene units: a label may reach this far beyond the piece it sits on


def _paint_edges(painter: QPainter, cache: SceneCache, visible: QRectF | None, theme: Theme,
                 show_text: bool, font_scale: float) -> None:
    """Short edges as curves; long ones as lines, where many edges share one run (a weight
    used at every step of a loop) that run is drawn once, not once per edge. Pieces off screen
    are skipped."""
    placed = LabelGrid()  # edge labels already drawn, so the next ones avoid them
    near = None if visible is None else visible.adjusted(-LABEL_MARGIN, -LABEL_MARGIN,
                                                         LABEL_MARGIN, LABEL_MARGIN)
    indices, runs = cache.edge_work(visible, near)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    for index in indices:
        edge, points, colour = cache.edges[index], cache.edge_points[index], cache.colours[index]
        painter.setPen(QPen(QColor(colour), 3.2 if edge.delivered else 1.6, Qt.PenStyle.SolidLine,
                            Qt.PenCapStyle.RoundCap))
        if len(points) > 2:
            _paint_bends(painter, points, visible)
        if not _touches(points[-2], points[-1], near):
            continue  # its curve, arrowhead and label are all off screen
        path = _edge_path(points[-2:], cache.sideways)
        painter.drawPath(path)
        if visible is None or visible.contains(points[-1]):
            _paint_arrowhead(painter, path, QColor(colour))
            painter.setBrush(Qt.BrushStyle.NoBrush)
        label = (edge.grad_text if edge.delivered else edge.shape) if show_text else ""
        if label:
            _paint_edge_label(painter, path, label, QColor(colour), theme, edge.delivered,
                              font_scale, placed)
    for (colour, delivered), x, top, bottom in runs:
        painter.setPen(QPen(QColor(colour), 3.2 if delivered else 1.6))
        painter.drawLine(QPointF(x, top), QPointF(x, bottom))


def _touches(a: QPointF, b: QPointF, area: QRectF | None) -> bool:
    """Whether the box around a piece from ``a`` to ``b`` meets ``area`` (None: everywhere)."""
    return area is None or (min(a.x(), b.x()) <= area.right() and max(a.x(), b.x()) >= area.left()
                            and min(a.y(), b.y()) <= area.bottom() and max(a.y(), b.y()) >= area.top())


def _paint_bends(painter: QPainter, points: list[QPointF], visible: QRectF | None) -> None:
    """A long edge up to its last piece, but its vertical runs (``SceneCache.edge_work``)."""
    if _touches(points[0], points[1], visible):
        painter.drawLine(points[0], points[1])
    for a, b in zip(points[1:-2], points[2:-1]):
        if a.x() != b.x() and _touches(a, b, visible):
            painter.drawLine(a, b)


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
                      theme: Theme, delivered: bool, font_scale: float, placed: LabelGrid) -> None:
    font = body_font(font_scale)
    font.setBold(delivered)
    metrics = QFontMetricsF(font)
    width = metrics.horizontalAdvance(label) + 10
    height = metrics.height() + 4
    box = QRectF()
    for spot in _LABEL_SPOTS:
        where = path.pointAtPercent(spot)
        box = QRectF(where.x() - width / 2, where.y() - height / 2, width, height)
        if not placed.overlaps(box):
            break
    placed.add(box)
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
    if node.torch_line:
        lines.append((node.torch_line, torch_font(font_scale)))
    for text in (node.subtitle, node.running_sum):
        if text:
            lines.append((text, body_font(font_scale)))
    heights = [QFontMetricsF(font).height() for _, font in lines]
    room = rect.height() - 4
    if sum(heights) > room:  # four lines in one box: closer together, never outside it
        heights = [height * room / sum(heights) for height in heights]
    y = rect.center().y() - sum(heights) / 2
    painter.setPen(QColor(theme.node_text))
    for (text, font), height in zip(lines, heights):
        painter.setFont(font)
        painter.drawText(QRectF(rect.left(), y, rect.width(), height), Qt.AlignmentFlag.AlignCenter, text)
        y += height
