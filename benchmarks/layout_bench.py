"""Big autograd graphs: our layered layout and first frame against torchviz + Graphviz ``dot``.

Run: pip install .[bench] (and the system ``graphviz`` package), then
    python benchmarks/layout_bench.py [--sizes 1000 10000 100000] [--timeout 60] [--skip-dot]
        [--graphs "residual MLP loop" ...] [--export-repeats 3]

Graphs come from real torch code with random weights (nothing downloaded): a deep chain of unary
ops, a residual MLP loop (``h = h + fc2(relu(fc1(h)))``, the same two ``nn.Linear`` every turn:
every weight feeds every step), a small CNN of residual conv/batch-norm blocks, and
``nn.TransformerEncoderLayer`` stacked N times (each layer its own weights). Each is sized to
about the requested number of autograd nodes and walked with ``explorer.core.capture.graph.walk``.

Columns of the main table, all measured in the same run on the same walked graph:
- layout: ``layered_layout`` alone (default widths).
- first frame: what the app does before the first picture, from the walked graph: the scene
  (``build_scene`` of a pass built directly from the walked graph, with no backward steps
  recorded: every node in its "not reached" state; no code box program is run, so the time of
  running the torch code is left out on both sides), ``layout_geometry`` (widths from the
  labels, the layout, scene units), the painter's arrays and one offscreen ``paint_scene`` of the
  whole graph into a 1600x1000 QImage.
- crossings (layers): ours counted on the layered graph, a shared bus segment once.
- crossings (drawn): edge crossings counted geometrically on the drawn polylines, ours and
  dot's alike (dot's splines sampled from ``dot -Tplain``; ours split at every layer and
  identical pieces merged, since a bus shared by many edges is drawn once), only where dot
  finished.
- torchviz + dot: ``make_dot`` plus ``dot -Tsvg`` (and ``-Tplain`` in the same run: one layout),
  under a time limit (shown "> T s") and a memory limit; torchviz's graph is the same one plus
  a node for the output tensor. ``make_dot`` recurses once per level of depth, so it runs in a
  thread with a big stack and a raised recursion limit; a failure is shown as such.

Then the frame time of panning and zooming at about 10,000 nodes (offscreen, at three zoom
levels, median of several frames), and the whole-process time of
``autograd-explorer export big.py -o out.png`` on a 10,000-node code box program (median of a
few runs; a graph this big is exported as its summary, loop turns folded into a repeat block)
beside torchviz's ``make_dot`` + ``dot -Tpng`` of the same program run by Python, with each
picture's legibility: its size, the height of its body text (at least 8 px counts as legible)
and how many node names tesseract reads in it, where tesseract is installed.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import numpy as np
import torch
from torch import nn

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QRectF  # noqa: E402, TID251  (after choosing the offscreen platform)
from PySide6.QtGui import QColor, QImage, QPainter  # noqa: E402, TID251
from PySide6.QtWidgets import QApplication  # noqa: E402, TID251

from explorer.core.capture.graph import walk  # noqa: E402
from explorer.core.capture.trace import Pass  # noqa: E402
from explorer.core.view.layout import layered_layout  # noqa: E402
from explorer.core.view.scene import Scene, build_scene  # noqa: E402
from explorer.core.view.stepper import Stepper  # noqa: E402
from explorer.ui.canvas.placement import layout_geometry  # noqa: E402
from explorer.ui.canvas.scene_painter import LAYER_SPACING, Geometry, SceneCache, paint_scene  # noqa: E402
from explorer.ui.window.theme import THEMES  # noqa: E402

FRAME = (1600, 1000)  # pixels of the offscreen frames
BIG_STACK = 1024**3  # bytes: freeing a graph 100,000 deep recurses (see ``release``)
USUAL_STACK = 8 * 1024**2
DOT_MEMORY = 4 * 1024**3  # bytes of address space dot may use: it can eat 23 GB on hub graphs
PAN_ZOOM_NODES = 10_000
PAN_ZOOM_GRAPHS = ("residual MLP loop", "transformer stacked")

# --- graphs from real torch code --------------------------------------------------------------


def deep_chain(units: int) -> torch.Tensor:
    h = torch.tensor(0.5, requires_grad=True)
    for _ in range(units):
        h = h.sin()
    return h


def residual_mlp(units: int) -> torch.Tensor:
    torch.manual_seed(0)
    fc1, fc2 = nn.Linear(16, 16), nn.Linear(16, 16)
    h = torch.randn(4, 16)
    for _ in range(units):
        h = h + fc2(torch.relu(fc1(h)))
    return h.sum()


class ConvBlock(nn.Module):
    """conv, batch norm, relu, conv, batch norm, plus the skip: a ResNet basic block."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1)
        self.norm1 = nn.BatchNorm2d(channels)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1)
        self.norm2 = nn.BatchNorm2d(channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        inner = self.norm2(self.conv2(torch.relu(self.norm1(self.conv1(x)))))
        return torch.relu(x + inner)


def small_cnn(units: int) -> torch.Tensor:
    torch.manual_seed(0)
    stem = nn.Conv2d(1, 4, 3, padding=1)
    blocks = nn.Sequential(*[ConvBlock(4) for _ in range(units)])
    head = nn.Linear(4 * 6 * 6, 10)
    return head(blocks(stem(torch.randn(2, 1, 6, 6))).flatten(1)).logsumexp(1).sum()


def transformer(units: int) -> torch.Tensor:
    torch.manual_seed(0)
    h = torch.randn(2, 4, 8)
    for _ in range(units):
        layer = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0,
                                           batch_first=True)
        h = layer(h)
    return h.sum()


