"""The element guard works out the size of the commonest growing calls itself (factories given
plain sizes, products of vectors and matrices): what it says is what the meta device says and
what torch then allocates, anything else still goes to the meta device, and the limits hold."""

from __future__ import annotations

import operator

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer.core import Limits, run_program
from explorer.core.sandbox.language import guards
from tests.core.reference import reference_grads

FACTORIES = [torch.randn, torch.rand, torch.zeros, torch.ones, torch.empty]
SIZES = st.lists(st.integers(0, 5), max_size=4)
FLOAT_DTYPES = st.sampled_from([None, torch.float32, torch.float64])


def _meta_elements(call, args: tuple, kwargs: dict, creation: bool) -> int:
    result, inputs, failure = guards._dry_run(call, args, kwargs, creation)
    assert failure is None
    return guards._dry_run_elements(result, inputs)


@settings(max_examples=150, deadline=None)
@given(factory=st.sampled_from(FACTORIES), sizes=SIZES, form=st.sampled_from(["numbers", "tuple", "size"]),
       dtype=FLOAT_DTYPES, requires_grad=st.booleans())
def test_a_factory_given_plain_sizes_is_sized_as_the_meta_device_sizes_it(
        factory, sizes: list[int], form: str, dtype, requires_grad: bool) -> None:
    args: tuple = tuple(sizes) if form == "numbers" else (tuple(sizes),) if form == "tuple" else ()
    kwargs: dict = {"size": torch.Size(sizes)} if form == "size" else {}
    if dtype is not None:
        kwargs["dtype"] = dtype
    if requires_grad:
        kwargs["requires_grad"] = True
    plain = guards._plain_elements(factory, args, kwargs)
    if form == "numbers" and not sizes:  # no size at all: torch's own error, as before
        assert plain is None
        with pytest.raises(TypeError):
            factory(*args, **kwargs)
        return
    assert plain is not None
    assert plain == _meta_elements(factory, args, dict(kwargs), True)
    assert plain == factory(*args, **kwargs).numel()


SHAPES = st.tuples(st.integers(1, 2), st.integers(1, 2), st.integers(0, 4), st.integers(0, 4),
                   st.integers(0, 4), st.booleans())


@settings(max_examples=150, deadline=None)
@given(shapes=SHAPES, dtype=st.sampled_from([torch.float32, torch.float64]),
       call=st.sampled_from([operator.matmul, torch.matmul]))
def test_a_product_of_vectors_and_matrices_is_sized_as_the_meta_device_sizes_it(
        shapes: tuple, dtype, call) -> None:
    left_dims, right_dims, rows, inner, columns, agree = shapes
    left = torch.ones((rows, inner) if left_dims == 2 else (inner,), dtype=dtype)
    right_inner = inner if agree else inner + 1
    right = torch.ones((right_inner, columns) if right_dims == 2 else (right_inner,), dtype=dtype)
    plain = guards._plain_elements(call, (left, right), {})
    if not agree:  # torch refuses the product: the meta device says so, as before
        assert plain is None
        with pytest.raises(RuntimeError):
            call(left, right)
        return
    assert plain is not None
    assert plain == _meta_elements(call, (left, right), {}, False)
    assert plain == call(left, right).numel()


@pytest.mark.parametrize(("call", "args", "kwargs"), [
    (torch.randn, (3, -1), {}),  # torch's own error, from the meta device as before
    (torch.randn, (torch.tensor(3),), {}),
    (torch.zeros, (3,), {"device": "cpu"}),
    (torch.ones, (3,), {"out": torch.empty(3)}),
    (torch.randn, (2,), {"size": (2,)}),
    (torch.full, ((2, 3), 1.0), {}),
    (operator.matmul, (torch.ones(2, 3, 4), torch.ones(4, 5)), {}),  # batched
    (operator.matmul, (torch.ones(2, 3), torch.ones(3, 4, dtype=torch.float64)), {}),
    (operator.matmul, (torch.ones(2, 3, dtype=torch.long), torch.ones(3, 4, dtype=torch.long)), {}),
    (operator.matmul, (torch.ones(2, 3), [[1.0]] * 3), {}),
    (torch.matmul, (torch.ones(2, 3), torch.ones(3, 4)), {"out": torch.empty(2, 4)}),
])
def test_any_other_form_is_left_to_the_meta_device(call, args: tuple, kwargs: dict) -> None:
    assert guards._plain_elements(call, args, kwargs) is None


def test_sizes_worked_out_here_still_meet_the_limits() -> None:
    limits = Limits(max_elements=100)
    for source in ("t = torch.randn(20, 20)\n", "t = torch.zeros((5, 30), requires_grad=True)\n",
                   "a = torch.ones(20, 1)\nm = a @ a.T\n", "a = torch.ones(1, 30)\nv = torch.ones(30, 101)\nm = a @ v\n"):
        error = run_program(source, limits=limits).error
        assert error is not None and error.kind == "limit" and "past the limit of 100" in error.message
    assert run_program("t = torch.randn(10, 10)\nm = t @ t\n", limits=limits).error is None


SMALL_NET = """\
torch.manual_seed(0)
x = torch.randn(8, 4)
W = torch.randn(4, 6, requires_grad=True)
b = torch.zeros(6, requires_grad=True)
h = torch.tanh(x @ W + b)
loss = (h @ torch.ones(6)).sum()
"""


def test_a_small_network_runs_without_the_meta_device(monkeypatch) -> None:
    calls: list = []
    original = guards._dry_run

    def watched(call, *rest):
        calls.append(call)
        return original(call, *rest)

    monkeypatch.setattr(guards, "_dry_run", watched)
    trace = run_program(SMALL_NET + "loss.backward()\n")
    assert trace.error is None and calls == []
    expected = reference_grads(SMALL_NET, "loss", ["W", "b"])
    assert all(torch.allclose(trace.passes[0].grads[name], expected[name]) for name in ("W", "b"))
