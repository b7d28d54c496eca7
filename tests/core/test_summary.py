"""Big graphs as readable summaries: identical loop turns fold into one repeat block."""

from __future__ import annotations

import networkx as nx
import torch

from explorer.core import run_program
from explorer.core.capture.tensors import describe
from explorer.core.view.folding import GROUP_KIND, fold, fold_scene
from explorer.core.view.scene import build_scene, scene_for_folding
from explorer.core.view.stepper import Stepper
from explorer.core.view.summary import SHORTEST_RUN, module_units, repeat_groups, summary_fold
from tests.core.programs import RESIDUAL_LOOP
from tests.core.reference import reference_grads

LOOP = RESIDUAL_LOOP


def test_a_loop_folds_all_but_its_first_and_last_turn() -> None:
    trace = run_program(LOOP.format(turns=40))
    graph = trace.passes[0].graph
    groups = repeat_groups(graph)
    assert [group.label for group in groups] == ["repeat ×38"]
    assert groups[0].detail == "line 4 · turns 1–38 · 3 nodes each"
    folded, owner = fold(graph, groups)
    assert nx.is_directed_acyclic_graph(folded)
    # two leaves, the first and last turn (3 nodes each), the block and the sum
    assert folded.number_of_nodes() == 2 + 3 + 3 + 1 + 1
    assert len(owner) == 38 * 3


def test_the_weight_feeding_every_folded_turn_is_one_arrow_that_counts_them() -> None:
    source = LOOP.format(turns=12)
    trace = run_program(source)
    one_pass = trace.passes[0]
    folded, owner = fold(one_pass.graph, repeat_groups(one_pass.graph))
    block = next(node for node, kind in folded.nodes(data="kind") if kind == GROUP_KIND)
    w = next(node for node, data in folded.nodes(data=True) if data.get("variable") == "w")
    into_w = [data for _, target, data in folded.in_edges(w, data=True) if _ == block]
    assert len(into_w) == 1 and into_w[0]["count"] == 10
    stepper = Stepper(one_pass)
    stepper.to_end()
    scene = fold_scene(build_scene(one_pass, stepper, trace.leaves), folded, owner)
    bundle = next(edge for edge in scene.edges if edge.source == w and edge.target == block)
    assert bundle.grad_text.startswith("10 grads, ‖·‖=")
    # what the engine sent to w: all of it sums to torch's own w.grad, and the bundle's norm
    # combines the ten pieces the folded turns sent
    sent = {step.node: grad for step in one_pass.steps
            for (target, slot), grad in zip(_targets(one_pass, step.node), step.grad_inputs) if target == w}
    expected = reference_grads(source.replace("loss.backward()\n", ""), "loss", ["w"])["w"]
    assert torch.allclose(sum(sent.values()), expected, atol=1e-6)
    folded_pieces = [grad for node, grad in sent.items() if node in owner]
    assert len(folded_pieces) == 10
    combined = sum(float(torch.linalg.vector_norm(grad.double())) ** 2 for grad in folded_pieces) ** 0.5
    assert abs(bundle.magnitude - combined) <= 1e-9 * combined


def _targets(one_pass, node: str) -> list[tuple[str, int]]:
    """Where each of a node's gradient slots goes, in ``next_functions`` order."""
    found: list[tuple[str, int]] = []
    by_slot = {slot: target for _, target, slot in one_pass.graph.out_edges(node, keys=True)}
    for slot in range(max(by_slot, default=-1) + 1):
        found.append((by_slot.get(slot), slot))
    return found


def test_short_runs_and_changing_turns_stay_unfolded() -> None:
    assert repeat_groups(run_program(LOOP.format(turns=SHORTEST_RUN - 1)).passes[0].graph) == []
    changing = LOOP.format(turns=6).replace(
        "    h = h + torch.tanh(h * w)\n",
        "    h = h + torch.tanh(h * w) if step % 2 == 0 else h * w\n")
    assert repeat_groups(run_program(changing).passes[0].graph) == []


