"""How each numpy function of the code box is called: its arguments checked, the elements and
work it may take bounded by a size rule, then counted in the run's element budget.

A rule takes the checked ``(args, kwargs)`` and returns ``(elements, multiply_adds)``: the most
elements the call may allocate, and the work of one product or decomposition (capped, since the
time limit cannot stop a C call that has started).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from explorer.core.sandbox.language.library.numpy_sizes import (
    arrays_in,
    broadcast_count,
    check_result,
    checked_call,
    count,
    data_count,
    decomposition_size,
    dot_size,
    is_data,
    made_elements,
    matmul_size,
    optional_shape,
    parse_shape,
    reserve,
    shape_of,
)

if TYPE_CHECKING:
    from explorer.core.sandbox.language.evaluator import Evaluator

Sizes = tuple[int, int]
Rule = Callable[[tuple[Any, ...], dict[str, Any]], Sizes]


def run(ev: Evaluator, target: Callable[..., Any], rule: Rule, args: tuple[Any, ...] | list[Any],
        kwargs: dict[str, Any], owner: Any = None) -> Any:
    """Check the arguments, bound the call by its rule, call it, count what it made.

    ``owner`` is the array whose method ``target`` is: the rule sees it as the first argument,
    and a view of it costs nothing.
    """
    checked_args, checked_kwargs = checked_call(args, kwargs)
    given = checked_args if owner is None else (owner, *checked_args)
    elements, products = rule(given, checked_kwargs)
    reserve(ev, elements, products)
    result = target(*checked_args, **checked_kwargs)
    check_result(result)
    ev.budget.add_elements(made_elements(result, arrays_in((*given, *checked_kwargs.values()))))
    return result


def _data(args: tuple[Any, ...], kwargs: dict[str, Any]) -> list[Any]:
    return [value for value in (*args, *kwargs.values()) if is_data(value)]


def _first(args: tuple[Any, ...], kwargs: dict[str, Any], *names: str) -> Any:
    if args:
        return args[0]
    for name in names:
        if name in kwargs:
            return kwargs[name]
    return None


def _argument(args: tuple[Any, ...], kwargs: dict[str, Any], position: int, name: str,
              default: Any = None) -> Any:
    if len(args) > position:
        return args[position]
    return kwargs.get(name, default)


# ----- rules --------------------------------------------------------------------------------

def elementwise(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Sizes:
    """Element by element: the broadcast of every operand."""
    return broadcast_count(_data(args, kwargs)), 0


def where(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Sizes:
    if len(args) == 1:  # where(condition) is nonzero(condition): one index array per dimension
        return indices(args, kwargs)
    return elementwise(args, kwargs)


def reduction(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Sizes:
    """At most the input (a copy of it, or its temporaries)."""
    first = _first(args, kwargs, "a")
    return (data_count(first) if is_data(first) else 1), 0


def quantile(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Sizes:
    """A sorted copy of the input, and each quantile of every slice along ``axis``."""
    size = reduction(args, kwargs)[0]
    quantiles = _argument(args, kwargs, 1, "q")
    along = _argument(args, kwargs, 2, "axis")
    asked = data_count(quantiles) if is_data(quantiles) else 1
    return size + asked * (size if along is not None else 1), 0


def copies(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Sizes:
    """At most every element given (joins, sorts, reshapes that copy)."""
    return sum(data_count(value) for value in _data(args, kwargs)), 0


def unique(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Sizes:
    return 4 * copies(args, kwargs)[0], 0  # values, index, inverse and counts


def indices(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Sizes:
    """nonzero and argwhere: an index per dimension of every element."""
    first = _first(args, kwargs, "a", "condition")
    return data_count(first) * max(len(shape_of(first)), 1), 0


def nothing(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Sizes:
    return 0, 0


def sized(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Sizes:
    """zeros, ones, empty, full: the shape given."""
    shape = _first(args, kwargs, "shape")
    if isinstance(shape, (float, complex, np.inexact)):
        raise TypeError(f"expected a sequence of integers or a single integer, got '{shape}'")
    return count(parse_shape(shape)), 0


def like(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Sizes:
    """zeros_like, full_like...: the model's size, or the shape= given."""
    shape = optional_shape(kwargs.get("shape"))
    return (count(shape) if shape is not None else data_count(_first(args, kwargs, "a"))), 0


