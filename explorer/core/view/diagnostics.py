"""Gradient diagnostics over a recorded pass: where NaN/Inf start, parameter norms, common bugs."""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable
from dataclasses import dataclass

import torch

from explorer.core.capture.tensors import TensorLike, TensorSummary, norm_of
from explorer.core.capture.trace import Pass, Trace

VANISHING = 1e-7  # a parameter gradient norm below this teaches the parameter nothing
EXPLODING = 1e3  # above this one SGD step moves the parameter by more than its scale, usually
BY_DESIGN_SHARE = 1e-4  # a gradient this small beside the largest is zero but for rounding
DEAD_FRACTION = 0.9  # a ReLU passing back zero for this share of its elements is mostly dead
_RELU_NAMES = ("ReluBackward0", "ReluBackward1", "ThresholdBackward0")
_NON_LEAF_GRAD = "is not a leaf Tensor is being accessed"
_SECOND_BACKWARD = "backward through the graph a second time"


@dataclass(frozen=True)
class Finding:
    """One problem found, in words, with the node and step position to show it at."""

    # forward_non_finite | non_finite | vanishing | exploding | by_design | unused_parameter |
    # dead_relu | non_leaf_grad | second_backward
    kind: str
    message: str
    pass_index: int | None = None
    node: str | None = None
    position: int | None = None  # stepper position that shows it (the step just run)


@dataclass(frozen=True)
class ParameterNorm:
    """The norm of the gradient one parameter received in one pass."""

    name: str
    node: str
    norm: float
    status: str  # "ok", "vanishing", "exploding" or "non-finite"


def is_finite(value: TensorLike | None) -> bool:
    """Whether every element is finite (a summary is finite when its statistics are)."""
    if value is None:
        return True
    if isinstance(value, TensorSummary):
        return all(math.isfinite(number) for number in (value.min, value.max, value.norm))
    if not (value.is_floating_point() or value.is_complex()):
        return True
    return bool(torch.isfinite(value).all())


def _all_finite(values: Iterable[TensorLike | None]) -> bool:
    return all(is_finite(value) for value in values)


def _maybe_non_finite(one_pass: Pass) -> bool:
    """A quick screen: False when every gradient of the pass is certainly finite.

    One fused norm over all gradients instead of a check per tensor (a 100k-node pass has a
    quarter of a million); an overflowing norm only sends the pass to the exact search.
    """
    tensors: list[torch.Tensor] = []
    for step in one_pass.steps:
        for grad in step.grad_outputs + step.grad_inputs:
            if isinstance(grad, TensorSummary):
                if not is_finite(grad):
                    return True
            elif grad is not None and grad.is_floating_point() and grad.numel():
                tensors.append(grad)
    if not tensors:
        return False
    norms = torch._foreach_norm(tensors)  # the fused norm torch's own clip_grad_norm_ uses
    return not bool(torch.isfinite(torch.stack([norm.double() for norm in norms])).all())


def first_non_finite(one_pass: Pass) -> Finding | None:
    """The first node, in the engine's order, that received finite gradients and sent NaN/Inf."""
    return one_pass.cached("first_non_finite", lambda: _first_non_finite(one_pass))


def _first_non_finite(one_pass: Pass) -> Finding | None:
    if _all_finite(one_pass.seeds) and not _maybe_non_finite(one_pass):
        return None
    if not _all_finite(one_pass.seeds):
        return Finding("non_finite", "the seed gradient itself is not finite", one_pass.index,
                       one_pass.root, 0)
    for index, step in enumerate(one_pass.steps):
        if _all_finite(step.grad_outputs) and not _all_finite(step.grad_inputs):
            name = one_pass.graph.nodes[step.node]["name"]
            return Finding("non_finite", _non_finite_message(one_pass, step.node, name, index),
                           one_pass.index, step.node, index + 1)
    return None


def _non_finite_message(one_pass: Pass, node: str, name: str, index: int) -> str:
    module = one_pass.graph.nodes[node].get("module")
    where = f" in {module}" if module else ""
    return (f"step {index + 1}: {name}{where} received finite gradients and sent NaN or Inf. "
            f"Its local derivative is not finite at the forward values it saved (e.g. log or "
            f"division at 0, sqrt at 0, pow with a negative base, overflow in exp). "
            f"This is the node torch.autograd.detect_anomaly() would name.")


