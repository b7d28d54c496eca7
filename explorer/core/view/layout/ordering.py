"""Phase 3, crossing reduction: each layer's first order, then barycenter sweeps down and up."""

from __future__ import annotations

import itertools
import math

import numpy as np

from explorer.core.view.layout.crossings import CrossingCounter
from explorer.core.view.layout.progress import REPORT_EVERY, Reporter
from explorer.core.view.layout.reading import Indexed
from explorer.core.view.layout.result import Layout
from explorer.core.view.layout.routing import Proper
from explorer.core.view.layout.swaps import swap_neighbours

_PATIENCE = 4  # sweeps without a better order before crossing reduction gives up
_WIDE_LAYER = 48  # from this many nodes a layer is reordered with numpy


def components(proper: Proper) -> list[int]:
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


def seed_keys(indexed: Indexed, previous: Layout | None) -> list[float]:
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


def initial_order(proper: Proper, component: list[int],
                  seeds: list[float]) -> list[list[int]]:
    """Per layer: by connected piece, then seed, then graph order (virtual nodes last)."""
    order: list[list[int]] = [[] for _ in range(proper.layer_count)]
    for node, layer in enumerate(proper.layer):
        order[layer].append(node)
    for row in order:
        row.sort(key=lambda node: (component[node], seeds[proper.owner[node]], node))
    return order


def reduce_crossings(proper: Proper, order: list[list[int]], component: list[int],
                     sweeps: int, reporter: Reporter) -> tuple[list[list[int]], int]:
    """Barycenter sweeps down and up, keeping the order with fewest crossings seen (the first
    on ties), then swaps of neighbours in a layer while a swap removes crossings.

    The sweeps stop early when a half sweep ends in the order the same half of the sweep
    before ended in: being deterministic, every later sweep would repeat the same two orders
    (long loops of identical steps often flip between two orders of equal crossings forever).
    """
    position = positions_of(order, len(proper.layer))
    counter = CrossingCounter(proper)
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
        position = positions_of(best, len(proper.layer))
        if swap_neighbours(best, position, proper, component, reporter.within(swaps_start, 1.0)):
            fewest = counter.count(position)
    return best, fewest


def positions_of(order: list[list[int]], count: int) -> list[int]:
    """Each node's slot in its layer."""
    position = [0] * count
    for row in order:
        for at, node in enumerate(row):
            position[node] = at
    return position


class _Sweeper:
    """Barycenter sweeps that skip the layers whose sort could not change anything.

    A layer sorted by its neighbours on one side keeps its order when sorted again, unless its
    own order or that neighbouring layer's changed since (ties keep the current order, so a
    sorted layer is a fixed point). On long narrow graphs most layers settle after a sweep or
    two; skipping them makes later sweeps cost only the layers still moving.
    """

    def __init__(self, proper: Proper, order: list[list[int]], position: list[int],
                 component: list[int], reporter: Reporter) -> None:
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
            if not layer & (REPORT_EVERY - 1):
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
