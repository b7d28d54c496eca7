"""The layered layout: leaves on top, the root at the bottom, straight chains, few crossings."""

from __future__ import annotations

import copy
import gc
import inspect
import itertools
import random
import sys

import networkx as nx
import pytest
import torch
import torch.nn.functional as F
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from explorer.core.capture.graph import walk
from explorer.core.view.layout import (
    COMPACT_GAP,
    NORMAL_GAP,
    Layout,
    LayoutCancelled,
    count_crossings,
    layer_orders,
    layered_layout,
)


def polynomial_graph() -> nx.MultiDiGraph:
    x = torch.tensor(2.0, requires_grad=True)
    y = 5 * x**3 + 2 * x**2 + 4 * x + 8
    return walk([y.grad_fn]).graph


def mlp_graph() -> nx.MultiDiGraph:
    torch.manual_seed(1)
    X = torch.randn(4, 3)
    W1 = torch.randn(3, 5, requires_grad=True)
    b1 = torch.zeros(5, requires_grad=True)
    W2 = torch.randn(5, 1, requires_grad=True)
    hidden = F.relu(X @ W1 + b1)
    loss = F.mse_loss(hidden @ W2, torch.ones(4, 1))
    return walk([loss.grad_fn]).graph


def chain_graph() -> nx.MultiDiGraph:
    x = torch.tensor(0.3, requires_grad=True)
    return walk([x.exp().sin().tanh().sigmoid().grad_fn]).graph


def residual_graph(steps: int = 6) -> nx.MultiDiGraph:
    torch.manual_seed(0)
    h = torch.randn(3, requires_grad=True)
    w = torch.randn(3, requires_grad=True)
    for _ in range(steps):
        h = h + torch.tanh(h * w)
    return walk([h.sum().grad_fn]).graph


def hand_graph(flows: list[tuple[str, str]], order: list[str] | None = None) -> nx.MultiDiGraph:
    """A graph like walk's from data-flow pairs ``(source, target)``: edges run target -> source."""
    graph = nx.MultiDiGraph()
    graph.add_nodes_from(order or [])
    for source, target in flows:
        graph.add_edge(target, source)
    return graph


def node_named(graph: nx.MultiDiGraph, name: str) -> str:
    (found,) = [node for node, data in graph.nodes(data=True) if data["name"] == name]
    return found


def roots_of(graph: nx.MultiDiGraph) -> list[str]:
    return [node for node in graph if graph.in_degree(node) == 0]


def assert_valid(graph: nx.MultiDiGraph, layout: Layout, gap: float = NORMAL_GAP,
                 widths: dict[str, float] | None = None) -> None:
    """Every node placed, data flowing down, gaps kept, bends spanning the layers crossed."""
    widths = widths or {}
    across, along = (0, 1) if layout.orientation == "TB" else (1, 0)
    assert set(layout.positions) == set(graph.nodes) == set(layout.layers)
    assert set(layout.bends) == set(graph.edges(keys=True))
    for node, point in layout.positions.items():
        assert point[along] == layout.layers[node]
    for node, next_node, _ in graph.edges(keys=True):
        assert layout.layers[next_node] < layout.layers[node]
    for row in layer_orders(layout):
        for left, right in itertools.pairwise(row):
            distance = layout.positions[right][across] - layout.positions[left][across]
            needed = gap * (widths.get(left, 1.0) + widths.get(right, 1.0)) / 2
            assert distance >= needed - 1e-9, (left, right, distance, needed)
    for (node, next_node, _), bends in layout.bends.items():
        first, last = layout.layers[next_node] + 1, layout.layers[node] - 1
        steps = [point[along] for point in bends]
        if first > last:
            assert steps == []
        else:  # the ends of the run between the two layers, and any corners in between
            assert steps[0] == first and steps[-1] == last
            assert steps == sorted(set(steps)) and all(float(s).is_integer() for s in steps)


def brute_force_crossings(layers_order: list[list[str]], edges: list[tuple[str, str]]) -> int:
    where = {node: (layer, at) for layer, row in enumerate(layers_order)
             for at, node in enumerate(row)}
    segments = []
    for a, b in edges:
        (layer_a, at_a), (layer_b, at_b) = sorted((where[a], where[b]))
        segments.append((layer_a, at_a, at_b))
    return sum(1 for (pair_1, top_1, bottom_1), (pair_2, top_2, bottom_2)
               in itertools.combinations(segments, 2)
               if pair_1 == pair_2 and (top_1 - top_2) * (bottom_1 - bottom_2) < 0)


