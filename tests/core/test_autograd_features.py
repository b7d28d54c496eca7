"""Accumulation, zero_, retain_graph, create_graph, autograd.grad and implicit passes."""

from __future__ import annotations

import warnings

import torch

from explorer.core import run_program
from tests.core.checks import assert_matches_torch
from tests.core.reference import assert_same, run_reference


def test_gradients_accumulate_across_passes() -> None:
    source = ("x = torch.tensor(2.0, requires_grad=True)\ny = x ** 3\ny.backward(retain_graph=True)\n"
              "y.backward()\n")
    trace = assert_matches_torch(source)
    assert len(trace.passes) == 2 and trace.passes[0].retain_graph and not trace.passes[1].retain_graph
    assert torch.equal(trace.passes[1].grads["x"], 2 * trace.passes[0].grads["x"])


def test_zero_between_passes() -> None:
    source = ("x = torch.tensor(2.0, requires_grad=True)\n(x * 5).backward()\nx.grad.zero_()\n"
              "(x * 7).backward()\nprint(x.grad)\n")
    trace = assert_matches_torch(source)
    assert float(trace.passes[1].grads["x"]) == float(run_reference(source).namespace["x"].grad)


def test_trace_is_not_changed_by_later_in_place_edits() -> None:
    trace = run_program("x = torch.tensor(2.0, requires_grad=True)\n(x * 5).backward()\n"
                        "x.grad.zero_()\ng = x.grad\ng += 100\n")
    first = trace.passes[0]
    assert float(first.grads["x"]) == 5.0
    assert float(first.steps[-1].grad_outputs[0]) == 5.0


def test_retain_graph_error_names_the_line_and_advises() -> None:
    trace = assert_matches_torch("x = torch.tensor(2.0, requires_grad=True)\ny = x.sin() * x\n"
                                 "y.backward()\ny.backward()\n")
    assert trace.error.line == 4 and "retain_graph=True" in trace.error.advice
    assert len(trace.passes) == 1


def test_create_graph_gives_a_second_derivative() -> None:
    source = ("x = torch.tensor(1.5, requires_grad=True)\ny = x ** 4\n"
              "(g,) = torch.autograd.grad(y, x, create_graph=True)\n(h,) = torch.autograd.grad(g, x)\n"
              "print(g, h)\n")
    trace = assert_matches_torch(source)
    first, second = trace.passes
    assert first.call == second.call == "autograd.grad" and first.create_graph
    x = torch.tensor(1.5, requires_grad=True)
    (g,) = torch.autograd.grad(x**4, x, create_graph=True)
    (h,) = torch.autograd.grad(g, x)
    assert_same(first.results["x"], g)
    assert_same(second.results["x"], h)
    assert second.graph.number_of_nodes() > first.graph.number_of_nodes() - 1
    for one_pass in trace.passes:
        for step in one_pass.steps:
            for grad in step.grad_inputs + step.grad_outputs:
                assert grad is None or grad.grad_fn is None


def test_backward_with_create_graph_then_grad_of_grad() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch warns (once) about the cycle create_graph makes
        assert_matches_torch(
            "x = torch.tensor(2.0, requires_grad=True)\ny = x ** 3\n"
            "y.backward(create_graph=True)\ng = x.grad\nx.grad = None\ng.backward()\nprint(x.grad)\n")


def test_torch_warnings_are_kept_with_their_line() -> None:
    trace = run_program("a = torch.ones(2)\nb = torch.tensor(a)\n")
    assert trace.ok and len(trace.warnings) == 1
    assert trace.warnings[0].startswith("line 2: UserWarning: To copy construct from a tensor")


def test_autograd_grad_leaves_dot_grad_alone() -> None:
    trace = assert_matches_torch("x = torch.tensor(2.0, requires_grad=True)\ny = x.exp()\n"
                                 "g = torch.autograd.grad(y, [x])\nprint(x.grad, g)\n")
    (one_pass,) = trace.passes
    assert one_pass.grads["x"] is None
    assert all(one_pass.graph.nodes[s.node]["kind"] == "function" for s in one_pass.steps)


