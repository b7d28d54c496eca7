"""Checks made before an operation runs, so no single call can exhaust memory or time."""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from explorer.core.errors import ExplorerError
from explorer.core.sandbox.language.textsize import check_text_length, text_length
from explorer.core.sandbox.limits import Budget

# Calls whose tensor inputs hold at most this many elements (multiplied together) cannot
# produce a large result, so they skip the shape pre-check on the meta device.
_SMALL_PRODUCT = 10_000
_MAX_FORMAT_NUMBER = 10_000


_ATOMS = frozenset({int, float, bool, str, complex, type(None), slice, type(Ellipsis)})


def tensors_in(values: Any) -> list[torch.Tensor]:
    """Every tensor in ``values`` (lists, tuples and dicts searched to any depth)."""
    if type(values) is tuple or type(values) is list:
        # the common case, a call's flat arguments, without building a stack
        found: list[torch.Tensor] = []
        for value in values:
            if type(value) in _ATOMS:
                continue
            if isinstance(value, torch.Tensor):
                found.append(value)
            elif isinstance(value, (list, tuple, dict)):
                found.extend(_tensors_nested(value))
        return found
    return _tensors_nested(values)


def _tensors_nested(values: Any) -> list[torch.Tensor]:
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


def _to_meta(value: Any, keep_scalars: bool = False) -> Any:
    """Arguments for a dry run on the meta device; 0-dim tensors may stay real (sizes given as
    tensors, ``torch.zeros(torch.tensor(n))``, are read from them)."""
    if isinstance(value, torch.Tensor):
        if keep_scalars and value.dim() == 0:
            return value.detach()
        return value.detach().to("meta")
    if isinstance(value, list):
        return [_to_meta(item, keep_scalars) for item in value]
    if isinstance(value, tuple) and type(value) is tuple:
        return tuple(_to_meta(item, keep_scalars) for item in value)
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
) -> list[torch.Tensor]:
    """Refuse a call whose result would pass the element limit, by running it on ``meta``.

    ``grows`` marks calls whose output size comes from their arguments (sizes, repeats,
    outer products). Other calls skip the check only when their tensors are small and every
    number among their arguments is small too (padding, kernel sizes and output sizes are
    numbers). The check fails closed: a call whose size cannot be worked out is refused, or
    counted at a bound its inputs give. Returns the call's tensor inputs, found once.
    """
    _check_nested_data(budget, args)  # first: a list repeating one list is huge to walk
    inputs = tensors_in(args) if not kwargs else tensors_in((args, kwargs))
    if call is not operator.getitem:  # indexing reads only what it selects
        check_reads(budget, inputs)
    if call in _ELEMENTWISE and not kwargs and all(isinstance(value, _OPERAND) for value in args):
        _reserve_broadcast(budget, args)
        return inputs
    small_inputs = math.prod(max(tensor.numel(), 1) for tensor in inputs) <= _SMALL_PRODUCT
    if not grows and small_inputs and _small_numbers((args, kwargs)):
        return inputs
    known = _plain_elements(call, args, kwargs)
    if known is not None:
        budget.reserve_elements(known)
        return inputs
    result, meta_inputs, failure = _dry_run(call, args, kwargs, creation)
    if failure is None:
        budget.reserve_elements(_dry_run_elements(result, meta_inputs))
        return inputs
    if _meta_unsupported(failure) and not grows:
        # data-dependent sizes (nonzero, masked_select, unique): at most every input element,
        # once per dimension
        budget.reserve_elements(sum(tensor.numel() * max(tensor.dim(), 1) for tensor in inputs))
        return inputs
    if small_inputs and _small_numbers((args, kwargs)):
        return inputs  # the real call raises torch's own error, or makes something small
    if _meta_unsupported(failure):
        raise ExplorerError(
            "the size of this result cannot be worked out before it runs, and it may be large",
            kind="limit", advice="give sizes as plain numbers, e.g. int(n), and keep them small")
    raise failure  # the real call would fail the same way; never run it unchecked


