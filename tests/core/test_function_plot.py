"""The numbers behind the plots, checked against torch: curve, tangent, depth, without Qt."""

from __future__ import annotations

import math

import pytest
import torch

from explorer.core import run_program
from explorer.core.view.calculus import (
    gradient_by_depth,
    node_gradient,
    pass_gradient,
    sample_curve,
    sample_range,
    scalar_leaves,
    tangent,
)
from explorer.core.view.stepper import Stepper
from explorer.examples import example

POLYNOMIAL = example("polynomial").source()


def test_tangent_slope_is_the_traced_x_grad_and_torchs_derivative() -> None:
    trace = run_program(POLYNOMIAL)
    point = tangent(trace, 0, "x")
    assert point is not None
    assert point.slope == trace.passes[0].grads["x"].item()
    x = torch.tensor(2.0, requires_grad=True)
    y = 5 * x**3 + 2 * x**2 + 4 * x + 8
    (slope,) = torch.autograd.grad(y, x)
    assert (point.x, point.y, point.slope) == (2.0, y.item(), slope.item())
    assert point.at(3.0) == pytest.approx(y.item() + slope.item())


# time enough for every run on a busy machine: these tests check values, never speed
ROOMY = {"seconds": 600.0, "run_seconds": 60.0}


def test_curve_is_the_program_rerun_in_the_sandbox() -> None:
    xs = sample_range(2.0, count=9)
    assert xs[4] == 2.0 and xs[0] == 0.0 and xs[-1] == 4.0
    curve = sample_curve(POLYNOMIAL, "x", xs, **ROOMY)
    assert curve.complete and len(curve.ys) == 9
    for x_value, y_value in zip(curve.xs, curve.ys):
        x = torch.tensor(x_value)
        assert y_value == pytest.approx((5 * x**3 + 2 * x**2 + 4 * x + 8).item(), rel=1e-6)


def test_sampling_sixty_one_points_completes_and_obeys_its_budget() -> None:
    curve = sample_curve(POLYNOMIAL, "x", sample_range(2.0), **ROOMY)
    assert curve.complete and len(curve.ys) == 61 and all(math.isfinite(y) for y in curve.ys)
    stopped = sample_curve(POLYNOMIAL, "x", sample_range(2.0), seconds=0.0)
    assert not stopped.complete and len(stopped.ys) <= 1


def test_non_scalar_output_plots_the_seed_weighted_sum() -> None:
    code = ("import torch\nx = torch.tensor(1.5, requires_grad=True)\n"
            "y = torch.stack([x ** 2, torch.sin(x)])\ny.backward(gradient=torch.tensor([1.0, 3.0]))\n")
    trace = run_program(code)
    point = tangent(trace, 0, "x")
    x = torch.tensor(1.5, requires_grad=True)
    weighted = x**2 + 3 * torch.sin(x)
    (slope,) = torch.autograd.grad(weighted, x)
    assert point.y == pytest.approx(weighted.item()) and point.slope == pytest.approx(slope.item())


def test_a_later_pass_plots_its_own_contribution_not_the_accumulated_grad() -> None:
    trace = run_program(example("retain_graph").source())
    assert trace.passes[1].grads["x"].item() == 24.0  # accumulated over two passes
    assert pass_gradient(trace.passes[1], "x").item() == 12.0
    assert tangent(trace, 1, "x").slope == 12.0


def test_only_single_number_leaves_can_be_plotted_along() -> None:
    assert scalar_leaves(run_program(example("mlp_four_points").source())) == ["b2"]
    assert scalar_leaves(run_program(example("linear_layer").source())) == []


def test_gradient_by_depth_shows_the_vanishing_chain() -> None:
    trace = run_program(example("vanishing_sigmoid").source())
    depths = gradient_by_depth(trace.passes[0])
    assert [depth for depth, _ in depths] == list(range(len(depths)))
    assert depths[0][1] == 1.0
    assert depths[-1][1] == pytest.approx(trace.passes[0].grads["x"].item(), rel=1e-6)
    assert depths[-1][1] < 1e-7


def test_node_gradient_is_what_the_node_received_so_far() -> None:
    trace = run_program(example("linear_layer").source())
    one_pass = trace.passes[0]
    stepper = Stepper(one_pass)
    leaf = next(node for node, data in one_pass.graph.nodes(data=True) if data.get("variable") == "b")
    stepper.reset()
    assert node_gradient(stepper, leaf) is None
    stepper.to_end()
    assert torch.equal(node_gradient(stepper, leaf), one_pass.grads["b"])


def test_a_curve_flatter_than_float32_can_resolve_is_called_rounding() -> None:
    from explorer.core.view.calculus import Curve, nearest_sample, rounding_limited

    xs = [index / 10 for index in range(-20, 21)]
    # what a float32 program computes for y = 0.5 + 1e-9 x: a few levels, not a line
    flat = [float(torch.tensor(0.5) + torch.tensor(1e-9) * torch.tensor(x)) for x in xs]
    assert len(set(flat)) < len(xs) // 2
    assert rounding_limited(Curve("x", tuple(xs), tuple(flat), 0.0, True))
    square = [float(torch.tensor(x) ** 2) for x in xs]
    assert not rounding_limited(Curve("x", tuple(xs), tuple(square), 0.0, True))
    assert nearest_sample(Curve("x", tuple(xs), tuple(square), 0.0, True), 0.34) == pytest.approx(0.3)
