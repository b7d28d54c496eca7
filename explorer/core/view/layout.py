"""A layered (Sugiyama-style) layout of an autograd graph, drawn in the direction data flowed.

The walked graph's edges run backward (node -> next function); the picture shows the forward
pass, so every step below works on the reversed edges: the leaves (``AccumulateGrad``) sit at
the top and the root at the bottom ("TB"), or leaves left and root right ("LR").

1. Layers: longest path from the sources, then nodes are pulled down next to their consumers
   where that makes edges shorter (a leaf sits just above its first use, not at the top).
2. Edges that span several layers get one virtual node per layer crossed. All long edges leaving
   one node share one chain of virtual nodes (a "bus"), or all long edges entering one node do,
   whichever side has more of them: a weight used in every step of a loop is one vertical line
   with branches, and the layered graph holds one chain per bus instead of one per edge, which
   for such a weight is the difference between linear and quadratic size.
3. Crossings: barycenter sweeps down and up, keeping the best order seen (counted exactly, by
   inversions), then swaps of neighbours that remove crossings. Wide layers are sorted with
   numpy, narrow ones in plain Python (faster there). A layer is sorted again only when it or
   the layer it is sorted by changed since, and the sweeps stop once they repeat an order.
4. Coordinates: chains of one-input one-output nodes and the virtual chains of long edges become
   rigid vertical blocks; blocks are packed left against the per-layer minimum gaps, then moved
   towards the median of their neighbours, never past their neighbours in the layer; a block is
   placed again only when a block it depends on has moved.

Big graphs are long and narrow (a 100,000-node residual MLP has 66,000 layers of a few nodes),
so the sequential sweeps cost per layer, not per node: what made them fast was skipping work
that cannot change anything (steps 3 and 4), not numpy. On that graph, on a loaded 2-core
machine, the whole layout went from 8.8-11.5 s to about 5 s; a stacked transformer or CNN of
100,000 nodes takes about 1.5 s. ``progress`` reports between phases and every few thousand
items inside the long loops, and may raise ``LayoutCancelled`` to stop: nothing outside the
call is changed before the result is returned.

Everything here is hand-written on purpose: networkx has no layered layout with crossing
reduction (``multipartite_layout`` only puts given layers side by side), and Graphviz would be a
new binary dependency. networkx is not used at all beyond reading the graph; every loop is
iterative, so a 20,000-node chain needs no recursion, and the work is held in flat integer lists
and numpy arrays so that later versions can vectorise more of it.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np

from explorer.core.capture.graph import paused_gc

NORMAL_GAP = 1.0  # minimum distance between centres of two default-width nodes in a layer
COMPACT_GAP = 0.6
VIRTUAL_WIDTH = 0.5  # a long edge passing through a layer claims half a node's room
DEFAULT_SWEEPS = 16  # down-and-up barycenter iterations at most
BALANCE_PASSES = 16  # passes moving blocks towards their neighbours
_PATIENCE = 4  # sweeps without a better order before crossing reduction gives up
_SWAP_ROUNDS = 8  # passes of neighbour swaps at most
_WIDE_LAYER = 48  # from this many nodes a layer is reordered with numpy
_TOLERANCE = 1e-9
_ALIGN_SHARE = 0.3  # of the placing phase: stacking nodes into blocks; the rest is balancing
_REPORT_EVERY = 4096  # items between two progress reports inside a long loop (a power of two)

EdgeKey = tuple[Any, Any, Any]
Point = tuple[float, float]
Progress = Callable[[str, float], None]

# the phases in the order they run, each with its share of the whole job's time (measured on a
# 100,000-node residual MLP, where ordering and placing dominate)
_PHASES = {"reading": 0.04, "layering": 0.04, "routing": 0.04, "ordering": 0.45, "placing": 0.38,
           "assembling": 0.05}


class LayoutCancelled(Exception):
    """Raised by a progress callback to stop a layout; the graph and ``previous`` are untouched."""


@dataclass(frozen=True)
class Layout:
    """Where every node and every edge bend goes, in layout units.

    One layer step is 1.0; within a layer, centres of two nodes of widths ``a`` and ``b`` are at
    least ``gap * (a + b) / 2`` apart (gap 1.0, or 0.6 when compact). ``bends`` has an entry for
    every edge ``(node, next, key)`` of the graph: the polyline it follows between its two ends,
    from the data-flow source (``next``) towards ``node``, given by the points on the first and
    last layer it crosses plus the corners in between (points on a straight run are left out, so
    a weight used by every step of a long loop costs a few points per edge, not one per layer);
    empty for adjacent layers. ``crossings`` counts crossing segments, a shared bus segment once.
    """

    positions: dict[str, Point]
    layers: dict[str, int]
    bends: dict[EdgeKey, list[Point]]
    crossings: int
    orientation: str = "TB"
    compact: bool = False


def layered_layout(graph: nx.MultiDiGraph, *, orientation: str = "TB",
                   node_widths: dict[str, float] | None = None, compact: bool = False,
                   previous: Layout | None = None, sweeps: int = DEFAULT_SWEEPS,
                   progress: Progress | None = None) -> Layout:
    """Lay out a walked autograd graph in layers, leaves first, the root last.

    Parameters
    ----------
    graph
        A walked graph (edges node -> next function); it is only read.
    orientation
        "TB" (leaves at the top) or "LR" (leaves on the left).
    node_widths
        Widths in layout units (default 1.0 each).
    compact
        Nodes closer together across a layer.
    previous
        With the same nodes and edges, orientation and compactness, that very layout is
        returned, so nodes stay exactly where they were when a program is re-run, even if
        labels (widths) changed a little; otherwise the nodes it shares with the graph start in
        their previous order.
    sweeps
        Barycenter sweeps at most; 0 keeps the initial order (the baseline benchmarks use).
    progress
        Called as ``progress(phase, fraction)`` between phases and every few thousand items
        inside long loops; ``fraction`` is the share of the whole layout done (non-decreasing,
        1.0 at the end). It may raise (e.g. ``LayoutCancelled``) to stop the layout: the
        exception propagates, and nothing outside this call has been changed.
    """
    if orientation not in ("TB", "LR"):
        raise ValueError(f"orientation must be 'TB' or 'LR', not {orientation!r}")
    if sweeps < 0:
        raise ValueError("sweeps must not be negative")
    reporter = _Reporter(progress)
    with paused_gc():  # many small acyclic objects: the collector would only slow this down
        layout = _layout(graph, orientation, node_widths, compact, previous, sweeps, reporter)
    reporter.done()
    return layout


def _layout(graph: nx.MultiDiGraph, orientation: str, node_widths: dict[str, float] | None,
            compact: bool, previous: Layout | None, sweeps: int, reporter: _Reporter) -> Layout:
    gap = COMPACT_GAP if compact else NORMAL_GAP
    reporter.enter("reading")
    indexed = _index_graph(graph)
    widths = _real_widths(indexed.ids, node_widths)
    if previous is not None and _same_structure(previous, indexed, orientation, compact):
        return previous
    if not indexed.ids:
        return Layout({}, {}, {}, 0, orientation, compact)
    reporter.enter("layering")
    layers = _assign_layers(len(indexed.ids), indexed.sources, indexed.targets)
    reporter.enter("routing")
    proper = _make_proper(indexed, layers, widths)
    component = _components(proper)
    order = _initial_order(proper, component, _seed_keys(indexed, previous))
    reporter.enter("ordering")
    order, crossings = _reduce_crossings(proper, order, component, sweeps, reporter)
    reporter.enter("placing")
    across = _assign_across(proper, order, gap, reporter)
    reporter.enter("assembling")
    return _assemble(indexed, proper, across, crossings, orientation, compact)


class _Reporter:
    """Turns progress within a phase into the share of the whole job, for the caller's callback."""

    def __init__(self, callback: Progress | None) -> None:
        self.callback = callback
        self.phase = ""
        self.start = 0.0
        self.share = 0.0

    def enter(self, phase: str) -> None:
        if self.phase:
            self.start += self.share
        self.phase, self.share = phase, _PHASES[phase]
        self.at(0.0)

    def at(self, fraction: float) -> None:
        """Report ``fraction`` (0..1) of the current phase done."""
        if self.callback is not None:
            self.callback(self.phase, min(1.0, self.start + self.share * min(1.0, fraction)))

    def within(self, start: float, stop: float) -> Callable[[float], None]:
        """Reports of a part of the phase, from ``start`` to ``stop`` of it."""
        return lambda fraction: self.at(start + (stop - start) * fraction)

    def done(self) -> None:
        if self.callback is not None:
            self.callback("done", 1.0)