# The commonest calls whose size is an argument: a factory given its sizes as plain numbers and
# a product of vectors and matrices. Their size is worked out here exactly as the meta device
# gives it; there, the first of them imports torch's symbolic shapes (sympy), half a second of
# every fresh process (an export's worker), and a loop's ``h @ W`` costs more than the product.
_FACTORIES = frozenset({torch.randn, torch.rand, torch.zeros, torch.ones, torch.empty})
_FACTORY_OPTIONS = frozenset({"dtype", "requires_grad"})
_MATMUL = frozenset({operator.matmul, torch.matmul})


def _plain_elements(call: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> int | None:
    """Elements the call's result will hold, where plain arithmetic says (None: ask the meta device)."""
    if call in _FACTORIES:
        return _factory_elements(args, kwargs)
    if call in _MATMUL and len(args) == 2 and not kwargs:
        return _matmul_elements(args[0], args[1])
    return None


def _factory_elements(args: tuple[Any, ...], kwargs: dict[str, Any]) -> int | None:
    """``randn(2, 3)``, ``zeros((2, 3), dtype=...)``, ``ones(size=[2, 3])``: sizes given as ints."""
    if not set(kwargs) <= _FACTORY_OPTIONS | {"size"}:
        return None
    sizes: Any = args
    if "size" in kwargs:
        if args:
            return None
        sizes = (kwargs["size"],)
    elif not args:  # torch asks for a size
        return None
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):  # torch.Size is a tuple
        sizes = tuple(sizes[0])
    if not all(type(size) is int and size >= 0 for size in sizes):
        return None
    return math.prod(sizes)


def _matmul_elements(left: Any, right: Any) -> int | None:
    """``left @ right`` of vectors and matrices of one floating dtype whose inner sizes agree."""
    if not (isinstance(left, torch.Tensor) and isinstance(right, torch.Tensor)):
        return None
    if (left.dtype != right.dtype or not left.dtype.is_floating_point or left.device != right.device
            or left.layout != torch.strided or right.layout != torch.strided):
        return None
    if left.dim() not in (1, 2) or right.dim() not in (1, 2) or left.shape[-1] != right.shape[0]:
        return None
    rows = left.shape[0] if left.dim() == 2 else 1  # a vector's product drops its dimension
    columns = right.shape[1] if right.dim() == 2 else 1
    return rows * columns


# Python's arithmetic operators on tensors work element by element: the result has the operands'
# broadcast shape, worked out exactly here. On the meta device the same answer costs a training
# loop almost half its time (and the first such call imports torch._dynamo: over a second).
_ELEMENTWISE = frozenset({
    operator.add, operator.sub, operator.mul, operator.truediv, operator.floordiv, operator.mod,
    operator.pow, operator.lshift, operator.rshift, operator.and_, operator.or_, operator.xor,
    operator.iadd, operator.isub, operator.imul, operator.itruediv, operator.ifloordiv,
    operator.imod, operator.ipow, operator.ilshift, operator.irshift, operator.iand, operator.ior,
    operator.ixor,
})
_OPERAND = (torch.Tensor, bool, int, float, complex)  # a list operand may hide a large tensor


def _broadcast_pair(left: tuple[int, ...], right: tuple[int, ...]) -> tuple[int, ...] | None:
    """NumPy's broadcasting rule for two shapes (torch's own is written in Python, and slower);
    None when they do not broadcast (the real call then raises torch's own error)."""
    width = max(len(left), len(right))
    left = (1,) * (width - len(left)) + left
    right = (1,) * (width - len(right)) + right
    shape = []
    for a, b in zip(left, right):
        if a == b or b == 1:
            shape.append(a)
        elif a == 1:
            shape.append(b)
        else:
            return None
    return tuple(shape)


def _reserve_broadcast(budget: Budget, args: tuple[Any, ...]) -> None:
    shapes = [tuple(value.shape) for value in args if isinstance(value, torch.Tensor)]
    if len(shapes) == 1 or (len(shapes) == 2 and shapes[0] == shapes[1]):
        budget.reserve_elements(math.prod(shapes[0]))  # no broadcasting to work out
        return
    if len(shapes) == 2:
        shape = _broadcast_pair(shapes[0], shapes[1])
        if shape is not None:
            budget.reserve_elements(math.prod(shape))
        return
    try:
        shape = torch.broadcast_shapes(*shapes)
    except RuntimeError:  # shapes that do not broadcast: the real call raises torch's own error
        return
    budget.reserve_elements(math.prod(shape))


