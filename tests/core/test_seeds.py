"""Every seed tutorial example runs verbatim and matches real PyTorch."""

import pytest
import torch

from explorer.core import run_program
from tests.core.checks import assert_matches_torch
from tests.core.programs import SEEDS, line_of


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_seed_matches_torch(name: str) -> None:
    assert_matches_torch(SEEDS[name])


def test_polynomial_gradient_is_the_derivative() -> None:
    trace = assert_matches_torch(SEEDS["polynomial"])
    x = torch.tensor(2.0, requires_grad=True)
    (expected,) = torch.autograd.grad(5 * x**3 + 2 * x**2 + 4 * x + 8, x)
    assert torch.equal(trace.passes[0].grads["x"], expected)
    assert "Function output: 64.0" in trace.stdout


def test_zero_before_backward_reports_torchs_error_at_its_line() -> None:
    trace = run_program(SEEDS["zero_before_backward"])
    assert trace.error is not None
    assert trace.error.line == line_of(SEEDS["zero_before_backward"], "x.grad.zero_()")
    assert "'NoneType' object has no attribute 'zero_'" in trace.error.message
    assert trace.error.advice  # plain words: .grad is None until backward reaches it


def test_accumulate_and_zero_records_two_passes() -> None:
    trace = assert_matches_torch(SEEDS["accumulate_and_zero"])
    source = SEEDS["accumulate_and_zero"]
    assert [one_pass.line for one_pass in trace.passes] == [
        line_of(source, "y.backward()"), line_of(source, "y.backward()", 2)]
    first, second = (one_pass.grads["x"] for one_pass in trace.passes)
    x = torch.tensor(3.0, requires_grad=True)
    assert torch.equal(first, torch.autograd.grad(x**2, x)[0])
    assert torch.equal(second, torch.autograd.grad(x**3, x)[0])
