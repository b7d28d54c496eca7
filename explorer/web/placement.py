"""Where each box goes on the page: the core's layered layout placed in the window's scene units.

This is the window's placement (``explorer/ui/canvas/placement.py``) with label widths from
``metrics`` instead of Qt's font metrics, so a page made without Qt shows the picture the app
draws; ``tests/web/test_placement.py`` compares the two.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx

from explorer.core.capture.trace import Pass
from explorer.core.view.layout import layered_layout
from explorer.core.view.scene import Scene, SceneNode
from explorer.web.metrics import text_width

# the window's scene units (explorer/ui/canvas/scene_painter.py)
LAYER_SPACING = 96.0
COLUMN_SPACING = 60.0
NODE_HEIGHT = 58.0
MIN_NODE_WIDTH = 120.0
PADDING = 14.0
GAP = 36.0
COMPACT_SPACING = 0.45  # share of the usual gaps in compact mode (explorer/ui/canvas/placement.py)

EdgeKey = tuple[str, str, object]
Point = tuple[float, float]


@dataclass
class Placement:
    """Box centres and widths, and each edge's bends, in scene units (y grows downward)."""

    centres: dict[str, Point]
    widths: dict[str, float]
    bends: dict[EdgeKey, list[Point]] = field(default_factory=dict)
    orientation: str = "TB"


def node_width(node: SceneNode) -> float:
    """Wide enough for the node's longest line of text (the torch line measured as a title, as
    the window measures it)."""
    widest = max(text_width(node.title, True), text_width(node.torch_line, True))
    for line in (node.subtitle, node.running_sum):
        if line:
            widest = max(widest, text_width(line, False))
    return max(MIN_NODE_WIDTH, widest + 2 * PADDING)


def place(one_pass: Pass, scene_for_widths: Scene, *, orientation: str = "TB", compact: bool = False,
          graph: nx.MultiDiGraph | None = None, widths: dict[str, float] | None = None) -> Placement:
    """Lay the pass (or ``graph``, its folded form) out with boxes as wide as their labels
    (or as ``widths`` says)."""
    if widths is None:
        widths = {node.id: node_width(node) for node in scene_for_widths.nodes}
    tight = COMPACT_SPACING if compact else 1.0
    gap = GAP * tight
    spans = ({node_id: (width + gap) / COLUMN_SPACING for node_id, width in widths.items()}
             if orientation == "TB" else None)
    layout = layered_layout(one_pass.graph if graph is None else graph, orientation=orientation,
                            node_widths=spans)
    if orientation == "TB":
        along, across = COLUMN_SPACING, NODE_HEIGHT + (LAYER_SPACING - NODE_HEIGHT) * tight
    else:
        along, across = max(widths.values(), default=0) + 2 * gap, NODE_HEIGHT + gap
    centres = {node_id: (x * along, y * across) for node_id, (x, y) in layout.positions.items()}
    bends = {key: [(x * along, y * across) for x, y in points] for key, points in layout.bends.items()}
    return Placement(centres, widths, bends, orientation)
