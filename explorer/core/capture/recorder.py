"""Record one backward pass from the real engine, with observing hooks on every node.

What a hook receives is not a snapshot: the engine may keep that very buffer (or a detached
alias of it) as a leaf's ``.grad``, and the program may reach it through a seed it passed or a
hook of its own. So every gradient is copied inside the hook and no reference to it is kept:
a later ``zero_()`` or optimizer step cannot rewrite the record, and the engine decides what
to steal exactly as it would without us (see the last sections of the autograd notes).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import torch

from explorer.core.capture.graph import Naming, paused_gc, walk
from explorer.core.capture.recording import RecordOptions
from explorer.core.capture.saved import Freed, capture_saved
from explorer.core.capture.tensors import TensorLike, TensorSummary, norm_of, snapshot
from explorer.core.capture.trace import HookChange, Pass, PassSummary, Step

Grads = tuple[torch.Tensor | None, ...]
Copies = tuple[torch.Tensor | None, ...]
RawStep = tuple[str, Copies, Copies, tuple[HookChange, ...]]


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
    options: RecordOptions | None = None,
) -> tuple[Pass | None, Any]:
    """Run ``run`` (the real backward call) while observing every node of the roots' graph.

    Returns the pass (``None`` when no root has a graph: torch then raises its own error)
    and whatever ``run`` returned. Hooks only observe and are always removed; they hold node
    ids, never nodes, and copies of gradients, never the gradients themselves.
    """
    grad_fns = [root.grad_fn for root in request.roots if root.grad_fn is not None]
    if not grad_fns:
        return None, run()
    saved_tensors = options is None or options.saved_tensors
    walked = walk(grad_fns, naming)
    graph = walked.graph
    attributes = graph._node  # the node dicts themselves: no view made per look-up
    if saved_tensors:
        for node_id, node in walked.nodes.items():
            attributes[node_id]["saved"] = capture_saved(node)
    leaves = _accumulated_leaves(walked.nodes, graph)
    grads_before = {node_id: _grad_snapshot(leaf) for node_id, leaf in leaves.items()}
    observer = Observer(graph, detach=request.create_graph, leaves=leaves)
    observer.expect_seeds(request, walked.roots)
    raw_steps, result = run_observed(walked.nodes, run, observer=observer)
    if saved_tensors and not request.retain_graph:
        ran = {step[0] for step in raw_steps}
        for node_id, data in attributes.items():
            data["freed_after"] = releases_saved(data["saved"], node_id in ran)
    after = _LeafGrads()
    one_pass = Pass(
        index=index,
        call=request.call,
        line=request.line,
        roots=walked.roots,
        graph=graph,
        steps=[Step(node_id, outputs, inputs, changes) for node_id, outputs, inputs, changes in raw_steps],
        seeds=[None if seed is None else snapshot(seed) for seed in request.seeds],
        grads_before=grads_before,
        grads_after={node_id: after.of(leaf) for node_id, leaf in leaves.items()},
        grads={name: after.of(leaf) for name, leaf in named_leaves.items()},
        results=_results(result_names, result),
        retain_graph=request.retain_graph,
        create_graph=request.create_graph,
        note=request.note,
        outputs=[snapshot(root) for root in request.roots],
    )
    return one_pass, result


def run_observed(
    nodes: dict[str, Any], run: Callable[[], Any], *, detach: bool = False,
    observer: Observer | None = None,
) -> tuple[list[RawStep], Any]:
    """Call ``run`` with an observing post-hook on every node; return what each node did.

    Each step holds copies made inside the hook. The hooks are removed however ``run`` ends.
    """
    observer = observer or Observer(None, detach=detach)
    with paused_gc():
        handles = [node.register_hook(observer.hook_for(node_id)) for node_id, node in nodes.items()]
        try:
            result = run()
        finally:
            for handle in handles:
                handle.remove()
    return observer.steps, result


# What arrived at one input of a node: the tensor (by weak reference: a strong one would change
# what the engine may steal), its version then, and our copy of it.
_Arrival = tuple[Any, int, torch.Tensor]
_HOOK_NODE = "BackwardHookFunctionBackward"  # module backward hooks run on this identity node


class Observer:
    """The post-hooks of one pass: they copy what each node received and sent, and notice where
    a user's hook changed a gradient between the node that sent it and the node that got it."""

    def __init__(self, graph: Any, *, detach: bool, leaves: dict[str, torch.Tensor] | None = None) -> None:
        self.steps: list[RawStep] = []
        self.detach = detach
        self.graph = graph
        self.arrivals: dict[tuple[str, int], list[_Arrival]] = {}
        self.sent: dict[int, _Arrival] = {}  # without a graph: what was sent, by id (+ weak ref)
        # leaves whose post-accumulate-grad hooks may change .grad after the engine stored it
        self.watched = {node_id: (leaf, _copy_or_none(leaf.grad, False)) for node_id, leaf in
                        (leaves or {}).items() if getattr(leaf, "_post_accumulate_grad_hooks", None)}

    def expect_seeds(self, request: PassRequest, root_ids: Sequence[str]) -> None:
        """The roots' nodes receive the seeds: what they get is compared with these.

        ``root_ids`` are the walked ids of the roots that have a graph, in order.
        """
        with_graph = [(root, seed) for root, seed in zip(request.roots, request.seeds)
                      if root.grad_fn is not None]
        for (root, seed), node_id in zip(with_graph, root_ids):
            if isinstance(seed, torch.Tensor):
                arrival = (_weak(seed), seed._version, self._copy(seed))
            else:  # the engine makes ones for a scalar root
                arrival = (None, 0, torch.ones_like(root.detach()))
            self.arrivals.setdefault((node_id, root.output_nr), []).append(arrival)

    def hook_for(self, node_id: str) -> Callable[[Grads, Grads], None]:
        """The post-hook for one node; it records and returns None, so it changes nothing."""
        append = self.steps.append
        copies = self._copies
        if self.graph is None:
            def observe_only(grad_inputs: Grads, grad_outputs: Grads) -> None:
                append((node_id, self._received_as_sent(grad_outputs), self._sent_noted(grad_inputs), ()))

            return observe_only
        targets = self._targets(node_id) if self.graph._succ[node_id] else ()
        identity = self.graph._node[node_id]["name"] == _HOOK_NODE
        watched = self.watched.get(node_id)

        def observe(grad_inputs: Grads, grad_outputs: Grads) -> None:
            received, changes = self._received(node_id, grad_outputs)
            sent = copies(grad_inputs)
            if identity:
                changes += _sent_changes(grad_inputs, grad_outputs, received)
            if watched is not None:
                changes += _grad_changes(watched, received)
            self._deliver(targets, grad_inputs, sent)
            append((node_id, received, sent, changes))

        return observe

    def _targets(self, node_id: str) -> tuple[tuple[str, int] | None, ...]:
        """For each slot of the node's ``next_functions``: the node and input it feeds."""
        by_slot: dict[int, tuple[str, int]] = {}
        for target, edges in self.graph._succ[node_id].items():  # the raw dict: no view made
            for slot, data in edges.items():
                by_slot[slot] = (target, data["input_nr"])
        return tuple(by_slot.get(slot) for slot in range(max(by_slot, default=-1) + 1))

    def _deliver(self, targets: tuple[tuple[str, int] | None, ...], grads: Grads, sent: Copies) -> None:
        arrivals = self.arrivals
        for slot, grad in enumerate(grads):
            if grad is None or slot >= len(targets):
                continue
            target, copy = targets[slot], sent[slot]
            if target is None or copy is None:
                continue
            arrivals.setdefault(target, []).append((_weak(grad), grad._version, copy))

    def _received(self, node_id: str, grads: Grads) -> tuple[Copies, tuple[HookChange, ...]]:
        """Copies of what the node received, and where a hook changed it on the way.

        A gradient that is the very tensor its one sender made, untouched since, shares the
        sender's copy: most steps copy only what they send.
        """
        received: list[torch.Tensor | None] = []
        changes: tuple[HookChange, ...] = ()
        for input_nr, grad in enumerate(grads):
            arrived = self.arrivals.pop((node_id, input_nr), None)
            if grad is None:
                received.append(None)
                continue
            if arrived and len(arrived) == 1:
                reference, version, copy = arrived[0]
                if reference is not None and reference() is grad and version == grad._version:
                    received.append(copy)
                    continue
            mine = self._copy(grad)
            received.append(mine)
            if arrived:
                expected = arrived[0][2] if len(arrived) == 1 else _sum(item[2] for item in arrived)
                if not same_values(expected, mine):
                    changes += (HookChange("grad_outputs", input_nr, expected),)
        return tuple(received), changes

    def _sent_noted(self, grads: Grads) -> Copies:
        """Copies of what a node sends, noted so that the node receiving one unchanged shares it."""
        copies = self._copies(grads)
        for grad, copy in zip(grads, copies):
            if grad is not None and copy is not None:
                reference = _weak(grad)
                if reference is not None:
                    self.sent[id(grad)] = (reference, grad._version, copy)
        return copies

    def _received_as_sent(self, grads: Grads) -> Copies:
        """Copies of what a node received; a tensor sent as it is (same object, same version)
        shares its sender's copy. The weak reference tells a live tensor from a reused id."""
        received: list[torch.Tensor | None] = []
        for grad in grads:
            noted = None if grad is None else self.sent.get(id(grad))
            if noted is not None and noted[0]() is grad and noted[1] == grad._version:
                received.append(noted[2])
            else:
                received.append(None if grad is None else self._copy(grad))
        return tuple(received)

    def _copies(self, grads: Grads) -> Copies:
        detach = self.detach
        return tuple([None if grad is None else _copy(grad, detach) for grad in grads])

    def _copy(self, grad: torch.Tensor) -> torch.Tensor:
        return _copy(grad, self.detach)