# --- placement ------------------------------------------------------------------------------------


@pytest.mark.parametrize("build", [polynomial_graph, mlp_graph, chain_graph, residual_graph])
def test_every_node_placed_data_flowing_down_and_gaps_kept(build) -> None:
    graph = build()
    layout = layered_layout(graph)
    assert_valid(graph, layout)
    (root,) = roots_of(graph)
    assert all(layout.layers[root] > layer for node, layer in layout.layers.items() if node != root)


def test_gaps_grow_with_node_widths() -> None:
    graph = hand_graph([(leaf, "sum") for leaf in "abcd"], order=["sum", *"abcd"])
    widths = {"a": 3.0, "b": 0.5, "c": 2.0, "d": 1.0}
    layout = layered_layout(graph, node_widths=widths)
    assert_valid(graph, layout, widths=widths)
    xs = sorted(layout.positions[leaf][0] for leaf in "abcd")
    assert xs[-1] - xs[0] >= (3.0 + 0.5) / 2 + (0.5 + 2.0) / 2 + (2.0 + 1.0) / 2 - 1e-9


def test_leaves_sit_just_above_their_first_use() -> None:
    graph = polynomial_graph()
    layout = layered_layout(graph)
    leaf = node_named(graph, "torch::autograd::AccumulateGrad")
    uses = [layout.layers[node] for node, _ in graph.in_edges(leaf)]
    assert len(uses) == 3
    assert layout.layers[leaf] == min(uses) - 1 == 0
    mlp = mlp_graph()
    mlp_layout = layered_layout(mlp)
    for leaf in (node for node, kind in mlp.nodes(data="kind") if kind == "accumulate_grad"):
        (use,) = (node for node, _ in mlp.in_edges(leaf))
        assert mlp_layout.layers[leaf] == mlp_layout.layers[use] - 1, mlp.nodes[use]["name"]
    # b1 and W2 are pulled down to their ops instead of waiting at the top with W1
    assert sorted(layer for node, layer in mlp_layout.layers.items()
                  if mlp.nodes[node]["kind"] == "accumulate_grad") == [0, 1, 3]


def test_chain_of_unary_ops_is_one_vertical_line() -> None:
    graph = chain_graph()
    layout = layered_layout(graph)
    assert len(graph) == 5
    assert len({point[0] for point in layout.positions.values()}) == 1
    assert sorted(layout.layers.values()) == [0, 1, 2, 3, 4]


def test_chain_inside_a_bigger_graph_stays_straight() -> None:
    # its ends are pulled to different sides: only stacking it as one block keeps it straight
    x, y, z = (torch.tensor(value, requires_grad=True) for value in (0.3, 0.7, 0.9))
    out = (x * y).exp().sin().tanh() + (y * z) + z.cos()
    graph = walk([out.grad_fn]).graph
    layout = layered_layout(graph)
    assert_valid(graph, layout)
    chain = [node_named(graph, name) for name in ("ExpBackward0", "SinBackward0", "TanhBackward0")]
    assert len({layout.positions[node][0] for node in chain}) == 1


def test_nodes_are_centred_on_their_neighbours() -> None:
    two = layered_layout(hand_graph([("a", "r"), ("b", "r")], order=["r", "a", "b"]))
    assert two.positions["r"][0] == (two.positions["a"][0] + two.positions["b"][0]) / 2
    graph = polynomial_graph()
    layout = layered_layout(graph)
    leaf = node_named(graph, "torch::autograd::AccumulateGrad")
    # its three edges leave towards two pows and, through a bend, the far 4 * x
    edges = graph.in_edges(leaf, keys=True)
    below = sorted(layout.bends[edge][0][0] if layout.bends[edge] else layout.positions[edge[0]][0]
                   for edge in edges)
    assert layout.positions[leaf][0] == below[1]


# --- crossings --------------------------------------------------------------------------------


def test_polynomial_and_mlp_have_no_crossings() -> None:
    assert layered_layout(polynomial_graph()).crossings == 0
    assert layered_layout(mlp_graph()).crossings == 0


