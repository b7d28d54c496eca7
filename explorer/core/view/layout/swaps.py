"""Phase 3, last step: swapping two neighbours in a layer while that removes crossings."""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable

import numpy as np

from explorer.core.view.layout.progress import REPORT_EVERY
from explorer.core.view.layout.routing import Proper

_SWAP_ROUNDS = 8  # passes of neighbour swaps at most
_SCREEN_LIMIT = 4_000_000  # neighbour pairs at most for screening all rows at once


def swap_neighbours(order: list[list[int]], position: list[int], proper: Proper,
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
            if not layer & (REPORT_EVERY - 1):
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


def _rows_worth_swapping(order: list[list[int]], position: list[int], proper: Proper,
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


def _swap_in_row(row: list[int], position: list[int], proper: Proper,
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


def _pair_crossings(left: int, right: int, proper: Proper, position: list[int]) -> int:
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
