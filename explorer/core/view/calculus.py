"""The calculus behind a pass, as numbers to plot: y(x) around x, its tangent, gradients by depth.

``sample_curve`` re-runs the program through the same sandbox as the app (``run_program`` with
an override for the chosen leaf), so the curve is what the code box computes, not a formula.
For a non-scalar output the curve is the seed-weighted sum Σ seed · y, whose slope is exactly
the gradient ``backward(gradient=seed)`` puts in ``x.grad``.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import networkx as nx
import torch

from explorer.core.capture.tensors import TensorLike, norm_of
from explorer.core.capture.trace import Pass, Trace
from explorer.core.sandbox.limits import Limits
from explorer.core.sandbox.program import run_program
from explorer.core.view.stepper import Stepper

Runner = Callable[..., Trace]  # run_program, or a worker process's run
SAMPLES = 61  # odd, so the current x is one of the samples
SAMPLE_SECONDS = 2.0  # stop sampling after this long and plot what came back
SAMPLE_RUN_SECONDS = 0.5  # a program slower than this is not worth sampling 61 times


@dataclass(frozen=True)
class Tangent:
    """The point (x, y) on the curve and the slope the pass computed there."""

    leaf: str
    x: float
    y: float
    slope: float

    def at(self, x: float) -> float:
        return self.y + self.slope * (x - self.x)


@dataclass(frozen=True)
class Curve:
    """y sampled along one leaf; NaN where the program failed or y was not finite."""

    leaf: str
    xs: tuple[float, ...]
    ys: tuple[float, ...]
    seconds: float
    complete: bool  # False when the time budget or a cancel stopped it early


def scalar_leaves(trace: Trace) -> list[str]:
    """Leaves that can be plotted along: one floating-point element that requires grad."""
    return [leaf.name for leaf in trace.leaves
            if leaf.requires_grad and leaf.value.numel() == 1 and leaf.value.dtype.is_floating_point]


def pass_output(one_pass: Pass) -> float | None:
    """The number the pass differentiates: the root's value, seed-weighted when not a scalar."""
    if not one_pass.outputs or not isinstance(one_pass.outputs[0], torch.Tensor):
        return None
    output = one_pass.outputs[0].double()
    seed = one_pass.seeds[0] if one_pass.seeds else None
    if isinstance(seed, torch.Tensor) and seed.shape == output.shape:
        return float((seed.double() * output).sum())
    return float(output.sum()) if output.numel() == 1 else None


def pass_gradient(one_pass: Pass, leaf: str) -> TensorLike | None:
    """What this pass alone added to the leaf's gradient (autograd.grad's result, or Δ .grad)."""
    if leaf in one_pass.results:
        return one_pass.results[leaf]
    for node_id, data in one_pass.graph.nodes(data=True):
        if data.get("variable") == leaf and node_id in one_pass.grads_after:
            after, before = one_pass.grads_after[node_id], one_pass.grads_before.get(node_id)
            if isinstance(after, torch.Tensor) and isinstance(before, torch.Tensor):
                return after - before
            return after
    return None


def tangent(trace: Trace, pass_index: int, leaf: str) -> Tangent | None:
    """The current x, y(x) and the slope from the recorded gradient, or None if not plottable."""
    if not 0 <= pass_index < len(trace.passes):
        return None
    one_pass = trace.passes[pass_index]
    value = next((item.value for item in trace.leaves if item.name == leaf), None)
    y = pass_output(one_pass)
    grad = pass_gradient(one_pass, leaf)
    if not isinstance(value, torch.Tensor) or y is None or not isinstance(grad, torch.Tensor):
        return None
    if value.numel() != 1 or grad.numel() != 1:
        return None
    return Tangent(leaf, float(value.reshape(())), y, float(grad.reshape(())))


def sample_range(x: float, count: int = SAMPLES) -> list[float]:
    """Points around x: ±2 for small x, ±|x| for large, with x itself in the middle."""
    half = max(2.0, abs(x))
    return [x - half + 2 * half * index / (count - 1) for index in range(count)]