def test_crossing_reduction_beats_the_naive_order() -> None:
    # graph order puts the leaves a, b, c above the ops they feed in reverse: three crossings
    graph = hand_graph([("a", "h"), ("b", "g"), ("c", "f"), ("f", "r"), ("g", "r"), ("h", "r")],
                       order=["r", "f", "g", "h", "a", "b", "c"])
    edges = list(graph.edges())
    naive_order = [["a", "b", "c"], ["f", "g", "h"], ["r"]]
    naive = layered_layout(graph, sweeps=0)
    assert layer_orders(naive) == naive_order
    assert count_crossings(naive_order, edges) == naive.crossings == 3
    layout = layered_layout(graph)
    assert count_crossings(layer_orders(layout), edges) == layout.crossings == 0


def test_crossing_reduction_on_a_residual_loop() -> None:
    graph = residual_graph(10)
    layout = layered_layout(graph)
    assert layout.crossings == 0 < layered_layout(graph, sweeps=0).crossings


def test_count_crossings_by_hand() -> None:
    layers = [["a", "b", "c"], ["d", "e", "f"]]
    assert count_crossings(layers, [("a", "d"), ("b", "e"), ("c", "f")]) == 0
    three = [("a", "f"), ("b", "e"), ("c", "d")]
    assert count_crossings(layers, three) == brute_force_crossings(layers, three) == 3
    assert count_crossings(layers, [("f", "a"), ("e", "b", 0), ("d", "c")]) == 3
    # shared ends never cross, parallel edges cross what the single one crosses, twice
    assert count_crossings(layers, [("a", "e"), ("a", "d"), ("b", "d")]) == 1
    assert count_crossings(layers, [("a", "e"), ("a", "e"), ("b", "d")]) == 2
    assert count_crossings(layers, []) == 0
    with pytest.raises(ValueError):
        count_crossings([["a"], ["b"], ["c"]], [("a", "c")])


def test_count_crossings_matches_brute_force_on_random_layers() -> None:
    chooser = random.Random(7)
    for _ in range(200):
        layers = [[f"{layer}.{at}" for at in range(chooser.randint(1, 6))] for layer in range(4)]
        edges = []
        for _ in range(chooser.randint(0, 25)):
            layer = chooser.randrange(3)
            edges.append((chooser.choice(layers[layer]), chooser.choice(layers[layer + 1])))
        assert count_crossings(layers, edges) == brute_force_crossings(layers, edges)


def test_reported_crossings_are_those_of_the_drawing() -> None:
    # no edge spans more than one layer here, so the real nodes' order is the whole story
    graph = hand_graph([("a", "x"), ("b", "x"), ("a", "y"), ("c", "y"), ("b", "z"), ("c", "z"),
                        ("x", "r"), ("y", "r"), ("z", "r")],
                       order=["r", "z", "x", "y", "c", "a", "b"])
    layout = layered_layout(graph)
    assert all(not bends for bends in layout.bends.values())
    assert layout.crossings == count_crossings(layer_orders(layout), graph.edges())
    assert layout.crossings <= layered_layout(graph, sweeps=0).crossings


# --- options and stability --------------------------------------------------------------------


def test_same_input_same_layout() -> None:
    first = layered_layout(residual_graph())
    second = layered_layout(residual_graph())
    assert first == second
    assert layered_layout(mlp_graph()) == layered_layout(mlp_graph())


def test_previous_layout_is_kept_when_the_structure_is_the_same() -> None:
    fresh = layered_layout(polynomial_graph())
    # shifted, so that a layout merely computed again the same way would not pass
    before = Layout({node: (x + 2.5, y) for node, (x, y) in fresh.positions.items()},
                    fresh.layers, {key: [(x + 2.5, y) for x, y in bends]
                                   for key, bends in fresh.bends.items()}, fresh.crossings)
    x = torch.tensor(-3.5, requires_grad=True)  # the user edited a value and ran again
    rerun = walk([(5 * x**3 + 2 * x**2 + 4 * x + 8).grad_fn]).graph
    after = layered_layout(rerun, previous=before)
    assert after.positions == before.positions
    assert after.bends == before.bends
    assert layered_layout(rerun, previous=before, orientation="LR") != before


