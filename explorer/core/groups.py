"""Groups of nodes that the canvas can fold into one: loop turns, nn.Module calls, any set.

A group is plain data (an id, a label and its member node ids). Folding replaces every member
of a collapsed group by one node and reroutes the edges that cross its boundary, so layout,
drawing and stepping all work on the folded graph exactly as on the full one.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, replace

import networkx as nx

from explorer.core.graph import AutogradGraph
from explorer.core.scene import Scene, SceneEdge, SceneNode
from explorer.core.stepper import NodeState
from explorer.core.tensors import format_number

GROUP_KIND = "group"


@dataclass(frozen=True)
class Group:
    id: str
    label: str
    members: frozenset[str]
    detail: str = ""  # a second line under the label: "line 7 · turns 1–2998 · 3 nodes each"


def groups_by_attribute(graph: nx.MultiDiGraph, attribute: str, prefix: str) -> list[Group]:
    """One group per distinct value of a node attribute (e.g. ``block`` or ``module``)."""
    members: dict[str, set[str]] = {}
    for node_id, value in graph.nodes(data=attribute):
        if value:
            members.setdefault(str(value), set()).add(node_id)
    return [Group(f"{prefix}:{value}", value, frozenset(nodes))
            for value, nodes in members.items() if len(nodes) > 1]


def module_groups(graph: nx.MultiDiGraph) -> list[Group]:
    """Groups for every nn.Module scope, the enclosing ones included (``encoder`` holds
    ``encoder.layers.0``), so a whole submodule folds at once."""
    members: dict[str, set[str]] = {}
    for node_id, path in graph.nodes(data="module"):
        if not path:
            continue
        parts = str(path).split(".")
        for depth in range(1, len(parts) + 1):
            members.setdefault(".".join(parts[:depth]), set()).add(node_id)
    return [Group(f"module:{path}", path, frozenset(nodes))
            for path, nodes in sorted(members.items()) if len(nodes) > 1]


def automatic_groups(graph: nx.MultiDiGraph) -> list[Group]:
    """The groups a graph offers by itself: turns of loops and nn.Module calls."""
    return groups_by_attribute(graph, "block", "block") + module_groups(graph)


def fold(graph: nx.MultiDiGraph, collapsed: Iterable[Group], *,
         hide_leaves: bool = False) -> tuple[nx.MultiDiGraph, dict[str, str]]:
    """The graph with each collapsed group as one node; returns it and member -> group node.

    Groups are folded in the order given and a node joins only the first group holding it.
    Edges inside a group disappear; edges across its boundary attach to the group node and
    keep their original (node, next, slot) in the attribute ``original``. Several edges between
    the same two nodes, a group among them, become one (a weight feeding 3,000 folded turns
    is one arrow into the block), with how many it stands for in ``count``.
    """
    owner: dict[str, str] = {}
    folded = AutogradGraph()
    for group in collapsed:
        free = [node for node in group.members if node in graph and node not in owner]
        if len(free) < 2:
            continue
        for node in free:
            owner[node] = group.id
        folded.add_node(group.id, name=GROUP_KIND, kind=GROUP_KIND, label=group.label,
                        detail=group.detail, members=tuple(sorted(free)), variable=None, shapes=(),
                        seq=None)
    hidden = {node for node, kind in graph.nodes(data="kind")
              if hide_leaves and kind == "accumulate_grad" and node not in owner}
    for node, data in graph.nodes(data=True):
        if node not in owner and node not in hidden:
            folded.add_node(node, **data)
    merged: dict[tuple[str, str], dict] = {}
    for node, next_node, slot, data in graph.edges(keys=True, data=True):
        source, target = owner.get(node, node), owner.get(next_node, next_node)
        if source == target or node in hidden or next_node in hidden:
            continue
        if source == node and target == next_node:
            folded.add_edge(source, target, key=slot, original=(node, next_node, slot), **data)
            continue
        first = merged.get((source, target))
        if first is not None:
            first["count"] += 1
            continue
        folded.add_edge(source, target, key=(node, next_node, slot), original=(node, next_node, slot),
                        **data, count=1)
        merged[(source, target)] = folded[source][target][(node, next_node, slot)]
    return folded, owner


def expanded_members(group_node: str, folded: nx.MultiDiGraph) -> tuple[str, ...]:
    return tuple(folded.nodes[group_node].get("members", ()))


def fold_scene(scene: Scene, folded: nx.MultiDiGraph, owner: dict[str, str]) -> Scene:
    """The scene of the folded graph: a group node shows its members' combined state and the
    gradient that enters and leaves it; edges map onto the folded graph's edges."""
    members: dict[str, list[SceneNode]] = {}
    nodes: list[SceneNode] = []
    for node in scene.nodes:
        if node.id in owner:
            members.setdefault(owner[node.id], []).append(node)
        elif node.id in folded:
            nodes.append(node)
    edges: list[SceneEdge] = []
    flow_in: dict[str, list[float]] = {}
    flow_out: dict[str, list[float]] = {}
    bundles: dict[tuple[str, str], list[SceneEdge]] = {}  # edges folded into one, by its ends
    for edge in scene.edges:
        source, target = owner.get(edge.source, edge.source), owner.get(edge.target, edge.target)
        if source == target or source not in folded or target not in folded:
            continue
        if edge.delivered and edge.magnitude is not None:
            flow_in.setdefault(source, []).append(edge.magnitude)
            flow_out.setdefault(target, []).append(edge.magnitude)
        if (source, target) == (edge.source, edge.target):
            edges.append(edge)
            continue
        bundle = bundles.get((source, target))
        if bundle is None:
            bundles[(source, target)] = bundle = []
            edges.append(replace(edge, source=source, target=target,  # type: ignore[arg-type]
                                 slot=(edge.target, edge.source, edge.slot)))
        bundle.append(edge)
    if bundles:
        edges = [_bundled(edge, bundles.get((edge.source, edge.target))) for edge in edges]
    for group_id, inside in members.items():
        nodes.append(_group_node(group_id, folded.nodes[group_id], inside,
                                 flow_in.get(group_id, []), flow_out.get(group_id, [])))
    return Scene(nodes, edges, scene.header, owner.get(scene.active, scene.active) if scene.active else None)


