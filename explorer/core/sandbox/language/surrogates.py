"""Straight-through surrogates: round and sign forward, a gradient that passes through backward.

``torch.round`` and ``torch.sign`` are flat between their jumps, so their true gradient is zero
and nothing upstream of them learns. A straight-through estimator keeps the forward value but
pretends, in backward, that the op was the identity (for sign: clipped to |x| ≤ 1, so far-away
inputs still get no push). Both are real ``torch.autograd.Function`` subclasses, so the graph
shows their own nodes (``SteRoundBackward``, ``SteSignBackward``) run by the real engine.
"""

from __future__ import annotations

from typing import Any

import torch


class SteRound(torch.autograd.Function):
    """Forward: ``torch.round(x)``. Backward: ``grad_x = grad`` (as if it were ``x`` itself)."""

    @staticmethod
    def forward(ctx: Any, x: torch.Tensor) -> torch.Tensor:
        return torch.round(x)

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> torch.Tensor:
        return grad


class SteSign(torch.autograd.Function):
    """Forward: ``torch.sign(x)``. Backward: ``grad_x = grad · 1[|x| ≤ 1]`` (the hard-tanh slope)."""

    @staticmethod
    def forward(ctx: Any, x: torch.Tensor) -> torch.Tensor:
        ctx.save_for_backward(x)
        return torch.sign(x)

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> torch.Tensor:
        (x,) = ctx.saved_tensors
        return grad * (x.abs() <= 1).to(grad.dtype)


def ste_round(x: torch.Tensor) -> torch.Tensor:
    """Round to the nearest integer, with a straight-through gradient."""
    return SteRound.apply(x)


def ste_sign(x: torch.Tensor) -> torch.Tensor:
    """The sign of x, with a straight-through gradient inside [-1, 1]."""
    return SteSign.apply(x)


SURROGATES = {"ste_round": ste_round, "ste_sign": ste_sign}