def test_previous_with_another_structure_lays_out_afresh_keeping_shared_order() -> None:
    old = hand_graph([("a", "r"), ("b", "r")], order=["r", "a", "b"])
    old_layout = layered_layout(old)
    assert layer_orders(old_layout)[0] == ["a", "b"]
    flipped = Layout({"r": (0.5, 1.0), "a": (1.0, 0.0), "b": (0.0, 0.0)}, old_layout.layers,
                     old_layout.bends, 0)
    grown = hand_graph([("a", "r"), ("b", "r"), ("c", "r")], order=["r", "a", "b", "c"])
    assert layer_orders(layered_layout(grown))[0] == ["a", "b", "c"]
    layout = layered_layout(grown, previous=flipped)
    assert_valid(grown, layout)
    top = layer_orders(layout)[0]
    assert top.index("b") < top.index("a")


def test_previous_is_kept_when_labels_change_but_not_across_options() -> None:
    graph = hand_graph([("a", "r"), ("b", "r")], order=["r", "a", "b"])
    before = layered_layout(graph)
    # a value edited from 2 to 2.5 widens a label: the nodes still stay exactly where they were
    assert layered_layout(graph, previous=before, node_widths={"a": 1.2}) is before
    compact = layered_layout(graph, compact=True)
    assert layered_layout(graph, previous=before, compact=True) == compact != before
    assert layered_layout(graph, previous=before, orientation="LR").orientation == "LR"


def test_left_to_right_swaps_the_axes() -> None:
    graph = residual_graph(3)
    down = layered_layout(graph)
    right = layered_layout(graph, orientation="LR")
    assert_valid(graph, right)
    assert right.positions == {node: (y, x) for node, (x, y) in down.positions.items()}
    assert right.bends == {key: [(y, x) for x, y in bends] for key, bends in down.bends.items()}
    with pytest.raises(ValueError):
        layered_layout(graph, orientation="BT")


def test_compact_is_tighter() -> None:
    graph = mlp_graph()
    loose = layered_layout(graph)
    tight = layered_layout(graph, compact=True)
    assert_valid(graph, tight, gap=COMPACT_GAP)

    def width(layout: Layout) -> float:
        xs = [x for x, _ in layout.positions.values()]
        return max(xs) - min(xs)

    assert 0 < width(tight) < width(loose)
    assert tight.layers == loose.layers


# --- bends --------------------------------------------------------------------------------------


def test_an_edge_over_three_layers_bends_at_the_two_between() -> None:
    graph = hand_graph([("a", "b"), ("b", "c"), ("c", "d"), ("a", "d")], order=["d", "c", "b", "a"])
    layout = layered_layout(graph)
    assert [layout.layers[node] for node in "abcd"] == [0, 1, 2, 3]
    bends = layout.bends[("d", "a", 0)]
    assert [y for _, y in bends] == [1.0, 2.0]
    for (x, _), beside in zip(bends, "bc"):
        assert abs(x - layout.positions[beside][0]) >= NORMAL_GAP * (1.0 + 0.5) / 2 - 1e-9
    assert layout.bends[("b", "a", 0)] == []
    assert [x for x, _ in layered_layout(graph, orientation="LR").bends[("d", "a", 0)]] == [1, 2]


def test_a_weight_used_at_every_step_runs_down_one_line() -> None:
    graph = residual_graph(5)
    layout = layered_layout(graph)
    weight = [node for node, data in graph.nodes(data=True)
              if data["kind"] == "accumulate_grad" and graph.in_degree(node) == 5]
    (weight,) = weight
    paths = sorted((bends for (_, next_node, _), bends in layout.bends.items()
                    if next_node == weight), key=len)
    bus_x = {x for path in paths for x, _ in path}
    assert len(bus_x) == 1  # every use leaves one straight shared line
    assert len({path[0] for path in paths if path}) == 1  # which starts in one place
    assert all(len(path) <= 2 for path in paths)  # a straight run is given by its two ends


def test_parallel_edges_of_x_times_x() -> None:
    x = torch.tensor(3.0, requires_grad=True)
    graph = walk([(x * x).grad_fn]).graph
    assert graph.number_of_edges() == 2 and len(graph) == 2
    layout = layered_layout(graph)
    assert_valid(graph, layout)
    assert layout.crossings == 0
    assert all(bends == [] for bends in layout.bends.values())
    (mul,) = roots_of(graph)
    (leaf,) = set(graph) - {mul}
    assert layout.positions[leaf][0] == layout.positions[mul][0]


# --- odd shapes ---------------------------------------------------------------------------------


def test_empty_graph_and_single_node() -> None:
    empty = layered_layout(nx.MultiDiGraph())
    assert empty == Layout({}, {}, {}, 0)
    one = nx.MultiDiGraph()
    one.add_node("n0")
    layout = layered_layout(one)
    assert layout.positions == {"n0": (0.0, 0.0)} and layout.layers == {"n0": 0}
    assert layout.crossings == 0


