"""The interactive page on big graphs: writing it, opening it, and panning it in Chromium.

Goal (issue 15): a 10,000-node page pans at 30 frames a second or better (33 ms a frame) in the
browser. Each frame is drawn and flushed to pixels (``measurePan`` in page.js reads a pixel back,
which waits for the drawing). Beside each page frame, the window's own painter (QPainter, the
same scene, the same part of the graph, the same frame size) for reference.

Needs the system chromium (``apt-get install chromium``) and playwright (the ``test`` extra).
Run: ``.venv/bin/python benchmarks/page_bench.py [--nodes 10000] [--frames 40]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch  # noqa: E402
from torch import nn  # noqa: E402

import explorer  # noqa: E402
from explorer.core.capture.trace import Trace  # noqa: E402
from explorer.core.sandbox.program import run_program  # noqa: E402
from explorer.web import PageText, write_page  # noqa: E402

CHROMIUM = os.environ.get("EXPLORER_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--no-first-run", "--disable-sync"]
WINDOW = (1366, 768)  # the page's canvas is what the toolbar and side panel leave of it
GOAL_MS = 1000 / 30


def loop_chain(nodes: int) -> Trace:
    """A code box loop: three nodes a turn, two leaves used by every turn (two long buses)."""
    code = ("import torch\nx = torch.tensor(0.5, requires_grad=True)\n"
            "w = torch.tensor(0.9, requires_grad=True)\nh = x\n"
            f"for i in range({nodes // 3}):\n    h = torch.sin(h) * w + x\nh.backward()\n")
    return run_program(code)


def residual_mlp(nodes: int) -> Trace:
    """Your own model through the Python API: a residual MLP applied again and again."""
    torch.manual_seed(0)
    fc1, fc2 = nn.Linear(16, 16), nn.Linear(16, 16)
    model = nn.ModuleDict({"fc1": fc1, "fc2": fc2})
    h = torch.randn(4, 16)
    for _ in range(nodes // 6):  # six nodes a turn
        h = h + fc2(torch.relu(fc1(h)))
    return explorer.trace(h.sum(), model=model)


GRAPHS: dict[str, Callable[[int], Trace]] = {"loop chain (code box)": loop_chain,
                                             "residual MLP (explorer.trace)": residual_mlp}


def window_frames(trace: Trace, views: dict[str, tuple[float, float, float]], canvas: tuple[int, int],
                  repeats: int) -> dict[str, float]:
    """Median ms of the window's painter on the same views (centre x, centre y, scale)."""
    from PySide6.QtCore import QRectF  # noqa: TID251 - the window's painter, for reference
    from PySide6.QtGui import QColor, QGuiApplication, QImage, QPainter  # noqa: TID251

    from explorer.ui.canvas.placement import final_scene, layout_geometry
    from explorer.ui.canvas.scene_painter import SceneCache, paint_scene
    from explorer.ui.window.theme import LIGHT

    QGuiApplication.instance() or QGuiApplication([])
    one_pass = trace.passes[0]
    scene = final_scene(trace, one_pass)
    _, geometry = layout_geometry(one_pass, scene)
    cache = SceneCache(scene, geometry, LIGHT)
    result = {}
    for name, (x, y, scale) in views.items():
        width, height = canvas[0] / scale, canvas[1] / scale
        area = QRectF(x - width / 2, y - height / 2, width, height)
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            image = QImage(canvas[0], canvas[1], QImage.Format.Format_ARGB32_Premultiplied)
            image.fill(QColor(LIGHT.background))
            painter = QPainter(image)
            painter.scale(scale, scale)
            painter.translate(-area.left(), -area.top())
            paint_scene(painter, scene, geometry, LIGHT, visible=area, cache=cache)
            painter.end()
            times.append(time.perf_counter() - started)
        result[name] = statistics.median(times) * 1000
    return result


def measure(name: str, trace: Trace, frames: int, browser: Any, folder: Path) -> list[str]:
    nodes = trace.passes[0].graph.number_of_nodes()
    path = folder / "page.html"
    started = time.perf_counter()
    write_page(path, trace, PageText(title=name))
    written = time.perf_counter() - started
    page = browser.new_page(viewport={"width": WINDOW[0], "height": WINDOW[1]})
    started = time.perf_counter()
    page.goto(path.as_uri())
    page.wait_for_selector("html[data-ready=true]", state="attached", timeout=300_000)
    loaded = time.perf_counter() - started
    page.evaluate("window.explorerPage.setFolded(false)")  # every node on the canvas
    bounds, root, fit, canvas = page.evaluate("""() => { const p = window.explorerPage, r = p.rootBox();
        return [p.picture.bounds, [p.picture.x[r], p.picture.y[r]], p.fitScale(),
                [p.renderer.width, p.renderer.height]]; }""")
    middle = ((bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2)
    views = {"whole graph": (*middle, fit), "a tenth": (*middle, fit * 10), "close up (1:1)": (*root, 1.0)}
    rows = []
    reference = window_frames(trace, views, (round(canvas[0]), round(canvas[1])), 5)
    for view, (x, y, scale) in views.items():
        times = page.evaluate("([n, s, x, y]) => window.explorerPage.measurePan(n, s, x, y)",
                              [frames, scale, x, y])
        median = statistics.median(times)
        p95 = sorted(times)[int(0.95 * (len(times) - 1))]
        drawn = page.evaluate("window.explorerPage.snapshot().visible")
        verdict = "yes" if p95 <= GOAL_MS else "NO"
        rows.append(f"| {name} | {nodes:,} | {view} | {drawn:,} | {median:6.1f} | {p95:6.1f} | "
                    f"{1000 / median:5.0f} | {verdict} | {reference[view]:6.1f} |")
    size = path.stat().st_size / 1e6
    rows.append(f"| {name} | {nodes:,} | page written in {written:.1f} s, {size:.1f} MB, "
                f"opened in {loaded:.1f} s | | | | | | |")
    page.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=10_000)
    parser.add_argument("--frames", type=int, default=40)
    parser.add_argument("--smoke", action="store_true", help="tiny inputs, a few seconds: checks the script runs")
    options = parser.parse_args()
    if options.smoke:
        options.nodes, options.frames = 60, 2
    from playwright.sync_api import sync_playwright

    print(f"Panning a {options.nodes:,}-node page in headless Chromium ({WINDOW[0]}×{WINDOW[1]} window, "
          f"software drawing); goal: 95% of frames within {GOAL_MS:.1f} ms (30 fps)\n")
    print("| graph | nodes | view | boxes drawn | page median ms | page p95 ms | page fps | "
          "30 fps? | window (QPainter) median ms |")
    print("|---|---:|---|---:|---:|---:|---:|---|---:|")
    with sync_playwright() as playwright, tempfile.TemporaryDirectory() as folder:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        for name, build in GRAPHS.items():
            for row in measure(name, build(options.nodes), options.frames, browser, Path(folder)):
                print(row, flush=True)
        browser.close()


if __name__ == "__main__":
    main()
