"""The graph canvas: one pyqtgraph item paints the whole scene; the ViewBox pans and zooms."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QLabel, QToolTip, QVBoxLayout, QWidget

from explorer.core.view.hover import edge_hover_html, node_hover_html
from explorer.core.view.scene import Scene
from explorer.core.view.stepper import Stepper
from explorer.ui.canvas.scene_painter import (
    BODY_UNITS,
    NODE_HEIGHT,
    Geometry,
    SceneCache,
    paint_scene,
)
from explorer.ui.window.theme import LIGHT, Theme

READABLE_PIXELS = 12.0  # body text at 9 pt at 100 % scaling (12 px at 96 dpi): what the view keeps
LARGEST_ZOOM = 2.0  # pixels per scene unit: a three-node graph is not blown up to fill the screen


class QtSceneItem(pg.GraphicsObject):
    """Every node and edge in one item, painted from the scene's lists (no item per node)."""

    def __init__(self) -> None:
        super().__init__()
        self.scene_data: Scene | None = None
        self.cache: SceneCache | None = None
        self.geometry = Geometry({}, {})
        self.theme: Theme = LIGHT
        self.selected: str | None = None
        self.highlighted: frozenset[str] = frozenset()
        self.font_scale = 1.0
        self.stale = False
        self._dragging: str | None = None
        # what the canvas widget does with a click, a drop, a double click, a right click
        self.on_select: Callable[..., None] | None = None
        self.on_moved: Callable[..., None] | None = None
        self.on_double: Callable[..., None] | None = None
        self.on_context: Callable[..., None] | None = None
        self._after_paint: list = []

    def set_content(self, scene: Scene | None, geometry: Geometry, drawing: SceneCache | None = None) -> None:
        """Show ``scene``; ``drawing`` is its drawing arrays when made already (off the UI thread)."""
        if geometry is not self.geometry:  # a step keeps the layout: no new bounds to index
            self.prepareGeometryChange()
        self.scene_data = scene
        self.geometry = geometry
        if drawing is not None and drawing.theme is self.theme:
            self.cache = drawing
        else:
            self.cache = None if scene is None else SceneCache(scene, geometry, self.theme, self.cache)
        self.update()

    def refresh_cache(self) -> None:
        """Rebuild the drawing arrays after the theme changed or a node moved."""
        if self.scene_data is not None:
            self.cache = SceneCache(self.scene_data, self.geometry, self.theme)
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt override
        return self.geometry.bounds()

    def painted_once(self, callback) -> None:
        """Call ``callback`` after the next frame that draws a scene (start-up measurements)."""
        self._after_paint.append(callback)
        self.update()

    def paint(self, painter: QPainter, *args: object) -> None:
        if self.scene_data is None:
            return
        if self._after_paint:
            waiting, self._after_paint = self._after_paint, []
            QTimer.singleShot(0, lambda: [callback() for callback in waiting])
        view = self.getViewBox()
        visible = view.viewRect() if view is not None else None
        paint_scene(painter, self.scene_data, self.geometry, self.theme, selected=self.selected,
                    font_scale=self.font_scale, stale=self.stale, visible=visible, cache=self.cache,
                    highlighted=self.highlighted)

    def mouseClickEvent(self, event) -> None:  # noqa: N802 - pyqtgraph override
        node = self.geometry.node_at(event.pos().x(), event.pos().y())
        if event.button() == Qt.MouseButton.RightButton:
            event.accept()
            if self.on_context is not None:
                self.on_context(node, event.screenPos())
            return
        if event.button() != Qt.MouseButton.LeftButton:
            return
        event.accept()
        if event.double() and self.on_double is not None:
            self.on_double(node)
        elif self.on_select is not None:
            self.on_select(node)

    def mouseDragEvent(self, event) -> None:  # noqa: N802 - pyqtgraph override
        if event.button() != Qt.MouseButton.LeftButton:
            event.ignore()
            return
        if event.isStart():
            start = event.buttonDownPos()
            self._dragging = self.geometry.node_at(start.x(), start.y())
        if self._dragging is None:
            event.ignore()  # let the ViewBox pan
            return
        event.accept()
        position: QPointF = event.pos()
        self.prepareGeometryChange()
        self.geometry.centres[self._dragging] = (position.x(), position.y())
        self.geometry.moved()
        self.refresh_cache()
        if event.isFinish():
            if self.on_moved is not None:
                self.on_moved(self._dragging, (position.x(), position.y()))
            self._dragging = None


