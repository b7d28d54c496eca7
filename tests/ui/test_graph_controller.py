"""The graph controller against a fake canvas: document changes in, drawing orders out.

The fake records what the controller tells it; nothing is drawn and no window is made. Qt is
here only for the font metrics that size the boxes (``qapp``).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from explorer.core.capture.trace import Pass
from explorer.core.sandbox.program import run_program
from explorer.core.storage.document import Document
from explorer.core.view.scene import Scene
from explorer.core.view.stepper import NodeState, Stepper
from explorer.core.view.style import LayoutStyle, Orientation
from explorer.ui.canvas.graph_controller import CanvasSurface, GraphController, lay_out_pass
from explorer.ui.canvas.scene_painter import Geometry, SceneCache
from explorer.ui.window.theme import LIGHT
from tests.core.programs import POLYNOMIAL

TWO_PASSES = """\
import torch
x = torch.tensor(0.5, requires_grad=True)
y = x * 3
y.backward()
z = torch.sin(x) * torch.exp(x) + x
z.backward()
"""

LOOP = """\
import torch
x = torch.tensor(1.0, requires_grad=True)
y = x
for turn in range(3):
    y = y * 2 + 1
y.backward()
"""


@dataclass
class Shown:
    """One ``show_scene`` order, with the stepper the canvas held at that moment."""

    scene: Scene | None
    geometry: Geometry
    fit: bool
    drawing: SceneCache | None
    stepper: Stepper | None


class FakeCanvas:
    """The canvas surface the controller needs, recording every order in turn."""

    def __init__(self) -> None:
        self.stepper: Stepper | None = None
        self.shown: list[Shown] = []
        self.stale: list[tuple[bool, str]] = []
        self.font_scales: list[float] = []

    def show_scene(self, scene: Scene | None, geometry: Geometry, *, fit: bool,
                   drawing: SceneCache | None = None) -> None:
        self.shown.append(Shown(scene, geometry, fit, drawing, self.stepper))

    def set_stale(self, stale: bool, message: str = "") -> None:
        self.stale.append((stale, message))

    def set_font_scale(self, scale: float) -> None:
        self.font_scales.append(scale)

    @property
    def last(self) -> Shown:
        return self.shown[-1]

    def drag(self, node: str, to: tuple[float, float]) -> None:
        """What the real canvas does when the user drops a node: moves it in the geometry shown."""
        geometry = self.last.geometry
        geometry.centres[node] = to
        geometry.moved()


def make(qapp) -> tuple[Document, FakeCanvas, GraphController]:
    document = Document()
    canvas = FakeCanvas()
    surface: CanvasSurface = canvas  # the fake has exactly the surface the controller asks for
    return document, canvas, GraphController(document, surface)


def ran(document: Document, code: str, **options) -> None:
    """Run ``code`` and give the result to the document, as the window does."""
    keep = options.pop("keep_position", False)
    document.accept_run(code, run_program(code, **options), keep_position=keep)


def expected_states(one_pass: Pass, position: int) -> dict[str, NodeState]:
    """Each node's state after ``position`` steps, read from the engine's recorded order."""
    order = {step.node: index for index, step in enumerate(one_pass.steps)}
    states = {}
    for node in one_pass.graph.nodes:
        index = order.get(node)
        if index is None:
            states[node] = NodeState.UNREACHED
        elif index == position - 1:
            states[node] = NodeState.ACTIVE
        else:
            states[node] = NodeState.DONE if index < position else NodeState.WAITING
    return states


def shown_states(shown: Shown) -> dict[str, NodeState]:
    assert shown.scene is not None
    return {node.id: node.state for node in shown.scene.nodes}


def test_a_run_shows_every_node_of_the_pass_placed_and_fitted(qapp) -> None:
    document, canvas, _ = make(qapp)
    ran(document, POLYNOMIAL)
    one_pass = document.current_pass
    assert one_pass is not None and len(canvas.shown) == 1
    shown = canvas.last
    assert shown.fit and shown.stepper is document.stepper
    assert {node.id for node in shown.scene.nodes} == set(one_pass.graph.nodes)
    assert set(shown.geometry.centres) == set(one_pass.graph.nodes)
    assert len(set(shown.geometry.centres.values())) == one_pass.graph.number_of_nodes()
    # a new run stands at the end of backward: every node the engine ran is done
    assert shown_states(shown) == expected_states(one_pass, len(one_pass.steps))
    assert shown.scene.active == one_pass.steps[-1].node
    assert canvas.stale == [(False, "")]


def test_each_step_highlights_the_engines_node_and_keeps_layout_and_view(qapp) -> None:
    document, canvas, _ = make(qapp)
    ran(document, POLYNOMIAL)
    one_pass, geometry = document.current_pass, canvas.last.geometry
    document.step("reset")
    assert canvas.last.scene.active is None and not canvas.last.fit
    assert shown_states(canvas.last) == expected_states(one_pass, 0)
    for position in range(1, len(one_pass.steps) + 1):
        document.step("next")
        shown = canvas.last
        assert shown.scene.active == one_pass.steps[position - 1].node
        assert shown_states(shown) == expected_states(one_pass, position)
        assert shown.geometry is geometry and not shown.fit
    orders = len(canvas.shown)
    document.step("next")  # at the end already: nothing changed, nothing is drawn
    assert len(canvas.shown) == orders
    document.step("jump", 2)
    document.step("previous")
    assert canvas.last.scene.active == one_pass.steps[0].node
    assert shown_states(canvas.last) == expected_states(one_pass, 1)


def test_another_pass_is_shown_fitted_and_coming_back_finds_its_layout(qapp) -> None:
    document, canvas, _ = make(qapp)
    ran(document, TWO_PASSES)
    trace = document.trace
    assert len(trace.passes) == 2
    first = canvas.last
    assert {node.id for node in first.scene.nodes} == set(trace.passes[0].graph.nodes)
    document.select_pass(1)
    second = canvas.last
    assert second.fit and second.stepper is document.stepper
    assert document.stepper.one_pass is trace.passes[1]
    assert {node.id for node in second.scene.nodes} == set(trace.passes[1].graph.nodes)
    assert set(second.geometry.centres) == set(trace.passes[1].graph.nodes)
    document.select_pass(0)
    assert canvas.last.fit and canvas.last.geometry.centres == first.geometry.centres


def test_a_failed_run_keeps_the_last_graph_on_screen_marked_stale(qapp) -> None:
    document, canvas, _ = make(qapp)
    ran(document, POLYNOMIAL)
    good = canvas.last
    document.code_typed()  # the user edits the program in the editor, and breaks it
    ran(document, POLYNOMIAL.replace("y.backward()", "y.backward("))
    stale, message = canvas.stale[-1]
    assert stale and "last program that ran without errors" in message
    assert canvas.last.scene is good.scene and canvas.last.geometry is good.geometry
    assert not canvas.last.fit  # the user's view stays where it was
    ran(document, POLYNOMIAL)
    assert canvas.stale[-1] == (False, "")


def test_without_a_graph_the_canvas_is_told_to_show_nothing(qapp) -> None:
    document, canvas, _ = make(qapp)
    ran(document, "import torch\nx = (")  # nothing ran before: no graph at all
    assert canvas.last.scene is None and canvas.last.geometry.centres == {}
    assert canvas.stale[-1] == (False, "")


def test_a_value_edit_keeps_a_dragged_node_and_the_view(qapp) -> None:
    document, canvas, _ = make(qapp)
    ran(document, POLYNOMIAL)
    document.step("jump", 3)
    root = document.current_pass.root
    before = dict(canvas.last.geometry.centres)
    target = (before[root][0] + 300.0, before[root][1] + 40.0)
    canvas.drag(root, target)
    ran(document, POLYNOMIAL, overrides={"x": 3.0}, keep_position=True)
    shown = canvas.last
    assert not shown.fit and shown.geometry.centres[root] == target
    assert {k: v for k, v in shown.geometry.centres.items() if k != root} == \
        {k: v for k, v in before.items() if k != root}
    assert document.stepper.position == 3 and shown.scene.active == document.current_pass.steps[2].node
    titles = " ".join(node.title for node in shown.scene.nodes)
    assert "x = 3" in titles and "x = 2" not in titles  # the new run's values, drawn


def test_a_bigger_font_widens_every_box_and_fits_the_view(qapp) -> None:
    document, canvas, controller = make(qapp)
    ran(document, POLYNOMIAL)
    widths = dict(canvas.last.geometry.widths)
    controller.set_font_scale(1.5)
    assert canvas.font_scales == [1.5]
    shown = canvas.last
    assert shown.fit and all(shown.geometry.widths[node] > width for node, width in widths.items())


@pytest.mark.parametrize("orientation, along", [("TB", 1), ("LR", 0)])
def test_the_style_chosen_orders_the_boxes_along_the_flow(qapp, orientation: str, along: int) -> None:
    document, canvas, controller = make(qapp)
    ran(document, POLYNOMIAL)
    document.set_style(LayoutStyle(Orientation.LEFT_TO_RIGHT))
    document.set_style(LayoutStyle(Orientation(orientation)))
    shown = canvas.last
    assert shown.fit and shown.geometry.orientation == orientation
    centres = shown.geometry.centres
    graph = document.current_pass.graph
    assert graph.number_of_edges() > 0
    for node, feeding in graph.edges():  # gradients flow node -> feeding; data the other way
        assert centres[feeding][along] < centres[node][along], (node, feeding)


def test_folding_a_loop_turn_shows_one_box_for_it_and_unfolding_brings_the_members_back(qapp) -> None:
    document, canvas, controller = make(qapp)
    ran(document, LOOP)
    everything = set(document.current_pass.graph.nodes)
    turn = next(group for group in controller.groups() if group.id.startswith("block:"))
    assert document.collapse([turn])
    shown = {node.id for node in canvas.last.scene.nodes}
    assert turn.id in shown and not shown & turn.members
    assert shown == (everything - turn.members) | {turn.id} and canvas.last.fit
    assert set(canvas.last.geometry.centres) == shown
    document.expand(turn.id)
    assert {node.id for node in canvas.last.scene.nodes} == everything and not canvas.last.fit


def test_a_layout_made_off_the_ui_thread_is_shown_as_it_was_made(qapp) -> None:
    document, canvas, controller = make(qapp)
    trace = run_program(POLYNOMIAL)
    laid_out = lay_out_pass(trace, 0, None, 1.0, theme=LIGHT)
    controller.offer(laid_out)
    document.accept_run(POLYNOMIAL, trace, stepper=laid_out.stepper)
    shown = canvas.last
    assert shown.scene is laid_out.scene and shown.geometry is laid_out.geometry
    assert shown.drawing is laid_out.drawing is not None
    document.step("previous")  # the arrays were made for the last step, not this one
    assert canvas.last.drawing is None and canvas.last.geometry is laid_out.geometry