# why an operation's output turns NaN or Inf, by the torch name of its node
_FORWARD_CAUSES = {
    "LogBackward0": "log of a negative number is NaN, and log(0) is -Inf",
    "Log2Backward0": "log of a negative number is NaN, and log(0) is -Inf",
    "Log10Backward0": "log of a negative number is NaN, and log(0) is -Inf",
    "Log1PBackward0": "log1p(x) is NaN below x = -1 and -Inf at -1",
    "SqrtBackward0": "the square root of a negative number is NaN",
    "RsqrtBackward0": "rsqrt is NaN below 0 and Inf at 0",
    "DivBackward0": "dividing by zero gives Inf (and 0 / 0 gives NaN)",
    "ReciprocalBackward0": "1 / 0 is Inf",
    "PowBackward0": "a negative base to a fractional power is NaN, and 0 to a negative power is Inf",
    "PowBackward1": "a negative base to a fractional power is NaN, and 0 to a negative power is Inf",
    "ExpBackward0": "exp overflows to Inf above about 88 in float32",
    "AcosBackward0": "acos is NaN outside [-1, 1]",
    "AsinBackward0": "asin is NaN outside [-1, 1]",
    "MulBackward0": "0 × Inf is NaN, and large products overflow to Inf",
}


def forward_non_finite(one_pass: Pass) -> Finding | None:
    """The first operation, in the order the program ran them, whose output held NaN or Inf.

    A NaN loss usually starts in the forward pass (``log`` of a negative number), not in
    backward: the gradients are then NaN everywhere and say nothing about where it began.
    """
    return one_pass.cached("forward_non_finite", lambda: _forward_non_finite(one_pass))


def _forward_non_finite(one_pass: Pass) -> Finding | None:
    graph = one_pass.graph
    flagged = [(data.get("seq") if data.get("seq") is not None else math.inf, node)
               for node, data in graph.nodes(data=True) if data.get("non_finite")]
    if not flagged:
        return None
    _, node = min(flagged)
    data = graph.nodes[node]
    index = next((number for number, step in enumerate(one_pass.steps) if step.node == node), None)
    return Finding("forward_non_finite", _forward_message(data), one_pass.index, node,
                   None if index is None else index + 1)


def _forward_message(data: dict) -> str:
    where = f"line {data['line']}: " if data.get("line") else ""
    made = f"{data['expression']} ({data['name']})" if data.get("expression") else str(data["name"])
    cause = _FORWARD_CAUSES.get(str(data["name"]))
    why = f" Likely cause: {cause}." if cause else ""
    return (f"{where}{made} is the first operation whose result holds NaN or Inf, in the forward "
            f"pass; everything computed from it, the loss and every gradient, inherits it.{why}")


_BATCH_NORMS = ("NativeBatchNormBackward0", "CudnnBatchNormBackward0", "MiopenBatchNormBackward0")


def zero_by_design(one_pass: Pass, node: str) -> str | None:
    """Why a leaf's zero gradient is expected, if it is: a bias added just before a batch norm.

    A batch norm subtracts each channel's mean over the batch, so a constant added per channel
    (a layer's bias) cancels: its gradient is exactly zero, whatever the data.
    """
    graph = one_pass.graph
    for layer in graph.predecessors(node):  # the operations that use the leaf
        for consumer in graph.predecessors(layer):
            if graph.nodes[consumer]["name"] in _BATCH_NORMS:
                return (f"it is added in {graph.nodes[layer]['name']} just before a batch norm, which "
                        "subtracts each channel's mean over the batch: a constant per channel cancels, "
                        "so its gradient is zero by design (use bias=False in a layer that feeds a "
                        "batch norm)")
    return None


def parameter_norms(one_pass: Pass, vanishing: float = VANISHING,
                    exploding: float = EXPLODING) -> list[ParameterNorm]:
    """The gradient each named leaf received in this pass, with its status."""
    return one_pass.cached(("parameter_norms", vanishing, exploding),
                           lambda: _parameter_norms(one_pass, vanishing, exploding))


def _parameter_norms(one_pass: Pass, vanishing: float, exploding: float) -> list[ParameterNorm]:
    received = {step.node: step.grad_outputs[0] for step in one_pass.steps
                if one_pass.graph.nodes[step.node]["kind"] == "accumulate_grad" and step.grad_outputs}
    norms = []
    for node, data in one_pass.graph.nodes(data=True):
        grad = received.get(node)
        if data["kind"] != "accumulate_grad" or grad is None:
            continue
        norm = norm_of(grad)
        norms.append(ParameterNorm(data.get("variable") or node, node, norm,
                                   _status(norm, vanishing, exploding)))
    return norms


def _status(norm: float, vanishing: float, exploding: float) -> str:
    if not math.isfinite(norm):
        return "non-finite"
    if norm < vanishing:
        return "vanishing"
    return "exploding" if norm > exploding else "ok"


