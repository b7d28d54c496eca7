"""First, reading the graph: nodes and edges as integers, widths checked, a previous layout kept."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import networkx as nx

from explorer.core.view.layout.result import EdgeKey, Layout


@dataclass
class Indexed:
    """Nodes by index in the graph's own order; each edge as data-flow source -> target."""

    ids: list[Any]
    edge_keys: list[EdgeKey]
    sources: list[int]  # the edge's ``next``: where the data came from
    targets: list[int]  # the edge's node: where the data went


def index_graph(graph: nx.DiGraph) -> Indexed:
    """The graph's nodes and edges as integer lists, in the graph's own order."""
    ids = list(graph.nodes)
    index = {node: position for position, node in enumerate(ids)}
    if graph.is_multigraph():
        keys: list[EdgeKey] = list(graph.edges(keys=True))
    else:
        keys = [(node, next_node, 0) for node, next_node in graph.edges()]
    sources = [index[next_node] for _, next_node, _ in keys]
    targets = [index[node] for node, _, _ in keys]
    return Indexed(ids, keys, sources, targets)


def real_widths(ids: list[Any], node_widths: dict[str, float] | None) -> list[float]:
    """Each node's width (1.0 unless given); a width that is not a positive number is refused."""
    given = node_widths or {}
    widths = [float(given.get(node, 1.0)) for node in ids]
    for node, width in zip(ids, widths):
        if not (math.isfinite(width) and width > 0):
            raise ValueError(f"width of {node!r} must be a positive number, not {width}")
    return widths


def same_structure(previous: Layout, indexed: Indexed, orientation: str,
                   compact: bool) -> bool:
    """Same node ids, same edges (keys included) and the same options as ``previous``."""
    if previous.orientation != orientation or previous.compact != compact:
        return False
    if len(previous.layers) != len(indexed.ids) or previous.layers.keys() != set(indexed.ids):
        return False
    return (len(previous.bends) == len(indexed.edge_keys)
            and previous.bends.keys() == set(indexed.edge_keys))
