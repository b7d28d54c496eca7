"""The trace of a program: its output, its backward passes and their steps, as plain data."""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import networkx as nx
import torch

from explorer.core.capture.saved import Freed
from explorer.core.capture.tensors import TensorLike, dtype_name, json_number, snapshot, to_json
from explorer.core.errors import ExplorerError

SCHEMA = "explorer.trace/1"
_Value = TypeVar("_Value")


@dataclass(frozen=True)
class HookChange:
    """A gradient a user's hook replaced, and what it was before the hook ran.

    ``grad`` names where: ``"grad_outputs"`` (what the node received: a tensor hook or a
    pre-hook changed what its consumers had sent), ``"grad_inputs"`` (what a module's backward
    hook sent on instead of what the node computed) or ``"grad"`` (the leaf's ``.grad``, which
    a post-accumulate-grad hook changed after the engine stored it). ``slot`` indexes that tuple.
    """

    grad: str
    slot: int
    before: TensorLike | None


@dataclass(frozen=True)
class Step:
    """One node run by the engine: the gradients it received and the ones it sent on.

    ``grad_inputs`` is aligned with the node's ``next_functions`` (``None`` where no gradient).
    """

    node: str
    grad_outputs: tuple[TensorLike | None, ...]
    grad_inputs: tuple[TensorLike | None, ...]
    changed_by_hook: tuple[HookChange, ...] = ()

    def hook_change(self, grad: str, slot: int) -> HookChange | None:
        """The change a hook made to ``grad`` (``"grad_outputs"``...) at ``slot``, if any."""
        return next((change for change in self.changed_by_hook
                     if change.grad == grad and change.slot == slot), None)


@dataclass(frozen=True)
class PassSummary:
    """What the pass timeline shows of every pass, recorded in full or not.

    ``order`` names the nodes the engine ran, in its order; ``loss`` is the root's value when
    it is one real number; ``grad_norms`` holds each named leaf's ``.grad`` norm after the pass.
    """

    index: int
    call: str
    line: int
    loss: float | None
    order: tuple[str, ...]
    grad_norms: dict[str, float | None]
    recorded: bool


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
        (see ``explorer.core.view.warm``), so asking here is then only a look-up.
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
                "line": data.get("line"),
                "span": list(data["span"]) if data.get("span") else None,
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
        steps = [_step_json(step) for step in self.steps]
        return {
            "index": self.index,
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
    """Everything one run of a program produced; ``error`` is set when it was refused or failed.

    ``passes`` holds the passes recorded in full (the ones ``pass_spec`` chose, in order; their
    ``index`` counts every pass the program made), ``pass_summaries`` one entry for every pass.
    """

    stdout: str = ""
    passes: list[Pass] = field(default_factory=list)
    leaves: list[LeafVariable] = field(default_factory=list)
    error: ExplorerError | None = None
    overrides_applied: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    pass_summaries: list[PassSummary] = field(default_factory=list)
    pass_spec: str = "all"

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def pass_count(self) -> int:
        """How many passes the program made, recorded in full or not."""
        last = max((one_pass.index for one_pass in self.passes), default=-1)
        return max(len(self.pass_summaries), last + 1)

    def position_of(self, index: int) -> int | None:
        """Where the pass numbered ``index`` (from 0) sits in ``passes``, if it was kept."""
        return next((position for position, one_pass in enumerate(self.passes)
                     if one_pass.index == index), None)

    def position_for(self, index: int | None, fallback: int) -> int:
        """The position of pass ``index`` if it was kept, else ``fallback`` within range."""
        found = None if index is None else self.position_of(index)
        if found is not None:
            return found
        return max(0, min(fallback, len(self.passes) - 1))

    def _repr_html_(self) -> str:
        """The interactive page in a notebook cell: Jupyter shows a trace this way."""
        from explorer.core.frontends import html_page

        return html_page(self)

    def to_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "schema": SCHEMA,
            "stdout": self.stdout,
            "passes_recorded": {"spec": self.pass_spec,
                                "indices": [one_pass.index for one_pass in self.passes]},
            "passes": [one_pass.to_json() for one_pass in self.passes],
            "pass_summaries": _summaries_json(self.pass_summaries),
            "engine_orders": _orders_json(self.pass_summaries),
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


def dumps(document: dict[str, Any]) -> str:
    """The trace document as JSON text: indented, with each tensor ``T`` and each entry of
    ``pass_summaries`` and ``engine_orders`` on one line.

    Written so by the C encoder (json's indented writer is pure Python): a training loop's
    trace holds thousands of tensors of thousands of numbers, one per line otherwise.
    """
    token = secrets.token_hex(8)
    lines: list[str] = []

    def one_line(value: Any) -> str:
        lines.append(json.dumps(value, allow_nan=False))
        return f"@{token}:{len(lines) - 1}@"

    def mark(value: Any) -> Any:
        if isinstance(value, dict):
            if "shape" in value and "dtype" in value and ("values" in value or "summary" in value):
                return one_line(value)
            return {key: [one_line(entry) for entry in item]
                    if key in _ONE_LINE_ENTRIES and isinstance(item, list) else mark(item)
                    for key, item in value.items()}
        if isinstance(value, list):
            return [mark(item) for item in value]
        return value

    skeleton = json.dumps(mark(document), indent=1, allow_nan=False)
    return re.sub(f'"@{token}:(\\d+)@"', lambda match: lines[int(match.group(1))], skeleton) + "\n"


_ONE_LINE_ENTRIES = frozenset({"pass_summaries", "engine_orders"})


def _step_json(step: Step) -> dict[str, Any]:
    written: dict[str, Any] = {
        "node": step.node,
        "grad_outputs": [to_json(grad) for grad in step.grad_outputs],
        "grad_inputs": [to_json(grad) for grad in step.grad_inputs],
    }
    if step.changed_by_hook:
        written["changed_by_hook"] = [
            {"grad": change.grad, "slot": change.slot, "before": to_json(change.before)}
            for change in step.changed_by_hook
        ]
    return written


def _order_numbers(summaries: list[PassSummary]) -> dict[tuple[str, ...], int]:
    """Each distinct engine order, numbered as it first appears (a loop repeats one order)."""
    numbers: dict[tuple[str, ...], int] = {}
    for summary in summaries:
        numbers.setdefault(summary.order, len(numbers))
    return numbers


def _orders_json(summaries: list[PassSummary]) -> list[list[str]]:
    return [list(order) for order in _order_numbers(summaries)]


def _summaries_json(summaries: list[PassSummary]) -> list[dict[str, Any]]:
    numbers = _order_numbers(summaries)
    return [
        {
            "index": summary.index,
            "call": summary.call,
            "line": summary.line,
            "loss": None if summary.loss is None else json_number(summary.loss),
            "grad_norms": {name: None if norm is None else json_number(norm)
                           for name, norm in summary.grad_norms.items()},
            "steps": len(summary.order),
            "order": numbers[summary.order],
            "recorded": summary.recorded,
        }
        for summary in summaries
    ]


def _saved_json(value: Any) -> Any:
    if isinstance(value, Freed):
        return "freed"
    if isinstance(value, list):
        return [_saved_json(item) for item in value]
    if isinstance(value, (bool, int, float, str)) or value is None:
        return json_number(value) if isinstance(value, float) else value
    return to_json(value)
