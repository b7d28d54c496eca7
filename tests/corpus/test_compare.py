"""The corpus comparison itself: Python agrees with itself, and every kind of difference is caught.

A trace is built from the reference run (what a perfect code box would return); the comparison
must find nothing in it, and must name each difference planted in a copy of it.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from pathlib import Path

import pytest
import torch

from explorer.core.capture.trace import Pass, Step, Trace
from explorer.core.errors import ExplorerError
from tests.corpus.compare import (
    PROGRAMS,
    PythonRun,
    compare,
)
from tests.corpus.compare import run_in_python as run_uncached
from tests.corpus.compare import trace_of_python_run as perfect_trace

SIMPLE = PROGRAMS / "book_autograd_simple.py"  # two passes, a named leaf
MODULE = PROGRAMS / "tut_polynomial_nn.py"  # a module's parameters, a hundred passes
HOOKED = PROGRAMS / "docs_tensor_register_hook.py"  # a hook that changes a gradient
LIBRARY = PROGRAMS / "docs_functional_jacobian.py"  # jacobian runs passes of its own
FAILING = PROGRAMS / "fail_second_backward.py"


@functools.cache
def run_in_python(path: Path) -> PythonRun:
    """Each reference run once: the tests below only read it."""
    return run_uncached(path)


def _tensor(value: object) -> torch.Tensor:
    assert isinstance(value, torch.Tensor), value  # the corpus's tensors are small: kept whole
    return value


@pytest.mark.parametrize("path", [SIMPLE, MODULE, HOOKED, LIBRARY, FAILING], ids=lambda path: path.stem)
def test_python_agrees_with_itself(path: Path) -> None:
    python = run_in_python(path)
    found = compare(python, perfect_trace(python))
    assert found.matches, found.report()


def test_library_passes_are_not_the_programs_own() -> None:
    python = run_in_python(LIBRARY)
    assert python.library_passes > 0
    assert [one.line for one in python.passes] == [26]  # the program's own backward only


def test_hook_changes_are_recorded_in_the_reference() -> None:
    python = run_in_python(HOOKED)
    changes = [change for one in python.passes for step in one.steps for change in step.changed_by_hook]
    assert changes, "the reference must record what the program's hook changed"


def _with_pass(trace: Trace, position: int, change: Callable[[Pass], Pass]) -> Trace:
    passes = list(trace.passes)
    passes[position] = change(passes[position])
    return dataclasses.replace(trace, passes=passes)


def _with_step(one: Pass, position: int, change: Callable[[Step], Step]) -> Pass:
    steps = list(one.steps)
    steps[position] = change(steps[position])
    return dataclasses.replace(one, steps=steps)


def _scaled(grads: tuple) -> tuple:  # type: ignore[type-arg]
    return tuple(None if grad is None else grad * 1.001 for grad in grads)


def _renamed_node(one: Pass) -> Pass:
    graph = one.graph.copy()
    graph.nodes[one.roots[0]]["name"] = "AddBackward0"
    return dataclasses.replace(one, graph=graph)


def _saved_changed(one: Pass) -> Pass:
    graph = one.graph.copy()
    node = next(node for node, data in graph.nodes(data=True) if data["name"] == "DotBackward0")
    saved = dict(graph.nodes[node]["saved"])
    saved["self"] = saved["self"] + 1
    graph.nodes[node]["saved"] = saved
    return dataclasses.replace(one, graph=graph)


def _leaf_grad_changed(trace: Trace) -> Trace:
    leaves = [dataclasses.replace(leaf, grad=_tensor(leaf.grad) + 1) if leaf.name == "x" else leaf
              for leaf in trace.leaves]
    return dataclasses.replace(trace, leaves=leaves)


MUTATIONS: dict[str, tuple[Callable[[Trace], Trace], str]] = {
    "stdout": (lambda trace: dataclasses.replace(trace, stdout=trace.stdout.replace("28.", "29.")),
               "printed output line 3"),
    "missing pass": (lambda trace: dataclasses.replace(trace, passes=trace.passes[:1]),
                     "2 backward passes in Python, 1 in the code box"),
    "gradient out": (lambda trace: _with_pass(trace, 0, lambda one: _with_step(
        one, 0, lambda step: dataclasses.replace(step, grad_inputs=_scaled(step.grad_inputs)))),
        "pass 1 (line 14): step 1 MulBackward0 gradient out"),
    "gradient in": (lambda trace: _with_pass(trace, 1, lambda one: _with_step(
        one, 0, lambda step: dataclasses.replace(step, grad_outputs=_scaled(step.grad_outputs)))),
        "pass 2 (line 20): step 1 SumBackward0 gradient in"),
    "step order": (lambda trace: _with_pass(trace, 0, lambda one: dataclasses.replace(
        one, steps=list(reversed(one.steps)))), "pass 1 (line 14): step 1 runs MulBackward0"),
    "graph": (lambda trace: _with_pass(trace, 0, _renamed_node),
              "graph node MulBackward0 in Python is AddBackward0"),
    "saved": (lambda trace: _with_pass(trace, 0, _saved_changed),
              "pass 1 (line 14): DotBackward0: saved self"),
    "line": (lambda trace: _with_pass(trace, 1, lambda one: dataclasses.replace(one, line=17)),
             "pass 2 (line 20): line is 20 in Python, 17 in the code box"),
    "leaf grad": (_leaf_grad_changed, "leaf `x` .grad"),
    "missing leaf": (lambda trace: dataclasses.replace(trace, leaves=[]),
                     "leaf `x` is not among the code box's variables"),
    "refused": (lambda trace: dataclasses.replace(trace, error=ExplorerError(
        "`def` is not allowed", 3, 0, kind="refused")), "code box error (refused) at line 3"),
    "summary order": (lambda trace: dataclasses.replace(trace, pass_summaries=[
        dataclasses.replace(summary, order=summary.order[::-1]) for summary in trace.pass_summaries]),
        "pass 1 (line 14) summary: engine order"),
}


@pytest.mark.parametrize("mutation", MUTATIONS)
def test_each_kind_of_difference_is_named(mutation: str) -> None:
    python = run_in_python(SIMPLE)
    change, expected = MUTATIONS[mutation]
    found = compare(python, change(perfect_trace(python)))
    assert not found.matches
    assert expected in found.problems[0], found.problems


def test_a_changed_parameter_is_found_under_its_module_path() -> None:
    python = run_in_python(MODULE)
    trace = perfect_trace(python)
    leaves = [dataclasses.replace(leaf, value=_tensor(leaf.value) + 1e-3) if leaf.name == "model.0.bias" else leaf
              for leaf in trace.leaves]
    found = compare(python, dataclasses.replace(trace, leaves=leaves))
    assert found.problems and "leaf `model.0.bias` value" in found.problems[0], found.problems


def test_failing_program_must_fail_at_the_same_line_with_the_same_error() -> None:
    python = run_in_python(FAILING)
    assert python.error is not None and python.error.line == 10
    assert "Trying to backward through the graph a second time" in python.error.message
    trace = perfect_trace(python)
    moved = dataclasses.replace(trace, error=dataclasses.replace(python.error, line=11))
    assert "Python at line 10, the code box at line 11" in compare(python, moved).problems[0]
    other = dataclasses.replace(trace, error=ExplorerError("RuntimeError: something else", 10))
    assert "the code box with 'RuntimeError: something else'" in compare(python, other).problems[0]
    finished = dataclasses.replace(trace, error=None)
    assert "the code box ran to the end" in compare(python, finished).problems[0]


def test_hook_change_must_match() -> None:
    python = run_in_python(HOOKED)
    trace = perfect_trace(python)
    position = next(index for index, step in enumerate(trace.passes[0].steps) if step.changed_by_hook)
    broken = _with_pass(trace, 0, lambda one: _with_step(
        one, position, lambda step: dataclasses.replace(step, changed_by_hook=())))
    found = compare(python, broken)
    assert any("hooks changed" in problem for problem in found.problems), found.problems


def test_values_differing_beyond_rounding_are_reported_with_numbers() -> None:
    python = run_in_python(SIMPLE)
    trace = perfect_trace(python)
    leaves = [dataclasses.replace(leaf, value=_tensor(leaf.value).double()) if leaf.name == "x" else leaf
              for leaf in trace.leaves]
    found = compare(python, dataclasses.replace(trace, leaves=leaves))
    assert "Python float32[4], code box float64[4]" in found.problems[0]
    assert torch.equal(python.namespace["x"].grad, torch.tensor([1.0, 1.0, 1.0, 1.0]))

