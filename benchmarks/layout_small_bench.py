"""How fast the layered layout is on real autograd graphs, and how many crossings it leaves.

Run: python benchmarks/layout_small_bench.py [--sizes 1000 10000] [--repeats 3]

Prints one table: for each graph, its nodes and edges, the layout's median time, the crossings
of the layout's order and those of the naive order it starts from (the same layout with no
crossing reduction, ``sweeps=0``). Targets: 1,000 nodes well under 1 s, 10,000 under ~5 s.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import networkx as nx
import torch

from explorer.core.capture.graph import walk
from explorer.core.view.layout import layered_layout


def deep_chain(nodes: int) -> torch.Tensor:
    """One leaf and a chain of unary ops: ``nodes`` autograd nodes."""
    h = torch.tensor(0.5, requires_grad=True)
    for _ in range(nodes - 1):
        h = h.sin()
    return h


def residual_loop(nodes: int) -> torch.Tensor:
    """``h = h + tanh(h * w)`` with one shared ``w``: skip edges, and a weight used everywhere."""
    torch.manual_seed(0)
    h = torch.randn(8, requires_grad=True)
    w = torch.randn(8, requires_grad=True)
    for _ in range((nodes - 3) // 3):
        h = h + torch.tanh(h * w)  # MulBackward0, TanhBackward0, AddBackward0
    return h.sum()


def mlp_loop(nodes: int) -> torch.Tensor:
    """``h = h + relu(h @ W1 + b1) @ W2`` with shared weights: three buses and a skip edge."""
    torch.manual_seed(0)
    h = torch.randn(2, 8, requires_grad=True)
    w1 = torch.randn(8, 8, requires_grad=True)
    b1 = torch.randn(8, requires_grad=True)
    w2 = torch.randn(8, 8, requires_grad=True)
    for _ in range((nodes - 5) // 5):
        h = h + torch.relu(h @ w1 + b1) @ w2  # Mm, Add, Relu, Mm, Add
    return h.sum()


GRAPHS: dict[str, Callable[[int], torch.Tensor]] = {
    "deep chain": deep_chain,
    "residual h + tanh(h*w)": residual_loop,
    "MLP loop, shared W": mlp_loop,
}


def median_seconds(graph: nx.MultiDiGraph, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        layered_layout(graph)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--smoke", action="store_true", help="tiny inputs, a few seconds: checks the script runs")
    options = parser.parse_args()
    if options.smoke:
        options.sizes, options.repeats = [60], 1
    print(f"torch {torch.__version__}, median of {options.repeats} layouts per row")
    header = (f"{'graph':<24} | {'nodes':>7} | {'edges':>7} | {'layers':>6} | "
              f"{'layout':>9} | {'crossings':>9} | {'naive order':>11}")
    print(header)
    print("-" * len(header))
    for name, build in GRAPHS.items():
        for size in options.sizes:
            graph = walk([build(size).grad_fn]).graph
            seconds = median_seconds(graph, options.repeats)
            ours = layered_layout(graph)
            naive = layered_layout(graph, sweeps=0)
            layers = max(ours.layers.values()) + 1
            print(f"{name:<24} | {graph.number_of_nodes():>7,} | {graph.number_of_edges():>7,} | "
                  f"{layers:>6,} | {seconds:>7.3f} s | {ours.crossings:>9,} | "
                  f"{naive.crossings:>11,}")


if __name__ == "__main__":
    main()
