"""Finding your way in big graphs: search, zoom to selection, folding groups, an overview map."""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import TYPE_CHECKING

import networkx as nx
import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QAction, QColor, QImage, QKeySequence, QPainter, QPen
from PySide6.QtWidgets import QLabel, QLineEdit, QMenu, QToolBar, QWidget

from explorer.core.view.folding import GROUP_KIND, Group
from explorer.core.view.search import find_nodes
from explorer.core.view.summary import repeat_groups
from explorer.ui.actions import make_action

if TYPE_CHECKING:
    from explorer.ui.canvas.canvas import QtGraphCanvas
    from explorer.ui.canvas.scene_painter import SceneCache
    from explorer.ui.window.facade import WindowFacade
    from explorer.ui.window.theme import Theme

MINIMAP_FROM = 60  # graphs with at least this many nodes get the overview map by default


def boxes_image(cache: SceneCache, theme: Theme, bounds: QRectF, scale: float,
                width: int, height: int) -> QImage:
    """The node boxes drawn into pixels with numpy: a 100,000-node map in a few milliseconds.

    At map scale most boxes are a pixel or two, so each small box is a 2×2 dot; only the
    boxes of a small graph, larger than that, are filled one by one.
    """
    pixels = np.zeros((height, width), dtype=np.uint32)  # transparent: the panel shows through
    boxes = cache.node_boxes
    if not len(boxes):
        return QImage(width, height, QImage.Format.Format_ARGB32)
    left = np.clip((4 + (boxes[:, 0] - bounds.left()) * scale).astype(int), 0, width - 1)
    top = np.clip((4 + (boxes[:, 1] - bounds.top()) * scale).astype(int), 0, height - 1)
    right = np.clip(np.ceil(4 + (boxes[:, 2] - bounds.left()) * scale).astype(int), left + 2, width)
    bottom = np.clip(np.ceil(4 + (boxes[:, 3] - bounds.top()) * scale).astype(int), top + 2, height)
    looks = list(map(operator.attrgetter("state", "kind"), cache.nodes))
    distinct = {look: index for index, look in enumerate(set(looks))}
    codes = np.array([distinct[look] for look in looks], dtype=np.int64)
    palette = np.array([QColor(theme.state_fill(*look)).rgba() for look in distinct], dtype=np.uint32)
    colours = palette[codes]
    small = ((right - left) <= 2) & ((bottom - top) <= 2)
    for dy in (0, 1):
        for dx in (0, 1):
            pixels[np.minimum(top[small] + dy, height - 1), np.minimum(left[small] + dx, width - 1)] = colours[small]
    for index in np.flatnonzero(~small):
        pixels[top[index]:bottom[index], left[index]:right[index]] = colours[index]
    return QImage(pixels.data, width, height, 4 * width, QImage.Format.Format_ARGB32).copy()


class QtMinimap(QWidget):
    """The whole graph in a corner of the canvas, with the visible part framed; click to go."""

    def __init__(self, canvas: QtGraphCanvas) -> None:
        super().__init__(canvas)
        self.canvas = canvas
        self.setObjectName("minimap")
        self.setFixedSize(200, 150)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip("Overview: click or drag to move the view")
        self.enabled_by_user = True
        self._boxes = QImage()
        self._boxes_key: tuple | None = None
        canvas.view_box.sigRangeChanged.connect(lambda *_: self.update())

    def _mapping(self) -> tuple[QRectF, float] | None:
        geometry = self.canvas.item.geometry
        if not geometry.centres:
            return None
        bounds = geometry.bounds()
        inner_width, inner_height = self.width() - 8, self.height() - 8
        scale = min(inner_width / bounds.width(), inner_height / bounds.height())
        # the graph centred in the map: a tall chain is a line down the middle, not the edge
        spare_x, spare_y = inner_width / scale - bounds.width(), inner_height / scale - bounds.height()
        return bounds.adjusted(-spare_x / 2, -spare_y / 2, spare_x / 2, spare_y / 2), scale

    def _to_map(self, point: QPointF, bounds: QRectF, scale: float) -> QPointF:
        return QPointF(4 + (point.x() - bounds.left()) * scale, 4 + (point.y() - bounds.top()) * scale)

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        theme = self.canvas.item.theme
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(theme.panel))
        painter.setPen(QPen(QColor(theme.border), 1))
        painter.drawRect(self.rect().adjusted(0, 0, -1, -1))
        mapping, cache = self._mapping(), self.canvas.item.cache
        if mapping is None or cache is None:
            return
        bounds, scale = mapping
        key = (cache, self.width(), self.height(), theme.name)  # the cache itself: ids are reused
        if self._boxes_key != key:  # once per step, not on every move of the view
            self._boxes = boxes_image(cache, theme, bounds, scale, self.width(), self.height())
            self._boxes_key = key
        painter.drawImage(0, 0, self._boxes)
        view = self.canvas.view_box.viewRect()
        corner = self._to_map(view.topLeft(), bounds, scale)
        frame = QRectF(corner.x(), corner.y(), view.width() * scale, view.height() * scale)
        painter.setPen(QPen(QColor(theme.active_outline), 2))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(frame.intersected(QRectF(self.rect()).adjusted(1, 1, -2, -2)))

    def _go(self, position: QPointF) -> None:
        mapping = self._mapping()
        if mapping is None:
            return
        bounds, scale = mapping
        target = QPointF(bounds.left() + (position.x() - 4) / scale, bounds.top() + (position.y() - 4) / scale)
        self.canvas.view_box.translateBy(target - self.canvas.view_box.viewRect().center())

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt override
        self._go(event.position())

    def mouseMoveEvent(self, event) -> None:  # noqa: N802 - Qt override
        self._go(event.position())

    def place(self) -> None:
        self.move(self.canvas.width() - self.width() - 10, 10)
        self.raise_()