GRAPHS: dict[str, Callable[[int], torch.Tensor]] = {
    "deep chain": deep_chain,
    "residual MLP loop": residual_mlp,
    "small CNN stacked": small_cnn,
    "transformer stacked": transformer,
}


def sized(build: Callable[[int], torch.Tensor], nodes: int) -> tuple[list[torch.Tensor],
                                                                     nx.MultiDiGraph]:
    """The graph of ``build`` with about ``nodes`` nodes: two small builds give nodes per unit.

    The root comes in a list, to be freed by ``release``.
    """
    small, large = (len(walk([build(units).grad_fn]).graph) for units in (2, 4))
    per_unit = (large - small) / 2
    units = max(1, round((nodes - (small - 2 * per_unit)) / per_unit))
    holder = [build(units)]
    return holder, walk([holder[0].grad_fn]).graph


def ensure_big_stack() -> None:
    """Run this script again with a 1 GB stack, so that freeing deep graphs cannot kill it.

    Freeing an autograd graph more than some 50,000 nodes deep, once walked (its nodes then
    carry Python metadata), overflows an 8 MB stack and kills the process with a segmentation
    fault (torch 2.13): deallocation recurses down the chain.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_STACK)
    if soft == resource.RLIM_INFINITY or soft >= BIG_STACK:
        return
    if hard != resource.RLIM_INFINITY and hard < BIG_STACK:
        return  # cannot: ``release`` still frees the graphs it is given on a big stack
    resource.setrlimit(resource.RLIMIT_STACK, (BIG_STACK, hard))
    os.execv(sys.executable, [sys.executable, *sys.argv])


def release(holder: list[torch.Tensor]) -> None:
    """Free a graph in a thread with a big stack (see ``ensure_big_stack``)."""
    previous = threading.stack_size(BIG_STACK)
    try:
        thread = threading.Thread(target=holder.clear)
        thread.start()
        thread.join()
    finally:
        threading.stack_size(previous)


# --- our side -----------------------------------------------------------------------------------


def scene_of(graph: nx.MultiDiGraph) -> tuple[Pass, Scene]:
    """A pass made straight from a walked graph (no steps recorded) and its scene at step 0."""
    roots = [node for node in graph if graph.in_degree(node) == 0]
    one_pass = Pass(0, "backward", 0, roots, graph, [], [None], {}, {}, {})
    return one_pass, build_scene(one_pass, Stepper(one_pass), [])


def fit_painter(painter: QPainter, area: QRectF) -> None:
    """Map ``area`` of the scene onto the whole frame, keeping the aspect ratio (as the canvas)."""
    scale = min(FRAME[0] / area.width(), FRAME[1] / area.height())
    painter.translate(FRAME[0] / 2, FRAME[1] / 2)
    painter.scale(scale, scale)
    painter.translate(-area.center().x(), -area.center().y())


def paint_frame(scene: Scene, geometry: Geometry, cache: SceneCache, area: QRectF) -> None:
    image = QImage(FRAME[0], FRAME[1], QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(QColor(THEMES["light"].background))
    painter = QPainter(image)
    fit_painter(painter, area)
    paint_scene(painter, scene, geometry, THEMES["light"], visible=area, cache=cache)
    painter.end()


@dataclass
class Ours:
    layout_seconds: float
    frame_seconds: float
    crossings: int
    geometry: Geometry
    cache: SceneCache
    scene: Scene


def measure_ours(graph: nx.MultiDiGraph) -> Ours:
    started = time.perf_counter()
    layout = layered_layout(graph)
    layout_seconds = time.perf_counter() - started
    started = time.perf_counter()
    one_pass, scene = scene_of(graph)
    _, geometry = layout_geometry(one_pass, scene)
    cache = SceneCache(scene, geometry, THEMES["light"])
    paint_frame(scene, geometry, cache, geometry.bounds())
    frame_seconds = time.perf_counter() - started
    return Ours(layout_seconds, frame_seconds, layout.crossings, geometry, cache, scene)


def measure_sized(build: Callable[[int], torch.Tensor], nodes: int) -> Ours:
    holder, graph = sized(build, nodes)
    ours = measure_ours(graph)
    release(holder)
    return ours


def our_polylines(ours: Ours) -> list[np.ndarray]:
    """Our drawn edges as polylines in scene units, split at every layer so that the pieces of a
    shared bus coincide exactly (and are merged by the counter)."""
    lines = []
    for points in ours.cache.edge_points:
        xy = np.array([(point.x(), point.y()) for point in points])
        lines.append(_split_at_layers(xy))
    return lines


def _split_at_layers(xy: np.ndarray) -> np.ndarray:
    pieces = [xy[:1]]
    for (x1, y1), (x2, y2) in zip(xy[:-1], xy[1:]):
        low, high = sorted((y1, y2))
        cuts = np.arange(np.floor(low / LAYER_SPACING) + 1, np.ceil(high / LAYER_SPACING)) \
            * LAYER_SPACING
        cuts = cuts[(cuts > low) & (cuts < high)]
        if y2 < y1:
            cuts = cuts[::-1]
        if cuts.size:
            share = (cuts - y1) / (y2 - y1)
            pieces.append(np.column_stack([x1 + share * (x2 - x1), cuts]))
        pieces.append(np.array([[x2, y2]]))
    return np.concatenate(pieces)


# --- crossings of drawn polylines ---------------------------------------------------------------


def drawn_crossings(polylines: Sequence[np.ndarray]) -> int:
    """Proper crossings between segments of different polylines (touching ends do not count).

    Identical segments are counted once (a shared run is one line on screen). Segments are
    bucketed in a grid; a crossing is counted in the one cell holding its crossing point.
    """
    segments, owners = _segments(polylines)
    if len(segments) < 2:
        return 0
    cell_size = _cell_size(segments)
    cell_ids, entries = _cells(segments, cell_size)
    order = np.lexsort((entries, cell_ids))
    cell_ids, entries = cell_ids[order], entries[order]
    total = 0
    for offset in range(1, len(entries)):
        same = np.flatnonzero(cell_ids[offset:] == cell_ids[:-offset])
        if not same.size:
            break
        first, second = entries[same], entries[same + offset]
        total += _count_pairs(segments, owners, first, second, cell_ids[same], cell_size)
    return total


def _segments(polylines: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    rows = [np.column_stack([line[:-1], line[1:], np.full(len(line) - 1, index)])
            for index, line in enumerate(polylines) if len(line) > 1]
    table = np.concatenate(rows) if rows else np.zeros((0, 5))
    table = table[np.any(table[:, 0:2] != table[:, 2:4], axis=1)]  # no zero-length pieces
    rounded = np.round(table[:, :4], 3)
    _, unique = np.unique(rounded, axis=0, return_index=True)
    table = table[np.sort(unique)]
    return table[:, :4], table[:, 4].astype(np.int64)


def _cell_size(segments: np.ndarray) -> float:
    spans = np.abs(segments[:, 2:4] - segments[:, 0:2])
    return float(max(np.median(spans.max(axis=1)), 1.0))


def _cells(segments: np.ndarray, size: float) -> tuple[np.ndarray, np.ndarray]:
    """Every (cell, segment) pair where the segment's bounding box touches the cell."""
    low = np.floor(np.minimum(segments[:, 0:2], segments[:, 2:4]) / size).astype(np.int64)
    high = np.floor(np.maximum(segments[:, 0:2], segments[:, 2:4]) / size).astype(np.int64)
    counts_x, counts_y = high[:, 0] - low[:, 0] + 1, high[:, 1] - low[:, 1] + 1
    per_segment = counts_x * counts_y
    segment = np.repeat(np.arange(len(segments)), per_segment)
    rank = np.arange(len(segment)) - np.repeat(np.cumsum(per_segment) - per_segment, per_segment)
    cx = low[segment, 0] + rank % counts_x[segment]
    cy = low[segment, 1] + rank // counts_x[segment]
    return _cell_key(cx, cy), segment