def _sent_changes(sent: Grads, received: Grads, copies: Copies) -> tuple[HookChange, ...]:
    """An identity node sends what it got; a module's backward hook may send something else."""
    changes: tuple[HookChange, ...] = ()
    for slot, grad in enumerate(sent):
        before = copies[slot] if slot < len(copies) else None
        if grad is None or before is None or grad is received[slot]:
            continue
        if not same_values(before, grad):
            changes += (HookChange("grad_inputs", slot, before),)
    return changes


def _grad_changes(watched: tuple[torch.Tensor, torch.Tensor | None],
                  received: Copies) -> tuple[HookChange, ...]:
    """A post-accumulate-grad hook ran: did it leave ``.grad`` as accumulation made it?"""
    leaf, before = watched
    arrived = received[0] if received else None
    if arrived is None:
        return ()
    expected = arrived if before is None else before + arrived
    grad = leaf.grad
    if grad is not None and same_values(expected, grad):
        return ()
    return (HookChange("grad", 0, expected),)


def same_values(first: torch.Tensor, second: torch.Tensor) -> bool:
    """Equal shape, dtype and every element (NaN equal to NaN): a hook's change, bit for bit."""
    if first.shape != second.shape or first.dtype != second.dtype:
        return False
    if torch.equal(first, second):
        return True
    if first.is_floating_point() or first.is_complex():
        return bool(torch.allclose(first, second, rtol=0.0, atol=0.0, equal_nan=True))
    return False


