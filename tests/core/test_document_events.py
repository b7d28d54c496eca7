"""The document is the only way state changes: each kind of change has its own event."""

from __future__ import annotations

import pytest

from explorer.core import run_program
from explorer.core.storage.document import Document
from explorer.core.view.folding import automatic_groups
from explorer.core.view.stepper import StepMove
from explorer.core.view.style import LayoutStyle, Orientation
from explorer.core.view.view_state import ViewChange
from tests.core.programs import POLYNOMIAL

LOOP = """\
x = torch.tensor(1.5, requires_grad=True)
h = x
for _ in range(4):
    h = torch.sin(h) * 2
h.backward()
"""
EVENTS = ("trace_changed", "step_changed", "error_changed", "typed_changed", "overrides_changed",
          "view_changed", "appearance_changed")


def _heard(document: Document) -> list[tuple[str, tuple]]:
    """Every event the document sends from now on, with what it carried."""
    heard: list[tuple[str, tuple]] = []
    for name in EVENTS:
        getattr(document, name).connect(lambda *args, name=name: heard.append((name, args)))
    return heard


def _document(source: str) -> Document:
    document = Document()
    document.accept_run(source, run_program(source))
    return document


def test_an_edited_value_is_one_event_and_nothing_else_changes() -> None:
    document = _document(POLYNOMIAL)
    heard = _heard(document)
    document.set_override("x", 3.0)
    assert heard == [("overrides_changed", ())] and document.overrides == {"x": 3.0}
    document.reset_overrides()
    assert heard[-1] == ("overrides_changed", ()) and document.overrides == {}


@pytest.mark.parametrize("move", list(StepMove))
def test_each_move_of_the_stepper_says_so_once_and_only_when_it_moved(move: StepMove) -> None:
    document = _document(POLYNOMIAL)
    document.step(StepMove.JUMP, 2)
    heard = _heard(document)
    before = document.stepper.position
    document.step(move, 1)
    moved = document.stepper.position != before
    assert heard == ([("step_changed", ())] if moved else [])
    document.step(move, 1)  # the same move again: only next/previous move on
    assert len(heard) == int(moved) + int(move in (StepMove.NEXT, StepMove.PREVIOUS))


def test_a_moves_value_is_taken_as_the_move() -> None:
    document = _document(POLYNOMIAL)
    document.step("reset")  # type: ignore[arg-type]  # what a saved or scripted move may hold
    assert document.stepper.position == 0


def test_folding_is_view_state_kept_in_the_core() -> None:
    document = _document(LOOP)
    heard = _heard(document)
    groups = automatic_groups(document.current_pass.graph)
    turn = next(group for group in groups if group.id.startswith("block:"))
    assert document.collapse([turn])
    assert document.view.collapsed == [turn] and heard == [("view_changed", (ViewChange.FOLDED,))]
    folded = document.view.folded_graph(document.current_pass)
    assert folded is not None and turn.id in folded[0] and not set(folded[0]) & turn.members
    document.expand(turn.id)
    assert document.view.collapsed == [] and heard[-1] == ("view_changed", (ViewChange.UNFOLDED,))
    assert document.view.folded_graph(document.current_pass) is None
    document.set_hide_leaves(True)
    assert heard[-1] == ("view_changed", (ViewChange.LEAVES,))
    leaves = [node for node, data in document.current_pass.graph.nodes(data=True)
              if data.get("kind") == "accumulate_grad"]
    shown, _ = document.view.folded_graph(document.current_pass)
    assert leaves and not set(leaves) & set(shown)


def test_the_layout_style_changes_once_and_only_when_it_differs() -> None:
    document = _document(POLYNOMIAL)
    heard = _heard(document)
    document.set_style(LayoutStyle(Orientation.LEFT_TO_RIGHT, compact=True))
    document.set_style(LayoutStyle(Orientation.LEFT_TO_RIGHT, compact=True))
    assert heard == [("view_changed", (ViewChange.STYLE,))]
    assert document.view.style.orientation == "LR"  # the value settings and pages store


def test_appearance_is_clamped_and_said_once() -> None:
    document = Document()
    heard = _heard(document)
    document.set_appearance(theme="dark", font_scale=9.0)
    document.set_appearance(theme="dark")
    assert heard == [("appearance_changed", ())]
    assert (document.theme, document.font_scale) == ("dark", 3.0)


def test_a_new_program_drops_the_old_ones_edits_and_picks() -> None:
    document = _document(POLYNOMIAL)
    document.set_override("x", 3.0)
    document.pick_pass(7)
    document.code_typed()
    heard = _heard(document)
    document.program_replaced()
    assert document.overrides == {} and document.picked_passes == set() and not document.typed
    assert heard == [("typed_changed", ())]  # the run that follows says the rest


def test_picking_a_node_is_said_once_with_the_node() -> None:
    document = _document(POLYNOMIAL)
    node = next(iter(document.current_pass.graph))
    heard: list[object] = []
    document.selection_changed.connect(heard.append)
    document.select(node)
    document.select(node)
    document.select(None)
    assert heard == [node, None] and document.selected is None