def layer_orders(layout: Layout) -> list[list[str]]:
    """The real nodes of each layer, in the order they are drawn across it."""
    across = 0 if layout.orientation == "TB" else 1
    rows: list[list[str]] = [[] for _ in range(max(layout.layers.values(), default=-1) + 1)]
    for node, layer in layout.layers.items():
        rows[layer].append(node)
    for row in rows:
        row.sort(key=lambda node: layout.positions[node][across])
    return rows


def count_crossings(layers_order: Sequence[Sequence[Hashable]],
                    edges: Iterable[Sequence[Hashable]]) -> int:
    """Crossings of ``edges`` (pairs, or ``(u, v, key)`` triples) drawn between ordered layers.

    Every edge must join two adjacent layers, in either direction. Two edges cross when their
    ends are in opposite orders on the two layers; edges sharing an end never cross. Counted as
    inversions of all layer pairs at once, with numpy (see ``_count_inversions``).
    """
    where: dict[Hashable, tuple[int, int]] = {}
    for layer, row in enumerate(layers_order):
        for position, node in enumerate(row):
            where[node] = (layer, position)
    rows = []
    for edge in edges:
        (layer_a, at_a), (layer_b, at_b) = where[edge[0]], where[edge[1]]
        if abs(layer_a - layer_b) != 1:
            raise ValueError(f"edge {edge!r} does not join adjacent layers")
        rows.append((layer_a, at_a, at_b) if layer_a < layer_b else (layer_b, at_b, at_a))
    if not rows:
        return 0
    pair, upper, lower = np.array(rows, dtype=np.int64).T
    return _segment_crossings(pair, upper, lower)


# --- the graph as integers -------------------------------------------------------------------


@dataclass
class _Indexed:
    """Nodes by index in the graph's own order; each edge as data-flow source -> target."""

    ids: list[Any]
    edge_keys: list[EdgeKey]
    sources: list[int]  # the edge's ``next``: where the data came from
    targets: list[int]  # the edge's node: where the data went


def _index_graph(graph: nx.DiGraph) -> _Indexed:
    ids = list(graph.nodes)
    index = {node: position for position, node in enumerate(ids)}
    if graph.is_multigraph():
        keys: list[EdgeKey] = list(graph.edges(keys=True))
    else:
        keys = [(node, next_node, 0) for node, next_node in graph.edges()]
    sources = [index[next_node] for _, next_node, _ in keys]
    targets = [index[node] for node, _, _ in keys]
    return _Indexed(ids, keys, sources, targets)


