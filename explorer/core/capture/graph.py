"""Walk the real autograd graph from its roots into a networkx graph of plain data."""

from __future__ import annotations

import cmath
import contextlib
import functools
import gc
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import networkx as nx

if TYPE_CHECKING:  # tensors reach this module from a run; a process that only draws loads no torch
    import torch

ACCUMULATE_GRAD = "torch::autograd::AccumulateGrad"
MODULE_KEY = "explorer.module"  # set by explorer.core.capture.modules: the nn.Module that made a node
LINE_KEY = "explorer.line"  # the program line whose statement made a node
BLOCK_KEY = "explorer.block"  # the turn of the outermost loop that made a node
SPAN_KEY = "explorer.span"  # (line, col, end_line, end_col) of the expression that made a node
NON_FINITE_KEY = "explorer.non_finite"  # the node's forward output held NaN or Inf
FILE_KEY = "explorer.file"  # the user's file whose LINE_KEY line made a node (trusted runs)
_NO_SEQUENCE = 2**64 - 1


class AutogradGraph(nx.MultiDiGraph):
    """A networkx ``MultiDiGraph`` that reference counting alone can free.

    networkx keeps some views (``edges``, ``degree``...) on the graph once asked for, and those
    views point back at the graph: a cycle only the cyclic collector frees. The app keeps big
    traces out of that collector's reach (scanning millions of objects would stall the window),
    so here the views that refer to the graph are made afresh on each use instead.
    """


def _make_views_uncached(cls: type) -> None:
    for name in dir(cls):
        attribute = getattr(cls, name, None)  # class access returns the descriptor itself
        if isinstance(attribute, functools.cached_property):
            made = attribute.func(cls())
            if getattr(made, "_graph", None) is not None:  # this view holds its graph
                setattr(cls, name, property(attribute.func, doc=attribute.__doc__))


_make_views_uncached(AutogradGraph)


@dataclass
class Naming:
    """How nodes get their ids and the user's variable names during one run.

    Ids are kept in each node's own ``metadata`` under this run's token, so a node met again
    in a later pass keeps its id and no reference to any node is held here.
    """

    token: object = field(default_factory=object)
    leaf_names: dict[int, tuple[str, torch.Tensor]] = field(default_factory=dict)
    _counter: itertools.count = field(default_factory=itertools.count)
    check_finite: bool = True  # tag_span notes a forward output holding NaN or Inf

    @property
    def id_key(self) -> tuple[str, int]:
        return ("explorer.id", id(self.token))

    @property
    def names_key(self) -> tuple[str, int]:
        return ("explorer.names", id(self.token))

    def node_id(self, node: Any) -> str:
        metadata = node.metadata
        found = metadata.get(self.id_key)
        if found is None:
            found = metadata[self.id_key] = f"n{next(self._counter)}"
        return found

    def name_tensor(self, name: str, tensor: torch.Tensor) -> None:
        """Remember that the program called ``tensor`` by ``name``."""
        grad_fn = tensor.grad_fn
        if grad_fn is None:
            self.leaf_names.setdefault(id(tensor), (name, tensor))
            return
        metadata: dict[Any, Any] = grad_fn.metadata  # type: ignore[assignment]
        names = metadata.setdefault(self.names_key, [])
        if name not in names:
            names.append(name)

    def tag_origin(self, root: Any, line: int, block: str | None) -> None:
        """Mark the nodes new since the last statement with the line and loop turn that made them.

        Nodes tagged before stop the walk, so each node is visited about once per run.
        """
        stack = [root]
        while stack:
            node = stack.pop()
            metadata = node.metadata
            if LINE_KEY in metadata or node.name() == ACCUMULATE_GRAD:
                continue
            metadata[LINE_KEY] = line
            if block is not None:
                metadata[BLOCK_KEY] = block
            stack.extend(next_node for next_node, _ in node.next_functions if next_node is not None)

    def tag_span(self, node: Any, span: tuple[int, int, int, int], value: torch.Tensor | None = None) -> None:
        """Mark a node with the source span of the innermost expression that made it, and
        whether ``value``, its output, holds NaN or Inf (diagnostics name the first such node)."""
        metadata = node.metadata
        if SPAN_KEY not in metadata:
            metadata[SPAN_KEY] = span
            if value is not None and self.check_finite and not _all_finite(value):
                metadata[NON_FINITE_KEY] = True

    def leaf_name(self, tensor: torch.Tensor) -> str | None:
        entry = self.leaf_names.get(id(tensor))
        return entry[0] if entry is not None and entry[1] is tensor else None

    def intermediate_names(self, node: Any) -> list[str]:
        return list(node.metadata.get(self.names_key, ()))


@dataclass
class WalkResult:
    """The graph of plain data, and the live nodes by id (only for the pass that walked them)."""

    graph: nx.MultiDiGraph
    nodes: dict[str, Any]
    roots: list[str]


