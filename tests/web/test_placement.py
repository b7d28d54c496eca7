"""The page's placement, made without Qt, against the window's own (Qt offscreen here, from
pytest-qt's ``qapp``)."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor, QImage, QPainter  # noqa: TID251 - the window's painting

from explorer.core.sandbox.program import run_program
from explorer.core.view import themes
from explorer.core.view.scene import build_scene
from explorer.core.view.stepper import Stepper
from explorer.examples import example
from explorer.ui.canvas import placement as window_placement
from explorer.ui.canvas import scene_painter
from explorer.ui.canvas.placement import final_scene, layout_geometry
from explorer.ui.window import theme
from explorer.web import placement
from explorer.web.metrics import text_width

PROGRAMS = ["polynomial", "linear_layer", "mlp_four_points", "softmax_cross_entropy", "vanishing_tanh",
            "straight_through"]


@pytest.fixture(autouse=True)
def application(qapp):  # pytest-qt's QApplication: widget tests later in the run need that kind
    return qapp


def test_the_page_uses_the_windows_sizes() -> None:
    for name in ("LAYER_SPACING", "COLUMN_SPACING", "NODE_HEIGHT", "MIN_NODE_WIDTH", "PADDING", "GAP"):
        assert getattr(placement, name) == getattr(scene_painter, name), name
    assert placement.COMPACT_SPACING == window_placement.COMPACT_SPACING


def test_label_widths_match_qts_font_metrics() -> None:
    for slug in PROGRAMS:
        trace = run_program(example(slug).source())
        for node in final_scene(trace, trace.passes[0]).nodes:
            for text, bold in ((node.title, True), (node.torch_line, False), (node.subtitle, False),
                               (node.running_sum, False)):
                # measured character by character: kerning ("Ta") makes Qt's a little narrower,
                # and a label a little wider than its text is harmless
                qt = scene_painter.text_width(text, bold, 1.0)
                assert -1.0 <= text_width(text, bold) - qt <= 0.02 * qt + 1.0, text


@pytest.mark.parametrize("slug", PROGRAMS)
@pytest.mark.parametrize("orientation, compact", [("TB", False), ("TB", True), ("LR", False)])
def test_boxes_go_where_the_window_puts_them(slug: str, orientation: str, compact: bool) -> None:
    trace = run_program(example(slug).source())
    one_pass = trace.passes[0]
    scene = final_scene(trace, one_pass)
    _, geometry = layout_geometry(one_pass, scene, orientation=orientation, compact=compact)
    placed = placement.place(one_pass, scene, orientation=orientation, compact=compact)
    for node_id, width in geometry.widths.items():
        assert -1.0 <= placed.widths[node_id] - width <= 0.02 * width + 1.0
    exact = placement.place(one_pass, scene, orientation=orientation, compact=compact, widths=geometry.widths)
    assert exact.centres == geometry.centres and exact.bends == geometry.bends  # the same placement


@pytest.mark.parametrize("name", list(themes.THEMES))
def test_the_window_draws_with_the_cores_colours(name: str) -> None:
    trace = run_program(example("polynomial").source())
    one_pass = trace.passes[0]
    _, geometry = layout_geometry(one_pass, final_scene(trace, one_pass))
    stepper = Stepper(one_pass)
    stepper.jump(4)  # some nodes done, one running, some waiting, a leaf
    scene = build_scene(one_pass, stepper, trace.leaves)
    core = themes.THEMES[name]  # what the page draws with
    wanted = {node.id: QColor(core.state_fill(node.state, node.kind)).name() for node in scene.nodes}
    assert len(set(wanted.values())) >= 3
    bounds = geometry.bounds()
    image = QImage(int(bounds.width()) + 1, int(bounds.height()) + 1, QImage.Format.Format_ARGB32)
    image.fill(QColor(core.background))
    painter = QPainter(image)
    painter.translate(-bounds.left(), -bounds.top())
    scene_painter.paint_scene(painter, scene, geometry, theme.THEMES[name])  # as the window does
    painter.end()
    for node in scene.nodes:
        rect = geometry.rect(node.id)
        # inside the box, left of its centred text and clear of its outline
        x, y = rect.left() + 7 - bounds.left(), rect.center().y() - bounds.top()
        assert image.pixelColor(int(x), int(y)).name() == wanted[node.id], (node.id, node.state)
