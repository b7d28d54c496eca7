"""What the page needs besides the trace to draw a pass as the app does, as plain JSON data.

The trace (schema ``explorer.trace/1``) stays the source: the page's stepper reads the engine's
order and which gradients each step sent from it. This adds what the core computes for the
window and the trace does not hold: box positions and edge bends, the scene's texts (titles,
leaf grads before and after, edge labels, running sums), the narration of every step, hover
texts, and the folded form of loop turns and modules. Lists are per node and per edge, in the
order of the trace's ``nodes`` and ``edges``.
"""

from __future__ import annotations

import math
from typing import Any

import networkx as nx
import torch

from explorer.core.capture.tensors import TensorLike, describe, json_number
from explorer.core.capture.trace import Pass, Trace
from explorer.core.view.folding import Group, automatic_groups, fold, fold_scene
from explorer.core.view.narration import narrate
from explorer.core.view.scene import Scene, build_scene, node_tooltip, step_header
from explorer.core.view.stepper import Stepper
from explorer.web.placement import Placement, place

NARRATED_STEPS = 20_000  # above this many steps a pass's page carries no narration (size)
FOLDED_FROM = 2_000  # nodes: a pass this big opens with loop turns and modules folded
BOTH_STYLES_UP_TO = 1_500  # nodes: smaller passes carry the standard and the compact layout


def pass_view(trace: Trace, index: int, *, placement: Placement | None = None,
              orientation: str = "TB", compact: bool | None = None) -> dict[str, Any]:
    """The page's data for pass ``index``.

    ``placement`` is the window's own (when the page is exported from it), used as it is.
    Otherwise the pass is laid out as the app would: ``compact`` True or False asks for that
    style only; None gives a small pass both, and the page starts with the one that shows the
    graph readable (a big pass gets the standard one).
    """
    one_pass = trace.passes[index]
    stepper = Stepper(one_pass)
    start = build_scene(one_pass, stepper, trace.leaves)
    stepper.to_end()
    end = build_scene(one_pass, stepper, trace.leaves)
    nodes = list(one_pass.graph.nodes)
    if placement is not None:
        layouts = {"given": _layout_view(one_pass, end, placement, None)}
    else:
        styles = [compact] if compact is not None else (
            [False, True] if len(nodes) <= BOTH_STYLES_UP_TO else [False])
        layouts = {}
        for style in styles:
            placed = place(one_pass, end, orientation=orientation, compact=style)
            folded = folded_view(one_pass, end, nodes, orientation=orientation, compact=style)
            layouts["compact" if style else "standard"] = _layout_view(one_pass, end, placed, folded)
    return {
        "index": one_pass.index,  # counted over every pass the program made, from 0
        "call": one_pass.call,
        "nodes": {**_texts(end, start), "line": source_lines(one_pass)},
        "edges": _edge_texts(end),
        "layouts": layouts,
        "sums": running_sums(one_pass),
        "headers": headers(one_pass, stepper),
        "narration": narrations(one_pass, stepper),
        "tips": hover_texts(one_pass, stepper),
        "orientation": orientation if placement is None else placement.orientation,
        "open_folded": len(nodes) >= FOLDED_FROM,
    }


def _texts(end: Scene, start: Scene) -> dict[str, list[Any]]:
    return {
        "title": [node.title for node in end.nodes],
        "torch": [node.torch_line for node in end.nodes],  # the torch name under a title in words
        "subtitle": [node.subtitle for node in start.nodes],  # before the node has run
        "after": [node.subtitle for node in end.nodes],  # once it has (a leaf's new .grad)
        "root": [node.is_root for node in end.nodes],
    }


def source_lines(one_pass: Pass) -> list[int | None]:
    """The code box line that made each node (None: unknown, or a line of another file)."""
    return [data.get("line") if not data.get("file") else None
            for _, data in one_pass.graph.nodes(data=True)]


