"""What hovering shows: a node's expression, shapes and gradients, or the gradient an edge
carries, with tensor values laid out as matrices or heat maps (``explorer.core.view.tensor_view``)."""

from __future__ import annotations

import html

from explorer.core.capture.labels import EXPRESSION_KEY
from explorer.core.capture.tensors import TensorLike
from explorer.core.view.scene import shape_text, where_of
from explorer.core.view.stepper import Stepper
from explorer.core.view.tensor_view import tensor_html


def node_hover_html(stepper: Stepper, node_id: str, *, muted: str = "#6b7280") -> str:
    """The node's torch name, the code that made it, its output shape and the gradients so far."""
    data = stepper.one_pass.graph.nodes[node_id]
    parts = [f"<b>{html.escape(data['name'])}</b>"]
    if data.get(EXPRESSION_KEY):
        parts.append(f"made by <code>{html.escape(data[EXPRESSION_KEY])}</code>")
    if where_of(data):
        parts.append(html.escape(where_of(data)))
    if data.get("variable"):
        parts.append(f"variable: <b>{html.escape(str(data['variable']))}</b>")
    shapes = ", ".join(shape_text(tuple(shape)) for shape in data["shapes"])
    parts.append(f"output shape: {html.escape(shapes or 'none')} · {stepper.node_state(node_id).value}")
    index = stepper.step_index(node_id)
    if index is not None and index < stepper.position:
        step = stepper.one_pass.steps[index]
        parts.append("received: " + _values(step.grad_outputs, muted))
        if step.grad_inputs:
            parts.append("sent: " + _values(step.grad_inputs, muted))
    return "<br>".join(parts)


def edge_gradient(stepper: Stepper, consumer: str, slot: int) -> TensorLike | None:
    """The gradient ``consumer`` sent through its input ``slot``, once it has run (else None)."""
    index = stepper.step_index(consumer)
    if index is None or index >= stepper.position:
        return None
    sent = stepper.one_pass.steps[index].grad_inputs
    return sent[slot] if 0 <= slot < len(sent) else None


def edge_hover_html(stepper: Stepper, consumer: str, source: str, slot: object, shape: str, *,
                    muted: str = "#6b7280") -> str:
    """What one edge carries: the tensor's shape, and its gradient once the consumer has run."""
    graph = stepper.one_pass.graph
    if not isinstance(slot, int) or consumer not in graph or source not in graph:
        return f"{html.escape(shape)} (edges of a folded block: unfold it to see each gradient)"
    names = f"{html.escape(_name(graph.nodes[consumer]))} → {html.escape(_name(graph.nodes[source]))}"
    grad = edge_gradient(stepper, consumer, slot)
    if grad is None:
        return (f"<b>gradient</b> {names}<br>shape {html.escape(shape)}: not sent yet (it flows "
                "once the consumer has run)")
    return f"<b>gradient</b> {names}<br>{tensor_html(grad, muted=muted)}"


def _name(data: dict) -> str:
    return data.get(EXPRESSION_KEY) or data.get("variable") or data["name"]


def _values(values: tuple[TensorLike | None, ...], muted: str) -> str:
    if len(values) == 1:
        return tensor_html(values[0], muted=muted)
    return "".join(f"<br>[{index}] {tensor_html(value, muted=muted)}" for index, value in enumerate(values))
