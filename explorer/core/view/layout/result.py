"""The finished layout (``Layout``): where nodes and edge bends go, in layout units."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

EdgeKey = tuple[Any, Any, Any]
Point = tuple[float, float]
TOLERANCE = 1e-9  # layout units: shorter moves and smaller bends count as none


@dataclass(frozen=True)
class Layout:
    """Where every node and every edge bend goes, in layout units.

    One layer step is 1.0; within a layer, centres of two nodes of widths ``a`` and ``b`` are at
    least ``gap * (a + b) / 2`` apart (gap 1.0, or 0.6 when compact). ``bends`` has an entry for
    every edge ``(node, next, key)`` of the graph: the polyline it follows between its two ends,
    from the data-flow source (``next``) towards ``node``, given by the points on the first and
    last layer it crosses plus the corners in between (points on a straight run are left out, so
    a weight used by every step of a long loop costs a few points per edge, not one per layer);
    empty for adjacent layers. ``crossings`` counts crossing segments, a shared bus segment once.
    """

    positions: dict[str, Point]
    layers: dict[str, int]
    bends: dict[EdgeKey, list[Point]]
    crossings: int
    orientation: str = "TB"
    compact: bool = False


def layer_orders(layout: Layout) -> list[list[str]]:
    """The real nodes of each layer, in the order they are drawn across it."""
    across = 0 if layout.orientation == "TB" else 1
    rows: list[list[str]] = [[] for _ in range(max(layout.layers.values(), default=-1) + 1)]
    for node, layer in layout.layers.items():
        rows[layer].append(node)
    for row in rows:
        row.sort(key=lambda node: layout.positions[node][across])
    return rows
