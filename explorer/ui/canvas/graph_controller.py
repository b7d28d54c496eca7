"""The one adapter between the document and the canvas: trace and step changes become drawing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import networkx as nx

from explorer.core.capture.trace import Pass, Trace
from explorer.core.storage.document import Document
from explorer.core.view.folding import Group, automatic_groups, fold, fold_scene
from explorer.core.view.layout import Layout, Progress
from explorer.core.view.scene import Scene, build_scene, scene_indices
from explorer.core.view.stepper import Stepper
from explorer.core.view.style import LayoutStyle
from explorer.core.view.summary import is_big, repeat_groups
from explorer.core.view.view_state import ViewChange
from explorer.ui.canvas.placement import final_scene, layout_geometry
from explorer.ui.canvas.scene_painter import Geometry, SceneCache, fill_drawing_arrays
from explorer.ui.window.theme import Theme

BIG_GRAPH = 5_000  # nodes: a graph this big is laid out again in the runner's thread
DEFAULT_STYLE = LayoutStyle()


def structure_key(pass_index: int, one_pass: Pass) -> tuple:
    """Two passes with the same key draw the same picture: same nodes, same edges."""
    return (pass_index,) + one_pass.cached("structure", lambda: (
        tuple(one_pass.graph.nodes), tuple(one_pass.graph.edges(keys=True))))


@dataclass(frozen=True)
class LaidOutPass:
    """What the window shows first for one pass of a new trace, computed off the UI thread.

    ``stepper`` stands at ``position`` and ``scene`` is the scene there: on a 100,000-node pass
    making each costs the UI thread seconds, so the window takes them as they are.
    """

    pass_index: int
    structure: tuple
    layout: Layout
    geometry: Geometry
    font_scale: float
    stepper: Stepper
    scene: Scene
    position: int
    drawing: SceneCache | None = None  # the scene's drawing arrays in the theme asked for
    style: LayoutStyle = DEFAULT_STYLE
    summary: Summary | None = None  # a big pass opens folded: its groups, folded graph and scene


@dataclass(frozen=True)
class Summary:
    """A big pass's first picture: its repeated turns folded (see ``explorer.core.view.summary``)."""

    groups: tuple[Group, ...]
    graph: nx.MultiDiGraph
    owner: dict[str, str]
    scene: Scene  # the folded scene at the laid_out position


def summary_groups(one_pass: Pass) -> list[Group]:
    """The groups a big pass opens with folded (none for a small one)."""
    if not is_big(one_pass.graph):
        return []
    return list(one_pass.cached("repeat_groups", lambda: repeat_groups(one_pass.graph)))


def lay_out_pass(trace: Trace, pass_index: int, previous: Layout | None,
                   font_scale: float, position: int | None = None,
                   theme: Theme | None = None, progress: Progress | None = None,
                   style: LayoutStyle = DEFAULT_STYLE) -> LaidOutPass:
    """Lay out a pass and stand a stepper at ``position`` (None: the end of the pass).

    ``progress`` follows the layout (see ``layered_layout``) and may raise to cancel it.
    """
    one_pass = trace.passes[pass_index]
    stepper = Stepper(one_pass)
    stepper.to_end()
    scene = build_scene(one_pass, stepper, trace.leaves)  # at the end: the widest labels
    scene_indices(one_pass, trace.leaves)  # for the first steps the user takes
    groups = summary_groups(one_pass)
    folded, owner = fold(one_pass.graph, groups) if groups else (None, {})
    widths = scene if folded is None else fold_scene(scene, folded, owner)
    layout, geometry = layout_geometry(one_pass, widths, previous, font_scale, style.orientation,
                                       graph=folded, progress=progress, compact=style.compact)
    if position is not None and position != stepper.position:
        stepper.jump(position)
        scene = build_scene(one_pass, stepper, trace.leaves)
    shown = scene if folded is None else fold_scene(scene, folded, owner)
    fill_drawing_arrays(shown, geometry)  # the drawing arrays too, off the UI thread
    drawing = SceneCache(shown, geometry, theme) if theme is not None else None
    if drawing is not None and len(shown.nodes) > BIG_GRAPH:
        drawing.overview()  # a big graph opens zoomed out: its first frame draws the overview
    summary = None if folded is None else Summary(tuple(groups), folded, owner, shown)
    return LaidOutPass(pass_index, structure_key(pass_index, one_pass), layout, geometry,
                          font_scale, stepper, scene, stepper.position, drawing, style, summary)


