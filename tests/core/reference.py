"""The reference answer: the same program run by real Python and real torch.

Tests are trusted code, so running a test's own program text with ``exec`` here is fine; it is
how every result of the code box is checked against what PyTorch itself does.
"""

from __future__ import annotations

import contextlib
import io
import math
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F

from explorer.core.sandbox.program import RUN_SEED


@dataclass
class Reference:
    namespace: dict[str, Any]
    stdout: str
    error: BaseException | None


def run_reference(source: str) -> Reference:
    """Run ``source`` as plain Python with torch, seeded like the code box."""
    namespace: dict[str, Any] = {"torch": torch, "F": F, "math": math}
    stdout = io.StringIO()
    error = None
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(RUN_SEED)
        with contextlib.redirect_stdout(stdout):
            try:
                exec(compile(source, "<reference>", "exec"), namespace)  # noqa: S102 - test code
            except Exception as raised:  # noqa: BLE001
                error = raised
    return Reference(namespace, stdout.getvalue(), error)


def reference_grads(forward: str, root: str, leaves: list[str]) -> dict[str, torch.Tensor | None]:
    """``torch.autograd.grad`` of ``root`` with respect to each leaf, after running ``forward``."""
    reference = run_reference(forward)
    assert reference.error is None, reference.error
    namespace = reference.namespace
    output = namespace[root]
    seed = None if output.numel() == 1 else torch.ones_like(output)
    inputs = [namespace[name] for name in leaves]
    grads = torch.autograd.grad(output, inputs, seed, allow_unused=True)
    return dict(zip(leaves, grads))


def engine_order(forward: str, root: str) -> list[str]:
    """The names of the nodes in the order the engine runs them, seen by our own prehooks."""
    reference = run_reference(forward)
    output = reference.namespace[root]
    order: list[str] = []
    handles = []
    stack, seen = [output.grad_fn], set()
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        handles.append(node.register_prehook(_recorder(order, node.name())))
        stack.extend(next_node for next_node, _ in node.next_functions)
    seed = None if output.numel() == 1 else torch.ones_like(output)
    output.backward(seed)
    for handle in handles:
        handle.remove()
    return order


def _recorder(order: list[str], name: str):
    return lambda grads: order.append(name)


def assert_same(actual: Any, expected: torch.Tensor | None) -> None:
    """Gradients must match torch exactly (same ops, same order), allowing for nothing else."""
    if expected is None:
        assert actual is None
        return
    assert isinstance(actual, torch.Tensor), actual
    assert actual.shape == expected.shape
    assert torch.allclose(actual, expected.detach(), rtol=1e-6, atol=1e-7, equal_nan=True), (
        actual, expected)
