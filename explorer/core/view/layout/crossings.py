"""Counting crossings exactly, as inversions: for phase 3, and to check a finished drawing."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence

import numpy as np

from explorer.core.view.layout.routing import Proper


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


class CrossingCounter:
    """Counts crossings of the whole layered graph for a given position of every node."""

    def __init__(self, proper: Proper) -> None:
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
