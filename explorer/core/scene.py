"""What the canvas draws at one step, computed without Qt: labels, states and edge values.

Edges are given in data-flow direction (input -> consumer), the way people read a program;
gradients travel them backwards.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from explorer.core.stepper import NodeState, Stepper
from explorer.core.tensors import TensorLike, TensorSummary, describe, format_number
from explorer.core.trace import LeafVariable, Pass

EDGE_DIGITS = 4  # edge labels are small: four significant digits


@dataclass(frozen=True)
class SceneNode:
    id: str
    title: str  # "PowBackward0", or "x = 2.0" for a named leaf
    subtitle: str  # the variable name of an intermediate, or a leaf's current grad
    kind: str  # "function" | "accumulate_grad"
    state: NodeState
    is_root: bool
    running_sum: str  # "3 + 4 = 7" while gradients from several consumers add up
    tooltip: str


@dataclass(frozen=True)
class SceneEdge:
    source: str  # data flows source -> target; gradient flows back target -> source
    target: str
    slot: int  # the slot in target's next_functions
    shape: str
    delivered: bool
    grad_text: str  # "", or the gradient value (scalar) / shape and norm (tensor)
    magnitude: float | None  # norm of the delivered gradient; nan when not finite


@dataclass(frozen=True)
class Scene:
    nodes: list[SceneNode]
    edges: list[SceneEdge]
    header: str  # "Step 3 / 9: PowBackward0"
    active: str | None


def shape_text(shape: tuple[int, ...] | None) -> str:
    if shape is None:
        return ""
    return "×".join(str(size) for size in shape) if shape else "scalar"


def magnitude(value: TensorLike) -> float:
    if isinstance(value, TensorSummary):
        return value.norm
    if value.is_complex():
        value = value.abs()
    return float(torch.linalg.vector_norm(value.detach().double()))


def build_scene(one_pass: Pass, stepper: Stepper, leaves: list[LeafVariable]) -> Scene:
    values = {leaf.name: leaf for leaf in leaves}
    graph = one_pass.graph
    nodes = [_scene_node(node_id, data, one_pass, stepper, values)
             for node_id, data in graph.nodes(data=True)]
    delivered = {(d.source, d.target, d.slot): d for d in stepper.delivered()}
    edges = []
    for node_id, next_id, slot, data in graph.edges(keys=True, data=True):
        delivery = delivered.get((node_id, next_id, slot))
        grad = delivery.grad if delivery is not None else None
        edges.append(SceneEdge(
            source=next_id, target=node_id, slot=slot, shape=shape_text(data.get("shape")),
            delivered=delivery is not None,
            grad_text="" if grad is None else describe(grad, EDGE_DIGITS),
            magnitude=None if grad is None else magnitude(grad)))
    return Scene(nodes, edges, step_header(one_pass, stepper), stepper.active_node)


def step_header(one_pass: Pass, stepper: Stepper) -> str:
    if stepper.position == 0:
        return f"Step 0 / {stepper.count}: ready"
    name = one_pass.graph.nodes[stepper.active_node]["name"]
    return f"Step {stepper.position} / {stepper.count}: {_short(name)}"


def _short(name: str) -> str:
    return "AccumulateGrad" if name.endswith("AccumulateGrad") else name


def _scene_node(node_id: str, data: dict, one_pass: Pass, stepper: Stepper,
                values: dict[str, LeafVariable]) -> SceneNode:
    kind = data["kind"]
    if kind == "accumulate_grad":
        title = leaf_title(data, values)
        grad = stepper.leaf_grad(node_id)
        subtitle = f"grad = {describe(grad)}" if grad is not None else "grad = None"
    else:
        title = _short(data["name"])
        subtitle = data["variable"] or ""
    return SceneNode(
        id=node_id, title=title, subtitle=subtitle, kind=kind,
        state=stepper.node_state(node_id), is_root=node_id in one_pass.roots,
        running_sum=running_sum_text(stepper, node_id),
        tooltip=_tooltip(node_id, data, stepper))


def leaf_title(data: dict, values: dict[str, LeafVariable]) -> str:
    name = data["variable"]
    shape = data["shapes"][0] if data["shapes"] else ()
    if name is None:
        return f"leaf {shape_text(tuple(shape))}"
    leaf = values.get(name)
    if leaf is not None and isinstance(leaf.value, torch.Tensor) and leaf.value.numel() == 1:
        return f"{name} = {format_number(leaf.value.reshape(()).item())}"
    return f"{name}  {shape_text(tuple(shape))}"


def running_sum_text(stepper: Stepper, node_id: str) -> str:
    """``3 + 4 = 7`` once a node has received gradients from more than one consumer."""
    parts = []
    for input_nr in range(max(1, len(stepper.one_pass.graph.nodes[node_id]["shapes"]))):
        inflow = stepper.inflow(node_id, input_nr)
        if len(inflow.deliveries) < 2 or inflow.total is None:
            continue
        terms = [describe(delivery.grad) for delivery in inflow.deliveries]
        if all(_is_scalar(delivery.grad) for delivery in inflow.deliveries):
            parts.append(" + ".join(terms) + f" = {describe(inflow.total)}")
        else:
            parts.append(f"sum of {len(terms)}: {describe(inflow.total)}")
    return "; ".join(parts)


def _is_scalar(value: TensorLike) -> bool:
    return isinstance(value, torch.Tensor) and value.numel() == 1


def _tooltip(node_id: str, data: dict, stepper: Stepper) -> str:
    lines = [data["name"]]
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
