"""The walk builds its networkx graph directly: the same graph networkx's own methods build."""

from __future__ import annotations

import networkx as nx
import torch

from explorer.core.capture.graph import AutogradGraph, walk


def _by_networkx(graph: nx.MultiDiGraph) -> AutogradGraph:
    rebuilt = AutogradGraph()
    rebuilt.add_nodes_from((node, dict(data)) for node, data in graph.nodes(data=True))
    rebuilt.add_edges_from((source, target, key, dict(data))
                           for source, target, key, data in graph.edges(keys=True, data=True))
    return rebuilt


def test_direct_building_equals_networkx_building_in_content_and_order() -> None:
    torch.manual_seed(0)
    x = torch.randn(3, 4, requires_grad=True)
    w = torch.randn(4, 4, requires_grad=True)
    parts = (x @ w).split(2, dim=1)
    y = (parts[0] * parts[1] + x[:, :2].exp() * w[0, :2]).sum() + (w * w).mean()
    graph = walk([y.grad_fn]).graph
    expected = _by_networkx(graph)
    assert list(graph.nodes(data=True)) == list(expected.nodes(data=True))
    assert list(graph.edges(keys=True, data=True)) == list(expected.edges(keys=True, data=True))
    for node in graph:
        assert list(graph.succ[node]) == list(expected.succ[node])
        assert list(graph.pred[node]) == list(expected.pred[node])
        for target in graph.succ[node]:
            assert graph._pred[target][node] is graph._succ[node][target]  # one key dict, both ways
    assert nx.is_directed_acyclic_graph(graph)
    assert graph.number_of_edges() == expected.number_of_edges() > graph.number_of_nodes() - 1
    assert dict(graph.in_degree()) == dict(expected.in_degree())
