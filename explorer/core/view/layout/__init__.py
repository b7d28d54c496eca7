"""A layered (Sugiyama-style) layout of an autograd graph, drawn in the direction data flowed.

The walked graph's edges run backward (node -> next function); the picture shows the forward
pass, so every step below works on the reversed edges: the leaves (``AccumulateGrad``) sit at
the top and the root at the bottom ("TB"), or leaves left and root right ("LR"). Each phase has
its module, named like the phase ``progress`` reports: ``reading`` turns the graph into integer
lists, the four steps below follow, and ``assembling`` builds the ``Layout`` (``result``).

1. Layers (``layering``): longest path from the sources, then nodes are pulled down next to
   their consumers where that makes edges shorter (a leaf sits just above its first use, not at
   the top).
2. Long edges (``routing``): edges that span several layers get one virtual node per layer
   crossed. All long edges leaving one node share one chain of virtual nodes (a "bus"), or all
   long edges entering one node do, whichever side has more of them: a weight used in every step
   of a loop is one vertical line with branches, and the layered graph holds one chain per bus
   instead of one per edge, which for such a weight is the difference between linear and
   quadratic size.
3. Crossings (``ordering``, ``swaps``, ``crossings``): barycenter sweeps down and up, keeping
   the best order seen (counted exactly, by inversions), then swaps of neighbours that remove
   crossings. Wide layers are sorted with numpy, narrow ones in plain Python (faster there). A
   layer is sorted again only when it or the layer it is sorted by changed since, and the sweeps
   stop once they repeat an order.
4. Coordinates (``placing``): chains of one-input one-output nodes and the virtual chains of
   long edges become rigid vertical blocks; blocks are packed left against the per-layer minimum
   gaps, then moved towards the median of their neighbours, never past their neighbours in the
   layer; a block is placed again only when a block it depends on has moved.

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

import networkx as nx

from explorer.core.capture.graph import paused_gc
from explorer.core.view.layout.assembling import assemble
from explorer.core.view.layout.crossings import count_crossings
from explorer.core.view.layout.layering import assign_layers
from explorer.core.view.layout.ordering import (
    components,
    initial_order,
    reduce_crossings,
    seed_keys,
)
from explorer.core.view.layout.placing import assign_across
from explorer.core.view.layout.progress import LayoutCancelled, Progress, Reporter
from explorer.core.view.layout.reading import index_graph, real_widths, same_structure
from explorer.core.view.layout.result import EdgeKey, Layout, Point, layer_orders
from explorer.core.view.layout.routing import make_proper

__all__ = ["COMPACT_GAP", "DEFAULT_SWEEPS", "NORMAL_GAP", "EdgeKey", "Layout", "LayoutCancelled",
           "Point", "Progress", "count_crossings", "layer_orders", "layered_layout"]

NORMAL_GAP = 1.0  # minimum distance between centres of two default-width nodes in a layer
COMPACT_GAP = 0.6
DEFAULT_SWEEPS = 16  # down-and-up barycenter iterations at most


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
    reporter = Reporter(progress)
    with paused_gc():  # many small acyclic objects: the collector would only slow this down
        layout = _layout(graph, orientation, node_widths, compact, previous, sweeps, reporter)
    reporter.done()
    return layout


def _layout(graph: nx.MultiDiGraph, orientation: str, node_widths: dict[str, float] | None,
            compact: bool, previous: Layout | None, sweeps: int, reporter: Reporter) -> Layout:
    """The phases in order, each in its own module; ``reporter`` hears of every phase entered."""
    gap = COMPACT_GAP if compact else NORMAL_GAP
    reporter.enter("reading")
    indexed = index_graph(graph)
    widths = real_widths(indexed.ids, node_widths)
    if previous is not None and same_structure(previous, indexed, orientation, compact):
        return previous
    if not indexed.ids:
        return Layout({}, {}, {}, 0, orientation, compact)
    reporter.enter("layering")
    layers = assign_layers(len(indexed.ids), indexed.sources, indexed.targets)
    reporter.enter("routing")
    proper = make_proper(indexed, layers, widths)
    component = components(proper)
    order = initial_order(proper, component, seed_keys(indexed, previous))
    reporter.enter("ordering")
    order, crossings = reduce_crossings(proper, order, component, sweeps, reporter)
    reporter.enter("placing")
    across = assign_across(proper, order, gap, reporter)
    reporter.enter("assembling")
    return assemble(indexed, proper, across, crossings, orientation, compact)