def _edge_texts(end: Scene) -> dict[str, list[Any]]:
    """Scene edges come in the order of the graph's edges, as the trace lists them."""
    return {
        "shape": [edge.shape for edge in end.edges],
        "sent": [edge.grad_text if edge.delivered else None for edge in end.edges],
        "magnitude": [None if edge.magnitude is None else json_number(edge.magnitude)
                      for edge in end.edges],
    }


def _layout_view(one_pass: Pass, end: Scene, placement: Placement,
                 folded: dict[str, Any] | None) -> dict[str, Any]:
    centres, widths = placement.centres, placement.widths
    bends = [placement.bends.get((edge.target, edge.source, edge.slot), ()) for edge in end.edges]
    return {
        "x": [_rounded(centres[node.id][0]) for node in end.nodes],
        "y": [_rounded(centres[node.id][1]) for node in end.nodes],
        "w": [_rounded(widths[node.id]) for node in end.nodes],
        "bends": [[_rounded(value) for point in points for value in point] for points in bends],
        "folded": folded,
    }


def running_sums(one_pass: Pass) -> list[dict[str, Any]]:
    """What the page needs to write each node's running sum at any position, as the scene does
    (``explorer.core.view.scene.running_sum_text``), for every input that receives several gradients:
    the step that sent each term, each term, and the total after each term, in words.

    The page writes "3 + 4 = 7" (or "sum of 2: …" for tensors) itself from these: all the
    texts of a loop that feeds one leaf thousands of times would be quadratic in size.
    """
    stepper = Stepper(one_pass)
    index = {node_id: number for number, node_id in enumerate(one_pass.graph.nodes)}
    inflows: dict[tuple[str, int], dict[str, Any]] = {}
    while stepper.next():
        active = stepper.active_node
        assert active is not None
        for delivery in stepper.deliveries_of(active):
            key = (delivery.target, delivery.input_nr)
            inflow = stepper.inflows[key]
            entry = inflows.setdefault(key, {"node": index[delivery.target], "input": delivery.input_nr,
                                             "steps": [], "terms": [], "totals": [], "scalar": []})
            count = len(entry["steps"])
            entry["steps"].append(stepper.position - 1)
            entry["terms"].append(describe(delivery.grad))
            entry["totals"].append(describe(inflow.totals[count]))
            scalar = _is_scalar(delivery.grad) and (not entry["scalar"] or entry["scalar"][-1])
            entry["scalar"].append(scalar)
    return [entry for entry in inflows.values() if len(entry["steps"]) > 1]


def _is_scalar(value: TensorLike) -> bool:
    return isinstance(value, torch.Tensor) and value.numel() == 1


def narrations(one_pass: Pass, stepper: Stepper) -> list[list[str]]:
    """The narration at every position 0..N: its title, then its paragraphs."""
    if len(one_pass.steps) > NARRATED_STEPS:
        return []
    texts = []
    for position in range(len(one_pass.steps) + 1):
        stepper.jump(position)
        story = narrate(one_pass, stepper)
        texts.append([story.title, *story.paragraphs])
    return texts


def headers(one_pass: Pass, stepper: Stepper) -> list[str]:
    """The step bar's text at every position 0..N (``Step 3 / 9: PowBackward0 · x ** 3``)."""
    texts = []
    for position in range(len(one_pass.steps) + 1):
        stepper.jump(position)
        texts.append(step_header(one_pass, stepper))
    return texts


def hover_texts(one_pass: Pass, stepper: Stepper) -> dict[str, list[Any]]:
    """What a hover shows (``explorer.core.view.scene.node_tooltip``): the lines above the state,
    which do not change, and the gradients the node received and sent, shown once it has run."""
    lines, received, sent = [], [], []
    stepper.reset()
    for node_id in one_pass.graph.nodes:
        lines.append(node_tooltip(stepper, node_id).split("\n")[:-1])  # all but "state: ..."
    stepper.to_end()
    for node_id in one_pass.graph.nodes:
        ran = stepper.has_run(node_id)
        after = node_tooltip(stepper, node_id).split("\n")[-2:] if ran else [None, None]
        received.append(after[0] and after[0].removeprefix("received: "))
        sent.append(after[1] and after[1].removeprefix("sent: "))
    return {"lines": lines, "received": received, "sent": sent}


