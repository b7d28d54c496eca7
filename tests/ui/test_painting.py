"""Painting: the canvas draws only what is on screen, and drawing leaks nothing."""

from __future__ import annotations

import sys

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QImage, QPainter

from explorer.core.sandbox.program import run_program
from explorer.core.view.scene import build_scene
from explorer.core.view.stepper import Stepper
from explorer.ui.canvas.placement import final_scene, layout_geometry
from explorer.ui.canvas.scene_painter import NODE_HEIGHT, OVERVIEW_BELOW, SceneCache, paint_scene
from explorer.ui.window.theme import LIGHT
from tests.core.programs import POLYNOMIAL


def _scene():
    trace = run_program(POLYNOMIAL)
    one_pass = trace.passes[0]
    _, geometry = layout_geometry(one_pass, final_scene(trace, one_pass))
    stepper = Stepper(one_pass)
    stepper.jump(4)
    return build_scene(one_pass, stepper, trace.leaves), geometry


def test_painting_many_frames_does_not_leak_references_to_none(qapp) -> None:
    # PySide6 6.12.0 dropped a reference to None in every QPainter setter, which kills Python
    # 3.11 after some thousands of frames; the dependency pin keeps that release out.
    scene, geometry = _scene()
    cache = SceneCache(scene, geometry, LIGHT)
    image = QImage(800, 600, QImage.Format.Format_ARGB32_Premultiplied)
    before = sys.getrefcount(None)
    for _ in range(300):
        painter = QPainter(image)
        paint_scene(painter, scene, geometry, LIGHT, cache=cache)
        painter.end()
    assert abs(sys.getrefcount(None) - before) < 50


def test_only_visible_nodes_are_drawn(qapp) -> None:
    scene, geometry = _scene()
    cache = SceneCache(scene, geometry, LIGHT)
    everything = cache.visible(cache.node_boxes, None)
    assert len(everything) == len(scene.nodes)
    root = next(node for node in scene.nodes if node.is_root)
    corner = geometry.rect(root.id).adjusted(-5, -5, 5, 5)
    shown = [cache.nodes[index].id for index in cache.visible(cache.node_boxes, corner)]
    assert root.id in shown and len(shown) < len(scene.nodes)
    nowhere = QRectF(1e6, 1e6, 10, 10)
    assert len(cache.visible(cache.node_boxes, nowhere)) == 0


def test_zoomed_out_overview_draws_every_box_in_its_states_colour(qapp) -> None:
    scene, geometry = _scene()
    assert len({node.state for node in scene.nodes}) >= 3  # done, active, waiting: colours to tell apart
    bounds = geometry.bounds()
    image = QImage(40, 40, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(QColor("white"))
    painter = QPainter(image)
    scale = 40 / max(bounds.width(), bounds.height())
    assert scale * NODE_HEIGHT < OVERVIEW_BELOW  # boxes a few pixels tall: the overview draws them
    painter.scale(scale, scale)
    painter.translate(-bounds.left(), -bounds.top())
    to_image = painter.worldTransform()
    paint_scene(painter, scene, geometry, LIGHT)
    painter.end()
    for node in scene.nodes:
        # the pixels whose centres lie inside the box (half a pixel in from its edges)
        box = to_image.mapRect(geometry.rect(node.id)).adjusted(0.5, 0.5, -0.5, -0.5)
        inside = [(x, y) for x in range(40) for y in range(40) if box.contains(QPointF(x + 0.5, y + 0.5))]
        assert len(inside) >= 4, node.id  # boxes stay a few pixels wide and tall
        fill = QColor(LIGHT.state_fill(node.state, node.kind)).name()
        drawn = {image.pixelColor(x, y).name() for x, y in inside}
        assert drawn == {fill}, (node.id, node.state, drawn)