def arange(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Sizes:
    numbers = [value for value in args if value is not None and not isinstance(value, np.dtype)]
    start, stop, step = 0, None, 1
    if len(numbers) == 1:
        stop = numbers[0]
    elif len(numbers) == 2:
        start, stop = numbers
    elif len(numbers) >= 3:
        start, stop, step = numbers[:3]
    start, stop, step = (kwargs.get("start", start), kwargs.get("stop", stop),
                         kwargs.get("step", step))
    if stop is None:
        start, stop = 0, start
    try:
        length = math.ceil((float(stop) - float(start)) / float(step))
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return 0, 0  # numpy raises its own error before allocating
    return (max(length, 0) if math.isfinite(length) else 0), 0


def linspace(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Sizes:
    start, stop = _argument(args, kwargs, 0, "start"), _argument(args, kwargs, 1, "stop")
    number = parse_shape(_argument(args, kwargs, 2, "num", 50))[0]
    return max(number, 0) * broadcast_count([start, stop]), 0


def eye(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Sizes:
    rows = parse_shape(_argument(args, kwargs, 0, "N"))[0]
    columns = _argument(args, kwargs, 1, "M")
    columns = rows if columns is None else parse_shape(columns)[0]
    return max(rows, 0) * max(columns, 0), 0


def identity(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Sizes:
    size = parse_shape(_argument(args, kwargs, 0, "n"))[0]
    return max(size, 0) ** 2, 0


def diag(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Sizes:
    values = _argument(args, kwargs, 0, "v")
    offset = parse_shape(_argument(args, kwargs, 1, "k", 0))[0]
    shape = shape_of(values)
    if len(shape) == 1:
        return (shape[0] + abs(offset)) ** 2, 0
    return data_count(values), 0


def meshgrid(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Sizes:
    sizes = [data_count(value) for value in args]
    if kwargs.get("sparse"):
        return sum(sizes), 0
    return len(sizes) * math.prod(sizes), 0


def tile(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Sizes:
    given = _argument(args, kwargs, 0, "A")
    return data_count(given) * count(parse_shape(_argument(args, kwargs, 1, "reps"))), 0


def repeat(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Sizes:
    given = _argument(args, kwargs, 0, "a")
    repeats = _argument(args, kwargs, 1, "repeats")
    if isinstance(repeats, (list, tuple, np.ndarray)) or (
            hasattr(repeats, "ndim") and getattr(repeats, "ndim", 0) > 0):
        times = int(np.sum(np.asarray(repeats, dtype=np.int64)))
    else:
        times = parse_shape(repeats)[0]
    return data_count(given) * max(times, 0), 0


def outer(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Sizes:
    elements = math.prod(data_count(value) for value in args[:2])
    return elements, elements


def matmul(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Sizes:
    return matmul_size(shape_of(args[0]), shape_of(args[1])) if len(args) >= 2 else (0, 0)


def dot(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Sizes:
    return dot_size(shape_of(args[0]), shape_of(args[1])) if len(args) >= 2 else (0, 0)


def inner(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Sizes:
    if len(args) < 2:
        return 0, 0
    left, right = shape_of(args[0]), shape_of(args[1])
    if not left or not right:
        return max(count(left), count(right)), max(count(left), count(right))
    elements = count(left[:-1]) * count(right[:-1])
    return elements, elements * left[-1]


def covariance(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Sizes:
    shape = shape_of(_first(args, kwargs, "m", "x"))
    extra = _argument(args, kwargs, 1, "y")
    rowvar = kwargs.get("rowvar", args[2] if len(args) > 2 else True)
    if len(shape) < 2:
        variables, observations = 1, count(shape)
    else:
        variables, observations = (shape[0], shape[1]) if rowvar else (shape[1], shape[0])
    if is_data(extra):
        variables *= 2
    return variables * variables + 2 * count(shape) + (data_count(extra) if is_data(extra) else 0), (
        variables * variables * observations)


def decomposition(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Sizes:
    """Inverses, solves and factorisations: the square factors, and the cube of the size."""
    shape = shape_of(_first(args, kwargs, "a", "A", "x"))
    elements, products = decomposition_size(shape)
    others = sum(data_count(value) for value in args[1:] if is_data(value))
    return elements + 2 * others, products + others * max(shape or (1,))


def norm(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Sizes:
    order = _argument(args, kwargs, 1, "ord")
    if order in (2, -2, "nuc") and len(shape_of(args[0] if args else kwargs.get("x"))) >= 2:
        return decomposition(args, kwargs)  # the matrix 2-norm is a singular value
    return reduction(args, kwargs)


def array(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Sizes:
    return data_count(_first(args, kwargs, "object", "a")), 0
