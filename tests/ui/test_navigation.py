"""Search, folding and the overview map, driven through the window."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from explorer.core.view.folding import GROUP_KIND
from explorer.ui.canvas.navigation import boxes_image
from tests.ui.conftest import run_and_wait
from tests.ui.mouse import click, node_pixel

LOOP = ("x = torch.tensor(0.5, requires_grad=True)\nw = torch.tensor(1.5, requires_grad=True)\n"
        "h = x\nfor i in range(30):\n    h = torch.tanh(h * w) + h\nloss = h * h\nloss.backward()\n")


def test_find_steps_through_matches_and_centres_each(qtbot, window) -> None:
    run_and_wait(qtbot, window, LOOP)
    window.navigation.actions["find"].trigger()
    assert window.navigation.find_bar.isVisible()
    qtbot.keyClicks(window.navigation.find_bar.field, "tanh")
    graph = window.document.current_pass.graph
    tanh_nodes = [node for node, name in graph.nodes(data="name") if name == "TanhBackward0"]
    assert len(window.navigation.find_bar.matches) == len(tanh_nodes) == 30
    assert window.navigation.find_bar.count.text() == "1 of 30"
    first = window.selected
    qtbot.keyClick(window.navigation.find_bar.field, Qt.Key.Key_Return)
    assert window.selected != first and window.selected in tanh_nodes
    x, y = window.controller.geometry.centres[window.selected]
    centre = window.canvas.view_box.viewRect().center()
    assert abs(centre.x() - x) < 1 and abs(centre.y() - y) < 1
    window.navigation.find_bar.field.setText("no such node")
    assert window.navigation.find_bar.count.text() == "no match"
    window.navigation.find_bar.field.setText("loss")
    assert window.navigation.find_bar.matches == [window.document.current_pass.root]


def test_folding_loop_turns_and_unfolding_round_trip(qtbot, window) -> None:
    run_and_wait(qtbot, window, LOOP)
    full = set(window.controller.geometry.centres)
    window.navigation.actions["fold"].trigger()
    folded = window.controller.view_graph
    groups = [node for node, kind in folded.nodes(data="kind") if kind == GROUP_KIND]
    assert len(groups) == 30
    assert len(window.controller.current_scene().nodes) == folded.number_of_nodes() < len(full)
    window.canvas.centre_on(groups[0])
    click(window.canvas.view_widget, node_pixel(window.canvas, groups[0]), double=True)
    assert groups[0] not in window.controller.view_graph
    assert len([n for n, k in window.controller.view_graph.nodes(data="kind") if k == GROUP_KIND]) == 29
    window.navigation.actions["unfold"].trigger()
    assert window.controller.view_graph is None
    assert set(window.controller.geometry.centres) == full


def test_folds_survive_a_value_edit(qtbot, window) -> None:
    run_and_wait(qtbot, window, LOOP)
    window.navigation.actions["fold"].trigger()
    window.variables.select_variable("w")
    with qtbot.waitSignal(window.runFinished, timeout=30_000):
        window.variables.spin.setValue(0.5)
    assert window.controller.view_graph is not None and len(window.controller.collapsed) == 30


def test_hide_leaves_and_overview_map(qtbot, window) -> None:
    run_and_wait(qtbot, window, LOOP)
    assert window.navigation.minimap.isVisible()  # 90+ nodes: the overview appears by itself
    window.navigation.actions["leaves"].trigger()
    kinds = [node.kind for node in window.controller.current_scene().nodes]
    assert "accumulate_grad" not in kinds
    window.navigation.actions["map"].trigger()
    assert not window.navigation.minimap.isVisible()
    run_and_wait(qtbot, window, "x = torch.tensor(1.0, requires_grad=True)\n(x * 2).backward()\n")
    assert not window.navigation.minimap.isVisible()


def test_overview_map_draws_every_node_in_its_state_colour(qtbot, window) -> None:
    run_and_wait(qtbot, window, LOOP)
    window.document.step("jump", window.document.stepper.count // 2)  # done, active and waiting
    minimap, cache, theme = window.navigation.minimap, window.canvas.item.cache, window.theme
    bounds, scale = minimap._mapping()
    image = boxes_image(cache, theme, bounds, scale, minimap.width(), minimap.height())
    wanted = {QColor(theme.state_fill(node.state, node.kind)).rgba() for node in cache.nodes}
    seen = {image.pixel(x, y) for x in range(image.width()) for y in range(image.height())}
    assert seen - {0} == wanted  # each state's colour, nothing else, on a clear background
    for box in cache.node_boxes:
        x, y = int(4 + (box[0] - bounds.left()) * scale), int(4 + (box[1] - bounds.top()) * scale)
        assert image.pixel(x, y) != 0


def _overlapping_boxes(window) -> list[tuple[str, str]]:
    geometry = window.controller.geometry
    nodes = list(geometry.centres)
    return [(a, b) for index, a in enumerate(nodes) for b in nodes[index + 1:]
            if geometry.rect(a).intersects(geometry.rect(b))]


def test_compact_layout_is_smaller_keeps_boxes_apart_and_is_remembered(qtbot, window, settings) -> None:
    run_and_wait(qtbot, window, LOOP)
    before = window.controller.geometry.bounds()
    window.compact_action.trigger()
    after = window.controller.geometry.bounds()
    assert after.height() < 0.9 * before.height() and after.width() <= before.width()
    assert _overlapping_boxes(window) == []
    from explorer.ui.window.main_window import QtMainWindow

    again = QtMainWindow(settings)  # a new window, as at the next launch
    qtbot.addWidget(again)
    assert again.compact_action.isChecked() and again.controller.style.compact


def test_a_big_graph_is_laid_out_again_off_the_ui_thread(qtbot, window, monkeypatch) -> None:
    from explorer.ui.canvas import graph_controller

    monkeypatch.setattr(graph_controller, "BIG_GRAPH", 10)
    run_and_wait(qtbot, window, LOOP)
    trace, position = window.document.trace, window.document.stepper.position - 5
    window.document.step("jump", position)
    before = window.controller.geometry.bounds()
    with qtbot.waitSignal(window.runFinished, timeout=30_000):
        window.compact_action.trigger()
        assert window.controller.geometry.bounds() == before  # the old picture until the new one
    assert window.document.trace is trace and window.document.stepper.position == position
    assert window.controller.geometry.bounds().height() < 0.9 * before.height()
    assert _overlapping_boxes(window) == []


def test_left_to_right_layout_runs_every_edge_rightwards_and_is_remembered(qtbot, window, settings) -> None:
    run_and_wait(qtbot, window, LOOP)
    window.left_to_right_action.trigger()
    geometry, cache = window.controller.geometry, window.canvas.item.cache
    assert geometry.orientation == "LR" and _overlapping_boxes(window) == []
    for edge, points in zip(cache.edges, cache.edge_points):
        # from the right side of the box data comes from to the left side of the box it enters
        assert points[0].x() == geometry.rect(edge.source).right()
        assert points[-1].x() == geometry.rect(edge.target).left()
        assert points[0].x() < points[-1].x()
    from explorer.ui.window.main_window import QtMainWindow

    again = QtMainWindow(settings)
    qtbot.addWidget(again)
    assert again.left_to_right_action.isChecked() and again.controller.style.orientation == "LR"


def test_drawing_made_step_by_step_equals_drawing_made_afresh(qtbot, window) -> None:
    run_and_wait(qtbot, window, LOOP)
    from explorer.ui.canvas.scene_painter import SceneCache

    for how in ["previous"] * 6 + ["next"] * 3 + ["reset", "next", "next"]:
        window.document.step(how)
        item = window.canvas.item
        fresh = SceneCache(item.scene_data, item.geometry, item.theme)
        assert item.cache.nodes == fresh.nodes and item.cache.edges == fresh.edges
        assert item.cache.colours == fresh.colours