def _sum(tensors: Any) -> torch.Tensor:
    iterator = iter(tensors)
    total = next(iterator)
    for tensor in iterator:
        total = total + tensor
    return total


def _weak(tensor: torch.Tensor) -> Any:
    try:
        return weakref.ref(tensor)
    except TypeError:  # a tensor type that cannot be weakly referenced: compare values instead
        return None


def _copy(grad: torch.Tensor, detach: bool) -> torch.Tensor:
    """A private copy; an expanded gradient (stride 0) stays expanded over a small copy."""
    if detach:
        grad = grad.detach()
    if grad.is_contiguous() or grad.layout != torch.strided:
        return grad.clone()
    strides = grad.stride()
    if 0 in strides and grad.numel() > 1:
        compact = grad[tuple(slice(0, 1) if stride == 0 else slice(None) for stride in strides)]
        return compact.clone().expand(grad.shape)
    return grad.clone()


def _copy_or_none(grad: torch.Tensor | None, detach: bool) -> torch.Tensor | None:
    return None if grad is None else _copy(grad, detach)


def releases_saved(saved: dict[str, Any], ran: bool) -> bool:
    """Whether a node's saved tensors are gone after a pass without ``retain_graph``.

    The engine releases what each node it runs saved; one released before stays released.
    Worked out from what was captured, as reading a released value to find out raises (slowly).
    """
    held = False  # a saved tensor that backward releases when the node runs
    for value in saved.values():
        for item in value if isinstance(value, list) else (value,):
            if isinstance(item, Freed):
                return True
            held = held or isinstance(item, _HELD)
    return ran and held


_HELD = (torch.Tensor, TensorSummary)


