"""Soak: thousands of random programs through the core and the app's models, without a window.

Each program runs (in this process, or in the worker process with ``--worker``), goes into a
``Document`` the way the app takes it, is stepped from start to end and drawn into scenes. The
report gives memory (resident set) after a warm-up and at the end, objects left alive (tensors
that require grad, autograd nodes reachable from them, traces) and every failure: an exception
that is not an ExplorerError, or a run past its time limit.

    python benchmarks/soak.py --programs 3000
"""

from __future__ import annotations

import argparse
import gc
import random
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402

from explorer.core import Limits, run_program  # noqa: E402
from explorer.core.capture.trace import Trace  # noqa: E402
from explorer.core.storage.document import Document  # noqa: E402
from explorer.core.view.scene import build_scene  # noqa: E402
from explorer.examples import all_examples  # noqa: E402

LIMITS = Limits(max_seconds=3.0, max_elements=5_000_000)
UNARY = ["torch.tanh", "torch.sigmoid", "torch.relu", "torch.exp", "torch.sin", "F.softplus", "F.gelu"]
BINARY = ["+", "-", "*"]


def random_program(rng: random.Random) -> str:
    """A valid program with a random shape of graph (most runs succeed and make a graph)."""
    size = rng.choice([1, 2, 3, 5, 8])
    lines = ["import torch", "import torch.nn.functional as F",
             f"x = torch.randn({size}, requires_grad=True)",
             f"w = torch.randn({size}, {size}, requires_grad=True)", "h = x"]
    for _ in range(rng.randint(1, 12)):
        choice = rng.random()
        if choice < 0.4:
            lines.append(f"h = {rng.choice(UNARY)}(h) {rng.choice(BINARY)} h")
        elif choice < 0.6:
            lines.append("h = w @ h")
        elif choice < 0.75:
            lines.append(f"for i in range({rng.randint(1, 20)}):\n    h = h + {rng.choice(UNARY)}(h * 0.5)")
        elif choice < 0.85:
            lines.append("h = h.clamp(-3.0, 3.0) * 0.9")
        else:
            lines.append(f"print(h.sum().item() > {rng.uniform(-1, 1):.3f})")
    ending = rng.random()
    if ending < 0.6:
        lines.append("loss = h.sum()\nloss.backward()")
    elif ending < 0.75:
        lines.append("loss = (h * h).mean()\nloss.backward(retain_graph=True)\nloss.backward()")
    elif ending < 0.9:
        lines.append("g = torch.autograd.grad(h.sum(), [x, w], create_graph=True)\ns = g[0].sum()\ns.backward()")
    return "\n".join(lines) + "\n"


def mutate(source: str, rng: random.Random) -> str:
    """A broken neighbour of a valid program: a cut, a repeated piece or a stray token."""
    at = rng.randrange(len(source) + 1)
    return rng.choice([
        source[:at] + source[at + rng.randint(1, 10):],
        source[:at] + source[at:at + rng.randint(1, 30)] + source[at:],
        source[:at] + rng.choice(["(", "]", ".grad", " ** 9", "\n    ", "import os", "'"]) + source[at:],
    ])


def resident_megabytes() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def alive_counts() -> dict[str, int]:
    """Objects that should not outlive their run: grad tensors, graphs reachable from them, traces."""
    gc.collect()
    with warnings.catch_warnings():  # isinstance() on some torch objects warns about deprecations
        warnings.simplefilter("ignore")
        objects = gc.get_objects()
        tensors = [item for item in objects if isinstance(item, torch.Tensor)]
        traces = sum(isinstance(item, Trace) for item in objects)
    with_graph = [tensor for tensor in tensors if tensor.grad_fn is not None]
    return {"tensors_requiring_grad": sum(tensor.requires_grad for tensor in tensors),
            "tensors_with_a_graph": len(with_graph), "traces": traces}


def exercise_models(source: str, trace: Trace) -> None:
    """What the app does with a trace: accept it, step through every pass, build the scenes."""
    document = Document()
    document.accept_run(source, trace)
    for index in range(len(trace.passes)):
        document.select_pass(index)
        stepper = document.stepper
        if stepper is None:
            continue
        stepper.reset()
        while stepper.position < stepper.count:
            stepper.next()
            if stepper.position % 5 == 0:
                build_scene(stepper.one_pass, stepper, trace.leaves)
        build_scene(stepper.one_pass, stepper, trace.leaves)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--programs", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--worker", action="store_true", help="run programs in the worker process")
    parser.add_argument("--smoke", action="store_true", help="tiny inputs, a few seconds: checks the script runs")
    options = parser.parse_args()
    if options.smoke:
        options.programs = 4
    rng = random.Random(options.seed)
    seeds = [item.source() for item in all_examples()]
    runner = run_program
    if options.worker:
        from explorer.core.sandbox.worker import EvaluationWorker

        worker = EvaluationWorker()
        runner = worker.run  # type: ignore[assignment]
    failures: list[str] = []
    outcomes = {"ok": 0, "error": 0}
    samples: list[tuple[int, float]] = []
    warm_up = max(1, options.programs // 10)
    started = time.monotonic()
    for number in range(1, options.programs + 1):
        kind = rng.random()
        source = (random_program(rng) if kind < 0.6 else rng.choice(seeds) if kind < 0.75
                  else mutate(rng.choice(seeds + [random_program(rng)]), rng))
        began = time.monotonic()
        try:
            trace = runner(source, limits=LIMITS)
            exercise_models(source, trace)
        except Exception as error:  # noqa: BLE001 - every failure is counted and shown
            failures.append(f"#{number}: {type(error).__name__}: {error}\n{source}")
            continue
        # a smoke run checks that the script works, not how fast a busy machine runs it
        if not options.smoke and time.monotonic() - began > LIMITS.max_seconds + 3:
            failures.append(f"#{number}: took {time.monotonic() - began:.1f} s\n{source}")
        outcomes["ok" if trace.error is None else "error"] += 1
        del trace
        if number == warm_up or number % max(1, options.programs // 10) == 0:
            gc.collect()
            samples.append((number, resident_megabytes()))
    elapsed = time.monotonic() - started
    counts = alive_counts()
    print(f"programs: {options.programs:,} in {elapsed:.0f} s ({'worker process' if options.worker else 'in process'}); "
          f"{outcomes['ok']:,} ran, {outcomes['error']:,} ended with an ExplorerError")
    print("memory (resident set, MB) after program:")
    for number, megabytes in samples:
        print(f"  {number:>7,}  {megabytes:8.1f}")
    warm = next(megabytes for number, megabytes in samples if number >= warm_up)
    growth = samples[-1][1] - warm
    print(f"growth after warm-up: {growth:+.1f} MB over {options.programs - warm_up:,} programs "
          f"({growth / max(1, options.programs - warm_up) * 1000:+.2f} MB per 1,000)")
    print(f"left alive at the end: {counts}")
    print(f"failures: {len(failures)}")
    for failure in failures[:10]:
        print("  " + failure.replace("\n", "\n    "))
    if options.worker:
        worker.close()
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
