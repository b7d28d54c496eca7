"""Gradient diagnostics, checked against what torch itself says (anomaly mode, autograd.grad)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable

import pytest
import torch
from torch import nn

import explorer
from explorer.core.view.diagnostics import (
    dead_relus,
    diagnose,
    first_non_finite,
    gradient_magnitudes,
    parameter_norms,
    unused_parameters,
)


def _anomaly_node(build: Callable[[], torch.Tensor]) -> str:
    """The node torch's anomaly mode blames for the first NaN (it raises naming it)."""
    with pytest.warns(UserWarning), torch.autograd.detect_anomaly(check_nan=True):
        with pytest.raises(RuntimeError) as caught:
            build().backward()
    found = re.search(r"Function '(\w+)' returned nan", str(caught.value))
    assert found is not None, str(caught.value)
    return found.group(1)


CASES = {
    "sqrt at zero": lambda x: (x.relu().sqrt() * 0 + x).sum(),
    "log at zero times zero": lambda x: (torch.log(x * 0) * 0).sum() + x.sum(),
    "where over sqrt of negative": lambda x: torch.where(x > 0, x.sqrt(), 0.0).sum(),
    "pow of negative": lambda x: (x - 5.0).pow(0.5).nan_to_num().sum(),
}


@pytest.mark.parametrize("case", list(CASES))
def test_first_non_finite_is_the_node_anomaly_mode_names(case: str) -> None:
    torch.manual_seed(0)
    x = torch.tensor([-1.0, 0.5, 2.0], requires_grad=True)
    build = CASES[case]
    traced = explorer.trace(build(x), names={"x": x})
    found = first_non_finite(traced.passes[0])
    assert found is not None
    one_pass = traced.passes[0]
    assert one_pass.graph.nodes[found.node]["name"] == _anomaly_node(lambda: build(x))
    assert one_pass.steps[found.position - 1].node == found.node


def test_no_finding_when_every_gradient_is_finite() -> None:
    x = torch.randn(4, requires_grad=True)
    assert first_non_finite(explorer.trace((x.exp() * x).sum()).passes[0]) is None


def test_parameter_norms_are_the_norms_torch_computes_with_thresholds() -> None:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 1))
    loss = model(torch.randn(5, 3)).sum()
    expected = dict(zip([n for n, _ in model.named_parameters()],
                        torch.autograd.grad(loss, list(model.parameters()), retain_graph=True)))
    norms = {item.name: item for item in parameter_norms(explorer.trace(loss, model=model).passes[0])}
    assert set(norms) == set(expected)
    for name, grad in expected.items():
        assert norms[name].norm == pytest.approx(float(grad.double().norm()), rel=1e-6)
        assert norms[name].status == "ok"
    small = parameter_norms(explorer.trace(loss * 1e-12, model=model).passes[0])
    assert {item.status for item in small} == {"vanishing"}
    large = parameter_norms(explorer.trace(loss * 1e6, model=model).passes[0])
    assert {item.status for item in large} == {"exploding"}


def test_parameters_that_get_no_gradient_are_named() -> None:
    torch.manual_seed(0)
    used, unused, detached = nn.Linear(2, 2), nn.Linear(2, 2), nn.Linear(2, 2)
    model = nn.ModuleDict({"used": used, "unused": unused, "detached": detached})
    x = torch.randn(3, 2)
    loss = (used(x) + detached(x).detach()).sum()
    found = unused_parameters(explorer.trace(loss, model=model).passes[0])
    names = sorted(item.message.split(" ")[0] for item in found)
    assert names == ["detached.bias", "detached.weight", "unused.bias", "unused.weight"]
    grads = torch.autograd.grad(loss, list(model.parameters()), allow_unused=True)
    no_grad = sorted(n for (n, _), g in zip(model.named_parameters(), grads) if g is None)
    assert names == no_grad