def _real_widths(ids: list[Any], node_widths: dict[str, float] | None) -> list[float]:
    given = node_widths or {}
    widths = [float(given.get(node, 1.0)) for node in ids]
    for node, width in zip(ids, widths):
        if not (math.isfinite(width) and width > 0):
            raise ValueError(f"width of {node!r} must be a positive number, not {width}")
    return widths


def _same_structure(previous: Layout, indexed: _Indexed, orientation: str,
                    compact: bool) -> bool:
    """Same node ids, same edges (keys included) and the same options as ``previous``."""
    if previous.orientation != orientation or previous.compact != compact:
        return False
    if len(previous.layers) != len(indexed.ids) or previous.layers.keys() != set(indexed.ids):
        return False
    return (len(previous.bends) == len(indexed.edge_keys)
            and previous.bends.keys() == set(indexed.edge_keys))


# --- 1. layers --------------------------------------------------------------------------------


def _assign_layers(count: int, sources: list[int], targets: list[int]) -> list[int]:
    """Longest path from the data-flow sources, then pull nodes down towards their consumers."""
    inputs: list[list[int]] = [[] for _ in range(count)]
    consumers: list[list[int]] = [[] for _ in range(count)]
    for source, target in zip(sources, targets):
        inputs[target].append(source)
        consumers[source].append(target)
    topological = _topological_order(count, inputs, consumers)
    layer = [0] * count
    for node in topological:
        below = layer[node] + 1
        for consumer in consumers[node]:
            if layer[consumer] < below:
                layer[consumer] = below
    _pull_down(topological, inputs, consumers, layer)
    return layer


def _topological_order(count: int, inputs: list[list[int]],
                       consumers: list[list[int]]) -> list[int]:
    """Kahn's algorithm in data-flow direction; ties in graph order, so it is deterministic."""
    waiting = [len(edges) for edges in inputs]
    ready = [node for node in range(count) if waiting[node] == 0]
    cursor = 0
    while cursor < len(ready):
        node = ready[cursor]
        cursor += 1
        for consumer in consumers[node]:
            waiting[consumer] -= 1
            if waiting[consumer] == 0:
                ready.append(consumer)
    if len(ready) != count:
        raise ValueError("the graph has a cycle: an autograd graph never does")
    return ready


def _pull_down(topological: list[int], inputs: list[list[int]], consumers: list[list[int]],
               layer: list[int]) -> None:
    """Move a node to just above its first consumer when that shortens its edges in total.

    Its outgoing edges shrink and its incoming ones grow, except those from inputs that follow
    it: inputs used by nothing else whose own inputs follow them too (a leaf, or a small tree
    of leaves and ops feeding only this node). On a tie the node still moves when every edge
    that grows comes from an input used elsewhere too: that input's long edges share one bus,
    so a weight used at every step of a loop gets one line down the side instead of its uses
    all waiting at the top. Visiting consumers first, one pass suffices for this greedy rule.
    """
    distinct_consumers = [len(set(below)) for below in consumers]
    follows = [False] * len(layer)
    for node in topological:
        follows[node] = (distinct_consumers[node] == 1
                         and all(follows[source] for source in inputs[node]))
    for node in reversed(topological):
        below = consumers[node]
        if not below:
            continue
        target = min(layer[consumer] for consumer in below) - 1
        if target <= layer[node]:
            continue
        stretched = [source for source in inputs[node] if not follows[source]]
        shrunk = len(below)
        if shrunk > len(stretched) or (
                shrunk == len(stretched)
                and all(distinct_consumers[source] > 1 for source in stretched)):
            layer[node] = target


# --- 2. virtual nodes ---------------------------------------------------------------------------


@dataclass
class _Proper:
    """The layered graph where every segment joins adjacent layers; real nodes come first.

    ``up[v]``/``down[v]`` list the nodes one layer above/below joined to ``v`` by a segment,
    once per real edge drawn along it (parallel edges count twice, a shared bus segment once).
    """

    real_count: int
    layer: list[int]
    width: list[float]
    owner: list[int]  # real node a virtual node belongs to (its bus); itself for real nodes
    up: list[list[int]]
    down: list[list[int]]
    layer_count: int
    chains: list[list[int]] = field(default_factory=list)  # the virtual nodes of each bus
    # per edge: (bus, start, stop), its virtual nodes being chains[bus][start:stop]; stop is 0
    # for an edge between adjacent layers. Slices, not lists, so that a weight used all along
    # a long loop costs one bus, not one copy of it per use.
    paths: list[tuple[int, int, int]] = field(default_factory=list)

    def add_node(self, layer: int, owner: int) -> int:
        self.layer.append(layer)
        self.width.append(VIRTUAL_WIDTH)
        self.owner.append(owner)
        self.up.append([])
        self.down.append([])
        return len(self.layer) - 1

    def add_segment(self, upper: int, lower: int) -> None:
        self.down[upper].append(lower)
        self.up[lower].append(upper)

    def segments(self) -> tuple[np.ndarray, np.ndarray]:
        """Every segment as (upper node, lower node) arrays."""
        lengths = np.fromiter(map(len, self.down), dtype=np.int64, count=len(self.down))
        upper = np.repeat(np.arange(len(self.down), dtype=np.int64), lengths)
        lower = np.fromiter(itertools.chain.from_iterable(self.down), dtype=np.int64,
                            count=int(lengths.sum()))
        return upper, lower


