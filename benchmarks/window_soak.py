"""Soak through the real window: random programs and some big graphs, memory and traces kept.

The app freezes big results out of the cyclic garbage collector's reach (``explorer/ui/window/runner.py``)
and relies on reference counting to free them once replaced. This runs programs through an
offscreen main window the way a user would (set the code, wait for the picture, step back and
forth), every ``--big-every``-th one a graph of about 20,000 nodes, and reports the resident
memory, the objects frozen, and how many of the traces shown are still alive at the end (the
one on screen should be the only one).

    python benchmarks/window_soak.py --programs 400
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import sys
import time
import weakref
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from latency_bench import open_window, residual_program, wait_for_run  # noqa: E402
from PySide6.QtCore import QCoreApplication  # noqa: E402, TID251 - a UI benchmark
from PySide6.QtWidgets import QApplication  # noqa: E402, TID251
from soak import mutate, random_program, resident_megabytes  # noqa: E402

from explorer.core.sandbox.limits import Limits  # noqa: E402
from explorer.examples import all_examples  # noqa: E402

BIG_STEPS = 6_700  # three nodes a step: about 20,000 nodes


def choose(rng: random.Random, number: int, big_every: int, seeds: list[str],
           big_steps: int = BIG_STEPS) -> str:
    if number % big_every == 0:
        return residual_program(big_steps)
    kind = rng.random()
    if kind < 0.6:
        return random_program(rng)
    return rng.choice(seeds) if kind < 0.8 else mutate(rng.choice(seeds), rng)


def exercise(window) -> None:
    """What a user does with a result: step back a few times, then to the end again."""
    for _ in range(3):
        window.document.step("previous")
    window.document.step("end")
    QCoreApplication.processEvents()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--programs", type=int, default=400)
    parser.add_argument("--big-every", type=int, default=25)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--smoke", action="store_true", help="tiny inputs, a few seconds: checks the script runs")
    options = parser.parse_args()
    big_steps = 30 if options.smoke else BIG_STEPS
    if options.smoke:
        options.programs, options.big_every = 3, 3
    app = QApplication.instance() or QApplication(sys.argv[:1])
    window = open_window("window-soak-")
    window.runner.limits = Limits(max_seconds=60)
    rng = random.Random(options.seed)
    seeds = [item.source() for item in all_examples()]
    shown: list[weakref.ref] = []
    samples: list[tuple[int, float, int]] = []  # after a big graph, and after small ones
    failures: list[str] = []
    started = time.monotonic()
    for number in range(1, options.programs + 1):
        source = choose(rng, number, options.big_every, seeds, big_steps)
        try:
            wait_for_run(window, lambda source=source: window.set_code(source), 300)
            exercise(window)
        except Exception as error:  # noqa: BLE001 - every failure is counted and shown
            failures.append(f"#{number}: {type(error).__name__}: {error}")
            continue
        if window.document.trace is not None:
            shown.append(weakref.ref(window.document.trace))
        if number % max(1, options.programs // 10) in (0, options.big_every // 2):
            samples.append((number, resident_megabytes(), gc.get_freeze_count()))
    elapsed = time.monotonic() - started
    alive = sum(ref() is not None for ref in shown)
    print(f"programs: {options.programs:,} through the window in {elapsed:.0f} s, "
          f"{options.programs // options.big_every} of them with ~{3 * big_steps:,} nodes")
    print(f"{'after program':>14} {'on screen':>10} {'RSS MB':>9} {'frozen objects':>15}")
    for number, megabytes, frozen in samples:
        on_screen = "big" if number % options.big_every == 0 else "small"
        print(f"{number:>14,} {on_screen:>10} {megabytes:>9.1f} {frozen:>15,}")
    print(f"traces shown: {len(shown):,}; still alive at the end: {alive} (the one on screen)")
    frozen = gc.get_freeze_count()
    gc.unfreeze()
    began = time.perf_counter()
    collected = gc.collect()
    print(f"a full collection at the end: {collected:,} of {frozen:,} frozen objects were garbage "
          f"({(time.perf_counter() - began) * 1000:.0f} ms)")
    print(f"failures: {len(failures)}")
    for failure in failures[:10]:
        print("  " + failure)
    window.editor.document().setModified(False)
    window.close()
    app.quit()
    return 1 if failures or alive > 1 else 0


if __name__ == "__main__":
    raise SystemExit(main())