class _LeafGrads:
    """One copy of each leaf's ``.grad`` after the pass, shared by the tables that list it."""

    def __init__(self) -> None:
        self.copies: dict[int, tuple[torch.Tensor, TensorLike | None]] = {}

    def of(self, leaf: torch.Tensor) -> TensorLike | None:
        found = self.copies.get(id(leaf))
        if found is None or found[0] is not leaf:  # the leaf itself is held: its id stays its own
            found = self.copies[id(leaf)] = (leaf, _grad_snapshot(leaf))
        return found[1]


def _accumulated_leaves(nodes: dict[str, Any], graph: Any) -> dict[str, torch.Tensor]:
    attributes = graph._node  # the dicts themselves: no view made per look-up
    return {
        node_id: node.variable
        for node_id, node in nodes.items()
        if attributes[node_id]["kind"] == "accumulate_grad"
    }


def _grad_snapshot(leaf: torch.Tensor) -> TensorLike | None:
    grad = leaf.grad
    return None if grad is None else snapshot(grad)


def _results(names: Sequence[str], result: Any) -> dict[str, TensorLike | None]:
    if not isinstance(result, (tuple, list)):
        return {}
    return {
        name: None if item is None else snapshot(item) for name, item in zip(names, result)
    }


# ----- the cheap record of a pass not kept in full ---------------------------------------------


def run_summarized(
    request: PassRequest, run: Callable[[], Any], *, index: int,
    named_leaves: dict[str, torch.Tensor],
) -> tuple[PassSummary, Any]:
    """Run the backward call noting only what a pass timeline shows: the loss, which nodes ran
    (by name, in the engine's order) and the norm of each named leaf's ``.grad`` afterwards.

    One pre-hook per node that appends its name: no copies, no saved tensors, no graph kept.
    """
    names: list[str] = []
    grad_fns = [root.grad_fn for root in request.roots if root.grad_fn is not None]
    with paused_gc():
        handles = [node.register_prehook(_namer(names, node.name()))
                   for node in _reachable(grad_fns)]
        try:
            result = run()
        finally:
            for handle in handles:
                handle.remove()
    summary = PassSummary(index=index, call=request.call, line=request.line,
                          loss=loss_of(request.roots), order=tuple(names),
                          grad_norms=grad_norms(named_leaves), recorded=False)
    return summary, result


def summary_of(one_pass: Pass, roots: Sequence[torch.Tensor] | None = None) -> PassSummary:
    """The timeline's entry for a pass recorded in full."""
    attributes = one_pass.graph._node
    order = tuple(attributes[step.node]["name"] for step in one_pass.steps)
    loss = loss_of(roots) if roots is not None else _loss_from_outputs(one_pass)
    norms = {name: None if grad is None else norm_of(grad) for name, grad in one_pass.grads.items()}
    return PassSummary(index=one_pass.index, call=one_pass.call, line=one_pass.line, loss=loss,
                       order=order, grad_norms=norms, recorded=True)


def loss_of(roots: Sequence[torch.Tensor]) -> float | None:
    """The first root's value when it is a single real number (a loss), else None."""
    if not roots:
        return None
    root = roots[0]
    if not isinstance(root, torch.Tensor) or root.numel() != 1 or root.is_complex():
        return None
    return float(root.detach().reshape(()).item())


def _loss_from_outputs(one_pass: Pass) -> float | None:
    output = one_pass.outputs[0] if one_pass.outputs else None
    if isinstance(output, torch.Tensor) and output.numel() == 1 and not output.is_complex():
        return float(output.reshape(()).item())
    return None


def grad_norms(leaves: dict[str, torch.Tensor]) -> dict[str, float | None]:
    """Each leaf's ``.grad`` norm (None where it has no gradient)."""
    return {name: None if leaf.grad is None else norm_of(leaf.grad) for name, leaf in leaves.items()}


def _namer(names: list[str], name: str) -> Callable[[Grads], None]:
    append = names.append

    def note(_grad_outputs: Grads) -> None:
        append(name)

    return note


def _reachable(roots: list[Any]) -> list[Any]:
    """Every node the roots' graph holds, without naming or describing any of them."""
    seen: dict[int, Any] = {}
    stack = list(roots)
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen[id(node)] = node
        stack.extend(next_node for next_node, _ in node.next_functions if next_node is not None)
    return list(seen.values())