def _make_proper(indexed: _Indexed, layer: list[int], widths: list[float]) -> _Proper:
    count = len(layer)
    proper = _Proper(count, list(layer), list(widths), list(range(count)),
                     [[] for _ in range(count)], [[] for _ in range(count)], max(layer) + 1)
    sources, targets = indexed.sources, indexed.targets
    long_edges = [edge for edge, (source, target) in enumerate(zip(sources, targets))
                  if layer[target] - layer[source] > 1]
    leaving = Counter(sources[edge] for edge in long_edges)
    entering = Counter(targets[edge] for edge in long_edges)
    # a bus is keyed by (owner, +1) when it leaves the owner downwards, (owner, -1) when it
    # enters the owner from above; it spans the layers of all the edges it carries
    carrier: dict[int, tuple[int, int]] = {}
    spans: dict[tuple[int, int], tuple[int, int]] = {}
    for edge in long_edges:
        source, target = sources[edge], targets[edge]
        bus = (source, 1) if leaving[source] >= entering[target] else (target, -1)
        carrier[edge] = bus
        first, last = layer[source] + 1, layer[target] - 1
        if bus in spans:
            first, last = min(first, spans[bus][0]), max(last, spans[bus][1])
        spans[bus] = (first, last)
    numbers = {bus: _add_bus(proper, bus, first, last) for bus, (first, last) in spans.items()}
    for edge, (source, target) in enumerate(zip(sources, targets)):
        if edge not in carrier:
            proper.add_segment(source, target)
            proper.paths.append((0, 0, 0))
            continue
        bus = carrier[edge]
        first = spans[bus][0]
        start, stop = layer[source] + 1 - first, layer[target] - first
        chain = proper.chains[numbers[bus]]
        proper.paths.append((numbers[bus], start, stop))
        # the bus's own end segment is shared; the branch at the other end is the edge's own
        if bus[1] == 1:
            proper.add_segment(chain[stop - 1], target)
        else:
            proper.add_segment(source, chain[start])
    return proper


def _add_bus(proper: _Proper, bus: tuple[int, int], first: int, last: int) -> int:
    """Virtual nodes from layer ``first`` to ``last`` joined to their owner; the bus's number."""
    owner, direction = bus
    chain = [proper.add_node(layer, owner) for layer in range(first, last + 1)]
    proper.chains.append(chain)
    for upper, lower in itertools.pairwise(chain):
        proper.add_segment(upper, lower)
    if direction == 1:
        proper.add_segment(owner, chain[0])
    else:
        proper.add_segment(chain[-1], owner)
    return len(proper.chains) - 1


# --- 3. crossing reduction ----------------------------------------------------------------------


def _components(proper: _Proper) -> list[int]:
    """Connected piece of every node, numbered in order of first appearance."""
    parent = list(range(proper.real_count))

    def find(node: int) -> int:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for upper, below in enumerate(proper.down):
        for lower in below:
            a, b = find(proper.owner[upper]), find(proper.owner[lower])
            if a != b:
                parent[max(a, b)] = min(a, b)
    numbers: dict[int, int] = {}
    return [numbers.setdefault(find(proper.owner[node]), len(numbers))
            for node in range(len(proper.layer))]


def _seed_keys(indexed: _Indexed, previous: Layout | None) -> list[float]:
    """Starting order across each layer: the previous layout's, for nodes it had."""
    count = len(indexed.ids)
    if previous is None:
        return [0.0] * count
    across = 0 if previous.orientation == "TB" else 1
    known = [previous.positions.get(node) for node in indexed.ids]
    seeds = [math.inf if point is None else point[across] for point in known]
    totals = [0.0] * count
    counts = [0] * count
    for source, target in zip(indexed.sources, indexed.targets):
        for new, old in ((source, target), (target, source)):
            if known[new] is None and known[old] is not None:
                totals[new] += seeds[old]
                counts[new] += 1
    for node in range(count):
        if counts[node]:
            seeds[node] = totals[node] / counts[node]
    return seeds


def _initial_order(proper: _Proper, component: list[int],
                   seeds: list[float]) -> list[list[int]]:
    """Per layer: by connected piece, then seed, then graph order (virtual nodes last)."""
    order: list[list[int]] = [[] for _ in range(proper.layer_count)]
    for node, layer in enumerate(proper.layer):
        order[layer].append(node)
    for row in order:
        row.sort(key=lambda node: (component[node], seeds[proper.owner[node]], node))
    return order


def _reduce_crossings(proper: _Proper, order: list[list[int]], component: list[int],
                      sweeps: int, reporter: _Reporter) -> tuple[list[list[int]], int]:
    """Barycenter sweeps down and up, keeping the order with fewest crossings seen (the first
    on ties), then swaps of neighbours in a layer while a swap removes crossings.

    The sweeps stop early when a half sweep ends in the order the same half of the sweep
    before ended in: being deterministic, every later sweep would repeat the same two orders
    (long loops of identical steps often flip between two orders of equal crossings forever).
    """
    position = _positions_of(order, len(proper.layer))
    counter = _CrossingCounter(proper)
    best = [list(row) for row in order]
    fewest = counter.count(position)
    stale = 0
    sweeper = _Sweeper(proper, order, position, component, reporter)
    ended_in = {True: b"", False: b""}  # order after the last downward and upward half sweeps
    repeating = False
    for sweep in range(sweeps):
        if fewest == 0 or stale >= _PATIENCE or repeating:
            break
        stale += 1
        for downward in (True, False):
            sweeper.sweep(downward, (2 * sweep + (not downward)) / (2 * sweeps + 1),
                          1 / (2 * sweeps + 1))
            crossings = counter.count(position)
            if crossings < fewest:
                fewest, best, stale = crossings, [list(row) for row in order], 0
            state = np.asarray(position, dtype=np.int64).tobytes()
            repeating, ended_in[downward] = state == ended_in[downward], state
            if repeating:
                break
    swaps_start = 2 * sweeps / (2 * sweeps + 1)  # of the phase: the sweeps' share comes first
    reporter.at(swaps_start)
    if sweeps and fewest:
        position = _positions_of(best, len(proper.layer))
        if _swap_neighbours(best, position, proper, component, reporter.within(swaps_start, 1.0)):
            fewest = counter.count(position)
    return best, fewest