def _dry_run(call: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any],
             creation: bool) -> tuple[Any, list[torch.Tensor], Exception | None]:
    """The call on the meta device: its result and meta inputs, or why it could not run there."""
    failure: Exception | None = None
    for keep_scalars in (False, True):
        meta_args = _to_meta(args, keep_scalars)
        meta_kwargs = {key: _to_meta(value, keep_scalars) for key, value in kwargs.items()}
        if creation:
            meta_kwargs["device"] = "meta"
        try:
            with torch.no_grad():
                return call(*meta_args, **meta_kwargs), tensors_in((meta_args, meta_kwargs)), None
        except Exception as error:  # noqa: BLE001 - decided on below, fail closed
            failure = error
    return None, [], failure


def _dry_run_elements(result: Any, inputs: list[torch.Tensor]) -> int:
    """Elements the real call would allocate: a view costs nothing only when it views an input
    (a view of something the call made, as adaptive pooling returns, holds all of it)."""
    total = 0
    for tensor in tensors_in(result):
        base = tensor._base if tensor._is_view() else tensor
        if any(base is given or tensor is given for given in inputs):
            continue
        total += base.numel() if base is not None else tensor.numel()
    return total


_META_WORDS = ("meta", "Meta", "data-dependent", "cannot be converted to a Python number",
               "item()", "is_nonzero", "bool value of Tensor")


def _meta_unsupported(error: Exception) -> bool:
    """Whether the dry run failed for want of real data, not because the call is wrong."""
    return isinstance(error, NotImplementedError) or any(word in str(error) for word in _META_WORDS)


_SMALL_NUMBER = 4096
_SMALL_LENGTH = 64


def _small_numbers(values: Any) -> bool:
    """Every integer in the arguments (sizes, padding, kernels) is small, and lists are short."""
    stack = [values]
    while stack:
        value = stack.pop()
        if isinstance(value, bool):
            continue
        if isinstance(value, int):
            if abs(value) > _SMALL_NUMBER:
                return False
        elif isinstance(value, torch.Tensor):
            if value.dim() == 0 and not value.is_floating_point() and not value.is_complex() and (
                    value.device.type != "meta" and abs(int(value)) > _SMALL_NUMBER):
                return False
        elif isinstance(value, (list, tuple)):
            if len(value) > _SMALL_LENGTH:
                return False
            stack.extend(value)
        elif isinstance(value, dict):
            stack.extend(value.values())
    return True


def check_integer_division(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Integer division rounding toward zero of the smallest integer by -1 overflows, and the
    processor stops the whole process (SIGFPE) instead of raising: refuse it first."""
    if kwargs.get("rounding_mode") != "trunc":
        return
    operands = [value for value in args[:2] if isinstance(value, (torch.Tensor, int))]
    if len(operands) < 2:
        return
    dividend, divisor = operands[0], operands[1]
    tensors = [value for value in (dividend, divisor) if isinstance(value, torch.Tensor)]
    if not tensors or any(tensor.is_floating_point() or tensor.is_complex() for tensor in tensors):
        return
    dtype = torch.result_type(dividend, divisor)
    if dtype.is_floating_point or dtype == torch.bool:
        return
    smallest = torch.iinfo(dtype).min
    with torch.no_grad():
        overflow = (torch.as_tensor(dividend) == smallest) & (torch.as_tensor(divisor) == -1)
    if bool(overflow.any()):
        raise RuntimeError(f"integer division overflow: {smallest} divided by -1 does not fit "
                           f"in {dtype}")


def check_reads(budget: Budget, inputs: list[torch.Tensor]) -> None:
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
        if isinstance(value, (list, tuple, range, np.ndarray)) and not isinstance(value, torch.Size):
            budget.reserve_elements(nested_numel(value))


def nested_numel(data: Any) -> int:
    count = 1
    current = data
    while isinstance(current, (list, tuple, range)):
        count *= len(current)
        if not len(current):
            return 0
        current = current[0]
    if isinstance(current, np.ndarray):  # a list of numpy arrays: every array is read
        count *= current.size
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