def test_numbered_module_calls_fold_like_loop_turns() -> None:
    graph = nx.MultiDiGraph()
    for layer in range(5):
        for part in range(2):
            graph.add_node(f"n{layer}{part}", name="AddmmBackward0" if part else "ReluBackward0",
                           module=f"encoder.layers.{layer}.fc", kind="function")
    for layer in range(4):
        graph.add_edge(f"n{layer + 1}0", f"n{layer}1", key=0)
        graph.add_edge(f"n{layer}1", f"n{layer}0", key=0)
    units = module_units(graph)
    assert [unit.family for unit in units] == ["module encoder.layers"] * 5
    groups = repeat_groups(graph)
    assert [(group.label, group.detail) for group in groups] == [
        ("repeat ×3", "encoder.layers.1–3 · 2 nodes each")]


def _same_graph(first: nx.MultiDiGraph, second: nx.MultiDiGraph) -> bool:
    """Same nodes and edges with the same data, in the same order (the layout follows it)."""
    return (list(first.nodes(data=True)) == list(second.nodes(data=True))
            and list(first.edges(keys=True, data=True)) == list(second.edges(keys=True, data=True)))


def test_the_summary_is_folded_once_as_its_groups_fold_it() -> None:
    graph = run_program(LOOP.format(turns=40)).passes[0].graph
    folding = summary_fold(graph)
    assert folding is not None
    folded, owner = fold(graph, repeat_groups(graph))
    assert _same_graph(folding[0], folded) and folding[1] == owner
    assert summary_fold(run_program(LOOP.format(turns=SHORTEST_RUN - 1)).passes[0].graph) is None


def test_a_block_that_would_make_the_summary_cyclic_is_left_unfolded() -> None:
    graph = nx.MultiDiGraph()
    for line in (3, 9):  # two loops of five one-node turns, each turn feeding the next
        for turn in range(5):
            graph.add_node(f"t{line}.{turn}", name="MulBackward0", kind="function",
                           block=f"line {line} · turn {turn}")
            if turn:
                graph.add_edge(f"t{line}.{turn}", f"t{line}.{turn - 1}", key=0, input_nr=0)
    graph.add_node("x", name="ExpBackward0", kind="function")
    graph.add_edge("t9.3", "x", key=1, input_nr=0)  # out of line 9's middle turns and back in:
    graph.add_edge("x", "t9.1", key=1, input_nr=0)  # folded, they would make a cycle
    groups = repeat_groups(graph)
    assert [group.detail for group in groups] == ["line 3 · turns 1–3 · 1 nodes each"]
    folding = summary_fold(graph)
    assert folding is not None and nx.is_directed_acyclic_graph(folding[0])
    folded, owner = fold(graph, groups)
    assert _same_graph(folding[0], folded) and folding[1] == owner


def test_the_summary_words_only_its_boxes_and_folds_to_the_whole_scene_folded() -> None:
    source = LOOP.format(turns=30)
    trace = run_program(source)
    one_pass = trace.passes[0]
    folding = summary_fold(one_pass.graph)
    assert folding is not None
    folded, owner = folding
    shown = [node for node in one_pass.graph if node not in owner]
    full, following = Stepper(one_pass), Stepper(one_pass, follow=shown)
    for position in (0, 1, 5, len(one_pass.steps) // 2, len(one_pass.steps)):
        full.jump(position)
        following.jump(position)
        outline = scene_for_folding(one_pass, following, trace.leaves, owner)
        # the nodes and arrows inside the block are neither worded nor kept
        assert [node.id for node in outline.nodes if node.title] == shown
        assert len(outline.edges) < one_pass.graph.number_of_edges() / 2
        whole = fold_scene(build_scene(one_pass, full, trace.leaves), folded, owner)
        assert fold_scene(outline, folded, owner) == whole
    # at the end, w's box sums what every turn sent it, as torch does
    w = next(node for node in shown if one_pass.graph.nodes[node].get("variable") == "w")
    w_box = next(node for node in whole.nodes if node.id == w)
    expected = reference_grads(source.replace("loss.backward()\n", ""), "loss", ["w"])["w"]
    assert w_box.subtitle == f"grad = {describe(expected)}" and w_box.running_sum.startswith("sum of 30:")