def unused_parameters(one_pass: Pass) -> list[Finding]:
    """Named leaves that require grad but are not in this pass's graph."""
    in_graph = {data.get("variable") for _, data in one_pass.graph.nodes(data=True)
                if data["kind"] == "accumulate_grad"}
    return [Finding("unused_parameter",
                    f"{name} requires grad but gets no gradient from pass {one_pass.index + 1}: "
                    "it is not in the graph (unused in forward, or detached, e.g. by .detach(), "
                    ".item(), .data, .numpy() or torch.no_grad())", one_pass.index)
            for name in one_pass.grads if name not in in_graph]


def dead_relus(one_pass: Pass, threshold: float = DEAD_FRACTION) -> list[Finding]:
    """ReLUs that pass back zero for at least ``threshold`` of their elements."""
    return one_pass.cached(("dead_relus", threshold), lambda: _dead_relus(one_pass, threshold))


def _dead_relus(one_pass: Pass, threshold: float) -> list[Finding]:
    found = []
    for index, step in enumerate(one_pass.steps):
        data = one_pass.graph.nodes[step.node]
        sent = step.grad_inputs[0] if step.grad_inputs else None
        if data["name"] not in _RELU_NAMES or not isinstance(sent, torch.Tensor) or sent.numel() == 0:
            continue
        zero = float((sent == 0).double().mean())
        if zero >= threshold:
            where = f" in {data['module']}" if data.get("module") else ""
            found.append(Finding("dead_relu", f"ReLU{where}: {zero:.0%} of its gradient is zero "
                                 "(units whose input is negative for every sample learn nothing; "
                                 "check initialisation, learning rate, or use LeakyReLU)",
                                 one_pass.index, step.node, index + 1))
    return found


def norm_findings(one_pass: Pass, vanishing: float = VANISHING,
                  exploding: float = EXPLODING) -> list[Finding]:
    """A finding for each parameter whose gradient norm is vanishing or exploding (or zero by
    design: then the finding says why, and is not a problem)."""
    found = []
    norms = parameter_norms(one_pass, vanishing, exploding)
    largest = max((item.norm for item in norms if math.isfinite(item.norm)), default=0.0)
    for item in norms:
        # tiny beside the others (rounding leaves ~1e-7 of a gradient that is zero in exact arithmetic)
        tiny = item.status == "vanishing" or (item.status == "ok" and item.norm <= BY_DESIGN_SHARE * largest)
        reason = zero_by_design(one_pass, item.node) if tiny else None
        if reason is None and item.status not in ("vanishing", "exploding"):
            continue
        if reason is not None:
            found.append(Finding("by_design", f"{item.name}: gradient norm {item.norm:.3g}, as "
                                 f"expected: {reason}", one_pass.index, item.node))
        else:
            found.append(Finding(item.status, f"{item.name}: gradient norm {item.norm:.3g} is "
                                 f"{item.status} (thresholds {vanishing:g} and {exploding:g})",
                                 one_pass.index, item.node))
    return found


def gradient_magnitudes(one_pass: Pass) -> dict[str, float]:
    """For colouring: the norm of the gradient each node received (NaN when not finite)."""
    return one_pass.cached("gradient_magnitudes", lambda: _gradient_magnitudes(one_pass))


def _gradient_magnitudes(one_pass: Pass) -> dict[str, float]:
    magnitudes: dict[str, float] = {}
    for step in one_pass.steps:
        grads = [grad for grad in step.grad_outputs if grad is not None]
        if grads:
            total = math.sqrt(sum(norm_of(grad) ** 2 for grad in grads))
            magnitudes[step.node] = total if math.isfinite(total) else math.nan
    return magnitudes


def text_findings(trace: Trace) -> list[Finding]:
    """Findings from what torch said while the code ran (warnings, explained errors)."""
    found = []
    for text in trace.warnings:
        if _NON_LEAF_GRAD in text:
            found.append(Finding("non_leaf_grad", "a non-leaf tensor's .grad was read, but autograd "
                                 "only fills .grad of leaves: call .retain_grad() on it before "
                                 "backward, or use a tensor hook"))
        elif _SECOND_BACKWARD in text:
            found.append(Finding("second_backward", text))
    return found


def diagnose(trace: Trace) -> list[Finding]:
    """Every finding for every pass of a trace, the most urgent kinds first."""
    found: list[Finding] = []
    for one_pass in trace.passes:
        forward = forward_non_finite(one_pass)
        if forward is not None:
            found.append(forward)
    for one_pass in trace.passes:
        first = first_non_finite(one_pass)
        if first is not None:
            found.append(first)
    for one_pass in trace.passes:
        found.extend(one_pass.cached("findings", functools.partial(_pass_findings, one_pass)))
    found.extend(text_findings(trace))
    return found


def _pass_findings(one_pass: Pass) -> list[Finding]:
    return norm_findings(one_pass) + unused_parameters(one_pass) + dead_relus(one_pass)