def walk(roots: Iterable[Any], naming: Naming | None = None) -> WalkResult:
    """Walk ``grad_fn`` / ``next_functions`` iteratively from ``roots`` (autograd nodes).

    Edges run from a node to the node its gradient flows to next (backward direction); the
    edge key is the slot in ``next_functions``. Deep graphs need no recursion.
    """
    naming = naming or Naming()
    with paused_gc():
        return _walk(list(roots), naming)


def _walk(roots: list[Any], naming: Naming) -> WalkResult:
    # The hot loop of big graphs: one metadata lookup per node, locals bound once.
    id_key, names_key, counter = naming.id_key, naming.names_key, naming._counter
    live: dict[int, tuple[str, Any]] = {}
    attributes_by_id: dict[str, dict[str, Any]] = {}
    edge_rows: list[tuple[str, str, int, dict[str, Any]]] = []
    stack: list[Any] = []
    root_ids: list[str] = []

    def identify(node: Any) -> tuple[str, Any]:
        metadata = node.metadata
        node_id = metadata.get(id_key)
        if node_id is None:
            node_id = metadata[id_key] = f"n{next(counter)}"
        entry = live[id(node)] = (node_id, node)
        stack.append(node)
        return entry

    for root in roots:
        entry = live.get(id(root)) or identify(root)
        root_ids.append(entry[0])
    while stack:
        node = stack.pop()
        node_id = live[id(node)][0]
        attributes_by_id[node_id] = _node_attributes(node, naming, names_key)
        slot = -1
        for next_node, input_nr in node.next_functions:
            slot += 1
            if next_node is None:
                continue
            seen = live.get(id(next_node)) or identify(next_node)
            edge_rows.append((node_id, seen[0], slot, {"slot": slot, "input_nr": input_nr}))
    _add_edge_shapes(attributes_by_id, edge_rows)
    graph = graph_of(attributes_by_id, edge_rows)
    return WalkResult(graph, {node_id: node for node_id, node in live.values()}, root_ids)


def graph_of(nodes: dict[str, dict[str, Any]],
             edge_rows: list[tuple[str, str, int, dict[str, Any]]]) -> AutogradGraph:
    """The graph ``add_nodes_from`` and ``add_edges_from`` would build, made directly.

    networkx copies every attribute dict and checks every edge on the way in: a third of
    recording a small pass, which a training loop does thousands of times. Same dicts, same
    order, one key dict shared by both directions of an edge, as networkx keeps them.
    """
    graph = AutogradGraph()
    graph._node.update(nodes)
    successors, predecessors = graph._succ, graph._pred
    for node_id in nodes:
        successors[node_id] = {}
        predecessors[node_id] = {}
    for source, target, key, data in edge_rows:
        by_key = successors[source].get(target)
        if by_key is None:
            by_key = successors[source][target] = predecessors[target][source] = {}
        by_key[key] = data
    return graph


def _all_finite(value: torch.Tensor) -> bool:
    """Cheaply: a sum is finite when every element is (checked element by element only when
    the sum is not, since a sum of large values can overflow)."""
    if not (value.is_floating_point() or value.is_complex()) or value.numel() == 0:
        return True
    values = value.detach()
    total = values.sum().item()  # a Python number: no tensor made for the test itself
    if cmath.isfinite(total):
        return True
    return bool(values.isfinite().all())


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cycle collector while building many small objects that form no cycles.

    Otherwise it runs over and over during a big walk or pass and makes them superlinear.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _node_attributes(node: Any, naming: Naming, names_key: tuple[str, int]) -> dict[str, Any]:
    name = node.name()
    metadata = node._input_metadata
    # plain tuples of atomic values: the cycle collector stops tracking them
    shapes = tuple(tuple(item.shape) for item in metadata)
    dtypes = tuple(item.dtype for item in metadata)
    if name == ACCUMULATE_GRAD:
        return {"name": name, "shapes": shapes, "dtypes": dtypes, "kind": "accumulate_grad",
                "seq": None, "names": (), "variable": naming.leaf_name(node.variable)}
    sequence = node._sequence_nr()
    names = tuple(node.metadata.get(names_key, ()))
    return {"name": name, "shapes": shapes, "dtypes": dtypes, "kind": "function",
            "seq": None if sequence == _NO_SEQUENCE else sequence, "names": names,
            "variable": ", ".join(names) if names else None,
            "module": node.metadata.get(MODULE_KEY),
            "line": node.metadata.get(LINE_KEY), "block": node.metadata.get(BLOCK_KEY),
            "span": node.metadata.get(SPAN_KEY), "non_finite": NON_FINITE_KEY in node.metadata,
            "file": node.metadata.get(FILE_KEY)}


def _add_edge_shapes(nodes: dict[str, dict[str, Any]],
                     edge_rows: list[tuple[str, str, int, dict[str, Any]]]) -> None:
    """The gradient on an edge has the shape its target expects at that input."""
    for _, target, _, data in edge_rows:
        target_data = nodes[target]
        index = data["input_nr"]
        if index < len(target_data["shapes"]):
            data["shape"] = target_data["shapes"][index]
            data["dtype"] = target_data["dtypes"][index]
