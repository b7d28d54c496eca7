"""Big graphs as summaries a person can read: repeated structure folded into "repeat ×N" blocks.

A loop of 3,000 turns or a stack of 100 identical layers makes a graph nobody can read node by
node. Its turns (or calls) have the same structure, so the summary keeps the first and the
last of each run of identical turns as they are, and folds the turns between them into one
block, ``repeat ×2998``, that unfolds on demand. What is left is a few dozen boxes: the
program's shape, with every kind of node it uses still visible by name.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import networkx as nx

from explorer.core.view.folding import Group, fold

SUMMARY_FROM = 2_000  # nodes: a pass this big opens (and exports) as its summary
SHORTEST_RUN = 3  # identical turns in a row before the middle ones fold into one block
_TURN = re.compile(r"^line (\d+) · turn (\d+)$")
_INDEXED = re.compile(r"^(.*)\.(\d+)$")  # "encoder.layers.3": the 4th of encoder.layers


@dataclass(frozen=True)
class Unit:
    """One loop turn or one call of an indexed module: its place in its run and its nodes."""

    family: str  # "line 7" for a loop's turns, "module encoder.layers" for a stack's calls
    index: int
    members: frozenset[str]
    signature: tuple[tuple[str, int], ...]  # which kinds of node it holds, and how many


def is_big(graph: nx.MultiDiGraph) -> bool:
    return graph.number_of_nodes() >= SUMMARY_FROM


def repeat_groups(graph: nx.MultiDiGraph) -> list[Group]:
    """The blocks of the summary: in each run of identical turns, all but the first and last.

    Loop turns come first; calls of indexed modules (``layers.0``, ``layers.1``...) fold where
    no loop block already holds their nodes. Blocks that would make the picture cyclic are
    left out.
    """
    return _repeats_folded(graph)[0]


Folding = tuple[nx.MultiDiGraph, dict[str, str]]  # the folded graph, and member -> block


def summary_fold(graph: nx.MultiDiGraph) -> Folding | None:
    """``fold(graph, repeat_groups(graph))`` (None when nothing repeats), folded only once: the
    check that the blocks leave the picture acyclic already folds them."""
    return _repeats_folded(graph)[1]


def _repeats_folded(graph: nx.MultiDiGraph) -> tuple[list[Group], Folding | None]:
    groups = _runs_to_groups(loop_units(graph))
    taken = set().union(*(group.members for group in groups)) if groups else set()
    for group in _runs_to_groups(module_units(graph)):
        if not group.members & taken:
            groups.append(group)
            taken |= group.members
    return _acyclic(graph, groups)


def loop_units(graph: nx.MultiDiGraph) -> list[Unit]:
    """Each turn of each outermost loop (the evaluator tags nodes with ``line L · turn T``)."""
    turns: dict[tuple[int, int], set[str]] = {}
    turn_of: dict[str, tuple[int, int] | None] = {}  # the nodes of a turn share its tag: read once
    for node, data in graph._node.items():  # the raw dicts: no view made per node
        block = data.get("block")
        if not isinstance(block, str):
            continue
        if block not in turn_of:
            found = _TURN.match(block)
            turn_of[block] = None if found is None else (int(found.group(1)), int(found.group(2)))
        turn = turn_of[block]
        if turn is not None:
            turns.setdefault(turn, set()).add(node)
    return [Unit(f"line {line}", turn, frozenset(members), _signature(graph, members))
            for (line, turn), members in sorted(turns.items())]


def module_units(graph: nx.MultiDiGraph) -> list[Unit]:
    """Each call of a module that is one of a numbered stack (``encoder.layers.7``)."""
    calls: dict[tuple[str, int], set[str]] = {}
    for node, path in graph.nodes(data="module"):
        if not path:
            continue
        parts = str(path).split(".")
        for depth in range(len(parts), 0, -1):  # the innermost numbered ancestor
            found = _INDEXED.match(".".join(parts[:depth]))
            if found is not None:
                calls.setdefault((found.group(1), int(found.group(2))), set()).add(node)
                break
    return [Unit(f"module {parent}", index, frozenset(members), _signature(graph, members))
            for (parent, index), members in sorted(calls.items())]


def _signature(graph: nx.MultiDiGraph, members: Iterable[str]) -> tuple[tuple[str, int], ...]:
    attributes = graph._node
    return tuple(sorted(Counter([attributes[node]["name"] for node in members]).items()))


def _runs_to_groups(units: list[Unit]) -> list[Group]:
    groups = []
    for run in _runs(units):
        middle = run[1:-1]
        members = frozenset().union(*(unit.members for unit in middle))
        groups.append(Group(_group_id(middle), f"repeat ×{len(middle)}", members,
                            _detail(middle, len(run[0].members))))
    return groups


def _runs(units: list[Unit]) -> list[list[Unit]]:
    """Runs of consecutive units of one family with the same signature, at least SHORTEST_RUN."""
    runs: list[list[Unit]] = []
    current: list[Unit] = []
    for unit in units:
        if current and (unit.family != current[-1].family or unit.signature != current[-1].signature
                        or unit.index != current[-1].index + 1):
            runs.append(current)
            current = []
        current.append(unit)
    if current:
        runs.append(current)
    return [run for run in runs if len(run) >= SHORTEST_RUN]


def _group_id(middle: list[Unit]) -> str:
    return f"repeat:{middle[0].family}:{middle[0].index}-{middle[-1].index}"


def _detail(middle: list[Unit], per_unit: int) -> str:
    """``line 7 · turns 1–2998 · 3 nodes each`` or ``encoder.layers.1–10 · 40 nodes each``."""
    family, first, last = middle[0].family, middle[0].index, middle[-1].index
    if family.startswith("module "):
        return f"{family.removeprefix('module ')}.{first}–{last} · {per_unit:,} nodes each"
    return f"{family} · turns {first}–{last} · {per_unit:,} nodes each"


def _acyclic(graph: nx.MultiDiGraph, groups: list[Group]) -> tuple[list[Group], Folding | None]:
    """The groups, less any whose folding would make the picture cyclic, and the graph folded
    by them (None when no group is left)."""
    if not groups:
        return groups, None
    folding = fold(graph, groups)
    if nx.is_directed_acyclic_graph(folding[0]):
        return groups, folding
    kept: list[Group] = []
    kept_folding = None
    for group in groups:
        trial = fold(graph, kept + [group])
        if nx.is_directed_acyclic_graph(trial[0]):
            kept.append(group)
            kept_folding = trial
    return kept, kept_folding
