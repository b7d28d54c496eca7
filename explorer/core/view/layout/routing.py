"""Phase 2, the proper graph: long edges get a virtual node per layer, shared along buses."""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from explorer.core.view.layout.reading import Indexed

VIRTUAL_WIDTH = 0.5  # a long edge passing through a layer claims half a node's room


@dataclass
class Proper:
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


def make_proper(indexed: Indexed, layer: list[int], widths: list[float]) -> Proper:
    """The proper graph: real nodes, then one bus per owner and direction for the long edges."""
    count = len(layer)
    proper = Proper(count, list(layer), list(widths), list(range(count)),
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


def _add_bus(proper: Proper, bus: tuple[int, int], first: int, last: int) -> int:
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
