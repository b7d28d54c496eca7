"""Checks made before an operation runs, so no single call can exhaust memory or time."""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable
from typing import Any

import torch

from explorer.core.errors import ExplorerError
from explorer.core.language.textsize import check_text_length, text_length
from explorer.core.limits import Budget

# Calls whose tensor inputs hold at most this many elements (multiplied together) cannot
# produce a large result, so they skip the shape pre-check on the meta device.
_SMALL_PRODUCT = 10_000
_MAX_FORMAT_NUMBER = 10_000


def tensors_in(values: Any) -> list[torch.Tensor]:
    found: list[torch.Tensor] = []
    stack = [values]
    while stack:
        value = stack.pop()
        if isinstance(value, torch.Tensor):
            found.append(value)
        elif isinstance(value, (list, tuple)):
            stack.extend(value)
        elif isinstance(value, dict):
            stack.extend(value.values())
    return found


def _to_meta(value: Any) -> Any:
    if isinstance(value, torch.Tensor):
        return value.detach().to("meta")
    if isinstance(value, list):
        return [_to_meta(item) for item in value]
    if isinstance(value, tuple) and type(value) is tuple:
        return tuple(_to_meta(item) for item in value)
    return value


def new_elements(result: Any, inputs: list[torch.Tensor]) -> int:
    """Elements a call's result newly allocated (views and returned inputs cost nothing)."""
    total = 0
    for tensor in tensors_in(result):
        if tensor._is_view() or any(tensor is given for given in inputs):
            continue
        total += tensor.numel()
    return total


def precheck(
    budget: Budget,
    call: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    *,
    grows: bool,
    creation: bool = False,
) -> None:
    """Refuse a call whose result would pass the element limit, by running it on ``meta``.

    ``grows`` marks calls whose output size comes from their arguments (sizes, repeats,
    outer products); the others are bounded by their inputs and skip the check when small.
    """
    _check_nested_data(budget, args)
    inputs = tensors_in((args, kwargs))
    if call is not operator.getitem:  # indexing reads only what it selects
        _check_reads(budget, inputs)
    if not grows and math.prod(max(tensor.numel(), 1) for tensor in inputs) <= _SMALL_PRODUCT:
        return
    meta_kwargs = {key: _to_meta(value) for key, value in kwargs.items()}
    if creation:
        meta_kwargs["device"] = "meta"
    try:
        with torch.no_grad():
            result = call(*_to_meta(args), **meta_kwargs)
    except Exception:  # noqa: BLE001 - the real call then raises torch's own error
        return
    meta_inputs: list[torch.Tensor] = []  # meta copies are new objects, so only views are free here
    budget.reserve_elements(new_elements(result, meta_inputs))


def _check_reads(budget: Budget, inputs: list[torch.Tensor]) -> None:
    """An expanded view costs no memory but every operation on it reads all its elements:
    ``ones(1).expand(10**6, 10**6).sum()`` would run for minutes inside one C call."""
    for tensor in inputs:
        if tensor.numel() > budget.limits.max_elements:
            raise ExplorerError(
                f"this operation would read {tensor.numel():,} elements of an expanded tensor, "
                f"past the limit of {budget.limits.max_elements:,}", kind="limit",
                advice="expand to a smaller size")


def _check_nested_data(budget: Budget, args: tuple[Any, ...]) -> None:
    """Nested lists can repeat one list many times: count what torch.tensor would read."""
    for value in args:
        if isinstance(value, (list, tuple, range)) and not isinstance(value, torch.Size):
            budget.reserve_elements(nested_numel(value))


def nested_numel(data: Any) -> int:
    count = 1
    current = data
    while isinstance(current, (list, tuple, range)):
        count *= len(current)
        if not len(current):
            return 0
        current = current[0]
    return count


def check_int_result(op: str, left: Any, right: Any, max_bits: int) -> None:
    """Refuse integer arithmetic whose exact result would be enormous (``10 ** 10 ** 9``)."""
    if not (_is_int(left) and _is_int(right)):
        return
    bits = abs(left).bit_length()
    if op == "pow" and right > 0:
        estimate = bits * right
    elif op == "mul":
        estimate = bits + abs(right).bit_length()
    elif op == "lshift" and right > 0:
        estimate = bits + right
    else:
        return
    if estimate > max_bits:
        raise ExplorerError(
            f"this integer arithmetic would produce a number of about {estimate:,} bits",
            kind="limit",
            advice="use floats or smaller numbers",
        )


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_sequence_result(op: str, left: Any, right: Any, max_items: int) -> None:
    """Refuse repeating or joining strings and lists past the size limit."""
    if op == "mul":
        for sequence, count in ((left, right), (right, left)):
            if isinstance(sequence, (str, list, tuple)) and _is_int(count):
                _check_length(len(sequence) * max(count, 0), max_items)
    elif op == "add" and isinstance(left, (str, list, tuple)) and isinstance(right, (str, list, tuple)):
        _check_length(len(left) + len(right), max_items)


def _check_length(length: int, max_items: int) -> None:
    if length > max_items:
        raise ExplorerError(
            f"this would make a string or list of {length:,} items, past the limit of "
            f"{max_items:,}",
            kind="limit",
        )


def check_format_spec(spec: str) -> None:
    """Refuse format widths and precisions that would build enormous strings."""
    if "*" in spec:
        raise ExplorerError("`*` widths in format strings are not allowed", kind="refused")
    numbers = [int(digits) for digits in re.findall(r"\d+", spec)]
    if numbers and max(numbers) > _MAX_FORMAT_NUMBER:
        raise ExplorerError(
            f"a format width or precision above {_MAX_FORMAT_NUMBER:,} is not allowed",
            kind="limit",
        )


def spec_growth(spec: str) -> int:
    """How many characters a format spec can add beyond the value's own text (width, precision)."""
    if not spec:
        return 0
    return max((int(digits) for digits in re.findall(r"\d+", spec)), default=0) + 400


_PERCENT_FIELD = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d*)(?:\.(\*|\d*))?")


def check_percent_format(template: str) -> None:
    """The same limits for ``"%8.3f" % value``; only the fields count, not the literal text."""
    for width, precision in _PERCENT_FIELD.findall(template):
        check_format_spec(f"{width}.{precision}")


def check_percent_length(template: str, values: Any, limit: int) -> None:
    """Bound ``template % values`` before it is built: every field may hold the longest value."""
    fields = _PERCENT_FIELD.findall(template)
    items = values if isinstance(values, tuple) else (values,)
    longest = max((text_length(item, stop_at=limit) for item in items), default=0)
    growth = sum(longest + spec_growth(f"{width}.{precision}") for width, precision in fields)
    check_text_length(len(template) + growth, limit)
