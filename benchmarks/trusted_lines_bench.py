"""What mapping nodes to the user's file and line costs a trusted run.

Run: python benchmarks/trusted_lines_bench.py [--steps 200] [--repeats 3]

A small training loop (a three-layer MLP, batch 64, SGD) is timed plain, inside
``explorer.core.capture.source_lines.source_lines()`` (a TorchFunctionMode that tags each new node
with the innermost user frame's file and line), and inside ``torch.autograd.detect_anomaly()``
(which records a whole stack per node, the other way to find where a node came from). Best of
a few repeats each; the ratio to the plain loop is what a trusted run pays.
"""

from __future__ import annotations

import argparse
import os
import time
import warnings
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext

import torch
from torch import nn

from explorer.core.capture.source_lines import source_lines


def training(steps: int) -> None:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(32, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    data, target = torch.randn(64, 32), torch.randn(64, 1)
    for _ in range(steps):
        optimizer.zero_grad()
        loss = ((model(data) - target) ** 2).mean()
        loss.backward()
        optimizer.step()


def best_of(repeats: int, context: Callable[[], AbstractContextManager], steps: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        with context():
            training(steps)
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--smoke", action="store_true", help="tiny inputs, a few seconds: checks the script runs")
    options = parser.parse_args()
    if options.smoke:
        options.steps, options.repeats = 3, 1
    warnings.simplefilter("ignore")  # anomaly mode warns that it is slow
    print(f"torch {torch.__version__}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}; "
          f"{options.steps} training steps, best of {options.repeats}")
    torch.set_num_threads(1)  # a tiny model: threads only add noise on a shared machine
    training(20)  # warm up: the first steps pay for allocation and dispatch caches
    contexts = {"plain": nullcontext, "source_lines (ours)": source_lines,
                "detect_anomaly": torch.autograd.detect_anomaly}
    best = dict.fromkeys(contexts, float("inf"))
    for _ in range(options.repeats):  # interleaved, so a busy moment hits all alike
        for name, context in contexts.items():
            best[name] = min(best[name], best_of(1, context, options.steps))
    plain = best["plain"]
    rows = list(best.items())
    print(f"{'how':<22} | {'seconds':>8} | {'× plain':>8}")
    print("-" * 44)
    for name, seconds in rows:
        print(f"{name:<22} | {seconds:>8.3f} | {seconds / plain:>8.2f}")


if __name__ == "__main__":
    main()
