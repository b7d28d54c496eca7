"""Phase 4, coordinates across the layers: blocks of stacked nodes, packed, moved to medians."""

from __future__ import annotations

import bisect
import itertools
import math

from explorer.core.view.layout.ordering import positions_of
from explorer.core.view.layout.progress import REPORT_EVERY, Reporter
from explorer.core.view.layout.result import TOLERANCE
from explorer.core.view.layout.routing import Proper

BALANCE_PASSES = 16  # passes moving blocks towards their neighbours
_ALIGN_SHARE = 0.3  # of the placing phase: stacking nodes into blocks; the rest is balancing


def assign_across(proper: Proper, order: list[list[int]], gap: float,
                  reporter: Reporter) -> list[float]:
    """Coordinate across the layers for every node (real and virtual)."""
    partner = _align(proper, order, positions_of(order, len(proper.layer)), reporter)
    blocks = _Blocks(proper, order, partner, gap)
    if blocks.topological is None:
        # stacked segments never cross, so blocks cannot be both left and right of each other;
        # should that ever fail, single-node blocks always have a left-to-right order
        blocks = _Blocks(proper, order, [-1] * len(proper.layer), gap)
    reporter.at(_ALIGN_SHARE)
    across = blocks.pack_left()
    blocks.balance(across, reporter)
    return [across[block] for block in blocks.block_of]


def _align(proper: Proper, order: list[list[int]], position: list[int],
           reporter: Reporter) -> list[int]:
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
        if not layer & (REPORT_EVERY - 1):
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

    def __init__(self, proper: Proper, order: list[list[int]], partner: list[int],
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

    def _add_gaps(self, proper: Proper, order: list[list[int]], gap: float) -> None:
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

    def _neighbours(self, proper: Proper) -> list[list[int]]:
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

    def balance(self, across: list[float], reporter: Reporter) -> None:
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
            if moved < TOLERANCE:
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
