"""Tensor snapshots kept in a trace, and their JSON form ``T``."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import torch

# Above this many elements a tensor is kept and written as a summary, not as values.
FULL_VALUES_LIMIT = 10_000


@dataclass(frozen=True)
class TensorSummary:
    """Shape, dtype and statistics of a tensor too large to keep whole."""

    shape: tuple[int, ...]
    dtype: torch.dtype
    min: float
    max: float
    mean: float
    norm: float

    def numel(self) -> int:
        return math.prod(self.shape)


TensorLike = torch.Tensor | TensorSummary


# An expanded view can name far more elements than memory holds (ones(1).expand(10**5, 10**5)):
# past this many, a summary keeps the shape and leaves the statistics unknown (NaN).
STATISTICS_LIMIT = 50_000_000


def summarize(tensor: torch.Tensor) -> TensorSummary:
    values = tensor.detach()
    if values.numel() > STATISTICS_LIMIT:
        unknown = float("nan")
        return TensorSummary(tuple(values.shape), values.dtype, unknown, unknown, unknown, unknown)
    as_float = values.double() if not values.is_complex() else values.abs().double()
    empty = as_float.numel() == 0
    return TensorSummary(
        shape=tuple(values.shape),
        dtype=values.dtype,
        min=float("nan") if empty else as_float.min().item(),
        max=float("nan") if empty else as_float.max().item(),
        mean=float("nan") if empty else as_float.mean().item(),
        norm=as_float.norm().item(),
    )


def snapshot(tensor: torch.Tensor) -> TensorLike:
    """A copy that no later in-place change can alter, and that holds no graph."""
    if tensor.numel() > FULL_VALUES_LIMIT:
        return summarize(tensor)
    return tensor.detach().clone()


def dtype_name(dtype: torch.dtype) -> str:
    return str(dtype).removeprefix("torch.")


def to_json(value: TensorLike | None) -> dict[str, Any] | None:
    """The trace schema's ``T``: shape, dtype and values (or a summary above 10,000 elements)."""
    if value is None:
        return None
    if isinstance(value, TensorSummary) or value.numel() > FULL_VALUES_LIMIT:
        summary = value if isinstance(value, TensorSummary) else summarize(value)
        return {
            "shape": list(summary.shape),
            "dtype": dtype_name(summary.dtype),
            "summary": {
                key: json_number(getattr(summary, key)) for key in ("min", "max", "mean", "norm")
            },
        }
    return {
        "shape": list(value.shape),
        "dtype": dtype_name(value.dtype),
        "values": json_values(value),
    }


def json_number(number: float | int | bool) -> float | int | bool | str:
    """Numbers JSON can hold; non-finite floats become the strings NaN, Infinity, -Infinity."""
    if isinstance(number, float) and not math.isfinite(number):
        return "NaN" if math.isnan(number) else ("Infinity" if number > 0 else "-Infinity")
    return number


def json_values(tensor: torch.Tensor) -> Any:
    values = tensor.detach()
    if values.is_complex():
        values = torch.view_as_real(values)
    plain = values.tolist()
    if values.is_floating_point() and not bool(torch.isfinite(values).all()):
        return _map_nested(plain)
    return plain


def _map_nested(values: Any) -> Any:
    if isinstance(values, list):
        return [_map_nested(item) for item in values]
    return json_number(values)


def norm_of(value: TensorLike) -> float:
    """The Euclidean norm of a gradient, in double precision (a summary keeps its own)."""
    if isinstance(value, TensorSummary):
        return value.norm
    values = value.detach()
    if values.is_complex():
        values = values.abs()
    if not values.is_floating_point():
        values = values.double()
    return float(torch.linalg.vector_norm(values, dtype=torch.float64))


def describe(value: TensorLike | None, digits: int = 6) -> str:
    """A short human summary: the value of a scalar, else shape and norm."""
    if value is None:
        return "None"
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        return format_number(value.reshape(()).item(), digits)
    if isinstance(value, torch.Tensor) and value.is_floating_point():
        # the norm alone: one reduction, where a full summary takes four (and labels are many)
        norm = float(torch.linalg.vector_norm(value.detach(), dtype=torch.float64))
        shape = "×".join(str(size) for size in value.shape) or "scalar"
        return f"{shape}, ‖·‖={format_number(norm, digits)}"
    summary = value if isinstance(value, TensorSummary) else summarize(value)
    shape = "×".join(str(size) for size in summary.shape) or "scalar"
    return f"{shape}, ‖·‖={format_number(summary.norm, digits)}"


def format_number(number: float | int | bool | complex, digits: int = 6) -> str:
    if isinstance(number, bool) or isinstance(number, int):
        return str(number)
    if isinstance(number, complex):
        return f"{number:.{min(digits, 4)}g}"
    return f"{number:.{digits}g}"
