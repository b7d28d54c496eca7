"""Painting: the canvas draws only what is on screen, and drawing leaks nothing."""

from __future__ import annotations

import sys

from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QImage, QPainter

from explorer.core.program import run_program
from explorer.core.scene import build_scene
from explorer.core.stepper import Stepper
from explorer.ui.placement import final_scene, layout_geometry
from explorer.ui.scene_painter import SceneCache, paint_scene
from explorer.ui.theme import LIGHT
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


def test_zoomed_out_overview_still_draws_every_box(qapp) -> None:
    scene, geometry = _scene()
    bounds = geometry.bounds()
    image = QImage(40, 40, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(QColor("white"))
    painter = QPainter(image)
    scale = 40 / max(bounds.width(), bounds.height())  # boxes about a pixel tall: overview mode
    painter.scale(scale, scale)
    painter.translate(-bounds.left(), -bounds.top())
    paint_scene(painter, scene, geometry, LIGHT)
    painter.end()
    coloured = sum(1 for x in range(40) for y in range(40) if image.pixelColor(x, y).name() != "#ffffff")
    assert coloured > 10
