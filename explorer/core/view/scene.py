"""What the canvas draws at one step, computed without Qt: labels, states and edge values.

Edges are given in data-flow direction (input -> consumer), the way people read a program;
gradients travel them backwards. Texts that do not change from step to step (every gradient a
pass sends, every leaf's grad before and after) are worked out once per pass, so a step on a
10,000-node graph only looks them up.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import torch

from explorer.core.capture.graph import paused_gc
from explorer.core.capture.labels import EXPRESSION_KEY, shorten
from explorer.core.capture.tensors import TensorLike, describe, format_number, norm_of
from explorer.core.capture.trace import LeafVariable, Pass
from explorer.core.view.scene_model import Scene, SceneEdge, SceneNode
from explorer.core.view.stepper import Inflow, Stepper

EDGE_DIGITS = 4  # edge labels are small: four significant digits
EdgeRow = tuple[str, str, int, Any]  # (node, next node, slot, shape): an edge of a pass's graph


@dataclass
class PassTexts:
    """The texts of one pass that every step shares."""

    titles: dict[str, str] = field(default_factory=dict)
    torch_lines: dict[str, str] = field(default_factory=dict)
    subtitles: dict[str, str] = field(default_factory=dict)  # function nodes: variable names
    leaf_grads: dict[str, tuple[str, str]] = field(default_factory=dict)  # before, after
    sent: dict[tuple[str, str, int], tuple[str, float]] = field(default_factory=dict)
    shapes: dict[tuple[str, str, int], str] = field(default_factory=dict)
    # (node, input, deliveries so far) -> "3 + 4 = 7": the k-th partial sum is the same at
    # every position, so each is worked out once
    sums: dict[tuple[str, int, int], str] = field(default_factory=dict)


def shape_text(shape: tuple[int, ...] | None) -> str:
    if shape is None:
        return ""
    return "×".join(str(size) for size in shape) if shape else "scalar"


def gradient_text(value: TensorLike, digits: int = EDGE_DIGITS) -> tuple[str, float]:
    """A gradient's label and norm, computed together (one reduction for a tensor)."""
    norm = norm_of(value)
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        return format_number(value.reshape(()).item(), digits), norm
    return f"{shape_text(tuple(value.shape))}, ‖·‖={format_number(norm, digits)}", norm


def pass_texts(one_pass: Pass, leaves: list[LeafVariable]) -> PassTexts:
    """Work out (once, then kept on the pass) every text the pass's scenes need."""
    cached = one_pass.extras.get("texts")
    if isinstance(cached, PassTexts):
        return cached
    graph = one_pass.graph
    texts = PassTexts()
    _add_node_texts(texts, one_pass, graph.nodes(data=True), leaves)
    texts.shapes = _shape_texts(graph.edges(keys=True, data="shape"))
    for step in one_pass.steps:
        for next_id, by_slot in graph.succ[step.node].items():  # a view: cheaper than out_edges
            for slot in by_slot:
                grad = step.grad_inputs[slot] if slot < len(step.grad_inputs) else None
                if grad is not None:
                    texts.sent[(step.node, next_id, slot)] = gradient_text(grad)
    one_pass.extras["texts"] = texts
    return texts


def _texts_of(one_pass: Pass, leaves: list[LeafVariable], node_ids: list[str],
              edges: list[EdgeRow]) -> PassTexts:
    """The texts of only these nodes and edges (``(node, next node, slot, shape)``), as
    :func:`pass_texts` words them; not kept on the pass, which holds all of them or none."""
    graph = one_pass.graph
    texts = PassTexts()
    _add_node_texts(texts, one_pass, ((node_id, graph.nodes[node_id]) for node_id in node_ids), leaves)
    texts.shapes = _shape_texts(edges)
    step_of = {step.node: step for step in one_pass.steps}
    for node_id, next_id, slot, _ in edges:
        step = step_of.get(node_id)
        grad = step.grad_inputs[slot] if step is not None and slot < len(step.grad_inputs) else None
        if grad is not None:
            texts.sent[(node_id, next_id, slot)] = gradient_text(grad)
    return texts


