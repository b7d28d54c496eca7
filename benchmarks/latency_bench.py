"""UI event-loop latency while the app runs slow programs and lays out a 100,000-node graph.

A 10 ms QTimer heartbeat runs in the real application object (offscreen, no window on screen
needed) while the main window's runner works; the longest gap between two beats is how long the
UI thread could not answer. Target: under 100 ms.

    python benchmarks/latency_bench.py            # all scenarios (about a minute)
    python benchmarks/latency_bench.py --quick    # without the 100,000-node graph
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

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QCoreApplication, QSettings, QTimer  # noqa: E402, TID251 - a UI benchmark
from PySide6.QtWidgets import QApplication  # noqa: E402, TID251

from explorer.core.sandbox.limits import Limits  # noqa: E402

FIVE_SECONDS = "import torch\nt = torch.ones(100, 100)\nfor i in range(100000):\n    t = (t @ t).tanh()\n"
STUCK = "import torch\nt = torch.randn(3500, 3500)\nu = torch.linalg.svd(t)\n"
RESIDUAL_STEPS = 33_400  # three nodes a step: about 100,000 nodes in the graph


def residual_program(steps: int) -> str:
    return ("import torch\nx = torch.randn(4, requires_grad=True)\nw = torch.randn(4, requires_grad=True)\n"
            f"h = x\nfor i in range({steps}):\n    h = h + torch.tanh(h * w)\nloss = h.sum()\nloss.backward()\n")


class Heartbeat:
    """Ticks every 10 ms on the UI thread and keeps every gap between ticks."""

    def __init__(self) -> None:
        self.timer = QTimer(interval=10)
        self.timer.timeout.connect(self._on_tick)
        self.gaps: list[float] = []
        self.last = time.perf_counter()

    def _on_tick(self) -> None:
        now = time.perf_counter()
        self.gaps.append(now - self.last)
        self.last = now

    def start(self) -> None:
        self.gaps.clear()
        self.last = time.perf_counter()
        self.timer.start()

    def stop(self) -> list[float]:
        self.timer.stop()
        return list(self.gaps)


def wait_for_run(window, start: Callable[[], None], timeout: float) -> float:
    """Start a run and spin the event loop until the window shows its result."""
    done: list[float] = []
    window.runFinished.connect(lambda: done.append(time.perf_counter()))
    started = time.perf_counter()
    start()
    deadline = started + timeout
    while not done and time.perf_counter() < deadline:
        QCoreApplication.processEvents()
        time.sleep(0.001)
    window.runFinished.disconnect()
    if not done:
        raise TimeoutError("the run did not finish")
    return done[0] - started


def open_window(prefix: str):
    """A main window with its settings in a fresh temporary folder, shown at 1366×768."""
    from explorer.ui.window.main_window import QtMainWindow

    folder = tempfile.mkdtemp(prefix=prefix)
    window = QtMainWindow(QSettings(str(Path(folder) / "settings.ini"), QSettings.Format.IniFormat))
    window.resize(1366, 768)
    window.show()
    return window


def settle(seconds: float) -> None:
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        QCoreApplication.processEvents()
        time.sleep(0.001)


def measure(window, beat: Heartbeat, name: str, code: str, limits: Limits, timeout: float) -> dict:
    window.runner.limits = limits
    beat.start()
    seconds = wait_for_run(window, lambda: window.set_code(code), timeout)
    settle(0.5)  # the beat after the result arrives measures the UI thread's own work on it
    gaps = beat.stop()
    error = window.document.error
    return {"scenario": name, "seconds": seconds, "beats": len(gaps),
            "max_ms": max(gaps) * 1000, "p99_ms": _percentile(gaps, 0.99) * 1000,
            "mean_ms": statistics.fmean(gaps) * 1000, "result": error.kind if error else "ok"}


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def measure_layout_only(window, beat: Heartbeat) -> dict:
    """The 100k-node layout alone in the runner's thread, timed where it runs."""
    from explorer.ui.window import runner as runner_module

    spans: list[tuple[float, float]] = []
    original = runner_module.lay_out_pass

    def timed(*args, **kwargs):
        began = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spans.append((began, time.perf_counter()))

    runner_module.lay_out_pass = timed
    stamps: list[float] = []
    beat.timer.timeout.connect(lambda: stamps.append(time.perf_counter()))
    try:
        row = measure(window, beat, "100k-node graph: run + layout + draw", residual_program(RESIDUAL_STEPS),
                      Limits(max_seconds=300), 900)
    finally:
        runner_module.lay_out_pass = original
        beat.timer.timeout.disconnect()
        beat.timer.timeout.connect(beat._on_tick)
    if spans:
        began, ended = spans[-1]
        inside = [later - earlier for earlier, later in zip(stamps, stamps[1:]) if began <= earlier and later <= ended]
        layout_row = {"scenario": "  of which: the layout in the runner thread", "seconds": ended - began,
                      "beats": len(inside), "max_ms": max(inside, default=0) * 1000,
                      "p99_ms": _percentile(inside or [0], 0.99) * 1000,
                      "mean_ms": statistics.fmean(inside or [0]) * 1000, "result": "-"}
        after = [later - earlier for earlier, later in zip(stamps, stamps[1:]) if later > ended]
        draw_row = {"scenario": "  of which: from the layout's end (UI thread: accept, draw)",
                    "seconds": sum(after), "beats": len(after), "max_ms": max(after, default=0) * 1000,
                    "p99_ms": _percentile(after or [0], 0.99) * 1000,
                    "mean_ms": statistics.fmean(after or [0]) * 1000, "result": "-"}
        return {"rows": [row, layout_row, draw_row], "nodes": _nodes(window)}
    return {"rows": [row], "nodes": _nodes(window)}


