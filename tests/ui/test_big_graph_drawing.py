"""Drawing big graphs cheaply must not change what is drawn: culled frames, merged runs,
bounds worked out ahead, and the export command's start-up."""

from __future__ import annotations

import gc
import random
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QImage, QPainter

from explorer.cli import main
from explorer.core.sandbox.program import run_program
from explorer.core.view.scene import Scene, build_scene
from explorer.core.view.stepper import Stepper
from explorer.ui.canvas.placement import layout_geometry
from explorer.ui.canvas.scene_painter import (
    NODE_HEIGHT,
    Geometry,
    SceneCache,
    _merge_spans,
    fill_drawing_arrays,
    paint_scene,
)
from explorer.ui.window.theme import LIGHT

# a weight used at every turn: its edges run down the whole graph side by side
LOOP = """\
h = torch.tensor([0.5, -0.25], requires_grad=True)
w = torch.tensor([0.9, 1.1], requires_grad=True)
for step in range(40):
    h = h + torch.tanh(h * w)
loss = h.sum()
loss.backward()
"""


@pytest.fixture(scope="module")
def loop() -> tuple[Scene, Geometry]:
    trace = run_program(LOOP)
    assert trace.error is None
    one_pass = trace.passes[0]
    stepper = Stepper(one_pass)
    stepper.to_end()
    _, geometry = layout_geometry(one_pass, build_scene(one_pass, stepper, trace.leaves))
    stepper.jump(stepper.count // 2)  # some edges delivered, some not: several colours
    return build_scene(one_pass, stepper, trace.leaves), geometry


def _frame(scene: Scene, geometry: Geometry, area: QRectF, visible: QRectF | None,
           size: tuple[int, int] = (400, 300)) -> np.ndarray:
    image = QImage(*size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(QColor("white"))
    painter = QPainter(image)
    scale = min(size[0] / area.width(), size[1] / area.height())
    painter.translate(size[0] / 2, size[1] / 2)
    painter.scale(scale, scale)
    painter.translate(-area.center().x(), -area.center().y())
    paint_scene(painter, scene, geometry, LIGHT, visible=visible, cache=SceneCache(scene, geometry, LIGHT))
    painter.end()
    return np.frombuffer(image.constBits(), dtype=np.uint8).reshape(size[1], size[0], 4).copy()


def test_a_culled_frame_is_the_frame_drawn_whole(qapp, loop) -> None:
    scene, geometry = loop
    bounds = geometry.bounds()
    centre = bounds.center()
    # boxes about 12 pixels tall: lines and boxes drawn one by one, text left out
    area = QRectF(centre.x() - 1000, centre.y() - 750, 2000, 1500)
    culled = _frame(scene, geometry, area, area)
    whole = _frame(scene, geometry, area, None)
    assert np.array_equal(culled, whole)
    # and every piece of every edge is on it (lines through the view too, drawn once)
    cache = SceneCache(scene, geometry, LIGHT)
    scale = 400 / area.width()
    inner = area.adjusted(20, 20, -20, -20)
    for left, top, right, bottom in cache.segment_boxes[cache.visible(cache.segment_boxes, inner)]:
        middle_x, middle_y = (left + right) / 2, (top + bottom) / 2
        if inner.contains(middle_x, middle_y):
            column = int((middle_x - area.left()) * scale)
            row = int((middle_y - area.top()) * scale)
            assert np.any(culled[row - 1:row + 2, column - 1:column + 2, :3] != 255)


def test_close_up_draws_only_the_edges_that_end_near_the_view(qapp, loop) -> None:
    scene, geometry = loop
    cache = SceneCache(scene, geometry, LIGHT)
    bounds = geometry.bounds()
    area = QRectF(bounds.center().x() - 400, bounds.center().y() - 250, 800, 500)
    passing = cache.visible_edges(area)
    detailed, runs = cache.edge_work(area, area)
    assert len(detailed) < len(passing)  # weight edges only pass through: drawn as shared runs
    assert runs and all(area.top() <= top <= bottom <= area.bottom() for _, _, top, bottom in runs)


def _reference_merge(spans: list[tuple[int, float, float, float]]) -> list[tuple[int, float, float, float]]:
    merged: list[tuple[int, float, float, float]] = []
    for style, x, top, bottom in sorted(spans):
        if merged and merged[-1][:2] == (style, x) and top <= merged[-1][3]:
            merged[-1] = (style, x, merged[-1][2], max(merged[-1][3], bottom))
        else:
            merged.append((style, x, top, bottom))
    return merged


def test_runs_merge_like_intervals_do() -> None:
    generator = random.Random(3)
    for _ in range(50):
        spans = []
        for _ in range(generator.randint(1, 40)):
            top = float(generator.randint(-500, 500))
            spans.append((generator.randint(0, 2), float(generator.choice((-60, 0, 60))), top,
                          top + generator.randint(0, 300)))
        style, x, top, bottom = (np.array(column) for column in zip(*spans))
        assert sorted(_merge_spans(style, x, top, bottom)) == _reference_merge(spans)


def test_overview_lines_cover_every_segment_in_its_colour(qapp, loop) -> None:
    scene, geometry = loop
    cache = SceneCache(scene, geometry, LIGHT)
    _, lines = cache.overview()
    for edge, points in enumerate(cache.edge_points):
        mine = lines[cache.colours[edge]]
        for a, b in zip(points, points[1:]):
            if a.x() == b.x():
                low, high = sorted((a.y(), b.y()))
                assert any(line.x1() == line.x2() == a.x() and min(line.y1(), line.y2()) <= low
                           and high <= max(line.y1(), line.y2()) for line in mine)
            else:
                assert any({(line.p1().x(), line.p1().y()), (line.p2().x(), line.p2().y())}
                           == {(a.x(), a.y()), (b.x(), b.y())} for line in mine)


def test_bounds_come_with_the_drawing_arrays(qapp, loop) -> None:
    scene, geometry = loop
    fresh = Geometry(dict(geometry.centres), dict(geometry.widths), dict(geometry.bends))
    fill_drawing_arrays(scene, fresh)  # off the UI thread in the app
    assert isinstance(fresh.arrays.get("bounds"), QRectF)
    rects = [fresh.rect(node_id) for node_id in fresh.centres]
    expected = QRectF(min(r.left() for r in rects), min(r.top() for r in rects), 0, 0)
    expected.setRight(max(r.right() for r in rects))
    expected.setBottom(max(r.bottom() for r in rects))
    assert fresh.bounds() == expected.adjusted(-40, -40, 40, 40)
    node_id = next(iter(fresh.centres))
    fresh.centres[node_id] = (1e5, 1e5)
    fresh.moved()
    assert fresh.bounds().bottom() == pytest.approx(1e5 + NODE_HEIGHT / 2 + 40)


def test_export_in_a_longer_lived_process_leaves_the_collector_alone(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    program = tmp_path / "loop.py"
    program.write_text(LOOP)
    calls: list[str] = []
    for name in ("freeze", "unfreeze"):  # what only a one-shot command may do to itself
        monkeypatch.setattr(gc, name, lambda name=name: calls.append(name))
    enabled = gc.isenabled()
    assert main(["export", str(program), "-o", str(tmp_path / "loop.png")]) == 0
    assert calls == [] and gc.isenabled() == enabled
    assert (tmp_path / "loop.png").stat().st_size > 1000

