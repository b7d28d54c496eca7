"""Graphviz DOT text of a pass's graph, drawn in the direction data flowed forward."""

from __future__ import annotations

import json

from explorer.core.capture.tensors import describe
from explorer.core.capture.trace import Pass


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def node_label(data: dict) -> str:
    """``x = 2.0``-style labels for leaves, the torch name (and variable) for functions."""
    if data["kind"] == "accumulate_grad":
        return data["variable"] or "leaf"
    name = data["name"]
    return f"{name}\n{data['variable']}" if data.get("variable") else name


def pass_to_dot(one_pass: Pass, title: str = "autograd") -> str:
    lines = [f"digraph {_quote(title)} {{", '  rankdir="BT";', '  node [fontname="Helvetica"];']
    grads = one_pass.grads_after
    for node_id, data in one_pass.graph.nodes(data=True):
        label = node_label(data)
        attributes = {"label": label, "shape": "box", "style": "filled", "fillcolor": "#dbe9f6"}
        if data["kind"] == "accumulate_grad":
            attributes.update(shape="ellipse", fillcolor="#d7f0d2")
            if grads.get(node_id) is not None:
                attributes["label"] = f"{label}\ngrad = {describe(grads[node_id])}"
        if node_id in one_pass.roots:
            attributes.update(fillcolor="#f9d6a8", penwidth="2")
        rendered = ", ".join(f"{key}={_quote(value)}" for key, value in attributes.items())
        lines.append(f"  {_quote(node_id)} [{rendered}];")
    for source, target, data in one_pass.graph.edges(data=True):
        shape = data.get("shape")
        label = "×".join(map(str, shape)) if shape else "scalar"
        lines.append(f"  {_quote(target)} -> {_quote(source)} [label={_quote(label)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"