def _positions_of(order: list[list[int]], count: int) -> list[int]:
    position = [0] * count
    for row in order:
        for at, node in enumerate(row):
            position[node] = at
    return position


def _swap_neighbours(order: list[list[int]], position: list[int], proper: _Proper,
                     component: list[int], report: Callable[[float], None]) -> bool:
    """Swap two neighbours in a layer whenever that removes crossings, until none does.

    Barycenters cannot see that two nodes with the same mean are better the other way round;
    this local step can. Swapping ``u, v`` only changes crossings between their own segments,
    which depend on the orders of its own layer and the two beside it: a layer where no swap
    helped is checked again only once one of those three has changed.
    """
    count = len(order)
    version = [0] * (count + 2)  # shifted by one: the layers beside the first and last are empty
    worth = _rows_worth_swapping(order, position, proper, component)
    # a row where no single swap helps is settled until it or a row beside it changes
    checked_at: list[tuple[int, int, int] | None] = [
        None if worth is None or worth[layer] else (0, 0, 0) for layer in range(count)]
    clock = 0
    swapped_any = False
    for round_number in range(_SWAP_ROUNDS):
        swapped = False
        for layer, row in enumerate(order):
            if not layer & (_REPORT_EVERY - 1):
                report((round_number + layer / count) / _SWAP_ROUNDS)
            if len(row) < 2 or checked_at[layer] == tuple(version[layer:layer + 3]):
                continue
            if _swap_in_row(row, position, proper, component):
                clock += 1
                version[layer + 1] = clock
                swapped = True
            else:
                checked_at[layer] = (version[layer], version[layer + 1], version[layer + 2])
        swapped_any = swapped_any or swapped
        if not swapped:
            break
    return swapped_any


_SCREEN_LIMIT = 4_000_000  # neighbour pairs at most for screening all rows at once


def _rows_worth_swapping(order: list[list[int]], position: list[int], proper: _Proper,
                         component: list[int]) -> np.ndarray | None:
    """Per layer, whether swapping some pair of neighbours in it would remove crossings.

    The same test as ``_swap_in_row`` makes, for every pair of every layer at once with numpy:
    on long graphs most layers have nothing to swap, and looking at them one by one in Python
    was most of this step's time. None when the pairs of neighbours would be too many.
    """
    nodes = np.fromiter(itertools.chain.from_iterable(order), dtype=np.int64,
                        count=len(proper.layer))
    rows = np.repeat(np.arange(len(order)), [len(row) for row in order])
    pieces = np.asarray(component, dtype=np.int64)
    adjacent = np.flatnonzero((rows[:-1] == rows[1:]) & (pieces[nodes[:-1]] == pieces[nodes[1:]]))
    left, right = nodes[adjacent], nodes[adjacent + 1]
    at = np.asarray(position, dtype=np.int64)
    if_left_first = np.zeros(len(adjacent), dtype=np.int64)
    if_right_first = np.zeros(len(adjacent), dtype=np.int64)
    for neighbours in (proper.up, proper.down):
        counted = _ordered_end_pairs(neighbours, at, left, right)
        if counted is None:
            return None
        if_left_first += counted[0]
        if_right_first += counted[1]
    worth = np.zeros(len(order), dtype=bool)
    worth[rows[adjacent[if_right_first < if_left_first]]] = True
    return worth