def _add_node_texts(texts: PassTexts, one_pass: Pass, nodes: Iterable[tuple[str, dict]],
                    leaves: list[LeafVariable]) -> None:
    values = {leaf.name: leaf for leaf in leaves}
    for node_id, data in nodes:
        if data["kind"] == "accumulate_grad":
            texts.titles[node_id] = leaf_title(data, values)
            texts.torch_lines[node_id] = "AccumulateGrad"
            texts.leaf_grads[node_id] = (
                _grad_label(one_pass.grads_before.get(node_id)),
                _grad_label(one_pass.grads_after.get(node_id)))
        else:
            title, torch_line, subtitle = function_texts(data)
            texts.titles[node_id] = title
            texts.torch_lines[node_id] = torch_line
            texts.subtitles[node_id] = subtitle


LONGEST_TITLE = 36  # characters of "name = expression" in a box


def function_texts(data: dict) -> tuple[str, str, str]:
    """Title, torch line and subtitle of a function node.

    In the user's terms when the program's expression is known (``y = 5 * …`` over
    ``MulBackward0 · line 3``), else the torch name over its line, with the variable below.
    """
    name, variable, where = _short(data["name"]), data.get("variable"), where_of(data)
    expression = data.get(EXPRESSION_KEY)
    if expression:
        title = shorten(f"{variable} = {expression}", LONGEST_TITLE) if variable else expression
        return title, f"{name} · {where}" if where else name, ""
    return name, where, variable or ""


def where_of(data: dict) -> str:
    """``line 4`` of the code box, or ``model.py:12`` where a trusted run found the user's file."""
    file, line = data.get("file"), data.get("line")
    if not line:
        return ""
    return f"{file}:{line}" if file else f"line {line}"


def _shape_texts(edges: Iterable[EdgeRow]) -> dict[tuple[str, str, int], str]:
    """Each edge's shape in words (``(node, next node, slot, shape)``); a loop repeats a few
    shapes thousands of times, so each distinct shape is put in words once."""
    known: dict[tuple[int, ...] | None, str] = {}
    texts: dict[tuple[str, str, int], str] = {}
    for node_id, next_id, slot, shape in edges:
        key = None if shape is None else tuple(shape)
        text = known.get(key)
        if text is None:
            text = known[key] = shape_text(key)
        texts[(node_id, next_id, slot)] = text
    return texts


def _grad_label(grad: TensorLike | None) -> str:
    return "grad = None" if grad is None else f"grad = {describe(grad)}"


PATCH_STEPS = 64  # a move of at most this many steps changes the previous scene, not all of it


def build_scene(one_pass: Pass, stepper: Stepper, leaves: list[LeafVariable],
                previous: tuple[Scene, int] | None = None) -> Scene:
    """The scene at the stepper's position.

    ``previous`` is a scene of this pass made by this function and the position it was made
    at: for a move of a few steps only the nodes and edges those steps touch are made anew
    (a step on a 100,000-node graph costs milliseconds, not a second).
    """
    # a node and an edge object for each of thousands: all acyclic, so the collector, left
    # on, would only scan the pass again and again while they are made
    with paused_gc():
        if previous is not None and abs(stepper.position - previous[1]) <= PATCH_STEPS:
            return _patched_scene(one_pass, stepper, leaves, *previous)
        return _build_scene(one_pass, stepper, leaves)


def _build_scene(one_pass: Pass, stepper: Stepper, leaves: list[LeafVariable]) -> Scene:
    texts = pass_texts(one_pass, leaves)
    roots = set(one_pass.roots)
    nodes = [_scene_node(node_id, data, texts, stepper, roots)
             for node_id, data in one_pass.graph.nodes(data=True)]
    edges = [_scene_edge(key, shape, texts, stepper) for key, shape in texts.shapes.items()]
    return Scene(nodes, edges, step_header(one_pass, stepper), stepper.active_node)