def outermost(groups: list[Group]) -> list[Group]:
    """Groups not inside a bigger one (fold ``encoder``, not also each of its layers), as the
    window's Fold chooses them; a group is compared only with the chosen ones it shares a node
    with (a loop of thousands of turns has thousands of disjoint groups)."""
    chosen: list[Group] = []
    holding: dict[str, list[Group]] = {}  # node -> chosen groups holding it
    for group in sorted(groups, key=lambda group: -len(group.members)):
        some = next(iter(group.members))
        if any(group.members <= other.members for other in holding.get(some, ())):
            continue
        chosen.append(group)
        for node in group.members:
            holding.setdefault(node, []).append(group)
    return chosen


def folded_view(one_pass: Pass, end: Scene, nodes: list[str], *,
                orientation: str, compact: bool) -> dict[str, Any] | None:
    """Every outermost loop turn and module call folded into one box, as the app's Fold does;
    None when the pass has no groups or folding them would make the picture cyclic."""
    groups = outermost(automatic_groups(one_pass.graph))
    if not groups:
        return None
    graph, owner = fold(one_pass.graph, groups)
    if not nx.is_directed_acyclic_graph(graph):
        return None
    folded_end = fold_scene(end, graph, owner)
    placement = place(one_pass, folded_end, orientation=orientation, compact=compact, graph=graph)
    members: dict[str, list[int]] = {group.id: [] for group in groups if group.id in graph}
    for number, node_id in enumerate(nodes):
        if node_id in owner:
            members[owner[node_id]].append(number)
    group_nodes = [node for node in folded_end.nodes if node.id in members]
    kept = [node_id for node_id in nodes if node_id not in owner]
    return {
        "groups": {
            "id": [node.id for node in group_nodes],
            "title": [node.title for node in group_nodes],
            "subtitle": [node.subtitle for node in group_nodes],
            "label": [graph.nodes[node.id]["label"] for node in group_nodes],
            "members": [members[node.id] for node in group_nodes],
            "x": [_rounded(placement.centres[node.id][0]) for node in group_nodes],
            "y": [_rounded(placement.centres[node.id][1]) for node in group_nodes],
            "w": [_rounded(placement.widths[node.id]) for node in group_nodes],
        },
        # nodes left as they are: their place in the folded picture (null: inside a group)
        "x": [_rounded(placement.centres[node_id][0]) if node_id not in owner else None for node_id in nodes],
        "y": [_rounded(placement.centres[node_id][1]) if node_id not in owner else None for node_id in nodes],
        "w": [_rounded(placement.widths[node_id]) if node_id not in owner else None for node_id in nodes],
        "bends": _folded_bends(one_pass, graph, owner, placement),
        "kept": len(kept),
    }


def _folded_bends(one_pass: Pass, graph: nx.MultiDiGraph, owner: dict[str, str],
                  placement: Placement) -> list[list[float] | None]:
    """Per edge of the pass: its bends in the folded picture (None: inside one group)."""
    bends: list[list[float] | None] = []
    for node, next_node, slot in one_pass.graph.edges(keys=True):
        source, target = owner.get(node, node), owner.get(next_node, next_node)
        if source == target:
            bends.append(None)
            continue
        key = slot if (source, target) == (node, next_node) else (node, next_node, slot)
        points = placement.bends.get((source, target, key), ())
        bends.append([_rounded(value) for point in points for value in point])
    return bends


def _rounded(value: float) -> float:
    """A tenth of a scene unit is far below a pixel at any zoom the page allows."""
    return round(value, 1) if math.isfinite(value) else 0.0