class CanvasSurface(Protocol):
    """What the controller tells a canvas (``QtGraphCanvas`` is one; the tests hold a fake)."""

    stepper: Stepper | None  # the stepper of the scene shown, for the canvas's tooltips

    def show_scene(self, scene: Scene | None, geometry: Geometry, *, fit: bool,
                   drawing: SceneCache | None = None) -> None: ...

    def set_stale(self, stale: bool, message: str = "") -> None: ...

    def set_font_scale(self, scale: float) -> None: ...


class GraphController:
    """Keeps one layout per pass (stable across value edits) and redraws on every change."""

    def __init__(self, document: Document, canvas: CanvasSurface) -> None:
        self.document = document
        self.canvas = canvas
        self.font_scale = 1.0
        self.geometry: Geometry | None = None
        self._layouts: dict[int, Layout] = {}
        self._structure: tuple | None = None
        self._laid_out: LaidOutPass | None = None
        self.view_graph: nx.MultiDiGraph | None = None  # the folded graph, when anything is folded
        self.owner: dict[str, str] = {}  # member node -> the group node standing for it
        self._scene: Scene | None = None
        self._scene_key: tuple[Stepper | None, int, nx.MultiDiGraph | None, float] | None = None
        self._shown_pass: Pass | None = None
        # the last unfolded scene built, its stepper and position: a step changes only a few
        # of its nodes, so the next scene is made from it
        self._unfolded: tuple[Stepper, Scene, int] | None = None
        # drawing arrays the runner made, with the scene and geometry they were made for
        self._drawing: tuple[Scene | None, Geometry | None, SceneCache | None] = (None, None, None)
        self._fresh_positions = False  # the next layout replaces the positions on screen
        # set by the window: lays the shown trace out again off the UI thread (False: cannot now)
        self.lay_out_elsewhere: Callable[[], bool] | None = None
        document.trace_changed.connect(self.refresh_layout)
        document.step_changed.connect(self.redraw)
        document.view_changed.connect(self._on_view_changed)

    def offer(self, laid_out: LaidOutPass | None) -> None:
        """A layout the runner made for the trace about to arrive."""
        self._laid_out = laid_out

    def previous_layout(self, pass_index: int) -> Layout | None:
        return self._layouts.get(pass_index)

    def set_font_scale(self, scale: float) -> None:
        self.font_scale = scale
        self.canvas.set_font_scale(scale)
        self._lay_out_again()  # wider boxes need fresh positions, not the old ones kept

    @property
    def style(self) -> LayoutStyle:
        return self.document.view.style

    @property
    def collapsed(self) -> list[Group]:
        return self.document.view.collapsed

    def _on_view_changed(self, change: ViewChange) -> None:
        if change is ViewChange.STYLE:
            self._lay_out_again()
        else:
            self.refresh_layout(fit=change is not ViewChange.UNFOLDED)

    def _lay_out_again(self) -> None:
        self._layouts.clear()
        self._fresh_positions = True
        one_pass = self.document.current_pass
        big = one_pass is not None and one_pass.graph.number_of_nodes() > BIG_GRAPH
        if big and self.lay_out_elsewhere is not None and self.lay_out_elsewhere():
            return  # the picture on screen stays until the new one is ready
        self.refresh_layout(fit=True)

    def refresh_layout(self, fit: bool | None = None) -> None:
        document = self.document
        one_pass = document.current_pass
        self.canvas.set_stale(document.stale, "The graph is from the last program that ran "
                              "without errors" if document.stale else "")
        if one_pass is None or document.trace is None:
            self.geometry = None
            self.canvas.show_scene(None, Geometry({}, {}), fit=False)
            return
        view = document.view
        base = structure_key(document.pass_index, one_pass)
        if base != view.summarised:  # a pass not shown before: a big one opens as its summary
            view.summarised = base
            view.collapsed = summary_groups(one_pass)
        structure = base + (tuple(group.id for group in view.collapsed), view.hide_leaves)
        same = structure == self._structure
        laid_out, self._laid_out = self._laid_out, None
        if (laid_out is None and same and one_pass is self._shown_pass and self.geometry is not None
                and not self._fresh_positions):
            # the very pass on screen (a failed or cancelled run keeps it): nothing to lay out
            self._show(fit=bool(fit))
            return
        summary = laid_out.summary if laid_out is not None else None
        if (summary is not None and laid_out is not None and laid_out.structure == base
                and list(summary.groups) == view.collapsed and not view.hide_leaves
                and laid_out.font_scale == self.font_scale and laid_out.style == self.style):
            # the runner folded and laid out the summary: take it as it is
            self.view_graph, self.owner = summary.graph, summary.owner
            layout, geometry = laid_out.layout, laid_out.geometry
            if document.stepper is laid_out.stepper:
                self._scene = summary.scene
                self._scene_key = self._key_at(laid_out.position)
                self._unfolded = (laid_out.stepper, laid_out.scene, laid_out.position)
                self._drawing = (summary.scene, laid_out.geometry, laid_out.drawing)
        elif self._fold(one_pass):
            previous = self._layouts.get(document.pass_index) if same else None
            widths_scene = fold_scene(final_scene(document.trace, one_pass), self.view_graph, self.owner)
            layout, geometry = layout_geometry(one_pass, widths_scene, previous, self.font_scale,
                                               view.style.orientation, graph=self.view_graph,
                                               compact=view.style.compact)
        elif (laid_out is not None and laid_out.summary is None and laid_out.structure == structure[:3]
                and laid_out.font_scale == self.font_scale and laid_out.style == self.style):
            layout, geometry = laid_out.layout, laid_out.geometry
            if document.stepper is laid_out.stepper:
                self._scene = laid_out.scene
                self._scene_key = self._key_at(laid_out.position)
                self._unfolded = (laid_out.stepper, laid_out.scene, laid_out.position)
                self._drawing = (laid_out.scene, laid_out.geometry, laid_out.drawing)
        else:
            previous = self._layouts.get(document.pass_index) if same else None
            layout, geometry = layout_geometry(one_pass, final_scene(document.trace, one_pass),
                                               previous, self.font_scale, view.style.orientation,
                                               compact=view.style.compact)
        fresh, self._fresh_positions = self._fresh_positions, False
        if fresh:
            fit = True
        elif same and self.geometry is not None:
            kept = {k: v for k, v in self.geometry.centres.items() if k in geometry.centres}
            if any(geometry.centres[k] != v for k, v in kept.items()):
                geometry.centres.update(kept)  # nodes the user dragged stay where they were put
                geometry.moved()
                self._drawing = (None, None, None)  # made for the positions before the drag
        self._layouts[document.pass_index] = layout
        self._structure = structure
        self._shown_pass = one_pass
        self.geometry = geometry
        self._show(fit=not same if fit is None else fit)

    def _fold(self, one_pass: Pass) -> bool:
        """Fold what the document's view state folds; whether anything is folded or hidden."""
        folded = self.document.view.folded_graph(one_pass)
        self.view_graph, self.owner = folded if folded is not None else (None, {})
        return folded is not None

    def groups(self) -> list[Group]:
        """The groups the current pass offers (loop turns, module scopes)."""
        one_pass = self.document.current_pass
        if one_pass is None:
            return []
        return list(one_pass.cached("groups", lambda: automatic_groups(one_pass.graph)))

    def group_of(self, node_id: str) -> Group | None:
        """The innermost automatic group holding a node (for "collapse this")."""
        holding = [group for group in self.groups() if node_id in group.members]
        return min(holding, key=lambda group: len(group.members)) if holding else None

    def _show(self, fit: bool) -> None:
        geometry = self.geometry
        if geometry is None:
            return  # nothing laid out: callers show a layout they have just made
        self.canvas.stepper = self.document.stepper
        scene = self.current_scene()
        made_for_scene, made_for_geometry, drawing = self._drawing
        self._drawing = (None, None, None)  # for the first picture only: nodes may move later
        if scene is None or made_for_scene is not scene or made_for_geometry is not geometry:
            drawing = None  # made for another step or layout
        self.canvas.show_scene(scene, geometry, fit=fit, drawing=drawing)

    def redraw(self) -> None:
        if self.geometry is not None:
            self._show(fit=False)

    def current_scene(self) -> Scene | None:
        """The scene at the current step (built once per step, however many views ask)."""
        document = self.document
        if document.stepper is None or document.trace is None:
            return None
        key = self._key_at(document.stepper.position)
        if self._scene_key == key and self._scene is not None:
            return self._scene
        self._scene = self._build_current_scene()
        self._scene_key = key
        return self._scene

    def _key_at(self, position: int) -> tuple[Stepper | None, int, nx.MultiDiGraph | None, float]:
        # steppers and graphs compare by identity: the key holds the very objects drawn
        return (self.document.stepper, position, self.view_graph, self.font_scale)

    def _build_current_scene(self) -> Scene | None:
        document = self.document
        if document.stepper is None or document.trace is None:
            return None
        stepper = document.stepper
        last = self._unfolded
        previous = (last[1], last[2]) if last is not None and last[0] is stepper else None
        scene = build_scene(stepper.one_pass, stepper, document.trace.leaves, previous)
        self._unfolded = (stepper, scene, stepper.position)
        if self.view_graph is not None:
            scene = fold_scene(scene, self.view_graph, self.owner)
        return scene