class QtGraphCanvas(QWidget):
    """Pan with drag, zoom with the wheel, fit with F; click selects, hover explains."""

    nodeSelected = Signal(object)  # node id or None
    nodeMoved = Signal(str, tuple)
    nodeDoubleClicked = Signal(object)  # node id or None
    contextMenuRequested = Signal(object, object)  # node id or None, global QPointF
    resized = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        pg.setConfigOptions(antialias=True)
        self.view_widget = pg.GraphicsView(background=LIGHT.background)
        self.view_box = pg.ViewBox(invertY=True, lockAspect=True, enableMenu=False)
        self.view_widget.setCentralItem(self.view_box)
        self.item = QtSceneItem()
        self.item.on_select = self._on_item_selected
        self.item.on_moved = lambda node, position: self.nodeMoved.emit(node, position)
        self.item.on_double = self.nodeDoubleClicked.emit
        self.item.on_context = self.contextMenuRequested.emit
        self.view_box.addItem(self.item)
        self.legend = QLabel(self)  # a strip under the graph: it never covers a node
        self.legend.setObjectName("legend")
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.legend.setWordWrap(True)
        self.legend.setToolTip("Arrows show data flow; gradients run back along them, coloured by "
                               "their size (log scale). Edge labels: the tensor's shape until its "
                               "gradient arrives, then the gradient.")
        self.banner = QLabel(self)
        self.banner.setObjectName("staleBanner")
        self.banner.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.view_widget, 1)
        layout.addWidget(self.legend)
        self.banner.raise_()  # the stale banner sits above the graphics view
        self.view_widget.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self._hovered: str | int | None = None  # a node's id, or an edge's index
        self.stepper: Stepper | None = None  # for tooltips, computed when the mouse is over a node
        self.readable_pixels = READABLE_PIXELS  # presentation mode asks for bigger text
        # the view was chosen by ``fit_readable``, not moved by the user: a resize chooses again
        self._auto_view = False
        self.view_box.sigRangeChangedManually.connect(self._on_moved_by_user)

    # ----- content ----------------------------------------------------------------------

    def show_scene(self, scene: Scene | None, geometry: Geometry, *, fit: bool,
                   drawing: SceneCache | None = None) -> None:
        self.item.set_content(scene, geometry, drawing)
        if fit:
            self.fit_readable()

    def set_theme(self, theme: Theme) -> None:
        self.item.theme = theme
        self.item.refresh_cache()
        self.view_widget.setBackground(theme.background)
        self.legend.setText(legend_html(theme))
        self.legend.setStyleSheet(
            f"QLabel#legend {{ background: {theme.panel}; color: {theme.foreground};"
            f" border-top: 1px solid {theme.border}; padding: 4px 8px; }}")
        self.banner.setStyleSheet(
            f"QLabel#staleBanner {{ background: {theme.stale}; color: #111; padding: 4px 10px;"
            " border-radius: 4px; font-weight: bold; }")
        self.legend.adjustSize()
        self._place_overlays()
        self.item.update()

    def set_font_scale(self, scale: float) -> None:
        self.item.font_scale = scale
        self.item.update()

    def set_stale(self, stale: bool, message: str = "") -> None:
        self.item.stale = stale
        self.banner.setText(message or "The graph is from the last program that ran")
        self.banner.setVisible(stale)
        self.banner.adjustSize()
        self._place_overlays()
        self.item.update()

    def select(self, node: str | None) -> None:
        self.item.selected = node
        self.item.update()

    def highlight(self, nodes: frozenset[str]) -> None:
        """Mark these nodes (the ones the code line under the cursor made)."""
        if nodes != self.item.highlighted:
            self.item.highlighted = nodes
            self.item.update()

    # ----- navigation -------------------------------------------------------------------

    def readable_zoom(self) -> float:
        """Pixels per scene unit at which body text is ``readable_pixels`` tall."""
        return self.readable_pixels / (BODY_UNITS * self.item.font_scale)

    def fit_readable(self) -> None:
        """The view chooses the zoom: the whole graph when its text stays readable (at least
        9 pt), else the output and what feeds it at a readable size (the overview map, search
        and panning reach the rest)."""
        self._auto_view = True
        bounds = self.item.boundingRect()
        width, height = max(self.view_box.width(), 1.0), max(self.view_box.height(), 1.0)
        scale = min(width / bounds.width(), height / bounds.height())
        focus = next((node.id for node in self.item.scene_data.nodes if node.is_root), None) \
            if self.item.scene_data is not None else None
        readable = self.readable_zoom()
        if scale >= readable or focus not in self.item.geometry.centres:
            self._show_at(bounds.center(), min(scale, max(LARGEST_ZOOM, readable)))
            return
        area = fullest_view(self.item.geometry, focus, width / readable, height / readable)
        self.view_box.setRange(rect=area, padding=0)

    def _show_at(self, centre: QPointF, zoom: float) -> None:
        """Centre the view on ``centre`` at ``zoom`` pixels per scene unit."""
        width, height = self.view_box.width() / zoom, self.view_box.height() / zoom
        self.view_box.setRange(rect=QRectF(centre.x() - width / 2, centre.y() - height / 2, width, height),
                               padding=0)

    def fit(self) -> None:
        """The whole graph, however small its text gets."""
        self._auto_view = False
        self.view_box.setRange(rect=self.item.boundingRect(), padding=0.02)

    def zoom(self, factor: float) -> None:
        self._auto_view = False
        self.view_box.scaleBy((1 / factor, 1 / factor))

    def centre_on(self, node: str) -> None:
        if node in self.item.geometry.centres:
            self._auto_view = False
            x, y = self.item.geometry.centres[node]
            self.view_box.translateBy(QPointF(x, y) - self.view_box.viewRect().center())

    def zoom_to(self, nodes: list[str]) -> None:
        """Fit these nodes (and a margin) in the view."""
        rects = [self.item.geometry.rect(node) for node in nodes if node in self.item.geometry.centres]
        if not rects:
            return
        self._auto_view = False
        area = rects[0]
        for rect in rects[1:]:
            area = area.united(rect)
        self.view_box.setRange(rect=area.adjusted(-120, -80, 120, 80), padding=0.05)

    # ----- events -----------------------------------------------------------------------

    def _on_item_selected(self, node: str | None) -> None:
        self.select(node)
        self.nodeSelected.emit(node)

    def _on_mouse_moved(self, scene_position: QPointF) -> None:
        """A tooltip for the node or edge under the mouse; it stays while the mouse does."""
        point = self.view_box.mapSceneToView(scene_position)
        node = self.item.geometry.node_at(point.x(), point.y())
        edge = None if node is not None else self.edge_at(point)
        hovered = node if node is not None else edge
        if hovered == self._hovered:
            return
        self._hovered = hovered
        tip = self._tip_for(node, edge)
        if not tip:
            QToolTip.hideText()
            return
        global_position = self.view_widget.mapToGlobal(self.view_widget.mapFromScene(scene_position))
        # the tip stays while the mouse is within a few pixels of where it appeared
        area = QRect(self.view_widget.mapFromScene(scene_position) - QPoint(40, 40), QSize(80, 80))
        QToolTip.showText(global_position, tip, self.view_widget, area, TOOLTIP_MS)

    def _tip_for(self, node: str | None, edge: int | None) -> str:
        stepper, theme = self.stepper, self.item.theme
        if stepper is None:
            return ""
        if node is not None:
            if node not in stepper.one_pass.graph:
                return ""
            return node_hover_html(stepper, node, muted=theme.muted)
        cache = self.item.cache
        if edge is None or cache is None:
            return ""
        shown = cache.edges[edge]
        return edge_hover_html(stepper, shown.target, shown.source, shown.slot, shown.shape,
                               muted=theme.muted)

    def edge_at(self, point: QPointF, pixels: float = 6.0) -> int | None:
        """The index (in the drawing cache) of the edge passing within ``pixels`` of ``point``."""
        cache = self.item.cache
        if cache is None or not len(cache.segment_boxes):
            return None
        zoom = abs(self.view_box.viewPixelSize()[0]) or 1.0
        reach = pixels * zoom
        boxes = cache.segment_boxes
        near = np.flatnonzero((boxes[:, 0] - reach <= point.x()) & (boxes[:, 2] + reach >= point.x())
                              & (boxes[:, 1] - reach <= point.y()) & (boxes[:, 3] + reach >= point.y()))
        if not near.size:
            return None
        distances = _distances_to_boxes(boxes[near], point.x(), point.y())
        return int(cache.segment_edge[near[int(np.argmin(distances))]])

    def _on_moved_by_user(self, *_args: object) -> None:
        self._auto_view = False

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._place_overlays()
        self.resized.emit()
        if self._auto_view and self.item.scene_data is not None:
            QTimer.singleShot(0, self._refit)  # once the view box has its new size

    def _refit(self) -> None:
        if self._auto_view:
            self.fit_readable()

    def _place_overlays(self) -> None:
        self.banner.move(max(10, (self.width() - self.banner.width()) // 2), 10)


TOOLTIP_MS = 120_000  # a tooltip stays this long while the mouse stays near (Qt's default: 10 s)


def _distances_to_boxes(boxes: np.ndarray, x: float, y: float) -> np.ndarray:
    """How far a point is from each segment, taken as the diagonal of its bounding box (the
    pieces are straight runs or short curves between their ends)."""
    a, b = boxes[:, 0:2], boxes[:, 2:4]
    along = b - a
    length = np.maximum((along ** 2).sum(axis=1), 1e-9)
    share = np.clip(((x - a[:, 0]) * along[:, 0] + (y - a[:, 1]) * along[:, 1]) / length, 0.0, 1.0)
    nearest = a + share[:, None] * along
    return np.hypot(nearest[:, 0] - x, nearest[:, 1] - y)


SEARCHED_NODES = 3_000  # above this many boxes the view is not searched: the output, centred
CANDIDATES = 48  # window positions tried along each axis


def fullest_view(geometry: Geometry, focus: str, width: float, height: float) -> QRectF:
    """The ``width`` × ``height`` window (scene units) that holds the output ``focus`` and as
    many whole boxes as it can: readable text, and as much of the graph as fits."""
    x, y = geometry.centres[focus]
    half_width = geometry.widths.get(focus, 0.0) / 2
    box = QRectF(x - half_width, y - NODE_HEIGHT / 2, 2 * half_width, NODE_HEIGHT)
    margin = 12.0
    lefts = _positions(box.right() + margin - width, box.left() - margin)
    tops = _positions(box.bottom() + margin - height, box.top() - margin)
    if len(geometry.centres) > SEARCHED_NODES or (len(lefts) == 1 and len(tops) == 1):
        return QRectF(x - width / 2, y - height / 2, width, height)
    centres = np.array(list(geometry.centres.values()), dtype=float)
    halves = np.array([geometry.widths.get(node, 0.0) / 2 for node in geometry.centres])
    node_left, node_right = centres[:, 0] - halves, centres[:, 0] + halves
    node_top, node_bottom = centres[:, 1] - NODE_HEIGHT / 2, centres[:, 1] + NODE_HEIGHT / 2
    inside_x = (node_left[None, :] >= lefts[:, None]) & (node_right[None, :] <= lefts[:, None] + width)
    inside_y = (node_top[None, :] >= tops[:, None]) & (node_bottom[None, :] <= tops[:, None] + height)
    counts = inside_y.astype(np.int32) @ inside_x.T.astype(np.int32)  # tops × lefts
    # of the fullest windows, the one with the output last in the flow (at the bottom, or at
    # the right when data flows left to right), centred across the flow
    best = np.flatnonzero(counts.ravel() == counts.max())
    rows, columns = np.unravel_index(best, counts.shape)
    if geometry.orientation == "LR":
        order = columns * len(tops) + np.abs(rows - (len(tops) - 1) / 2)
    else:
        order = rows * len(lefts) + np.abs(columns - (len(lefts) - 1) / 2)
    pick = int(np.argmin(order))
    return QRectF(float(lefts[columns[pick]]), float(tops[rows[pick]]), width, height)


def _positions(low: float, high: float) -> np.ndarray:
    """Evenly spread window edges from ``low`` to ``high`` (one when the range is empty)."""
    if high <= low:
        return np.array([(low + high) / 2])
    return np.linspace(low, high, CANDIDATES)


def legend_html(theme: Theme) -> str:
    from explorer.core.view.stepper import NodeState

    def swatch(colour: str, text: str) -> str:
        return (f"<span style='background:{colour}; color:{theme.node_text};'>&nbsp;&nbsp;&nbsp;&nbsp;"
                f"</span>&nbsp;{text.replace(' ', '&nbsp;')}")  # a wrap never parts an entry

    nodes = " &nbsp; ".join([
        swatch(theme.node_fill[NodeState.ACTIVE], "running"),
        swatch(theme.node_fill[NodeState.DONE], "done"),
        swatch(theme.node_fill[NodeState.WAITING], "waiting"),
        swatch(theme.leaf_fill, "leaf (your variable)"),
        swatch(theme.node_fill[NodeState.UNREACHED], "never reached"),
    ])
    edges = (
        f"gradient <span style='color:{theme.grad_small};'>━━</span> small "
        f"<span style='color:{theme.grad_mid};'>━━</span> "
        f"<span style='color:{theme.grad_large};'>━━</span> large "
        f"<span style='color:{theme.grad_zero};'>━━</span> zero "
        f"<span style='color:{theme.grad_bad};'>━━</span> NaN/Inf "
        f"<span style='color:{theme.edge_idle};'>──</span> not&nbsp;yet&nbsp;(shape) &nbsp;"
        f"<span style='color:{theme.root_outline};'>▭</span>&nbsp;output")  # a wrap never parts these
    return nodes + " &nbsp;·&nbsp; " + edges
