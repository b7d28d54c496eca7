"""Record one backward pass from the real engine, with observing hooks on every node."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import torch

from explorer.core.graph import Naming, paused_gc, walk
from explorer.core.saved import capture_saved, is_freed
from explorer.core.tensors import TensorLike, snapshot
from explorer.core.trace import Pass, Step

Grads = tuple[torch.Tensor | None, ...]


@dataclass(frozen=True)
class PassRequest:
    """What the program asked for: the call, its roots and how it should treat the graph."""

    call: str
    line: int
    roots: Sequence[torch.Tensor]
    seeds: Sequence[torch.Tensor | None]
    retain_graph: bool
    create_graph: bool
    note: str = ""


def record_pass(
    request: PassRequest,
    run: Callable[[], Any],
    *,
    naming: Naming,
    index: int,
    named_leaves: dict[str, torch.Tensor],
    result_names: Sequence[str] = (),
) -> tuple[Pass | None, Any]:
    """Run ``run`` (the real backward call) while observing every node of the roots' graph.

    Returns the pass (``None`` when no root has a graph: torch then raises its own error)
    and whatever ``run`` returned. Hooks only observe and are always removed; they hold node
    ids, never nodes.
    """
    grad_fns = [root.grad_fn for root in request.roots if root.grad_fn is not None]
    if not grad_fns:
        return None, run()
    walked = walk(grad_fns, naming)
    graph = walked.graph
    for node_id, node in walked.nodes.items():
        graph.nodes[node_id]["saved"] = capture_saved(node)
    leaves = _accumulated_leaves(walked.nodes, graph)
    grads_before = {node_id: _grad_snapshot(leaf) for node_id, leaf in leaves.items()}
    raw_steps, result = run_observed(walked.nodes, run, detach=request.create_graph)
    if not request.retain_graph:
        for node_id, node in walked.nodes.items():
            graph.nodes[node_id]["freed_after"] = is_freed(node)
    escaped = _escaped_tensors(request, result, leaves)
    steps = [
        Step(node_id, _keep(outputs, escaped), _keep(inputs, escaped))
        for node_id, outputs, inputs in raw_steps
    ]
    one_pass = Pass(
        index=index,
        call=request.call,
        line=request.line,
        roots=walked.roots,
        graph=graph,
        steps=steps,
        seeds=[None if seed is None else snapshot(seed) for seed in request.seeds],
        grads_before=grads_before,
        grads_after={node_id: _grad_snapshot(leaf) for node_id, leaf in leaves.items()},
        grads={name: _grad_snapshot(leaf) for name, leaf in named_leaves.items()},
        results=_results(result_names, result),
        retain_graph=request.retain_graph,
        create_graph=request.create_graph,
        note=request.note,
        outputs=[snapshot(root) for root in request.roots],
    )
    return one_pass, result


def run_observed(
    nodes: dict[str, Any], run: Callable[[], Any], *, detach: bool = False
) -> tuple[list[tuple[str, Grads, Grads]], Any]:
    """Call ``run`` with an observing post-hook on every node; return what each node did.

    The hooks are removed however ``run`` ends.
    """
    raw_steps: list[tuple[str, Grads, Grads]] = []
    with paused_gc():
        handles = [node.register_hook(_observer(node_id, raw_steps, detach))
                   for node_id, node in nodes.items()]
        try:
            result = run()
        finally:
            for handle in handles:
                handle.remove()
    return raw_steps, result


def _observer(node_id: str, steps: list[tuple[str, Grads, Grads]], detach: bool) -> Callable:
    """A post-hook that records and returns None, so it never changes a gradient."""
    append = steps.append
    if detach:
        def observe_detached(grad_inputs: Grads, grad_outputs: Grads) -> None:
            append((node_id, _detached(grad_outputs), _detached(grad_inputs)))

        return observe_detached

    def observe(grad_inputs: Grads, grad_outputs: Grads) -> None:
        append((node_id, grad_outputs, grad_inputs))

    return observe


def _detached(grads: Grads) -> Grads:
    return tuple(None if grad is None else grad.detach() for grad in grads)


def _accumulated_leaves(nodes: dict[str, Any], graph: Any) -> dict[str, torch.Tensor]:
    return {
        node_id: node.variable
        for node_id, node in nodes.items()
        if graph.nodes[node_id]["kind"] == "accumulate_grad"
    }


def _grad_snapshot(leaf: torch.Tensor) -> TensorLike | None:
    grad = leaf.grad
    return None if grad is None else snapshot(grad)


def _escaped_tensors(
    request: PassRequest, result: Any, leaves: dict[str, torch.Tensor]
) -> set[int]:
    """Ids of recorded tensors the program can still change in place (grads, results, seeds)."""
    escaped = {id(leaf.grad) for leaf in leaves.values() if leaf.grad is not None}
    escaped.update(id(seed) for seed in request.seeds if seed is not None)
    if isinstance(result, (tuple, list)):
        escaped.update(id(item) for item in result if isinstance(item, torch.Tensor))
    return escaped


def _keep(grads: Grads, escaped: set[int]) -> tuple[TensorLike | None, ...]:
    if not escaped or not any(id(grad) in escaped for grad in grads if grad is not None):
        return grads
    return tuple(
        snapshot(grad) if grad is not None and id(grad) in escaped else grad for grad in grads
    )


def _results(names: Sequence[str], result: Any) -> dict[str, TensorLike | None]:
    if not isinstance(result, (tuple, list)):
        return {}
    return {
        name: None if item is None else snapshot(item) for name, item in zip(names, result)
    }
