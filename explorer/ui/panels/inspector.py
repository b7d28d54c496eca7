"""The inspector: what the selected node computes, its derivative rule, saved tensors and gradients."""

from __future__ import annotations

import html

from PySide6.QtWidgets import QTextBrowser, QVBoxLayout, QWidget

from explorer.core.capture.saved import Freed
from explorer.core.capture.tensors import TensorLike
from explorer.core.capture.trace import HookChange, Step
from explorer.core.view.node_docs import describe_node
from explorer.core.view.scene import running_sum_text, shape_text, where_of
from explorer.core.view.stepper import Stepper
from explorer.core.view.tensor_view import tensor_html
from explorer.ui.window.theme import LIGHT, Theme


def _tensor_html(value: object) -> str:
    if isinstance(value, Freed):
        return "<i>freed by backward</i>"
    if isinstance(value, list):
        return html.escape(str(value))
    if isinstance(value, (int, float, bool, str)) or value is None:
        return html.escape(str(value))
    return tensor_html(value)  # type: ignore[arg-type]  # a matrix, or a heat map with its range


def _grads_html(labels: tuple[str, ...], grads: tuple[TensorLike | None, ...],
                changes: dict[int, HookChange] | None = None) -> str:
    rows = []
    for index, grad in enumerate(grads):
        label = labels[index] if index < len(labels) else f"slot {index}"
        change = (changes or {}).get(index)
        note = "" if change is None else (f"<br><i>changed by a hook; before it: "
                                          f"{_tensor_html(change.before)}</i>")
        rows.append(f"<tr><td valign='top'>{html.escape(label)}</td><td>{_tensor_html(grad)}{note}</td></tr>")
    return "<table cellspacing=4>" + "".join(rows) + "</table>"


def _changes(step: Step, grad: str) -> dict[int, HookChange]:
    return {change.slot: change for change in step.changed_by_hook if change.grad == grad}


def node_html(stepper: Stepper, node_id: str, theme: Theme) -> str:
    """Everything the inspector says about one node at the stepper's position."""
    data = stepper.one_pass.graph.nodes[node_id]
    doc = describe_node(data["name"])
    parts = [
        f"<h2 style='margin:0'>{html.escape(doc.title)}</h2>",
        f"<p style='color:{theme.muted}; margin-top:2px'><code>{html.escape(data['name'])}</code>"
        f" &nbsp;·&nbsp; {html.escape(stepper.node_state(node_id).value)}</p>",
    ]
    made = [f"<code>{html.escape(data['expression'])}</code>"] if data.get("expression") else []
    if where_of(data):
        made.append(html.escape(where_of(data)))
    if made:
        parts.append(f"<p>made by {', '.join(made)}</p>")
    if data.get("variable"):
        parts.append(f"<p>variable: <b>{html.escape(data['variable'])}</b></p>")
    parts.append(f"<p>{html.escape(doc.computes)}</p>")
    parts.append(f"<p><b>Local derivative</b><br><code>{html.escape(doc.rule)}</code></p>")
    shapes = ", ".join(shape_text(tuple(shape)) for shape in data["shapes"])
    parts.append(f"<p>output shape: {html.escape(shapes or 'none')}</p>")
    saved = data.get("saved", {})
    if saved:
        rows = "".join(f"<tr><td valign='top'>{html.escape(name)}</td><td>{_tensor_html(value)}</td></tr>"
                       for name, value in saved.items())
        freed = " (released after this pass)" if data.get("freed_after") else ""
        parts.append(f"<p><b>Saved for backward</b>{freed}</p><table cellspacing=4>{rows}</table>")
    parts.append(_gradients_html(stepper, node_id, doc.inputs))
    return "".join(parts)


def _gradients_html(stepper: Stepper, node_id: str, inputs: tuple[str, ...]) -> str:
    index = stepper.step_index(node_id)
    if index is None:
        return "<p><b>Gradients</b><br>The engine does not run this node in this pass.</p>"
    parts = []
    total = running_sum_text(stepper, node_id)
    if total:
        parts.append(f"<p><b>Gradients arriving</b><br>{html.escape(total)}</p>")
    if index >= stepper.position:
        parts.append(f"<p><b>Gradients</b><br>Runs at step {index + 1} of {stepper.count}; "
                     "step forward to see what it receives and sends.</p>")
        return "".join(parts)
    step = stepper.one_pass.steps[index]
    parts.append(f"<p><b>Received</b> (step {index + 1})</p>")
    parts.append(_grads_html(("grad",) * len(step.grad_outputs), step.grad_outputs,
                             _changes(step, "grad_outputs")))
    if step.grad_inputs:
        parts.append("<p><b>Sent on</b></p>")
        parts.append(_grads_html(inputs, step.grad_inputs, _changes(step, "grad_inputs")))
    grad = stepper.leaf_grad(node_id)
    if stepper.one_pass.graph.nodes[node_id]["kind"] == "accumulate_grad":
        parts.append(f"<p><b>.grad now</b>: {_tensor_html(grad)}</p>")
        changed = step.hook_change("grad", 0)
        if changed is not None:
            parts.append(f"<p><i>a post-accumulate-grad hook changed .grad; accumulation gave "
                         f"{_tensor_html(changed.before)}</i></p>")
    return "".join(parts)


class QtInspector(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.browser = QTextBrowser(self)
        self.browser.setObjectName("inspector")
        self.browser.setOpenExternalLinks(False)
        self.theme: Theme = LIGHT
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.browser)
        self.show_nothing()

    def show_nothing(self) -> None:
        self.browser.setHtml("<p>Click a node in the graph to see what it computes, its local "
                             "derivative and the gradients it receives and sends.</p>")

    def show_node(self, stepper: Stepper | None, node_id: str | None) -> None:
        if stepper is None or node_id is None or node_id not in stepper.one_pass.graph:
            self.show_nothing()
            return
        self.browser.setHtml(node_html(stepper, node_id, self.theme))

    def html(self) -> str:
        return self.browser.toPlainText()