def _cell_key(cx: np.ndarray, cy: np.ndarray) -> np.ndarray:
    return (cy + 2**30) * 2**31 + (cx + 2**30)


def _count_pairs(segments: np.ndarray, owners: np.ndarray, first: np.ndarray,
                 second: np.ndarray, cells: np.ndarray, size: float) -> int:
    keep = owners[first] != owners[second]
    first, second, cells = first[keep], second[keep], cells[keep]
    a, b = segments[first], segments[second]
    p, r = a[:, 0:2], a[:, 2:4] - a[:, 0:2]
    q, s = b[:, 0:2], b[:, 2:4] - b[:, 0:2]
    denominator = r[:, 0] * s[:, 1] - r[:, 1] * s[:, 0]
    qp = q - p
    with np.errstate(divide="ignore", invalid="ignore"):
        t = (qp[:, 0] * s[:, 1] - qp[:, 1] * s[:, 0]) / denominator
        u = (qp[:, 0] * r[:, 1] - qp[:, 1] * r[:, 0]) / denominator
    epsilon = 1e-9
    proper = (np.abs(denominator) > epsilon) & (t > epsilon) & (t < 1 - epsilon) \
        & (u > epsilon) & (u < 1 - epsilon)
    point = p[proper] + t[proper, None] * r[proper]
    home = _cell_key(np.floor(point[:, 0] / size).astype(np.int64),
                     np.floor(point[:, 1] / size).astype(np.int64))
    return int(np.count_nonzero(home == cells[proper]))


