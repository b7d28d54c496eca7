"""Last, the result: points in the chosen orientation, each long edge's corners along its bus."""

from __future__ import annotations

import bisect

from explorer.core.view.layout.reading import Indexed
from explorer.core.view.layout.result import TOLERANCE, Layout, Point
from explorer.core.view.layout.routing import Proper


def assemble(indexed: Indexed, proper: Proper, across: list[float], crossings: int,
             orientation: str, compact: bool) -> Layout:
    """The ``Layout``: real nodes' points and layers, and every edge's bend points."""
    shift = min(across)
    layer = proper.layer

    def point(node: int) -> Point:
        x = across[node] - shift + 0.0  # + 0.0 turns -0.0 into 0.0
        return (x, float(layer[node])) if orientation == "TB" else (float(layer[node]), x)

    positions = {node: point(index) for index, node in enumerate(indexed.ids)}
    layers = {node: layer[index] for index, node in enumerate(indexed.ids)}
    bus_points = [[point(node) for node in chain] for chain in proper.chains]
    bus_corners = [_corners(points) for points in bus_points]
    bends = {key: _bend_points(bus_points[bus], bus_corners[bus], start, stop) if stop else []
             for key, (bus, start, stop) in zip(indexed.edge_keys, proper.paths)}
    return Layout(positions, layers, bends, crossings, orientation, compact)


def _corners(points: list[Point]) -> list[int]:
    """Indices where a shared line changes direction; the points between them are collinear."""
    corners = []
    for index in range(1, len(points) - 1):
        (ax, ay), (bx, by), (cx, cy) = points[index - 1], points[index], points[index + 1]
        if abs((bx - ax) * (cy - by) - (by - ay) * (cx - bx)) > TOLERANCE:
            corners.append(index)
    return corners


def _bend_points(points: list[Point], corners: list[int], start: int, stop: int) -> list[Point]:
    """The part of a shared line an edge follows, by its ends and corners only.

    Listing every layer a long edge passes would cost (edges x layers) points when one weight
    feeds every step of a loop; the ends and corners draw the same line.
    """
    inner = corners[bisect.bisect_right(corners, start):bisect.bisect_left(corners, stop - 1)]
    last = [points[stop - 1]] if stop - 1 > start else []
    return [points[start]] + [points[index] for index in inner] + last
