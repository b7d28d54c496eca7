"""How fast the core walks and traces big graphs, beside torch's plain backward.

Run: python benchmarks/trace_bench.py [--sizes 1000 10000 100000] [--repeats 5]

Prints one table. Targets: walking 100k nodes under 1 s; a traced backward (observing hooks
on every node) at most 1.5x a plain backward at 10k nodes.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import torch

from explorer.core.capture.graph import Naming, walk
from explorer.core.capture.recorder import run_observed
from explorer.core.capture.saved import capture_saved


def build_graph(nodes: int, width: int = 8) -> torch.Tensor:
    """A residual chain with several leaves: about ``nodes`` autograd nodes.

    ``width`` is the size of every tensor: 8 makes each node almost free, so the table shows
    the per-node cost of tracing at its worst; 64x64 matrices are closer to a real layer.
    """
    torch.manual_seed(0)
    shape = (width,) if width <= 8 else (width, width)
    x = torch.randn(*shape, requires_grad=True)
    weights = [torch.randn(*shape, requires_grad=True) for _ in range(4)]
    h = x
    count = 1 + len(weights)
    step = 0
    while count < nodes - 2:
        w = weights[step % len(weights)]
        h = (h * w).tanh() + h  # MulBackward0, TanhBackward0, AddBackward0
        count += 3
        step += 1
    return h.sum()


def best_time(setup: Callable[[], object], work: Callable[[object], object], repeats: int) -> float:
    """Median seconds of ``work`` over ``repeats`` fresh setups (the setup is not timed)."""
    times = []
    for _ in range(repeats):
        laid_out = setup()
        started = time.perf_counter()
        work(laid_out)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure(nodes: int, repeats: int, width: int) -> dict[str, float]:
    root = build_graph(nodes, width)
    walked = walk([root.grad_fn], Naming())
    real_nodes = walked.graph.number_of_nodes()
    walk_s = best_time(lambda: None, lambda _: walk([root.grad_fn], Naming()), repeats)
    saved_s = best_time(lambda: None, lambda _: [capture_saved(n) for n in walked.nodes.values()], repeats)

    def fresh() -> tuple[torch.Tensor, dict]:
        graph_root = build_graph(nodes, width)
        return graph_root, walk([graph_root.grad_fn], Naming()).nodes

    plain_s = best_time(fresh, lambda laid_out: laid_out[0].backward(), repeats)
    traced_s = best_time(fresh, lambda laid_out: run_observed(laid_out[1], laid_out[0].backward), repeats)
    return {"nodes": real_nodes, "walk": walk_s, "saved": saved_s, "plain": plain_s,
            "traced": traced_s, "ratio": traced_s / plain_s}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--smoke", action="store_true", help="tiny inputs, a few seconds: checks the script runs")
    options = parser.parse_args()
    if options.smoke:
        options.sizes, options.repeats = [60], 1
    torch.set_num_threads(1)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread, median of {options.repeats}")
    print("traced backward = observing hooks registered on every node + backward + hooks removed")
    header = (f"{'tensors':>7} | {'nodes':>8} | {'graph walk':>10} | {'saved capture':>13} | "
              f"{'plain backward':>14} | {'traced backward':>15} | {'traced/plain':>12}")
    print(header)
    print("-" * len(header))
    for width, label in ((8, "8"), (64, "64x64")):
        for size in options.sizes:
            if width > 8 and size > 10_000:
                continue  # 100k nodes of 64x64 matrices is 1.6 GB of saved tensors
            row = measure(size, options.repeats, width)
            print(f"{label:>7} | {row['nodes']:>8,} | {row['walk'] * 1e3:>7.1f} ms | "
                  f"{row['saved'] * 1e3:>10.1f} ms | {row['plain'] * 1e3:>11.1f} ms | "
                  f"{row['traced'] * 1e3:>12.1f} ms | {row['ratio']:>11.2f}x")


if __name__ == "__main__":
    main()