def measure_stepping(window, beat: Heartbeat, steps: int = 30) -> dict:
    """Step back through the graph on screen, one step every 20 ms, as a held-down key would."""
    beat.start()
    started = time.perf_counter()
    for _ in range(steps):
        window.document.step("previous")
        settle(0.02)
    gaps = beat.stop()
    return {"scenario": f"  then {steps} steps back, one every 20 ms", "seconds": time.perf_counter() - started,
            "beats": len(gaps), "max_ms": max(gaps) * 1000, "p99_ms": _percentile(gaps, 0.99) * 1000,
            "mean_ms": statistics.fmean(gaps) * 1000, "result": "-"}


def _nodes(window) -> int:
    one_pass = window.document.current_pass
    return one_pass.graph.number_of_nodes() if one_pass is not None else 0


def print_table(rows: list[dict]) -> None:
    header = f"{'scenario':<56} {'s':>7} {'beats':>6} {'max ms':>8} {'p99 ms':>8} {'mean ms':>8}  result"
    print(header)
    print("-" * len(header))
    for row in rows:
        print(f"{row['scenario']:<56} {row['seconds']:>7.2f} {row['beats']:>6} {row['max_ms']:>8.1f} "
              f"{row['p99_ms']:>8.1f} {row['mean_ms']:>8.1f}  {row['result']}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the 100,000-node graph")
    parser.add_argument("--smoke", action="store_true", help="the idle-sized program only: checks the script runs")
    options = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    window = open_window("latency-bench-")
    beat = Heartbeat()
    wait_for_run(window, lambda: window.set_code("import torch\nx = torch.ones(2, requires_grad=True)\n"
                                                 "y = (x * x).sum()\ny.backward()\n"), 120)  # warm
    rows = [measure(window, beat, "idle-sized program (warm worker)", "import torch\nx = torch.ones(2, requires_grad=True)\ny = (x * x).sum()\n",
                    Limits(), 60)]
    if not options.smoke:
        rows += [measure(window, beat, "5-second program (stopped by its time limit)", FIVE_SECONDS,
                         Limits(max_seconds=5.0, max_elements=10**12), 60),
                 measure(window, beat, "stuck in one C call (svd), killed after 1 s", STUCK,
                         Limits(max_seconds=1.0), 60)]
    nodes = 0
    if not options.quick and not options.smoke:
        result = measure_layout_only(window, beat)
        rows.extend(result["rows"])
        rows.append(measure_stepping(window, beat))
        nodes = result["nodes"]
    print_table(rows)
    if nodes:
        print(f"\nthe big graph had {nodes:,} nodes")
    window.editor.document().setModified(False)
    window.close()
    app.quit()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