def scene_for_folding(one_pass: Pass, stepper: Stepper, leaves: list[LeafVariable],
                      owner: Mapping[str, str]) -> Scene:
    """What ``fold_scene`` reads of the scene at the stepper's position, the pass folded by
    ``owner`` (member -> group node).

    Every node in the scene's order, but one folded into a group only as its group's box shows
    it (state, root: no texts), and every edge in order except those inside one group (folding
    drops them). Folded, it is the folded whole scene; a 10,000-node pass summarized in a few
    dozen boxes puts only those in words, not 10,000 nodes and their gradients.
    """
    texts = _folding_texts(one_pass, leaves, owner)
    roots = set(one_pass.roots)
    with paused_gc():
        nodes = [_folded_node(node_id, data["kind"], stepper, roots) if node_id in owner
                 else _scene_node(node_id, data, texts, stepper, roots)
                 for node_id, data in one_pass.graph.nodes(data=True)]
        edges = [_scene_edge(key, shape, texts, stepper) for key, shape in texts.shapes.items()]
    return Scene(nodes, edges, step_header(one_pass, stepper), stepper.active_node)


def _folding_texts(one_pass: Pass, leaves: list[LeafVariable], owner: Mapping[str, str]) -> PassTexts:
    """The texts of the nodes and edges left when ``owner`` folds the pass, kept on the pass
    for the next scene folded by the same ``owner`` (its scenes then share every text)."""
    kept = one_pass.extras.get("folding texts")
    if kept is not None and kept[0] is owner:
        texts: PassTexts = kept[1]
        return texts
    successors = one_pass.graph._succ  # the raw dicts, in the order graph.edges() gives
    shown = [node_id for node_id in successors if node_id not in owner]
    edges = [(node_id, next_id, slot, data.get("shape"))
             for node_id, targets in successors.items()
             for next_id, by_slot in targets.items()
             if owner.get(node_id, node_id) != owner.get(next_id, next_id)
             for slot, data in by_slot.items()]
    texts = _texts_of(one_pass, leaves, shown, edges)
    one_pass.extras["folding texts"] = (owner, texts)
    return texts


def _folded_node(node_id: str, kind: str, stepper: Stepper, roots: set[str]) -> SceneNode:
    """A node inside a folded group: what the group's box shows of it, no texts."""
    return SceneNode(id=node_id, title="", subtitle="", kind=kind, state=stepper.node_state(node_id),
                     is_root=node_id in roots, running_sum="")


def _patched_scene(one_pass: Pass, stepper: Stepper, leaves: list[LeafVariable],
                   previous: Scene, previous_position: int) -> Scene:
    texts = pass_texts(one_pass, leaves)
    graph = one_pass.graph
    low, high = sorted((previous_position, stepper.position))
    moved = [step.node for step in one_pass.steps[low:high]]  # run or undone by this move
    touched = set(moved)
    if low:  # the node active before or after the move changes state too
        touched.add(one_pass.steps[low - 1].node)
    touched.update(delivery.target for node in moved for delivery in stepper.deliveries_of(node))
    node_index, edge_index = scene_indices(one_pass, leaves)
    roots = set(one_pass.roots)
    nodes = list(previous.nodes)
    for node_id in touched:
        nodes[node_index[node_id]] = _scene_node(node_id, graph.nodes[node_id], texts, stepper, roots)
    edges = list(previous.edges)
    for node_id in moved:  # an edge shows its gradient once its consumer has run
        for next_id, by_slot in graph.succ[node_id].items():
            for slot in by_slot:
                key = (node_id, next_id, slot)
                edges[edge_index[key]] = _scene_edge(key, texts.shapes[key], texts, stepper)
    return Scene(nodes, edges, step_header(one_pass, stepper), stepper.active_node)


def scene_indices(one_pass: Pass, leaves: list[LeafVariable]
                  ) -> tuple[dict[str, int], dict[tuple[str, str, int], int]]:
    """Where each node and edge sits in the pass's scenes (worked out once, for stepping)."""
    texts = pass_texts(one_pass, leaves)
    return one_pass.cached("scene_indices", lambda: (
        {node_id: index for index, node_id in enumerate(one_pass.graph.nodes)},
        {key: index for index, key in enumerate(texts.shapes)}))


def _scene_node(node_id: str, data: dict, texts: PassTexts, stepper: Stepper, roots: set[str]) -> SceneNode:
    kind = data["kind"]
    if kind == "accumulate_grad":
        before, after = texts.leaf_grads[node_id]
        subtitle = after if stepper.has_run(node_id) else before
    else:
        subtitle = texts.subtitles[node_id]
    return SceneNode(
        id=node_id, title=texts.titles[node_id], subtitle=subtitle, kind=kind,
        state=stepper.node_state(node_id), is_root=node_id in roots,
        running_sum=running_sum_text(stepper, node_id, texts) if stepper.inflows else "",
        torch_line=texts.torch_lines.get(node_id, ""))