def _bundled(edge: SceneEdge, bundle: list[SceneEdge] | None) -> SceneEdge:
    """One edge for several folded into it: how many, and their gradients' combined norm."""
    if bundle is None or len(bundle) < 2:
        return edge
    delivered = [item.magnitude for item in bundle if item.delivered and item.magnitude is not None]
    if not delivered:
        return replace(edge, shape=f"{len(bundle):,}× {edge.shape}")
    norm = _norm(delivered)
    return replace(edge, delivered=True, magnitude=norm,
                   grad_text=f"{len(delivered):,} grads, ‖·‖={format_number(norm, 4)}")


def _group_node(group_id: str, data: dict, inside: list[SceneNode], entering: list[float],
                leaving: list[float]) -> SceneNode:
    states = {node.state for node in inside}
    if NodeState.ACTIVE in states:
        state = NodeState.ACTIVE
    elif states <= {NodeState.DONE, NodeState.UNREACHED} and NodeState.DONE in states:
        state = NodeState.DONE
    elif states == {NodeState.UNREACHED}:
        state = NodeState.UNREACHED
    else:
        state = NodeState.WAITING
    flow = ""
    if entering or leaving:
        flow = (f"grad in ‖·‖={format_number(_norm(entering), 4)}"
                f" → out ‖·‖={format_number(_norm(leaving), 4)}")
    return SceneNode(id=group_id, title=f"▸ {data['label']}", subtitle=f"{len(inside):,} nodes folded",
                     kind=GROUP_KIND, state=state, is_root=any(node.is_root for node in inside),
                     running_sum=flow, torch_line=data.get("detail", ""))


def _norm(magnitudes: list[float]) -> float:
    return math.sqrt(sum(value * value for value in magnitudes))
