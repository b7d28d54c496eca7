"""Find nodes by torch name, variable name or module path."""

from __future__ import annotations

import networkx as nx

SEARCHED = ("name", "variable", "module", "label")


def find_nodes(graph: nx.MultiDiGraph, query: str) -> list[str]:
    """Nodes whose name, variable, module path or group label contains ``query`` (any case).

    Matches come in the order of the graph (from the output towards the leaves).
    """
    needle = query.strip().casefold()
    if not needle:
        return []
    return [node for node, data in graph.nodes(data=True)
            if any(needle in str(data.get(field) or "").casefold() for field in SEARCHED)]