def test_several_roots() -> None:
    x = torch.tensor(1.0, requires_grad=True)
    y = torch.tensor(2.0, requires_grad=True)
    first, second = (x * y).exp(), (y * 3).cos() + x
    graph = walk([first.grad_fn, second.grad_fn]).graph
    layout = layered_layout(graph)
    assert_valid(graph, layout)
    assert len(roots_of(graph)) == 2
    assert layout.crossings == 0


def test_disconnected_pieces_are_side_by_side() -> None:
    x = torch.tensor(1.0, requires_grad=True)
    z = torch.tensor(2.0, requires_grad=True)
    graph = walk([(x.exp() * x).grad_fn, (z.sin() + z.cos()).grad_fn]).graph
    pieces = [set(piece) for piece in nx.weakly_connected_components(graph)]
    assert len(pieces) == 2
    layout = layered_layout(graph)
    assert_valid(graph, layout)
    for row in layer_orders(layout):
        sides = [0 if node in pieces[0] else 1 for node in row]
        assert sides == sorted(sides) or sides == sorted(sides, reverse=True)
    # b -> b1 could sit between the two legs of the other piece without any crossing
    nested = hand_graph([("a", "a1"), ("c", "c1"), ("a1", "r"), ("c1", "r"), ("b", "b1")],
                        order=["a", "b", "c", "a1", "b1", "c1", "r"])
    assert layer_orders(layered_layout(nested))[:2] == [["a", "c", "b"], ["a1", "c1", "b1"]]


def test_a_cycle_is_refused() -> None:
    with pytest.raises(ValueError, match="cycle"):
        layered_layout(hand_graph([("a", "b"), ("b", "a")]))


def test_twenty_thousand_node_chain_needs_no_recursion() -> None:
    count = 20_000
    graph = nx.MultiDiGraph()
    graph.add_edges_from((f"n{index}", f"n{index + 1}", 0) for index in range(count - 1))
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack()) + 100)  # any recursion in the layout would hit it
    try:
        layout = layered_layout(graph)
    finally:
        sys.setrecursionlimit(limit)
    assert len(layout.positions) == count
    assert layout.layers["n0"] == count - 1 and layout.layers[f"n{count - 1}"] == 0
    assert len({x for x, _ in layout.positions.values()}) == 1


# --- invariants on random DAGs (hypothesis) ----------------------------------------------------


@st.composite
def random_dags(draw: st.DrawFn) -> tuple[nx.MultiDiGraph, dict[str, float]]:
    """A DAG like walk's (edges consumer -> input), parallel edges included, and node widths."""
    count = draw(st.integers(1, 24))
    names = [f"v{index}" for index in range(count)]
    pairs = [(source, target) for target in range(count) for source in range(target)]
    flows = draw(st.lists(st.sampled_from(pairs), max_size=3 * count)) if pairs else []
    graph = nx.MultiDiGraph()
    graph.add_nodes_from(draw(st.permutations(names)))
    for source, target in flows:  # data flows from the lower index to the higher
        graph.add_edge(names[target], names[source])
    widths = draw(st.dictionaries(st.sampled_from(names), st.floats(0.2, 4.0), max_size=count))
    return graph, widths


RANDOM_DAGS = settings(max_examples=60, deadline=None,
                       suppress_health_check=[HealthCheck.too_slow])


@RANDOM_DAGS
@given(random_dags(), st.sampled_from(["TB", "LR"]), st.booleans())
def test_random_dags_are_laid_out_validly(drawn, orientation, compact) -> None:
    graph, widths = drawn
    layout = layered_layout(graph, orientation=orientation, node_widths=widths, compact=compact)
    # every node placed, in the layer its coordinate along the flow says; edges going from a
    # layer towards the next in the chosen direction; no two nodes of a layer overlapping
    assert_valid(graph, layout, gap=COMPACT_GAP if compact else NORMAL_GAP, widths=widths)
    along = 1 if orientation == "TB" else 0
    for (node, next_node, _), bends in layout.bends.items():
        steps = [layout.positions[next_node][along], *(point[along] for point in bends),
                 layout.positions[node][along]]
        assert steps == sorted(set(steps))
    if not any(layout.bends.values()):  # then the real nodes' order is the whole drawing
        assert layout.crossings == count_crossings(layer_orders(layout), graph.edges(keys=True))