# --- torchviz and dot ---------------------------------------------------------------------------


@dataclass
class Dot:
    seconds: float | None  # None: did not finish
    status: str  # "ok", "> 60 s", "out of memory", ...
    polylines: list[np.ndarray]


def measure_dot(root: torch.Tensor, timeout: float, workdir: Path) -> Dot:
    started = time.perf_counter()
    try:
        source = _make_dot_source(root)
    except RecursionError:
        return Dot(None, "torchviz: recursion", [])
    dot_file, svg, plain = workdir / "g.dot", workdir / "g.svg", workdir / "g.plain"
    dot_file.write_text(source)
    command = ["dot", "-Tsvg", f"-o{svg}", "-Tplain", f"-o{plain}", str(dot_file)]
    try:
        finished = subprocess.run(command, capture_output=True, timeout=timeout,
                                  preexec_fn=_limit_memory, check=False)
    except subprocess.TimeoutExpired:
        return Dot(None, f"> {timeout:g} s", [])
    seconds = time.perf_counter() - started
    if finished.returncode != 0:
        reason = "out of memory" if b"memory" in finished.stderr.lower() or \
            finished.returncode < 0 else f"dot failed ({finished.returncode})"
        return Dot(None, reason, [])
    return Dot(seconds, "ok", plain_polylines(plain.read_text()))