class QtFindBar(QToolBar):
    """Ctrl+F: type part of a torch name, variable or module path; Enter goes to the next match."""

    def __init__(self, window: WindowFacade) -> None:
        super().__init__("Find", window.widget)
        self.window_ = window
        self.setObjectName("findBar")
        self.setMovable(False)
        self.field = QLineEdit()
        self.field.setObjectName("findField")
        self.field.setPlaceholderText("Find a node: MulBackward0, x, encoder.layers.0 …")
        self.field.setClearButtonEnabled(True)
        self.field.setMinimumWidth(320)
        self.count = QLabel("")
        self.count.setObjectName("findCount")
        self.addWidget(self.field)
        self.addAction("◀", self.previous).setToolTip("Previous match (Shift+F3)")
        self.addAction("▶", self.next).setToolTip("Next match (F3, Enter)")
        self.addWidget(self.count)
        self.addAction("✕", self.close_bar).setToolTip("Close (Esc)")
        self.matches: list[str] = []
        self.index = -1
        self.field.textChanged.connect(self._on_text_changed)
        self.field.returnPressed.connect(self.next)
        escape = QAction(self.field)
        escape.setShortcut(QKeySequence("Escape"))
        escape.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        escape.triggered.connect(self.close_bar)
        self.field.addAction(escape)
        self.hide()

    def open_bar(self) -> None:
        self.show()
        self.field.setFocus()
        self.field.selectAll()

    def close_bar(self) -> None:
        self.hide()
        self.window_.canvas.view_widget.setFocus()

    def _graph(self) -> nx.MultiDiGraph | None:
        controller = self.window_.controller
        if controller.view_graph is not None:
            return controller.view_graph
        one_pass = self.window_.document.current_pass
        return None if one_pass is None else one_pass.graph

    def _on_text_changed(self, text: str) -> None:
        graph = self._graph()
        self.matches = [] if graph is None else find_nodes(graph, text)
        self.index = -1
        self._show_count()
        if self.matches:
            self.next()

    def next(self) -> None:
        self._go(+1)

    def previous(self) -> None:
        self._go(-1)

    def _go(self, direction: int) -> None:
        if not self.matches:
            self._show_count()
            return
        self.index = (self.index + direction) % len(self.matches)
        node = self.matches[self.index]
        self.window_.document.select(node)  # as a click on the node would
        self.window_.canvas.centre_on(node)
        self._show_count()

    def _show_count(self) -> None:
        if not self.field.text().strip():
            self.count.setText("")
        elif not self.matches:
            self.count.setText("no match")
        else:
            self.count.setText(f"{self.index + 1} of {len(self.matches)}")