@RANDOM_DAGS
@given(random_dags())
def test_random_dags_same_structure_same_positions(drawn) -> None:
    graph, widths = drawn
    first = layered_layout(graph, node_widths=widths)
    rebuilt = nx.MultiDiGraph()
    rebuilt.add_nodes_from(graph.nodes)
    rebuilt.add_edges_from(graph.edges(keys=True))
    assert layered_layout(rebuilt, node_widths=widths) == first
    # a re-run with the same structure keeps that very layout, even with other widths
    assert layered_layout(rebuilt, previous=first, node_widths={}) is first


@RANDOM_DAGS
@given(random_dags())
def test_random_dags_grown_by_one_node_reuse_the_previous_order(drawn) -> None:
    graph, widths = drawn
    before = layered_layout(graph, node_widths=widths)
    grown = graph.copy()
    grown.add_edge("new", next(iter(graph.nodes)))
    after = layered_layout(grown, previous=before)
    assert_valid(grown, after)
    assert after is not before and set(after.positions) == set(before.positions) | {"new"}


# --- progress and cancelling --------------------------------------------------------------------


def crossing_ladder(rungs: int) -> nx.MultiDiGraph:
    """Pairs of nodes fed crosswise by the pair above, with a skip edge: crossings to remove and
    a few thousand layers, so the long loops report from inside."""
    graph = nx.MultiDiGraph()
    left, right = "l0", "r0"
    for rung in range(1, rungs):
        new_left, new_right = f"l{rung}", f"r{rung}"
        graph.add_edges_from([(new_left, right), (new_right, left), (new_left, left)])
        if rung > 2:
            graph.add_edge(new_right, f"r{rung - 3}")
        left, right = new_left, new_right
    return graph


def test_progress_is_reported_phase_by_phase_and_from_inside_long_loops() -> None:
    graph = crossing_ladder(3_000)
    reports: list[tuple[str, float]] = []
    layout = layered_layout(graph, progress=lambda phase, done: reports.append((phase, done)))
    assert layout == layered_layout(graph)  # reporting changes nothing
    phases = list(dict.fromkeys(phase for phase, _ in reports))
    assert phases == ["reading", "layering", "routing", "ordering", "placing", "assembling",
                      "done"]
    fractions = [done for _, done in reports]
    assert fractions == sorted(fractions) and fractions[0] == 0.0 and reports[-1] == ("done", 1.0)
    inside = [phase for phase, _ in reports]
    assert inside.count("ordering") > 2 and inside.count("placing") > 2


@pytest.mark.parametrize("phase", ["reading", "layering", "routing", "ordering", "placing",
                                   "assembling"])
def test_a_cancelled_layout_stops_and_leaves_everything_as_it_was(phase) -> None:
    graph = crossing_ladder(3_000)
    previous = layered_layout(crossing_ladder(2_000))
    graph_before = (list(graph.nodes(data=True)), list(graph.edges(keys=True, data=True)))
    previous_before = copy.deepcopy(previous)
    seen: list[str] = []

    def cancel_in_phase(current: str, done: float) -> None:
        seen.append(current)
        if current == phase:
            raise LayoutCancelled

    collecting = gc.isenabled()  # the app turns automatic collection off for the whole process
    gc.enable()
    try:
        with pytest.raises(LayoutCancelled):
            layered_layout(graph, previous=previous, progress=cancel_in_phase)
        assert gc.isenabled()  # paused for the layout, and on again although it was cancelled
    finally:
        if not collecting:
            gc.disable()
    assert "done" not in seen and seen[-1] == phase
    assert (list(graph.nodes(data=True)), list(graph.edges(keys=True, data=True))) == graph_before
    assert previous == previous_before
    assert layered_layout(graph, previous=previous) == layered_layout(graph, previous=previous)


def test_cancelling_from_inside_a_long_loop_is_prompt() -> None:
    graph = crossing_ladder(3_000)
    calls = 0

    def cancel_on_the_second_ordering_report(phase: str, done: float) -> None:
        nonlocal calls
        calls += phase == "ordering"
        if calls == 2:
            raise LayoutCancelled("stop")

    with pytest.raises(LayoutCancelled, match="stop"):
        layered_layout(graph, progress=cancel_on_the_second_ordering_report)
