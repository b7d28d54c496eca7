"""The trace of a program: its output, its backward passes and their steps, as plain data."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import networkx as nx
import torch

from explorer.core.errors import ExplorerError
from explorer.core.saved import Freed
from explorer.core.tensors import TensorLike, dtype_name, json_number, snapshot, to_json

SCHEMA = "explorer.trace/1"
_Value = TypeVar("_Value")


@dataclass(frozen=True)
class Step:
    """One node run by the engine: the gradients it received and the ones it sent on.

    ``grad_inputs`` is aligned with the node's ``next_functions`` (``None`` where no gradient).
    """

    node: str
    grad_outputs: tuple[TensorLike | None, ...]
    grad_inputs: tuple[TensorLike | None, ...]


@dataclass
class Pass:
    """One ``backward()`` or ``autograd.grad()`` call, recorded from the real engine."""

    index: int
    call: str  # "backward", "autograd.backward", "autograd.grad" or "implicit"
    line: int
    roots: list[str]
    graph: nx.MultiDiGraph
    steps: list[Step]
    seeds: list[TensorLike | None]
    grads_before: dict[str, TensorLike | None]  # AccumulateGrad node id -> leaf .grad before
    grads_after: dict[str, TensorLike | None]  # AccumulateGrad node id -> leaf .grad after
    grads: dict[str, TensorLike | None]  # every named leaf that requires grad -> .grad after
    results: dict[str, TensorLike | None] = field(default_factory=dict)  # autograd.grad output
    retain_graph: bool = False
    create_graph: bool = False
    note: str = ""
    # derived data views work out once and keep with the pass (e.g. the scene's texts)
    extras: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    outputs: list[TensorLike] = field(default_factory=list)  # the roots' values (plots)

    @property
    def implicit(self) -> bool:
        return self.call == "implicit"

    @property
    def root(self) -> str:
        return self.roots[0]

    def executed(self) -> set[str]:
        return {step.node for step in self.steps}

    def cached(self, key: Any, compute: Callable[[], _Value]) -> _Value:
        """``compute()`` worked out once per pass: views ask again at every step and redraw.

        A new trace's values are worked out off the UI thread before the window sees the trace
        (see ``explorer.core.prepare``), so asking here is then only a look-up.
        """
        if key not in self.extras:
            self.extras[key] = compute()
        return self.extras[key]

    def to_json(self) -> dict[str, Any]:
        nodes = [
            {
                "id": node_id,
                "name": data["name"],
                "kind": data["kind"],
                "variable": data["variable"],
                "seq": data["seq"],
                "module": data.get("module"),
                "shapes": [list(shape) for shape in data["shapes"]],
                "saved": {key: _saved_json(value) for key, value in data.get("saved", {}).items()},
            }
            for node_id, data in self.graph.nodes(data=True)
        ]
        edges = [
            {
                "node": source,
                "next": target,
                "slot": data["slot"],
                "input_nr": data["input_nr"],
                "shape": list(data["shape"]) if "shape" in data else None,
            }
            for source, target, data in self.graph.edges(data=True)
        ]
        steps = [
            {
                "node": step.node,
                "grad_outputs": [to_json(grad) for grad in step.grad_outputs],
                "grad_inputs": [to_json(grad) for grad in step.grad_inputs],
            }
            for step in self.steps
        ]
        return {
            "root": self.root,
            "roots": self.roots,
            "implicit": self.implicit,
            "call": self.call,
            "line": self.line,
            "note": self.note,
            "retain_graph": self.retain_graph,
            "create_graph": self.create_graph,
            "seeds": [to_json(seed) for seed in self.seeds],
            "nodes": nodes,
            "edges": edges,
            "steps": steps,
            "grads": {name: to_json(grad) for name, grad in self.grads.items()},
            "results": {name: to_json(grad) for name, grad in self.results.items()},
        }


@dataclass(frozen=True)
class LeafVariable:
    """A leaf tensor the program named: what the variables panel lists."""

    name: str
    value: TensorLike
    requires_grad: bool
    grad: TensorLike | None

    @classmethod
    def of(cls, name: str, tensor: torch.Tensor) -> LeafVariable:
        grad = tensor.grad
        return cls(name, snapshot(tensor), tensor.requires_grad, None if grad is None else snapshot(grad))

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.value.shape)

    @property
    def dtype(self) -> str:
        return dtype_name(self.value.dtype)


@dataclass
class Trace:
    """Everything one run of a program produced; ``error`` is set when it was refused or failed."""

    stdout: str = ""
    passes: list[Pass] = field(default_factory=list)
    leaves: list[LeafVariable] = field(default_factory=list)
    error: ExplorerError | None = None
    overrides_applied: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "schema": SCHEMA,
            "stdout": self.stdout,
            "passes": [one_pass.to_json() for one_pass in self.passes],
            "warnings": self.warnings,
        }
        if self.error is not None:
            document["error"] = {
                "message": self.error.message,
                "line": self.error.line,
                "col": self.error.col,
                "kind": self.error.kind,
                "advice": self.error.advice,
            }
        return document


def _saved_json(value: Any) -> Any:
    if isinstance(value, Freed):
        return "freed"
    if isinstance(value, list):
        return [_saved_json(item) for item in value]
    if isinstance(value, (bool, int, float, str)) or value is None:
        return json_number(value) if isinstance(value, float) else value
    return to_json(value)