class Navigation:
    """Search, zoom to selection, folding groups and the overview map (the Navigate menu)."""

    def __init__(self, window: WindowFacade) -> None:
        self.window = window
        canvas = window.canvas
        self.find_bar = QtFindBar(window)
        window.add_tool_bar(self.find_bar, own_row=True)
        self.minimap = QtMinimap(canvas)
        self.actions = self._actions()
        navigate = window.menu("&Navigate")
        navigate.addActions([self.actions[name] for name in ("find", "next", "previous", "zoom")])
        navigate.addSeparator()
        navigate.addActions([self.actions[name] for name in ("fold", "repeats", "unfold", "leaves", "map")])
        canvas.nodeDoubleClicked.connect(self._on_double_click)
        canvas.contextMenuRequested.connect(self._on_context_menu)
        canvas.resized.connect(self.minimap.place)
        window.document.trace_changed.connect(self.refresh_minimap)
        self.refresh_minimap()

    def _actions(self) -> dict[str, QAction]:
        document, find_bar = self.window.document, self.find_bar
        actions = {
            "find": self._act("&Find node…", find_bar.open_bar, "Ctrl+F", "Find nodes by name, variable or module"),
            "next": self._act("Find &next", find_bar.next, "F3"),
            "previous": self._act("Find p&revious", find_bar.previous, "Shift+F3"),
            "zoom": self._act("&Zoom to selection", self.zoom_to_selection, "Z", "Zoom to the selected node (Z)"),
            "fold": self._act("F&old loop turns and modules", self.fold_all, "Ctrl+Shift+O",
                              "Fold every loop turn and nn.Module call into one node"),
            "repeats": self._act("Fold &repeats (summary)", self.fold_repeats, "Ctrl+Alt+O",
                                 "Each run of identical loop turns or layers as one repeat ×N block, "
                                 "its first and last turn shown"),
            "unfold": self._act("&Unfold all", document.expand_all, "Ctrl+Shift+U"),
            "leaves": self._act("&Hide leaves (AccumulateGrad)",
                                lambda: document.set_hide_leaves(actions["leaves"].isChecked())),
            "map": self._act("Overview &map", lambda: self.toggle_minimap(actions["map"].isChecked())),
        }
        actions["leaves"].setCheckable(True)
        actions["map"].setCheckable(True)
        actions["map"].setChecked(True)
        return actions

    def _act(self, text: str, slot: Callable[[], object], shortcut: str | None = None, tip: str = "") -> QAction:
        return make_action(self.window.widget, text, slot, shortcut, tip)

    def zoom_to_selection(self) -> None:
        if self.window.selected is not None:
            self.window.canvas.zoom_to([self.window.selected])

    def fold_all(self) -> None:
        groups = self.window.controller.groups()
        if not groups:
            self.window.show_status("Nothing to fold: no loop turns or module scopes in this pass")
        elif not self.window.document.collapse(_outermost(groups)):
            self.window.show_status("These groups cannot be folded without a cycle in the picture")

    def fold_repeats(self) -> None:
        one_pass = self.window.document.current_pass
        repeats = repeat_groups(one_pass.graph) if one_pass is not None else []
        if not repeats:
            self.window.show_status("Nothing repeats: no run of three or more identical loop turns or layers")
        elif not self.window.document.collapse(repeats):
            self.window.show_status("These repeats cannot be folded without a cycle in the picture")

    def fold(self, groups: list[Group]) -> None:
        if not self.window.document.collapse(groups):
            self.window.show_status("This group cannot be folded without a cycle in the picture")

    def toggle_minimap(self, checked: bool) -> None:
        self.minimap.enabled_by_user = checked
        self.refresh_minimap()

    def refresh_minimap(self) -> None:
        count = len(self.window.canvas.item.geometry.centres)
        self.minimap.setVisible(self.minimap.enabled_by_user and count >= MINIMAP_FROM)
        self.minimap.place()
        self.minimap.update()

    def _is_group(self, node: str | None) -> bool:
        graph = self.window.controller.view_graph
        return node is not None and graph is not None and node in graph and graph.nodes[node].get("kind") == GROUP_KIND

    def _on_double_click(self, node: str | None) -> None:
        if node is not None and self._is_group(node):
            self.window.document.expand(node)

    def _on_context_menu(self, node: str | None, where: QPointF) -> None:
        window, canvas = self.window, self.window.canvas
        menu = QMenu(window.widget)
        if node is not None and self._is_group(node):
            menu.addAction("Unfold this group", lambda: window.document.expand(node))
        elif node is not None:
            group = window.controller.group_of(node)
            if group is not None:
                menu.addAction(f"Fold “{group.label}” ({len(group.members)} nodes)",
                               lambda: self.fold([group]))
            menu.addAction("Zoom to this node", lambda: canvas.zoom_to([node]))
        menu.addAction(self.actions["fold"])
        menu.addAction(self.actions["unfold"])
        menu.addAction(self._act("Fit the whole graph", canvas.fit))
        menu.popup(where.toPoint())


def _outermost(groups: list[Group]) -> list[Group]:
    """Groups not inside a bigger one (fold ``encoder``, not also each of its layers)."""
    ordered = sorted(groups, key=lambda group: -len(group.members))
    chosen: list[Group] = []
    for group in ordered:
        if not any(group.members <= other.members for other in chosen):
            chosen.append(group)
    return chosen
