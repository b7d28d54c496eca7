"""Groups of nodes that the canvas can fold into one: loop turns, nn.Module calls, any set.

A group is plain data (an id, a label and its member node ids). Folding replaces every member
of a collapsed group by one node and reroutes the edges that cross its boundary, so layout,
drawing and stepping all work on the folded graph exactly as on the full one.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Iterable
from dataclasses import dataclass, replace

import networkx as nx

from explorer.core.capture.graph import AutogradGraph
from explorer.core.capture.tensors import format_number
from explorer.core.view.scene import Scene, SceneEdge, SceneNode
from explorer.core.view.stepper import NodeState

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


@dataclass
class _FoldPlan:
    """Where each node and edge of a pass's scenes goes in the folded scene (worked out once:
    a step then only picks, instead of looking every one of 100,000 nodes up again)."""

    sizes: tuple[int, int]
    kept: list[int]  # scene nodes shown as they are, by index
    members: dict[str, list[int]]  # group id -> the scene nodes folded into it
    order: list[int | tuple[str, str]]  # the folded scene's edges: a scene edge, or a bundle's ends
    bundles: dict[tuple[str, str], list[int]]  # the scene edges each bundle stands for
    flow_in: dict[str, list[int]]  # group id -> the edges leaving it in data flow (grads come in)
    flow_out: dict[str, list[int]]  # group id -> the edges entering it (its gradients go out)
    roots: dict[str, list[int]]  # group id -> its members that are roots of the pass


def _fold_plan(scene: Scene, folded: nx.MultiDiGraph, owner: dict[str, str]) -> _FoldPlan:
    kept: list[int] = []
    members: dict[str, list[int]] = {}
    for index, node in enumerate(scene.nodes):
        if node.id in owner:
            members.setdefault(owner[node.id], []).append(index)
        elif node.id in folded:
            kept.append(index)
    order: list[int | tuple[str, str]] = []
    bundles: dict[tuple[str, str], list[int]] = {}
    flow_in: dict[str, list[int]] = {}
    flow_out: dict[str, list[int]] = {}
    for index, edge in enumerate(scene.edges):
        source, target = owner.get(edge.source, edge.source), owner.get(edge.target, edge.target)
        if source == target or source not in folded or target not in folded:
            continue
        if source in members:
            flow_in.setdefault(source, []).append(index)
        if target in members:
            flow_out.setdefault(target, []).append(index)
        if (source, target) == (edge.source, edge.target):
            order.append(index)
            continue
        if (source, target) not in bundles:
            bundles[(source, target)] = []
            order.append((source, target))
        bundles[(source, target)].append(index)
    roots = {group: [index for index in inside if scene.nodes[index].is_root]
             for group, inside in members.items()}
    return _FoldPlan((len(scene.nodes), len(scene.edges)), kept, members, order, bundles, flow_in,
                     flow_out, roots)


def fold_scene(scene: Scene, folded: nx.MultiDiGraph, owner: dict[str, str]) -> Scene:
    """The scene of the folded graph: a group node shows its members' combined state and the
    gradient that enters and leaves it; edges map onto the folded graph's edges (several
    between the same two nodes, a group among them, as one)."""
    plan = folded.graph.get("fold_plan")
    if not isinstance(plan, _FoldPlan) or plan.sizes != (len(scene.nodes), len(scene.edges)):
        plan = folded.graph["fold_plan"] = _fold_plan(scene, folded, owner)
    all_nodes, all_edges = scene.nodes, scene.edges
    nodes = [all_nodes[index] for index in plan.kept]
    edges: list[SceneEdge] = []
    for entry in plan.order:
        if isinstance(entry, int):
            edges.append(all_edges[entry])
            continue
        bundle = list(map(all_edges.__getitem__, plan.bundles[entry]))
        first = bundle[0]
        merged = replace(first, source=entry[0], target=entry[1],  # type: ignore[arg-type]
                         slot=(first.target, first.source, first.slot))
        edges.append(_bundled(merged, bundle))
    state_of = operator.attrgetter("state")
    for group_id, inside in plan.members.items():
        states = set(map(state_of, map(all_nodes.__getitem__, inside)))
        is_root = any(all_nodes[index].is_root for index in plan.roots.get(group_id, ()))
        nodes.append(_group_node(group_id, folded.nodes[group_id], states, len(inside), is_root,
                                 _magnitudes(all_edges, plan.flow_in.get(group_id, ())),
                                 _magnitudes(all_edges, plan.flow_out.get(group_id, ()))))
    return Scene(nodes, edges, scene.header, owner.get(scene.active, scene.active) if scene.active else None)


_MAGNITUDE = operator.attrgetter("magnitude")


def _magnitudes(edges: list[SceneEdge], indices: Iterable[int]) -> list[float]:
    """The norms of the gradients these edges delivered so far (map and attrgetter: a weight
    used by 30,000 folded turns is read at every step)."""
    return [value for value in map(_MAGNITUDE, map(edges.__getitem__, indices)) if value is not None]


def _bundled(edge: SceneEdge, bundle: list[SceneEdge] | None) -> SceneEdge:
    """One edge for several folded into it: how many, and their gradients' combined norm."""
    if bundle is None or len(bundle) < 2:
        return edge
    delivered = [value for value in map(_MAGNITUDE, bundle) if value is not None]
    if not delivered:
        return replace(edge, shape=f"{len(bundle):,}× {edge.shape}")
    norm = _norm(delivered)
    return replace(edge, delivered=True, magnitude=norm,
                   grad_text=f"{len(delivered):,} grads, ‖·‖={format_number(norm, 4)}")


def _group_node(group_id: str, data: dict, states: set[NodeState], count: int, is_root: bool,
                entering: list[float], leaving: list[float]) -> SceneNode:
    """One box for a folded group, in its members' combined state (``states``)."""
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
    return SceneNode(id=group_id, title=f"▸ {data['label']}", subtitle=f"{count:,} nodes folded",
                     kind=GROUP_KIND, state=state, is_root=is_root, running_sum=flow,
                     torch_line=data.get("detail", ""))


def _norm(magnitudes: list[float]) -> float:
    return math.sqrt(math.fsum(map(operator.mul, magnitudes, magnitudes)))
