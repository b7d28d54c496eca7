"""Trace and layout times for a real model: a stack of 12 transformer encoder layers.

Run: python benchmarks/model_bench.py [--layers 12] [--d-model 64] [--repeats 3]

Prints one table: forward (with and without module tracking), plain backward, explorer.trace
(real engine with observing hooks, parameter names, module groups, grads put back), and the
layered layout of the pass, with the graph's node and edge counts.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

import torch
from torch import nn

import explorer
from explorer.core.capture.modules import track_modules
from explorer.core.view.layout import layered_layout


def build_model(layers: int, d_model: int) -> nn.Module:
    torch.manual_seed(0)
    layer = nn.TransformerEncoderLayer(d_model, 4, dim_feedforward=2 * d_model, dropout=0.0,
                                       batch_first=True)
    return nn.TransformerEncoder(layer, num_layers=layers, enable_nested_tensor=False)


def timed(run: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    """Median seconds of ``repeats`` runs after one warm-up run, and the last result."""
    times, result = [], run()
    for _ in range(repeats):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def measure(layers: int, d_model: int, repeats: int) -> list[tuple[str, float, str]]:
    model = build_model(layers, d_model)
    x = torch.randn(4, 16, d_model)

    def forward() -> torch.Tensor:
        return model(x).pow(2).mean()

    def tracked_forward() -> torch.Tensor:
        with track_modules(model):
            return forward()

    plain_forward, _ = timed(forward, repeats)
    tracked, loss = timed(tracked_forward, repeats)
    backward, _ = timed(lambda: forward().backward(), repeats)
    tracing, traced = timed(lambda: explorer.trace(loss, model=model), repeats)
    graph = traced.passes[0].graph
    layout, _ = timed(lambda: layered_layout(graph), repeats)
    grouped = sum(1 for _, data in graph.nodes(data=True) if data.get("module"))
    size = f"{graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges"
    return [
        ("forward", plain_forward, ""),
        ("forward with module tracking", tracked, f"{tracked / plain_forward:.2f}x"),
        ("forward + plain backward", backward, ""),
        ("explorer.trace(loss, model=)", tracing, size),
        ("layered_layout(pass graph)", layout, f"{grouped} nodes in a module group"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--layers", type=int, default=12)
    parser.add_argument("--d-model", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--smoke", action="store_true", help="tiny inputs, a few seconds: checks the script runs")
    options = parser.parse_args()
    if options.smoke:
        options.layers, options.d_model, options.repeats = 1, 8, 1
    torch.set_num_threads(1)  # the machine is shared: numbers comparable run to run
    rows = measure(options.layers, options.d_model, options.repeats)
    print(f"{options.layers} x TransformerEncoderLayer(d_model={options.d_model}, nhead=4), "
          f"batch 4 x 16 tokens, median of {options.repeats}, 1 thread")
    print(f"| {'what':32} | {'time':>9} | notes")
    print(f"| {'-' * 32} | {'-' * 9} | -----")
    for name, seconds, note in rows:
        print(f"| {name:32} | {seconds * 1000:7.1f} ms | {note}")


if __name__ == "__main__":
    main()