def test_a_relu_after_a_very_negative_bias_is_reported_dead() -> None:
    torch.manual_seed(0)
    layer = nn.Linear(4, 8)
    with torch.no_grad():
        layer.bias.fill_(-100.0)
    hidden = torch.relu(layer(torch.randn(6, 4)))
    found = dead_relus(explorer.trace(hidden.sum() + layer.weight.sum()).passes[0])
    assert len(found) == 1 and "100%" in found[0].message
    alive = torch.relu(nn.Linear(4, 8)(torch.randn(6, 4)))
    assert dead_relus(explorer.trace(alive.sum()).passes[0]) == []


def test_reading_a_non_leaf_grad_is_reported() -> None:
    w = torch.randn(3, requires_grad=True)
    with explorer.record(names={"w": w}) as rec:
        hidden = w * 2
        hidden.sum().backward()
        assert hidden.grad is None
    kinds = [item.kind for item in diagnose(rec.trace())]
    assert "non_leaf_grad" in kinds


def test_second_backward_finding_comes_from_the_recording() -> None:
    w = torch.randn(3, requires_grad=True)
    with pytest.raises(RuntimeError), explorer.record(names={"w": w}) as rec:
        loss = w.exp().sum()
        loss.backward()
        loss.backward()
    found = [item for item in diagnose(rec.trace()) if item.kind == "second_backward"]
    assert len(found) == 1 and "Pass 1" in found[0].message


def test_magnitudes_are_norms_of_what_each_node_received() -> None:
    x = torch.randn(5, requires_grad=True)
    y = x.sin()
    z = (y * 3.0).sum()
    one_pass = explorer.trace(z).passes[0]
    magnitudes = gradient_magnitudes(one_pass)
    expected_y = torch.autograd.grad(z, y, retain_graph=True)[0]  # what SinBackward0 receives
    sin = next(n for n, d in one_pass.graph.nodes(data=True) if d["name"] == "SinBackward0")
    assert magnitudes[sin] == pytest.approx(float(expected_y.norm()))
    assert magnitudes[one_pass.root] == pytest.approx(1.0)
    nan_pass = explorer.trace((x.abs().sqrt() * 0.0 + (x - x).sqrt()).sum()).passes[0]
    assert any(math.isnan(value) for value in gradient_magnitudes(nan_pass).values())


def test_forward_nan_names_the_first_operation_that_made_it_with_its_line() -> None:
    from explorer.core import run_program
    from explorer.core.view.diagnostics import forward_non_finite

    source = ("import torch\nx = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)\n"
              "y = x * 2\nz = torch.log(y - 1)\nw = z * 3\nloss = w.sum()\nloss.backward()\n")
    trace = run_program(source)
    assert math.isnan(float(trace.passes[0].outputs[0]))  # torch's own forward: NaN
    found = forward_non_finite(trace.passes[0])
    assert found is not None and found.kind == "forward_non_finite"
    data = trace.passes[0].graph.nodes[found.node]
    assert data["name"] == "LogBackward0" and data["line"] == 4
    assert found.message.startswith("line 4: torch.log(…) (LogBackward0)") and "log of a negative" in found.message
    assert diagnose(trace)[0] == found  # the most urgent finding, before any backward one
    clean = run_program(source.replace("-2.0", "2.0"))
    assert forward_non_finite(clean.passes[0]) is None


def test_a_bias_before_a_batch_norm_has_no_gradient_by_design() -> None:
    from explorer.core import run_program

    source = ("import torch\nimport torch.nn as nn\ntorch.manual_seed(0)\nlayer = nn.Linear(3, 4)\n"
              "norm = nn.BatchNorm1d(4)\nx = torch.randn(8, 3)\nloss = norm(layer(x)).pow(2).sum()\n"
              "loss.backward()\n")
    trace = run_program(source)
    bias_grad = trace.passes[0].grads["layer.bias"]
    assert float(bias_grad.abs().max()) < 1e-5  # zero but for rounding, as torch computes it
    found = [item for item in diagnose(trace) if item.kind == "by_design"]
    assert len(found) == 1 and found[0].message.startswith("layer.bias")
    assert "batch norm" in found[0].message
    assert not [item for item in diagnose(trace) if item.kind == "vanishing"]
