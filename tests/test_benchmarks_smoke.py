"""Every benchmark script runs in its quick mode (``--smoke``), exits 0 and prints its table.

Nothing here checks how fast anything is: the numbers are for people to read. The scripts run
two at a time (a machine of two cores) as soon as the first test starts; each test waits for
its own script.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = ROOT / "benchmarks"
SCRIPT_SECONDS = 900  # a generous bound for one script on a busy machine, not a measurement


def columns(*names: str) -> re.Pattern[str]:
    """A table header: these column names in order, apart by spaces or ``|``."""
    return re.compile(r"[\s|]+".join(re.escape(name) for name in names))


def row(first: str, numbers: int) -> re.Pattern[str]:
    """A table row: its first cell, then at least ``numbers`` cells holding a number."""
    cell = r"\s*\|?\s*[\d.,]+[^|\n]*"
    return re.compile(r"^\|?\s*" + re.escape(first) + f"({cell}){{{numbers}}}", re.MULTILINE)


# script -> what its output must show: the table header, and rows where they are simple to read
EXPECTED: dict[str, list[re.Pattern[str]]] = {
    "fuzz_soak": [re.compile(r"fuzz soak: about [\d,]+ examples .*pytest exit code 0")],
    "latency_bench": [columns("scenario", "s", "beats", "max ms", "p99 ms", "mean ms", "result"),
                      row("idle-sized program (warm worker)", 5)],
    # torchviz and dot are not installed in CI: their column says "skipped", ours is measured
    "layout_bench": [columns("graph", "nodes", "edges", "layout", "1st frame", "cross (layers)",
                             "cross (drawn) ours/dot", "torchviz + dot"),
                     *(row(name, 4) for name in ("deep chain", "residual MLP loop",
                                                 "small CNN stacked", "transformer stacked"))],
    "layout_small_bench": [columns("graph", "nodes", "edges", "layers", "layout", "crossings",
                                   "naive order"), row("deep chain", 5)],
    "model_bench": [columns("what", "time", "notes"), row("explorer.trace(loss, model=)", 1)],
    "page_bench": [columns("graph", "nodes", "view", "boxes drawn", "page median ms"),
                   re.compile(r"^\| loop chain \(code box\) \| \d+ \| whole graph \|", re.MULTILINE)],
    "soak": [re.compile(r"^programs: 4 in", re.MULTILINE), re.compile(r"^failures: 0$", re.MULTILINE)],
    "startup_bench": [columns("run", "first paint", "window ready", "graph drawn"), row("1", 3)],
    "trace_bench": [columns("tensors", "nodes", "graph walk", "saved capture", "plain backward",
                            "traced backward", "traced/plain"), row("8", 6)],
    "trusted_lines_bench": [columns("how", "seconds", "× plain"), row("source_lines (ours)", 2)],
    "training_loop_bench": [columns("plain Python", "explorer trace", "ratio", "goal"),
                            row("whole process, wall s", 3),
                            re.compile(r"printed output\s+identical")],
    "window_soak": [columns("after program", "on screen", "RSS MB", "frozen objects"),
                    re.compile(r"^failures: 0$", re.MULTILINE)],
}


def run_smoke(script: str) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("DISPLAY", "WAYLAND_DISPLAY")}  # the app's start-up, offscreen too
    environment["QT_QPA_PLATFORM"] = "offscreen"
    return subprocess.run([sys.executable, str(BENCHMARKS / f"{script}.py"), "--smoke"], cwd=ROOT,
                          env=environment, capture_output=True, text=True, timeout=SCRIPT_SECONDS)


@pytest.fixture(scope="module")
def smoke_runs(request: pytest.FixtureRequest) -> Iterator[dict[str, Future[subprocess.CompletedProcess[str]]]]:
    """The selected scripts' runs, started together in the order their tests come."""
    selected = [item.callspec.params["script"] for item in request.session.items
                if item.module is request.module and hasattr(item, "callspec")]
    with ThreadPoolExecutor(max_workers=2) as pool:
        yield {script: pool.submit(run_smoke, script) for script in selected}


def test_every_benchmark_script_has_a_smoke_run() -> None:
    assert {path.stem for path in BENCHMARKS.glob("*.py")} == set(EXPECTED)


@pytest.mark.timeout(2 * SCRIPT_SECONDS)
@pytest.mark.parametrize("script", list(EXPECTED))
def test_benchmark_runs_in_smoke_mode(script: str, smoke_runs) -> None:
    done = smoke_runs[script].result(timeout=2 * SCRIPT_SECONDS)
    said = f"{script} --smoke:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    assert done.returncode == 0, said
    for expected in EXPECTED[script]:
        assert expected.search(done.stdout), f"no {expected.pattern!r} in {said}"
