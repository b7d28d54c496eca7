"""Where each box of a pass goes on the canvas: the layered layout, in scene units.

Kept apart from the canvas so the headless export places boxes exactly as the window does
without importing the window's widgets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import networkx as nx

from explorer.core.view.layout import Layout, Progress, layered_layout
from explorer.core.view.scene_model import Scene
from explorer.ui.canvas.scene_painter import (
    COLUMN_SPACING,
    GAP,
    LAYER_SPACING,
    NODE_HEIGHT,
    Geometry,
    node_width,
)

if TYPE_CHECKING:  # an export places a picture from its worker: this process needs no torch
    from explorer.core.capture.trace import Pass, Trace

COMPACT_SPACING = 0.45  # share of the usual gaps (between boxes and layers) in compact mode


def layout_geometry(one_pass: Pass | None, scene_for_widths: Scene, previous: Layout | None = None,
                    font_scale: float = 1.0, orientation: str = "TB",
                    graph: nx.MultiDiGraph | None = None,
                    progress: Progress | None = None, compact: bool = False) -> tuple[Layout, Geometry]:
    """Lay the pass out (boxes as wide as their labels) and place it in scene units.

    ``graph`` replaces the pass's own graph when groups are folded, or stands for a pass that
    stayed in the worker process (an export's picture: ``one_pass`` None); ``compact`` packs
    boxes closer across and between layers (edge labels then overlap more when zoomed out).
    """
    if graph is None:
        assert one_pass is not None, "a graph to lay out: the pass's or one given"
        graph = one_pass.graph
    widths = {node.id: node_width(node, font_scale) for node in scene_for_widths.nodes}
    tight = COMPACT_SPACING if compact else 1.0
    gap = GAP * tight
    # across a layer boxes take their widths (top to bottom) or one height each (left to right);
    # the layout's own "compact" would scale the boxes too, and they would overlap
    spans = ({node_id: (width + gap) / COLUMN_SPACING for node_id, width in widths.items()}
             if orientation == "TB" else None)
    layout = layered_layout(graph, orientation=orientation,
                            previous=previous, node_widths=spans, progress=progress)
    if orientation == "TB":
        along = COLUMN_SPACING
        across = (NODE_HEIGHT + (LAYER_SPACING - NODE_HEIGHT) * tight) * max(1.0, font_scale)
    else:
        along, across = max(widths.values(), default=0) + 2 * gap, NODE_HEIGHT + gap
    # plain multiplications in comprehensions: a call per point costs a 10,000-node graph a
    # tenth of a second
    centres = {node_id: (x * along, y * across) for node_id, (x, y) in layout.positions.items()}
    bends = {key: [(x * along, y * across) for x, y in points] for key, points in layout.bends.items()}
    return layout, Geometry(centres, widths, bends, orientation=orientation)


def final_scene(trace: Trace, one_pass: Pass) -> Scene:
    """The scene at the end of the pass: its labels are the widest a node will need."""
    from explorer.core.view.scene import build_scene
    from explorer.core.view.stepper import Stepper

    stepper = Stepper(one_pass)
    stepper.to_end()
    return build_scene(one_pass, stepper, trace.leaves)
