"""Names from ``nn.Module``: parameter names for leaves, and the module that made each node.

While :func:`track_modules` is active, a forward hook on every submodule tags the autograd
nodes created inside that module's call with the module's path (``node.metadata``). The
innermost module wins, because inner forward hooks fire before outer ones.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import networkx as nx
import torch
from torch.nn.modules.module import (
    register_module_forward_hook,
    register_module_forward_pre_hook,
)

from explorer.core.capture.graph import MODULE_KEY

_NO_SEQUENCE = 2**64 - 1


def parameter_names(model: torch.nn.Module | None) -> dict[str, torch.Tensor]:
    """``model.named_parameters()`` as a dict (empty without a model)."""
    if model is None:
        return {}
    return dict(model.named_parameters(remove_duplicate=True))


def module_of_parameter(name: str) -> str:
    """``encoder.layers.0.linear1.weight`` belongs to ``encoder.layers.0.linear1``."""
    return name.rpartition(".")[0]


def next_sequence_number() -> int | None:
    """The sequence number the next autograd node will get (None when grad mode is off)."""
    if not torch.is_grad_enabled():
        return None
    probe = torch.zeros((), requires_grad=True).view(())
    assert probe.grad_fn is not None
    return probe.grad_fn._sequence_nr() + 1


def _output_nodes(output: Any) -> list[Any]:
    """The grad_fns of every tensor in a module's output (tensors, tuples, lists, dicts)."""
    found: list[Any] = []
    pending = [output]
    while pending:
        item = pending.pop()
        if isinstance(item, torch.Tensor):
            if item.grad_fn is not None:
                found.append(item.grad_fn)
        elif isinstance(item, (tuple, list)):
            pending.extend(item)
        elif isinstance(item, dict):
            pending.extend(item.values())
    return found


def tag_nodes(roots: list[Any], first_sequence: int, module_path: str) -> int:
    """Tag untagged nodes reachable from ``roots`` that were created at or after ``first_sequence``.

    Returns how many nodes got this module's tag. Nodes created before the call (inputs,
    residual branches) are neither tagged nor walked through.
    """
    tagged = 0
    seen: set[int] = set()
    stack = list(roots)
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        sequence = node._sequence_nr()
        if sequence == _NO_SEQUENCE or sequence < first_sequence:
            continue
        metadata = node.metadata
        if MODULE_KEY not in metadata:
            metadata[MODULE_KEY] = module_path
            tagged += 1
        stack.extend(next_node for next_node, _ in node.next_functions if next_node is not None)
    return tagged


class ModuleTracker:
    """Forward hooks that tag the nodes each module call creates with the module's path.

    With a ``model``, paths are its ``named_modules()`` names; without one, every outermost
    module called becomes a root and paths are relative to it. Hooks hold no node.
    """

    def __init__(self, model: torch.nn.Module | None = None) -> None:
        self.model = model
        self.paths: dict[int, str] = _module_paths(model) if model is not None else {}
        self.roots: list[torch.nn.Module] = [model] if model is not None else []
        self._calls: list[tuple[int, int | None]] = []

    def before(self, module: torch.nn.Module, _inputs: Any) -> None:
        """Forward pre-hook: remember where this call's nodes start."""
        if self.model is None and not self._calls and id(module) not in self.paths:
            self.roots.append(module)
            self.paths.update(_module_paths(module))
        self._calls.append((id(module), next_sequence_number()))

    def after(self, module: torch.nn.Module, _inputs: Any, output: Any) -> None:
        """Forward hook: tag the nodes created since the matching pre-hook."""
        while self._calls:
            module_id, first = self._calls.pop()
            if module_id == id(module):
                path = self.paths.get(module_id)
                if first is not None and path:
                    tag_nodes(_output_nodes(output), first, path)
                return

    def parameters(self) -> dict[str, torch.Tensor]:
        """Parameter names of every root seen so far."""
        found: dict[str, torch.Tensor] = {}
        for root in self.roots:
            for name, parameter in parameter_names(root).items():
                found.setdefault(name, parameter)
        return found


def _module_paths(model: torch.nn.Module) -> dict[int, str]:
    return {id(module): path for path, module in model.named_modules()}


@contextlib.contextmanager
def track_modules(model: torch.nn.Module | None = None) -> Iterator[ModuleTracker]:
    """Tag every node created inside a module's forward with the module's path.

    With ``model`` the hooks go on its submodules; without, on every module (global hooks).
    They are removed when the block ends, however it ends.
    """
    tracker = ModuleTracker(model)
    handles = []
    try:
        if model is None:
            handles.append(register_module_forward_pre_hook(tracker.before))
            handles.append(register_module_forward_hook(tracker.after, always_call=True))
        else:
            for module in model.modules():
                handles.append(module.register_forward_pre_hook(tracker.before))
                handles.append(module.register_forward_hook(tracker.after, always_call=True))
        yield tracker
    finally:
        for handle in handles:
            handle.remove()


def node_module(node: Any) -> str | None:
    """The module path a node was tagged with, if any."""
    return node.metadata.get(MODULE_KEY)


def name_leaves_and_groups(graph: nx.MultiDiGraph, names: dict[str, torch.Tensor]) -> None:
    """Give parameter leaves their module; infer untagged nodes' modules from their parameters.

    A node with no tag (the forward ran outside :func:`track_modules`) that consumes a
    parameter, directly or through single-input view nodes, belongs to the parameter's module.
    """
    known = set(names)
    for _, data in graph.nodes(data=True):
        if data["kind"] == "accumulate_grad" and data.get("variable") in known:
            data["module"] = module_of_parameter(data["variable"])
    for node_id, data in graph.nodes(data=True):
        if data["kind"] == "function" and data.get("module") is None:
            owner = _parameter_owner(graph, node_id)
            if owner is not None:
                data["module"] = owner


def _parameter_owner(graph: nx.MultiDiGraph, node_id: str) -> str | None:
    """The one module whose parameters feed ``node_id`` (through view-like nodes), if unique."""
    owners = set()
    for _, target in graph.out_edges(node_id):
        current = target
        for _hop in range(3):  # TBackward -> AccumulateGrad, ViewBackward -> ... short chains
            data = graph.nodes[current]
            if data["kind"] == "accumulate_grad":
                if data.get("module") is not None:
                    owners.add(data["module"])
                break
            if graph.out_degree(current) != 1 or graph.in_degree(current) != 1:
                break
            current = next(iter(graph.successors(current)))
    return owners.pop() if len(owners) == 1 else None
