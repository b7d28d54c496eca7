"""Nodes in the user's terms: each node's expression as written, with its line, from the code box."""

from __future__ import annotations

import ast

from explorer.core import run_program
from explorer.core.capture.labels import (
    LONGEST,
    assignment_spans,
    expression_labels,
    nodes_by_line,
    shorten,
)
from explorer.core.view.scene import build_scene, function_texts
from explorer.core.view.stepper import Stepper

POLYNOMIAL = """\
import torch
x = torch.tensor(2.0, requires_grad=True)
y = 5 * x**3 + 2 * x**2 + 4 * x + 8
y.backward()
"""


def _titles(source: str) -> dict[str, list[tuple[str, str]]]:
    """torch name -> (title, torch line) of each function node of the first pass."""
    one_pass = run_program(source).passes[0]
    found: dict[str, list[tuple[str, str]]] = {}
    for _, data in one_pass.graph.nodes(data=True):
        if data["kind"] == "function":
            title, torch_line, _ = function_texts(data)
            found.setdefault(data["name"], []).append((title, torch_line))
    return found


def test_each_node_shows_its_expression_with_the_torch_name_and_line_below() -> None:
    titles = _titles(POLYNOMIAL)
    assert sorted(titles["PowBackward0"]) == [("x**2", "PowBackward0 · line 3"),
                                              ("x**3", "PowBackward0 · line 3")]
    # a part that is a node of its own is elided: that node has its own box, one edge away
    assert sorted(title for title, _ in titles["MulBackward0"]) == ["2 * …", "4 * x", "5 * …"]
    assert ("y = … + 8", "AddBackward0 · line 3") in titles["AddBackward0"]


def test_a_label_of_only_elisions_shows_one_level_deeper() -> None:
    titles = _titles(POLYNOMIAL)
    adds = {title for title, _ in titles["AddBackward0"]}
    assert "5 * … + 2 * …" in adds  # not "… + …", which says nothing
    assert all(any(character.isalnum() for character in title) for title in adds)


def test_spans_count_utf8_bytes_as_ast_does() -> None:
    source = 's = "é€"; y = x * 2 + x\n'
    spans = [(node.lineno, node.col_offset, node.end_lineno, node.end_col_offset)
             for node in ast.walk(ast.parse(source)) if isinstance(node, ast.BinOp)]
    labels = expression_labels(source, spans)
    assert sorted(labels.values()) == ["x * 2", "… + x"]


def test_long_expressions_are_cut_to_one_short_line() -> None:
    text = "torch.nn.functional.cross_entropy(\n    logits,\n    targets, reduction='mean')"
    short = shorten(text)
    assert len(short) == LONGEST and short.endswith("…") and "\n" not in short
    assert shorten("a  +\n  b") == "a + b"


def test_the_step_header_and_scene_carry_the_expression() -> None:
    trace = run_program(POLYNOMIAL)
    one_pass = trace.passes[0]
    stepper = Stepper(one_pass)
    stepper.jump(1)
    scene = build_scene(one_pass, stepper, trace.leaves)
    assert scene.header == "Step 1 / 9: AddBackward0 · … + 8"
    root = next(node for node in scene.nodes if node.is_root)
    assert root.title == "y = … + 8" and root.torch_line == "AddBackward0 · line 3"
    leaf = next(node for node in scene.nodes if node.kind == "accumulate_grad")
    assert leaf.title == "x = 2" and leaf.torch_line == "AccumulateGrad"


def test_lines_map_to_the_nodes_they_made_and_names_to_their_definition() -> None:
    source = POLYNOMIAL + "z = y * 3\n"
    one_pass = run_program(source).passes[0]
    by_line = nodes_by_line(one_pass.graph)
    names = {one_pass.graph.nodes[node]["name"] for node in by_line[3]}
    assert names == {"PowBackward0", "MulBackward0", "AddBackward0"}
    assert by_line.get(2) is None  # the leaf's line made no function node
    spans = assignment_spans(source)
    assert spans["x"][0] == 2 and spans["y"][0] == 3 and spans["z"][0] == 5