def _scene_edge(key: tuple[str, str, int], shape: str, texts: PassTexts, stepper: Stepper) -> SceneEdge:
    node_id, next_id, slot = key
    sent = texts.sent.get(key) if stepper.has_run(node_id) else None
    return SceneEdge(source=next_id, target=node_id, slot=slot, shape=shape, delivered=sent is not None,
                     grad_text=sent[0] if sent else "", magnitude=sent[1] if sent else None)


def step_header(one_pass: Pass, stepper: Stepper) -> str:
    if stepper.position == 0:
        return f"Step 0 / {stepper.count}: ready"
    data = one_pass.graph.nodes[stepper.active_node]
    expression = data.get(EXPRESSION_KEY)
    said = f" · {expression}" if expression else ""
    return f"Step {stepper.position} / {stepper.count}: {_short(data['name'])}{said}"


def _short(name: str) -> str:
    return "AccumulateGrad" if name.endswith("AccumulateGrad") else name


def leaf_title(data: dict, values: dict[str, LeafVariable]) -> str:
    name = data["variable"]
    shape = data["shapes"][0] if data["shapes"] else ()
    if name is None:
        return f"leaf {shape_text(tuple(shape))}"
    leaf = values.get(name)
    if leaf is not None and isinstance(leaf.value, torch.Tensor) and leaf.value.numel() == 1:
        return f"{name} = {format_number(leaf.value.reshape(()).item())}"
    return f"{name}  {shape_text(tuple(shape))}"


def running_sum_text(stepper: Stepper, node_id: str, texts: PassTexts | None = None) -> str:
    """``3 + 4 = 7`` once a node has received gradients from more than one consumer."""
    parts = []
    for input_nr in range(max(1, len(stepper.one_pass.graph.nodes[node_id]["shapes"]))):
        inflow = stepper.inflows.get((node_id, input_nr))
        if inflow is None or len(inflow.deliveries) < 2 or inflow.total is None:
            continue
        key = (node_id, input_nr, len(inflow.deliveries))
        text = texts.sums.get(key) if texts is not None else None
        if text is None:
            text = _sum_text(inflow)
            if texts is not None:
                texts.sums[key] = text
        parts.append(text)
    return "; ".join(parts)


def _sum_text(inflow: Inflow) -> str:
    if all(_is_scalar(delivery.grad) for delivery in inflow.deliveries):
        terms = [describe(delivery.grad) for delivery in inflow.deliveries]
        return " + ".join(terms) + f" = {describe(inflow.total)}"
    return f"sum of {len(inflow.deliveries)}: {describe(inflow.total)}"


def _is_scalar(value: TensorLike) -> bool:
    return isinstance(value, torch.Tensor) and value.numel() == 1


def node_tooltip(stepper: Stepper, node_id: str) -> str:
    """Name, shape and the gradients so far: computed on hover, not for every node each step."""
    data = stepper.one_pass.graph.nodes[node_id]
    lines = [data["name"]]
    if data.get(EXPRESSION_KEY):
        lines.append(f"made by: {data[EXPRESSION_KEY]}")
    if where_of(data):
        lines.append(f"made at {where_of(data)}")
    if data["variable"]:
        lines.append(f"variable: {data['variable']}")
    shapes = ", ".join(shape_text(tuple(shape)) for shape in data["shapes"])
    lines.append(f"output shape: {shapes or 'none'}")
    lines.append(f"state: {stepper.node_state(node_id).value}")
    index = stepper.step_index(node_id)
    if index is not None and index < stepper.position:
        step = stepper.one_pass.steps[index]
        lines.append("received: " + ", ".join(describe(g) for g in step.grad_outputs))
        lines.append("sent: " + ", ".join(describe(g) for g in step.grad_inputs))
    return "\n".join(lines)


def is_finite_magnitude(value: float | None) -> bool:
    return value is not None and math.isfinite(value)