def _make_dot_source(root: torch.Tensor) -> str:
    """torchviz's ``make_dot`` recurses once per level: give it room in a thread of its own."""
    from torchviz import make_dot  # benchmark-only extra

    result: dict[str, object] = {}

    def run() -> None:
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(1_000_000)
        try:
            result["source"] = make_dot(root).source
        except RecursionError as error:
            result["error"] = error
        finally:
            sys.setrecursionlimit(limit)

    previous = threading.stack_size(BIG_STACK)
    try:
        thread = threading.Thread(target=run)
        thread.start()
        thread.join()
    finally:
        threading.stack_size(previous)
    if "error" in result:
        raise RecursionError(str(result["error"]))
    return str(result["source"])


def _limit_memory() -> None:
    """Cap dot's memory, and give it back the usual 8 MB stack: with this script's 1 GB one,
    the address space of dot's stack reservations alone ran into the cap."""
    resource.setrlimit(resource.RLIMIT_AS, (DOT_MEMORY, DOT_MEMORY))
    _, hard = resource.getrlimit(resource.RLIMIT_STACK)
    resource.setrlimit(resource.RLIMIT_STACK, (USUAL_STACK, hard))


def plain_polylines(text: str) -> list[np.ndarray]:
    """Every edge of ``dot -Tplain`` output as a polyline sampled from its B-spline."""
    lines = []
    for line in text.splitlines():
        if not line.startswith("edge "):
            continue
        fields = shlex.split(line)
        count = int(fields[3])
        controls = np.array(fields[4:4 + 2 * count], dtype=float).reshape(count, 2)
        lines.append(_sample_bezier(controls))
    return lines


def _sample_bezier(controls: np.ndarray, steps: int = 8) -> np.ndarray:
    """dot's edge splines are cubic Bezier pieces sharing ends: 1 + 3k control points."""
    t = np.linspace(0.0, 1.0, steps + 1)[:, None]
    points = [controls[:1]]
    for start in range(0, len(controls) - 3, 3):
        p0, p1, p2, p3 = controls[start:start + 4]
        curve = ((1 - t) ** 3 * p0 + 3 * (1 - t) ** 2 * t * p1 + 3 * (1 - t) * t**2 * p2
                 + t**3 * p3)
        points.append(curve[1:])
    return np.concatenate(points)


# --- pan and zoom, export -----------------------------------------------------------------------


def pan_zoom_frames(ours: Ours, repeats: int = 7) -> dict[str, float]:
    """Median milliseconds of one frame at three zoom levels, the scene's arrays kept (as the
    canvas keeps them between frames)."""
    bounds = ours.geometry.bounds()
    centre = bounds.center()

    def around(width: float, height: float) -> QRectF:
        return QRectF(centre.x() - width / 2, centre.y() - height / 2, width, height)

    tenth = around(bounds.width() / 10, bounds.height() / 10)
    views = {"whole graph": bounds, "a tenth": tenth, "close up (1:1)": around(*FRAME)}
    result = {}
    for name, area in views.items():
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            paint_frame(ours.scene, ours.geometry, ours.cache, area)
            times.append(time.perf_counter() - started)
        result[name] = statistics.median(times) * 1000
    return result


EXPORT_PROGRAM = """\
# a residual loop of about {nodes} autograd nodes
h = torch.tensor([0.5, -0.25], requires_grad=True)
w = torch.tensor([0.9, 1.1], requires_grad=True)
for step in range({turns}):
    h = h + torch.tanh(h * w)
loss = h.sum()
loss.backward()
"""