def sample_curve(code: str, leaf: str, xs: list[float], *, pass_index: int = 0,
                 overrides: Mapping[str, Any] | None = None, seconds: float = SAMPLE_SECONDS,
                 cancel: threading.Event | None = None, run: Runner | None = None,
                 run_seconds: float = SAMPLE_RUN_SECONDS) -> Curve:
    """Run the program once per x (leaf overridden) and read the output of pass ``pass_index``
    (counted among all the passes the program makes, from 0) each time.

    ``run`` runs one program (``run_program``'s keywords); the app passes its worker process's,
    so a program that hangs inside one torch call is killed there, never in the app. Sampling
    stops after ``seconds``; one run may take ``run_seconds`` of processor time."""
    start = budget_start = time.perf_counter()
    ys: list[float] = []
    for x in xs:
        if (cancel is not None and cancel.is_set()) or time.perf_counter() - budget_start > seconds:
            break
        ys.append(_sample(code, leaf, x, pass_index, overrides, cancel, run or run_program, run_seconds))
        if len(ys) == 1:  # the first run may have started the worker process: not sampling time
            budget_start = time.perf_counter()
    taken = time.perf_counter() - start
    return Curve(leaf, tuple(xs[: len(ys)]), tuple(ys), taken, len(ys) == len(xs))


def _sample(code: str, leaf: str, x: float, pass_index: int,
            overrides: Mapping[str, Any] | None, cancel: threading.Event | None,
            run: Runner, run_seconds: float) -> float:
    # ``pass_index`` numbers the pass among all the program makes: only that one is recorded
    trace = run(code, overrides={**(overrides or {}), leaf: x}, cancel=cancel,
                        limits=Limits(max_seconds=run_seconds), passes=str(pass_index + 1))
    position = trace.position_of(pass_index)
    if position is None:
        return math.nan
    y = pass_output(trace.passes[position])
    return y if y is not None and math.isfinite(y) else math.nan


def gradient_by_depth(one_pass: Pass) -> list[tuple[int, float]]:
    """Largest gradient norm received at each depth (edges from the output), in depth order."""
    return one_pass.cached("gradient_by_depth", lambda: _gradient_by_depth(one_pass))


def _gradient_by_depth(one_pass: Pass) -> list[tuple[int, float]]:
    graph: nx.MultiDiGraph = one_pass.graph
    depths = nx.single_source_shortest_path_length(graph, one_pass.root)
    largest: dict[int, float] = {}
    for step in one_pass.steps:
        grad = step.grad_outputs[0] if step.grad_outputs else None
        if step.node not in depths or grad is None:
            continue
        norm = norm_of(grad)
        depth = depths[step.node]
        largest[depth] = max(largest.get(depth, 0.0), norm)
    return sorted(largest.items())


def node_gradient(stepper: Stepper, node_id: str) -> torch.Tensor | None:
    """The gradient a node has received so far (its first input), as a tensor to chart."""
    index = stepper.step_index(node_id)
    if index is not None and index < stepper.position:
        grad = stepper.one_pass.steps[index].grad_outputs[0]
    else:
        grad = stepper.inflow(node_id, 0).total
    return grad if isinstance(grad, torch.Tensor) else None




ROUNDING_ULPS = 64  # a curve whose whole rise is this few float32 steps shows rounding, not shape


def rounding_limited(curve: Curve, dtype: torch.dtype = torch.float32) -> bool:
    """Whether y(x) varies by so few representable steps that its plot is a rounding staircase.

    Ten sigmoids in a row move y by about 1e-8 over the plotted range: float32 cannot tell
    those values apart, so the samples jump between a few levels. The slope the pass computed
    (the tangent) is still right; the curve's shape there is not information.
    """
    finite = [y for y in curve.ys if math.isfinite(y)]
    if len(finite) < 3:
        return False
    scale = max(abs(y) for y in finite)
    span = max(finite) - min(finite)
    return span <= ROUNDING_ULPS * torch.finfo(dtype).eps * max(scale, torch.finfo(dtype).tiny)


def nearest_sample(curve: Curve | None, x: float) -> float:
    """The sampled x closest to ``x`` (the marker snaps there: y is known exactly at samples)."""
    if curve is None or not curve.xs:
        return x
    return min(curve.xs, key=lambda sample: abs(sample - x))
