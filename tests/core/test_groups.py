"""Folding groups of nodes: loop turns and module scopes collapse and expand without loss."""

from __future__ import annotations

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer.core import run_program
from explorer.core.view.folding import GROUP_KIND, Group, automatic_groups, fold, module_groups

LOOP = ("x = torch.tensor(1.0, requires_grad=True)\nh = x\nfor i in range(4):\n"
        "    h = torch.tanh(h * 2 + 1)\ny = h.sum()\ny.backward()\n")


def _graph() -> nx.MultiDiGraph:
    trace = run_program(LOOP)
    assert trace.ok, trace.error
    return trace.passes[0].graph


def test_each_loop_turn_is_a_group_of_the_nodes_it_made() -> None:
    graph = _graph()
    groups = automatic_groups(graph)
    assert [group.label for group in groups] == [f"line 3 · turn {turn}" for turn in (3, 2, 1, 0)] or \
        sorted(group.label for group in groups) == [f"line 3 · turn {turn}" for turn in range(4)]
    for group in groups:
        assert sorted(graph.nodes[node]["name"] for node in group.members) == [
            "AddBackward0", "MulBackward0", "TanhBackward0"]
        assert all(graph.nodes[node]["line"] == 4 for node in group.members)


def test_folding_keeps_every_edge_that_crosses_a_boundary() -> None:
    graph = _graph()
    groups = automatic_groups(graph)
    folded, owner = fold(graph, groups)
    assert folded.number_of_nodes() == graph.number_of_nodes() - sum(len(g.members) for g in groups) + len(groups)
    crossing = [(u, v, k) for u, v, k in graph.edges(keys=True) if owner.get(u, u) != owner.get(v, v)]
    originals = sorted(data["original"] for *_, data in folded.edges(keys=True, data=True))
    assert originals == sorted(crossing)
    assert nx.is_directed_acyclic_graph(folded)
    group_nodes = [node for node, kind in folded.nodes(data="kind") if kind == GROUP_KIND]
    assert len(group_nodes) == 4


def test_expanding_everything_gives_back_the_graph() -> None:
    graph = _graph()
    folded, owner = fold(graph, [])
    assert owner == {}
    assert nx.utils.graphs_equal(folded, graph) or (
        set(folded.nodes) == set(graph.nodes)
        and sorted(d["original"] for *_, d in folded.edges(keys=True, data=True)) == sorted(graph.edges(keys=True)))


def test_hiding_leaves_drops_accumulate_grad_nodes() -> None:
    graph = _graph()
    folded, _ = fold(graph, [], hide_leaves=True)
    assert all(kind != "accumulate_grad" for _, kind in folded.nodes(data="kind"))
    assert folded.number_of_nodes() == graph.number_of_nodes() - 1


def test_module_groups_nest() -> None:
    graph = nx.MultiDiGraph()
    for index, module in enumerate(["enc.layers.0.fc", "enc.layers.0.fc", "enc.layers.1.fc", "enc.layers.1.fc", None]):
        graph.add_node(f"n{index}", module=module, kind="function", name="AddBackward0")
    labels = {group.label: len(group.members) for group in module_groups(graph)}
    assert labels == {"enc": 4, "enc.layers": 4, "enc.layers.0": 2, "enc.layers.0.fc": 2,
                      "enc.layers.1": 2, "enc.layers.1.fc": 2}


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=3, max_value=25), st.data())
def test_fold_then_unfold_round_trips_on_random_dags(size: int, data: st.DataObject) -> None:
    graph = nx.MultiDiGraph()
    for index in range(size):
        graph.add_node(f"n{index}", kind="function", name="Node")
    for target in range(1, size):
        for source in data.draw(st.lists(st.integers(0, target - 1), min_size=1, max_size=3)):
            graph.add_edge(f"n{target}", f"n{source}", key=graph.number_of_edges(f"n{target}", f"n{source}"))
    members = data.draw(st.sets(st.sampled_from(sorted(graph.nodes)), min_size=2, max_size=size))
    group = Group("g", "g", frozenset(members))
    folded, owner = fold(graph, [group])
    assert set(owner) == members
    kept = {(u, v, k) for u, v, k in graph.edges(keys=True) if not (u in members and v in members)}
    # every edge that crosses or avoids the group is drawn, parallel ones into or out of the group
    # as one arrow that counts them
    ends = {(owner.get(u, u), owner.get(v, v)) for u, v, _ in kept}
    assert {(u, v) for u, v in folded.edges()} == ends
    assert sum(d.get("count", 1) for *_, d in folded.edges(data=True)) == len(kept)
    assert {d["original"] for *_, d in folded.edges(data=True)} <= kept
    unfolded, _ = fold(graph, [])
    assert set(unfolded.nodes) == set(graph.nodes)


def test_folded_scene_summarises_the_group_and_keeps_the_step_state() -> None:
    from explorer.core.view.folding import fold_scene
    from explorer.core.view.scene import build_scene
    from explorer.core.view.stepper import NodeState, Stepper

    trace = run_program(LOOP)
    one_pass = trace.passes[0]
    groups = automatic_groups(one_pass.graph)
    folded, owner = fold(one_pass.graph, groups)
    stepper = Stepper(one_pass)
    stepper.to_end()
    scene = fold_scene(build_scene(one_pass, stepper, trace.leaves), folded, owner)
    assert {node.id for node in scene.nodes} == set(folded.nodes)
    group_nodes = [node for node in scene.nodes if node.kind == GROUP_KIND]
    assert len(group_nodes) == 4 and all(node.state is NodeState.DONE for node in group_nodes)
    assert all(node.subtitle == "3 nodes folded" and "grad in" in node.running_sum for node in group_nodes)
    assert {(e.target, e.source, e.slot) for e in scene.edges} == set(folded.edges(keys=True))
    stepper.jump(2)  # inside the last turn of the loop
    scene = fold_scene(build_scene(one_pass, stepper, trace.leaves), folded, owner)
    assert scene.active in {group.id for group in groups}