def export_seconds(nodes: int, workdir: Path, repeats: int) -> tuple[list[float], int, str]:
    """Whole-process seconds of ``autograd-explorer export`` on a code box program, each of
    ``repeats`` runs (a process start varies by a tenth of a second from run to run)."""
    program = workdir / "big.py"
    program.write_text(EXPORT_PROGRAM.format(nodes=nodes, turns=(nodes - 4) // 3))
    command = [sys.executable, "-m", "explorer", "export", str(program), "-o",
               str(workdir / "out.png")]
    if shutil.which("autograd-explorer"):
        command = ["autograd-explorer", *command[3:]]
    environment = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    times = []
    for _ in range(max(1, repeats)):
        started = time.perf_counter()
        finished = subprocess.run(command, capture_output=True, env=environment, check=False)
        times.append(time.perf_counter() - started)
        if finished.returncode != 0:
            break
    return times, finished.returncode, finished.stderr.decode(errors="replace")[-300:]


# --- the report ---------------------------------------------------------------------------------


def _seconds(value: float | None, status: str = "") -> str:
    return f"{value:.2f} s" if value is not None else status


def measure_row(name: str, build: Callable[[int], torch.Tensor], size: int,
                options: argparse.Namespace, workdir: Path) -> Ours:
    """Print one row of the table: ours, then torchviz + dot, on the same graph."""
    holder, graph = sized(build, size)
    ours = measure_ours(graph)
    drawn, dot_text = "", "skipped"
    if not options.skip_dot:
        dot = measure_dot(holder[0], options.timeout, workdir)
        dot_text = _seconds(dot.seconds, dot.status)
        if dot.seconds is not None:
            drawn = (f"{drawn_crossings(our_polylines(ours)):,} / "
                     f"{drawn_crossings(dot.polylines):,}")
    release(holder)
    print(f"{name:<20} | {len(graph):>7,} | {graph.number_of_edges():>7,} | "
          f"{_seconds(ours.layout_seconds):>8} | {_seconds(ours.frame_seconds):>9} | "
          f"{ours.crossings:>14,} | {drawn or '-':>22} | {dot_text:>18}", flush=True)
    return ours


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds dot may take")
    parser.add_argument("--skip-dot", action="store_true", help="leave torchviz and dot out")
    parser.add_argument("--graphs", nargs="+", choices=list(GRAPHS), default=list(GRAPHS),
                        metavar="NAME", help=f"only these graphs (of: {', '.join(GRAPHS)})")
    parser.add_argument("--export-repeats", type=int, default=3, metavar="N",
                        help="runs of the export command (median shown; 0 leaves it out)")
    parser.add_argument("--smoke", action="store_true", help="tiny graphs, a few seconds: checks the script runs "
                        "(torchviz and dot only where they are installed)")
    options = parser.parse_args()
    pan_zoom_nodes = PAN_ZOOM_NODES
    if options.smoke:
        options.sizes, options.export_repeats = [60], 0
        pan_zoom_nodes = options.sizes[0]
        options.skip_dot |= shutil.which("dot") is None or importlib.util.find_spec("torchviz") is None
    ensure_big_stack()
    if not options.skip_dot and shutil.which("dot") is None:
        parser.error("Graphviz `dot` is not installed: install graphviz or pass --skip-dot")
    QApplication.instance() or QApplication(sys.argv[:1])
    print(f"torch {torch.__version__}, {os.cpu_count()} cores, load average "
          f"{os.getloadavg()[0]:.2f}; dot limited to {options.timeout:g} s and "
          f"{DOT_MEMORY // 1024**3} GB")
    print("first frame = scene of a pass built from the walked graph (no program run, no "
          "backward steps) + layout_geometry + painter arrays + one offscreen paint of the "
          f"whole graph at {FRAME[0]}x{FRAME[1]}")
    print("crossings (drawn) = geometric crossings of the drawn polylines, ours / dot's, where "
          "dot finished")
    header = (f"{'graph':<20} | {'nodes':>7} | {'edges':>7} | {'layout':>8} | "
              f"{'1st frame':>9} | {'cross (layers)':>14} | {'cross (drawn) ours/dot':>22} | "
              f"{'torchviz + dot':>18}")
    print(header)
    print("-" * len(header))
    pan_zoom_sources: dict[str, Ours] = {}
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        for size in options.sizes:
            for name in options.graphs:
                ours = measure_row(name, GRAPHS[name], size, options, workdir)
                if name in PAN_ZOOM_GRAPHS and size == pan_zoom_nodes:
                    pan_zoom_sources[name] = ours
        for name in (name for name in PAN_ZOOM_GRAPHS if name in options.graphs):
            ours = pan_zoom_sources.get(name) or measure_sized(GRAPHS[name], pan_zoom_nodes)
            frames = pan_zoom_frames(ours)
            print(f"pan/zoom frame, {name} of {len(ours.geometry.centres):,} nodes, median of 7: "
                  + ", ".join(f"{view} {ms:.1f} ms" for view, ms in frames.items()))
        if options.export_repeats:
            report_export(workdir, options.export_repeats, options.timeout, options.skip_dot)


def report_export(workdir: Path, repeats: int, timeout: float = 60.0, skip_dot: bool = False) -> None:
    """The 10,000-node export, ours and torchviz + dot, whole process, each with its picture's
    legibility: pixel size, body text height (at least 8 px counts as legible) and, where
    tesseract is installed, how many torch node names OCR reads in it. Below them, a process
    that only imports torch: the export's worker process must do that before it runs anything."""
    times, code, errors = export_seconds(PAN_ZOOM_NODES, workdir, repeats)
    status = "" if code == 0 else f" (exit {code}: {errors})"
    print(f"export of a {PAN_ZOOM_NODES:,}-node code box program to PNG, whole process "
          f"(goal: under 3 s on a quiet machine, text at least {LEGIBLE_TEXT:g} px; load average "
          f"{os.getloadavg()[0]:.2f}):")
    header = (f"{'':<30} | {'median':>13} | {'fastest':>8} | {'picture':>13} | {'text':>8} | "
              f"{'legible':>7} | {'OCR names':>9}")
    print(header)
    print("-" * len(header))
    ours = legibility(workdir / "out.png", our_text_pixels(workdir / "out.png")) if code == 0 else None
    print(f"{'autograd-explorer export':<30} | {_seconds(statistics.median(times)):>13} | "
          f"{_seconds(min(times)):>8} | {_picture(ours)}{status}", flush=True)
    if not skip_dot:
        seconds, dot_status = torchviz_export(workdir, timeout)
        picture = workdir / "torchviz.png"
        theirs = legibility(picture, dot_text_pixels(workdir / "torchviz.plain", picture)) \
            if seconds is not None else None
        print(f"{'torchviz make_dot + dot -Tpng':<30} | {_seconds(seconds, dot_status):>13} | "
              f"{'':>8} | {_picture(theirs)}", flush=True)
    floor, name = torch_import_seconds(repeats), 'python -c "import torch"'
    print(f"{name:<30} | {_seconds(statistics.median(floor)):>13} | "
          f"{_seconds(min(floor)):>8} | {_picture(None)}")
    print("runs of the export: " + ", ".join(f"{seconds:.2f}" for seconds in times) + " s")


def torch_import_seconds(repeats: int) -> list[float]:
    """Whole-process seconds of a Python that imports torch and ends."""
    times = []
    for _ in range(max(1, repeats)):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import torch"], check=True)
        times.append(time.perf_counter() - started)
    return times


LEGIBLE_TEXT = 8.0  # pixels of body text in a PNG


@dataclass
class Legibility:
    width: int
    height: int
    text_pixels: float | None
    ocr_names: int | None  # torch node names tesseract reads (None: tesseract not installed)

    @property
    def legible(self) -> bool:
        return self.text_pixels is not None and self.text_pixels >= LEGIBLE_TEXT


def legibility(picture: Path, text: float | None) -> Legibility:
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = None  # dot's pictures of big graphs are huge: measuring, not showing
    with Image.open(picture) as image:
        width, height = image.size
    return Legibility(width, height, text, ocr_names(picture))


def our_text_pixels(picture: Path) -> float | None:
    """The body text height our export wrote into its PNG (``explorer.ui.files.export``)."""
    from PIL import Image

    from explorer.ui.files.export import TEXT_PIXELS_KEY

    with Image.open(picture) as image:
        value = image.info.get(TEXT_PIXELS_KEY)
    return float(value) if value else None


def dot_text_pixels(plain: Path, picture: Path) -> float | None:
    """dot writes 14-point labels; at 96 dpi that is 18.7 px, less when it shrank the drawing
    to fit (the drawing's width in ``-Tplain`` inches against the PNG's pixels says by how much)."""
    from PIL import Image

    if not plain.exists():
        return None
    first = plain.read_text().split("\n", 1)[0].split()  # "graph scale width height"
    inches = float(first[2]) * float(first[1])
    Image.MAX_IMAGE_PIXELS = None
    with Image.open(picture) as image:
        width = image.size[0]
    return 14 / 72 * width / inches if inches else None


def ocr_names(picture: Path) -> int | None:
    """How many torch node names (``FooBackward0``, ``AccumulateGrad``) tesseract reads."""
    if shutil.which("tesseract") is None or shutil.which("convert") is None:
        return None
    with tempfile.TemporaryDirectory() as folder:
        cleaned = Path(folder) / "clean.png"
        made = subprocess.run(["convert", str(picture), "-colorspace", "gray", "-negate", "-threshold",
                               "40%", "-negate", str(cleaned)], capture_output=True, check=False, timeout=300)
        if made.returncode != 0:
            return None
        read = subprocess.run(["tesseract", str(cleaned), "-", "--psm", "3"], capture_output=True,
                              text=True, check=False, timeout=600)
    return len(re.findall(r"[a-z]+backward[0o]|accumulategrad", read.stdout, flags=re.IGNORECASE))


def _picture(found: Legibility | None) -> str:
    if found is None:
        return f"{'-':>13} | {'-':>8} | {'-':>7} | {'-':>9}"
    text = f"{found.text_pixels:.1f} px" if found.text_pixels is not None else "?"
    names = "-" if found.ocr_names is None else str(found.ocr_names)
    return (f"{found.width:>6}×{found.height:<6} | {text:>8} | {'yes' if found.legible else 'NO':>7} | "
            f"{names:>9}")


TORCHVIZ_SCRIPT = """\
import sys
import torch
from torchviz import make_dot
sys.setrecursionlimit(1_000_000)
{program}
make_dot(loss).save(sys.argv[1])
"""


def torchviz_export(workdir: Path, timeout: float) -> tuple[float | None, str]:
    """Whole-process seconds of the same program run by Python with torchviz's ``make_dot``,
    then ``dot -Tpng`` of its source (under the memory limit: on this graph dot can use more
    memory than the machine has); ``-Tplain`` afterwards, untimed, for the text size."""
    script, source = workdir / "torchviz_export.py", workdir / "torchviz.gv"
    program = EXPORT_PROGRAM.format(nodes=PAN_ZOOM_NODES, turns=(PAN_ZOOM_NODES - 4) // 3)
    script.write_text(TORCHVIZ_SCRIPT.format(program=program))
    started = time.perf_counter()
    try:
        made = subprocess.run([sys.executable, str(script), str(source)], capture_output=True,
                              timeout=timeout, check=False)
        if made.returncode != 0:
            return None, f"torchviz failed ({made.returncode})"
        drawn = subprocess.run(["dot", "-Tpng", f"-o{workdir / 'torchviz.png'}", str(source)],
                               capture_output=True, timeout=max(1.0, timeout - (time.perf_counter() - started)),
                               check=False, preexec_fn=_limit_memory)
    except subprocess.TimeoutExpired:
        return None, f"> {timeout:g} s"
    seconds = time.perf_counter() - started
    if drawn.returncode != 0:
        reason = "out of memory" if drawn.returncode < 0 or b"memory" in drawn.stderr.lower() else \
            f"dot failed ({drawn.returncode})"
        return None, reason
    subprocess.run(["dot", "-Tplain", f"-o{workdir / 'torchviz.plain'}", str(source)],
                   capture_output=True, timeout=timeout, check=False, preexec_fn=_limit_memory)
    return seconds, "ok"


if __name__ == "__main__":
    main()