def test_non_scalar_backward_with_gradient() -> None:
    trace = assert_matches_torch("x = torch.tensor([1.0, 2.0], requires_grad=True)\ny = x ** 2\n"
                                 "y.backward(gradient=torch.tensor([1.0, 0.5]))\n")
    assert torch.equal(trace.passes[0].seeds[0], torch.tensor([1.0, 0.5]))


def test_autograd_backward_function() -> None:
    assert_matches_torch("a = torch.tensor(1.0, requires_grad=True)\nb = torch.tensor(2.0, requires_grad=True)\n"
                         "torch.autograd.backward([a * b, a + b])\nprint(a.grad, b.grad)\n")


def test_implicit_pass_from_the_last_tensor_with_a_graph() -> None:
    trace = run_program("x = torch.tensor(2.0, requires_grad=True)\ny = x ** 2\nz = y * 3\nk = 5\n")
    (one_pass,) = trace.passes
    assert one_pass.implicit and one_pass.call == "implicit"
    assert one_pass.graph.nodes[one_pass.root]["variable"] == "z"
    x = torch.tensor(2.0, requires_grad=True)
    assert_same(one_pass.grads["x"], torch.autograd.grad((x**2) * 3, x)[0])
    assert "backward()" in one_pass.note


def test_implicit_pass_of_a_non_scalar_is_seeded_with_ones() -> None:
    trace = run_program("x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)\ny = x * x\n")
    (one_pass,) = trace.passes
    assert torch.equal(one_pass.seeds[0], torch.ones(3)) and "ones_like" in one_pass.note
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    assert_same(one_pass.grads["x"], torch.autograd.grad(x * x, x, torch.ones(3))[0])


def test_no_graph_means_no_pass_and_no_error() -> None:
    trace = run_program("a = torch.ones(3)\nb = a * 2\nprint(b.sum())\n")
    assert trace.ok and trace.passes == [] and trace.stdout == "tensor(6.)\n"


def test_leaves_list_every_named_leaf_with_its_grad() -> None:
    trace = run_program("W = torch.ones(2, 2, requires_grad=True)\nX = torch.eye(2)\n"
                        "loss = (X @ W).sum()\nloss.backward()\n")
    leaves = {leaf.name: leaf for leaf in trace.leaves}
    assert set(leaves) == {"W", "X"}
    assert leaves["W"].requires_grad and not leaves["X"].requires_grad
    W = torch.ones(2, 2, requires_grad=True)
    assert_same(leaves["W"].grad, torch.autograd.grad((torch.eye(2) @ W).sum(), W)[0])
    assert leaves["X"].grad is None and leaves["W"].shape == (2, 2) and leaves["W"].dtype == "float32"


def test_overrides_replace_a_leafs_value_without_touching_the_code() -> None:
    source = "x = torch.tensor(2.0, requires_grad=True)\ny = 5 * x ** 3\ny.backward()\n"
    trace = run_program(source, overrides={"x": 3.0})
    x = torch.tensor(3.0, requires_grad=True)
    assert_same(trace.passes[0].grads["x"], torch.autograd.grad(5 * x**3, x)[0])
    assert trace.overrides_applied == ["x"]
    matrix = run_program("W = torch.zeros(2, 2, requires_grad=True)\n(W * W).sum().backward()\n",
                         overrides={"W": [[1.0, 2.0], [3.0, 4.0]]})
    assert torch.equal(matrix.passes[0].grads["W"], torch.tensor([[2.0, 4.0], [6.0, 8.0]]))


def test_reruns_draw_the_same_random_numbers() -> None:
    source = "W = torch.randn(3, requires_grad=True)\n(W * 2).sum().backward()\nprint(W)\n"
    assert run_program(source).stdout == run_program(source).stdout