def _ordered_end_pairs(neighbours: list[list[int]], at: np.ndarray, left: np.ndarray,
                       right: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """For each pair, the segments of ``left`` ending after a segment of ``right`` on this side
    (crossings when ``left`` comes first), and those ending before (when ``right`` does)."""
    degree = np.fromiter(map(len, neighbours), dtype=np.int64, count=len(neighbours))
    start = np.cumsum(degree) - degree
    ends = at[np.fromiter(itertools.chain.from_iterable(neighbours), dtype=np.int64,
                          count=int(degree.sum()))]
    per_pair = degree[left] * degree[right]
    total = int(per_pair.sum())
    if total > _SCREEN_LIMIT:
        return None
    pair = np.repeat(np.arange(len(left)), per_pair)
    rank = np.arange(total) - np.repeat(np.cumsum(per_pair) - per_pair, per_pair)
    right_degree = degree[right][pair]
    of_left = ends[start[left][pair] + rank // right_degree]
    of_right = ends[start[right][pair] + rank % right_degree]
    after = np.bincount(pair, weights=of_left > of_right, minlength=len(left))
    before = np.bincount(pair, weights=of_left < of_right, minlength=len(left))
    return after.astype(np.int64), before.astype(np.int64)


def _swap_in_row(row: list[int], position: list[int], proper: _Proper,
                 component: list[int]) -> bool:
    """One pass of neighbour swaps along a layer; tells whether any was made."""
    swapped = False
    for slot in range(len(row) - 1):
        left, right = row[slot], row[slot + 1]
        if component[left] != component[right]:
            continue
        now = _pair_crossings(left, right, proper, position)
        if _pair_crossings(right, left, proper, position) < now:
            row[slot], row[slot + 1] = right, left
            position[left], position[right] = slot + 1, slot
            swapped = True
    return swapped


def _pair_crossings(left: int, right: int, proper: _Proper, position: list[int]) -> int:
    """Crossings between the segments of ``left`` and ``right`` if ``left`` is drawn first."""
    total = 0
    for neighbours in (proper.up, proper.down):
        right_ends = [position[node] for node in neighbours[right]]
        if not right_ends:
            continue
        right_ends.sort()
        for node in neighbours[left]:
            # a segment of ``left`` crosses every segment of ``right`` that ends before it
            total += bisect.bisect_left(right_ends, position[node])
    return total


class _Sweeper:
    """Barycenter sweeps that skip the layers whose sort could not change anything.

    A layer sorted by its neighbours on one side keeps its order when sorted again, unless its
    own order or that neighbouring layer's changed since (ties keep the current order, so a
    sorted layer is a fixed point). On long narrow graphs most layers settle after a sweep or
    two; skipping them makes later sweeps cost only the layers still moving.
    """

    def __init__(self, proper: _Proper, order: list[list[int]], position: list[int],
                 component: list[int], reporter: _Reporter) -> None:
        self.proper, self.order, self.position, self.component = proper, order, position, component
        self.reporter = reporter
        self.version = [0] * proper.layer_count  # bumped whenever a layer's order changes
        self.clock = 0
        # per direction and layer: (own version, neighbour layer's version) when last sorted
        self.sorted_at: dict[bool, list[tuple[int, int]]] = {
            True: [(-1, -1)] * proper.layer_count, False: [(-1, -1)] * proper.layer_count}

    def sweep(self, downward: bool, done: float, share: float) -> None:
        """Sort every layer by the one before it in the sweep (``share`` of the phase's work,
        from ``done``)."""
        count = self.proper.layer_count
        layers = range(1, count) if downward else range(count - 2, -1, -1)
        neighbours = self.proper.up if downward else self.proper.down
        step = -1 if downward else 1
        version, sorted_at, order = self.version, self.sorted_at[downward], self.order
        for layer in layers:
            if not layer & (_REPORT_EVERY - 1):
                swept = layer / count if downward else 1 - layer / count
                self.reporter.at(done + share * swept)
            state = (version[layer], version[layer + step])
            if sorted_at[layer] == state or len(order[layer]) < 2:
                continue
            if _reorder_layer(order[layer], neighbours, self.position, self.component):
                self.clock += 1
                version[layer] = self.clock
            sorted_at[layer] = (version[layer], version[layer + step])


def _reorder_layer(row: list[int], neighbours: list[list[int]], position: list[int],
                   component: list[int]) -> bool:
    """Sort a layer by the mean position of each node's neighbours in the layer just swept.

    Nodes with no such neighbours keep their slot; ties keep the current order. Tells whether
    the order changed.
    """
    if len(row) < 2:
        return False
    before = list(row)
    if len(row) >= _WIDE_LAYER:
        _reorder_wide_layer(row, neighbours, position, component)
    else:
        slots = []
        keyed = []
        at_of = position.__getitem__
        for slot, node in enumerate(row):
            around = neighbours[node]
            if around:
                slots.append(slot)
                keyed.append((component[node], sum(map(at_of, around)) / len(around), slot, node))
        keyed.sort()
        for slot, entry in zip(slots, keyed):
            row[slot] = entry[3]
    if row == before:
        return False
    for at, node in enumerate(row):
        position[node] = at
    return True


def _reorder_wide_layer(row: list[int], neighbours: list[list[int]], position: list[int],
                        component: list[int]) -> None:
    """The same as the narrow case, with the sums and the sort done by numpy."""
    size = len(row)
    around = [neighbours[node] for node in row]
    counts = np.fromiter(map(len, around), dtype=np.int64, count=size)
    flat = itertools.chain.from_iterable(around)
    flat_positions = np.fromiter(map(position.__getitem__, flat), dtype=np.float64,
                                 count=int(counts.sum()))
    owners = np.repeat(np.arange(size), counts)
    sums = np.bincount(owners, weights=flat_positions, minlength=size)
    slots = np.flatnonzero(counts)
    barycenters = sums[slots] / counts[slots]
    pieces = np.fromiter(map(component.__getitem__, row), dtype=np.int64, count=size)[slots]
    ranked = slots[np.lexsort((slots, barycenters, pieces))]
    nodes = np.array(row, dtype=np.int64)
    reordered = nodes.copy()
    reordered[slots] = nodes[ranked]
    row[:] = reordered.tolist()


class _CrossingCounter:
    """Counts crossings of the whole layered graph for a given position of every node."""

    def __init__(self, proper: _Proper) -> None:
        upper, lower = proper.segments()
        pair = np.asarray(proper.layer, dtype=np.int64)[upper]
        # a layer pair with a single segment can have no crossing
        crowded = np.bincount(pair, minlength=proper.layer_count)[pair] > 1
        self.pair, self.upper, self.lower = pair[crowded], upper[crowded], lower[crowded]

    def count(self, position: list[int]) -> int:
        if self.pair.size < 2:
            return 0
        at = np.asarray(position, dtype=np.int64)
        return _segment_crossings(self.pair, at[self.upper], at[self.lower])


def _segment_crossings(pair: np.ndarray, upper: np.ndarray, lower: np.ndarray) -> int:
    """Crossings of segments given by layer pair and positions of their two ends.

    Sorted by (pair, upper end, lower end), two segments of one pair cross exactly when their
    lower ends are inverted; prefixing the pair keeps different pairs from ever inverting.
    """
    ranked = np.lexsort((lower, upper, pair))
    values = pair[ranked] * (int(lower.max()) + 1) + lower[ranked]
    return _count_inversions(values)


def _count_inversions(values: np.ndarray) -> int:
    """Pairs i < j with values[i] > values[j]: a bottom-up merge sort, one numpy pass per level.

    At each level, pairs of sorted blocks are merged by one stable sort; an element of a right
    block that lands m places into the merged block, k places into its own block, has m - k left
    elements at or below it, so ``width - (m - k)`` above it: its inversions. There are log2(E)
    levels; numpy's stable sort of integers is timsort, which merges the already sorted runs of
    a level in about linear time, so the whole is about O(E log E).
    """
    current = np.asarray(values, dtype=np.int64) - int(np.min(values))
    size = current.size
    index = np.arange(size, dtype=np.int64)
    span = int(current.max()) + 1
    total = 0
    width = 1
    while width < size:
        block_start = (index // (2 * width)) * (2 * width)
        merged = np.argsort(block_start * span + current, kind="stable")
        merged_at = np.empty(size, dtype=np.int64)
        merged_at[merged] = index
        right = (index - block_start) >= width
        in_merged = merged_at[right] - block_start[right]
        in_own = index[right] - block_start[right] - width
        total += int(np.sum(width - (in_merged - in_own)))
        current = current[merged]
        width *= 2
    return total


# --- 4. coordinates across the layers -----------------------------------------------------------


def _assign_across(proper: _Proper, order: list[list[int]], gap: float,
                   reporter: _Reporter) -> list[float]:
    """Coordinate across the layers for every node (real and virtual)."""
    partner = _align(proper, order, _positions_of(order, len(proper.layer)), reporter)
    blocks = _Blocks(proper, order, partner, gap)
    if blocks.topological is None:
        # stacked segments never cross, so blocks cannot be both left and right of each other;
        # should that ever fail, single-node blocks always have a left-to-right order
        blocks = _Blocks(proper, order, [-1] * len(proper.layer), gap)
    reporter.at(_ALIGN_SHARE)
    across = blocks.pack_left()
    blocks.balance(across, reporter)
    return [across[block] for block in blocks.block_of]


def _align(proper: _Proper, order: list[list[int]], position: list[int],
           reporter: _Reporter) -> list[int]:
    """For each node, the node above it that it is stacked straight under, or -1.

    Candidates, in order of priority: segments of long edges (virtual to virtual); segments
    from a node with one consumer to a node with one input (chains); then segments between two
    real nodes that are each other's only real neighbour on that side, so that a main line
    stays straight while buses and skip edges join it from the side. A node with two real
    inputs is not stacked: it ends up centred under them. Within a layer pair, stacked
    segments never cross each other, so the blocks they form can be ordered left to right.
    """
    distinct_up = [len(set(around)) for around in proper.up]
    distinct_down = [len(set(around)) for around in proper.down]
    real_up = _real_neighbour_counts(proper.up, proper.real_count)
    real_down = _real_neighbour_counts(proper.down, proper.real_count)
    partner = [-1] * len(proper.layer)
    for layer, row in enumerate(order[:-1]):
        if not layer & (_REPORT_EVERY - 1):
            reporter.at(_ALIGN_SHARE * layer / len(order))
        candidates = []
        for upper in row:
            for lower in dict.fromkeys(proper.down[upper]):
                if upper >= proper.real_count and lower >= proper.real_count:
                    priority = 0
                elif distinct_down[upper] == 1 and distinct_up[lower] == 1:
                    priority = 1
                elif lower < proper.real_count and real_down[upper] == real_up[lower] == 1:
                    priority = 2
                else:
                    continue
                candidates.append((priority, position[upper], position[lower], lower, upper))
        candidates.sort()
        _stack_without_crossings(candidates, partner)
    return partner


def _real_neighbour_counts(neighbours: list[list[int]], real_count: int) -> list[int]:
    """Distinct real nodes among each node's neighbours on one side (none for virtual nodes)."""
    return [len({other for other in around if other < real_count}) if node < real_count else 0
            for node, around in enumerate(neighbours)]


def _stack_without_crossings(candidates: list[tuple[int, int, int, int, int]],
                             partner: list[int]) -> None:
    """Accept candidate segments in turn unless one of their ends is taken or they would
    cross a segment already accepted between the same two layers."""
    stacked_upper: list[int] = []
    stacked_lower: list[int] = []  # increasing along with stacked_upper: no crossings
    used_upper = set()
    for _, at_upper, at_lower, lower, upper in candidates:
        if partner[lower] != -1 or upper in used_upper:
            continue
        slot = bisect.bisect_left(stacked_upper, at_upper)
        if slot > 0 and stacked_lower[slot - 1] >= at_lower:
            continue
        if slot < len(stacked_upper) and stacked_lower[slot] <= at_lower:
            continue
        stacked_upper.insert(slot, at_upper)
        stacked_lower.insert(slot, at_lower)
        used_upper.add(upper)
        partner[lower] = upper


class _Blocks:
    """Vertical stacks of nodes that share one coordinate, and the gaps kept between them."""

    def __init__(self, proper: _Proper, order: list[list[int]], partner: list[int],
                 gap: float) -> None:
        self.block_of = [-1] * len(proper.layer)
        count = 0
        for row in order:
            for node in row:
                above = partner[node]
                if above >= 0:
                    self.block_of[node] = self.block_of[above]
                else:
                    self.block_of[node] = count
                    count += 1
        self.count = count
        self.left: list[list[tuple[int, float]]] = [[] for _ in range(count)]
        self.right: list[list[tuple[int, float]]] = [[] for _ in range(count)]
        self._add_gaps(proper, order, gap)
        self.neighbours = self._neighbours(proper)
        self.topological = self._left_to_right()

    def _add_gaps(self, proper: _Proper, order: list[list[int]], gap: float) -> None:
        widest: dict[tuple[int, int], float] = {}
        block_of, width = self.block_of, proper.width
        for row in order:
            for left, right in itertools.pairwise(row):
                key = (block_of[left], block_of[right])
                distance = gap * (width[left] + width[right]) / 2
                if widest.get(key, -1.0) < distance:
                    widest[key] = distance
        for (left, right), distance in widest.items():
            self.right[left].append((right, distance))
            self.left[right].append((left, distance))

    def _neighbours(self, proper: _Proper) -> list[list[int]]:
        """Blocks joined to each block by a segment, once per segment."""
        block_of = self.block_of
        found: list[list[int]] = [[] for _ in range(self.count)]
        for node, below in enumerate(proper.down):
            block = block_of[node]
            for lower in below:
                other = block_of[lower]
                if other != block:
                    found[block].append(other)
                    found[other].append(block)
        return found

    def _left_to_right(self) -> list[int] | None:
        waiting = [len(lefts) for lefts in self.left]
        ready = [block for block in range(self.count) if waiting[block] == 0]
        cursor = 0
        while cursor < len(ready):
            block = ready[cursor]
            cursor += 1
            for right, _ in self.right[block]:
                waiting[right] -= 1
                if waiting[right] == 0:
                    ready.append(right)
        return ready if len(ready) == self.count else None

    def pack_left(self) -> list[float]:
        """Every block as far left as the gaps allow."""
        across = [0.0] * self.count
        for block in self.topological or ():
            for right, distance in self.right[block]:
                if across[right] < across[block] + distance:
                    across[right] = across[block] + distance
        return across

    def balance(self, across: list[float], reporter: _Reporter) -> None:
        """Move each block to the median of its neighbours, within the room its layers leave.

        Every move keeps all gaps, so the layout is valid after any pass; passes alternate
        left-to-right and right-to-left so blocks can make room for each other both ways. A
        block is placed again only when a block it depends on (a neighbour, or a block beside
        it in a layer) has moved since: placing it would give the same result, so skipping it
        changes nothing but the time, and after a few passes only a few blocks still move.
        """
        sequence = self.topological or []
        dependents = self._dependents()
        stale = [bool(around) for around in self.neighbours]
        for round_number in range(BALANCE_PASSES):
            reporter.at(_ALIGN_SHARE + (1 - _ALIGN_SHARE) * round_number / BALANCE_PASSES)
            moved = 0.0
            ordered = sequence if round_number % 2 == 0 else reversed(sequence)
            for block in ordered:
                if not stale[block]:
                    continue
                stale[block] = False
                placed = self._placement(block, across)
                if placed != across[block]:
                    moved += abs(placed - across[block])
                    across[block] = placed
                    for other in dependents[block]:
                        stale[other] = bool(self.neighbours[other])
            if moved < _TOLERANCE:
                break

    def _placement(self, block: int, across: list[float]) -> float:
        """The median of the block's neighbours, moved into the room beside it."""
        wanted = _median(sorted(across[other] for other in self.neighbours[block]))
        low = max((across[other] + distance for other, distance in self.left[block]),
                  default=-math.inf)
        high = min((across[other] - distance for other, distance in self.right[block]),
                   default=math.inf)
        return min(max(wanted, low), high)

    def _dependents(self) -> list[list[int]]:
        """Blocks whose placement reads each block's coordinate."""
        return [sorted({*around, *(other for other, _ in self.left[block]),
                        *(other for other, _ in self.right[block])})
                for block, around in enumerate(self.neighbours)]


def _median(values: list[float]) -> float:
    middle = len(values) // 2
    if len(values) % 2:
        return values[middle]
    return (values[middle - 1] + values[middle]) / 2


# --- the result -------------------------------------------------------------------------------


def _assemble(indexed: _Indexed, proper: _Proper, across: list[float], crossings: int,
              orientation: str, compact: bool) -> Layout:
    shift = min(across)
    layer = proper.layer

    def point(node: int) -> Point:
        x = across[node] - shift + 0.0  # + 0.0 turns -0.0 into 0.0
        return (x, float(layer[node])) if orientation == "TB" else (float(layer[node]), x)

    positions = {node: point(index) for index, node in enumerate(indexed.ids)}
    layers = {node: layer[index] for index, node in enumerate(indexed.ids)}
    bus_points = [[point(node) for node in chain] for chain in proper.chains]
    bus_corners = [_corners(points) for points in bus_points]
    bends = {key: _bend_points(bus_points[bus], bus_corners[bus], start, stop) if stop else []
             for key, (bus, start, stop) in zip(indexed.edge_keys, proper.paths)}
    return Layout(positions, layers, bends, crossings, orientation, compact)


def _corners(points: list[Point]) -> list[int]:
    """Indices where a shared line changes direction; the points between them are collinear."""
    corners = []
    for index in range(1, len(points) - 1):
        (ax, ay), (bx, by), (cx, cy) = points[index - 1], points[index], points[index + 1]
        if abs((bx - ax) * (cy - by) - (by - ay) * (cx - bx)) > _TOLERANCE:
            corners.append(index)
    return corners


def _bend_points(points: list[Point], corners: list[int], start: int, stop: int) -> list[Point]:
    """The part of a shared line an edge follows, by its ends and corners only.

    Listing every layer a long edge passes would cost (edges x layers) points when one weight
    feeds every step of a loop; the ends and corners draw the same line.
    """
    inner = corners[bisect.bisect_right(corners, start):bisect.bisect_left(corners, stop - 1)]
    last = [points[stop - 1]] if stop - 1 > start else []
    return [points[start]] + [points[index] for index in inner] + last
