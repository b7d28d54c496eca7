"""How long a value's text would be, found without building it, so `str`, `print` and formatting
cannot build a string of a hundred gigabytes from a list that repeats one long string."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from explorer.core.errors import ExplorerError

_SHORT = 64  # text of a float, bool, None, dtype, device, function or other small value
_TENSOR_HEADER = 200  # "tensor(", dtype, grad_fn=..., requires_grad=True
_TENSOR_ITEM = 32  # one printed element, its separator and its share of indentation
_SUMMARY_EDGE = 6  # torch prints 3 + 3 items per dimension of a summarised tensor


def text_length(value: Any, *, as_repr: bool = False, stop_at: int = 10**9) -> int:
    """An upper bound on ``len(str(value))`` (or ``repr``); counting stops past ``stop_at``."""
    total = 0
    on_path: set[int] = set()
    stack: list[tuple[Any, bool, bool]] = [(value, as_repr, False)]
    repr_lengths: dict[int, int] = {}
    while stack and total <= stop_at:
        item, quoted, leaving = stack.pop()
        if leaving:
            on_path.discard(id(item))
            continue
        if isinstance(item, (list, tuple)) or type(item).__module__ == "torch.return_types":
            if id(item) in on_path:  # a list inside itself prints as [...]
                total += 5
                continue
            on_path.add(id(item))
            total += 2 + 2 * len(item) + (len(type(item).__name__) + 2 if isinstance(item, torch.Size) else 0)
            stack.append((item, quoted, True))
            stack.extend((member, True, False) for member in item)
        else:
            total += _leaf_length(item, quoted, repr_lengths)
    return total


def _leaf_length(value: Any, quoted: bool, repr_lengths: dict[int, int]) -> int:
    if isinstance(value, str):
        if not quoted:
            return len(value)
        if id(value) not in repr_lengths:  # a repeated string is measured once
            repr_lengths[id(value)] = len(repr(value))
        return repr_lengths[id(value)]
    if isinstance(value, bool) or value is None:
        return _SHORT
    if isinstance(value, int):
        return value.bit_length() * 31 // 100 + 3
    if isinstance(value, (torch.Tensor, np.ndarray)):  # numpy summarises arrays as torch does
        size, dims = (value.numel(), value.dim()) if isinstance(value, torch.Tensor) else (value.size, value.ndim)
        shown = size if size <= 1000 else min(size, _SUMMARY_EDGE ** dims)
        return _TENSOR_HEADER + shown * (_TENSOR_ITEM + dims)
    if isinstance(value, slice):
        return 16 + sum(_leaf_length(part, True, repr_lengths) for part in (value.start, value.stop, value.step))
    if isinstance(value, range):
        return 16 + sum(_leaf_length(part, True, repr_lengths) for part in (value.start, value.stop, value.step))
    return _SHORT


def check_text_length(length: int, limit: int) -> None:
    """Refuse text longer than ``limit`` characters before it is built."""
    if length > limit:
        raise ExplorerError(
            f"this would make a text of about {length:,} characters, past the limit of {limit:,}",
            kind="limit", advice="print or format fewer or shorter values")
