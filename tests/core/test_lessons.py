"""Every lesson runs, matches real PyTorch, and states only results torch itself produces."""

from __future__ import annotations

import builtins

import pytest
import torch

from explorer.core import run_program
from explorer.core.sandbox.language.surrogates import SURROGATES, ste_round, ste_sign
from explorer.examples import WELCOME, all_examples, by_section, example
from explorer.examples.lessons import SECTIONS
from tests.core.checks import assert_matches_torch
from tests.core.reference import run_reference

SLUGS = [item.slug for item in all_examples()]
ISSUE_LESSONS = {
    "chain_rule", "used_twice", "detach_and_no_grad", "backward_with_gradient", "retain_graph",
    "without_retain_graph", "second_derivative", "vanishing_sigmoid", "vanishing_tanh",
    "relu_chain", "exploding_chain", "round_and_sign", "straight_through",
    "softmax_cross_entropy", "mlp_four_points", "polynomial", "linear_layer",
    "accumulate_and_zero", "mean_of_vector",
}


@pytest.fixture(autouse=True)
def surrogates_in_python(monkeypatch: pytest.MonkeyPatch) -> None:
    """Plain Python finds ste_round/ste_sign as builtins, as the code box offers them."""
    for name, function in SURROGATES.items():
        monkeypatch.setattr(builtins, name, function, raising=False)


def test_gallery_holds_every_lesson_the_issue_lists() -> None:
    assert ISSUE_LESSONS <= set(SLUGS)
    assert WELCOME in SLUGS
    sections = by_section()
    assert [name for name, _ in sections] == list(SECTIONS)
    assert sum(len(items) for _, items in sections) == len(SLUGS)


@pytest.mark.parametrize("slug", SLUGS)
def test_lesson_matches_torch_and_its_stated_results(slug: str) -> None:
    lesson = example(slug)
    assert lesson.title and lesson.idea and lesson.explanation, slug
    source = lesson.source()
    trace = assert_matches_torch(source)
    reference = run_reference(source)
    if lesson.error:
        assert trace.error is not None and lesson.error in trace.error.message
        assert lesson.error in str(reference.error)
    else:
        assert trace.error is None and trace.passes
    assert lesson.expected or lesson.error
    for expression, stated in lesson.expected.items():
        actual = eval(expression, reference.namespace)  # noqa: S307 - trusted test text
        _assert_close(actual, stated, f"{slug}: {expression}")


def _assert_close(actual: object, stated: object, what: str) -> None:
    if isinstance(stated, bool):
        assert actual is stated, what
        return
    value = actual.detach() if isinstance(actual, torch.Tensor) else torch.tensor(actual)
    expected = torch.tensor(stated, dtype=value.dtype)
    assert value.shape == expected.shape, what
    # Stated numbers are rounded for reading: four to five significant digits.
    assert torch.allclose(value, expected, rtol=2e-3, atol=1e-4 * float(value.abs().max()) or 1e-12), (
        what, value, expected)


def test_ste_round_and_sign_are_real_autograd_functions() -> None:
    x = torch.tensor([0.4, 1.6, -2.3, -0.7], requires_grad=True)
    assert torch.equal(ste_round(x), torch.round(x.detach()))
    assert torch.equal(ste_sign(x), torch.sign(x.detach()))
    weights = torch.tensor([1.0, 2.0, 3.0, 4.0])
    (round_grad,) = torch.autograd.grad((ste_round(x) * weights).sum(), x)
    (identity_grad,) = torch.autograd.grad((x * weights).sum(), x)
    assert torch.equal(round_grad, identity_grad)
    (sign_grad,) = torch.autograd.grad((ste_sign(x) * weights).sum(), x)
    (hardtanh_grad,) = torch.autograd.grad((torch.nn.functional.hardtanh(x) * weights).sum(), x)
    assert torch.equal(sign_grad, hardtanh_grad)


def test_surrogate_nodes_appear_in_the_recorded_graph() -> None:
    trace = run_program(example("straight_through").source())
    names = {data["name"] for _, data in trace.passes[0].graph.nodes(data=True)}
    assert {"SteRoundBackward", "SteSignBackward"} <= names


def test_vanishing_lessons_rank_as_stated() -> None:
    """The activation lessons compare: sigmoid < tanh < ReLU < the exploding chain."""
    grads = [run_program(example(slug).source()).passes[0].grads["x"].item()
             for slug in ("vanishing_sigmoid", "vanishing_tanh", "relu_chain", "exploding_chain")]
    assert grads == sorted(grads)
