"""``import numpy as np`` in the code box: a safe subset of numpy, next to torch as tutorials use it.

Arrays hold numbers only (object and text arrays are refused before numpy makes them), every
size is worked out before numpy allocates and counted in the run's element budget like a
tensor's, and nothing that reads files, reaches native code or hands out memory buffers is
named. ``np.random`` draws from a generator of the run's own, seeded with the code box's seed,
so the process's numpy generator is never touched and a re-run draws the same numbers; a
program's ``np.random.seed(n)`` then gives exactly what Python gives after it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from explorer.core.sandbox.language import allowlist
from explorer.core.sandbox.language.guards import check_percent_format, check_percent_length
from explorer.core.sandbox.language.library import numpy_calls as rules
from explorer.core.sandbox.language.library.base import refused
from explorer.core.sandbox.language.library.numpy_random import random_namespace
from explorer.core.sandbox.language.library.numpy_sizes import (
    SCALAR_TYPE_NAMES,
    broadcast_count,
    check_result,
    data_count,
    is_data,
    made_elements,
    matmul_size,
    reserve,
    resolve_dtype,
    shape_of,
)
from explorer.core.sandbox.language.textsize import check_text_length
from explorer.core.sandbox.language.values import Namespace, SafeFunction

if TYPE_CHECKING:
    from explorer.core.sandbox.language.evaluator import Evaluator

_SYMBOLS = {
    "add": "+", "sub": "-", "mul": "*", "div": "/", "floordiv": "//", "mod": "%", "pow": "**",
    "matmul": "@", "lshift": "<<", "rshift": ">>", "or": "|", "xor": "^", "and": "&",
}


@dataclass(frozen=True, eq=False)
class ScalarType(SafeFunction):
    """``np.float32`` and friends: called to make a number or array, given as a ``dtype``, and
    equal to a dtype in comparisons (numpy reads a ``dtype`` attribute: ``a.dtype == np.float32``)."""

    @property
    def dtype(self) -> np.dtype:
        assert self.runtime_type is not None
        return np.dtype(self.runtime_type)


# ----- the numpy namespace ------------------------------------------------------------------

_RULES: dict[str, rules.Rule] = {
    **{name: rules.elementwise for name in allowlist.NUMPY_ELEMENTWISE},
    **{name: rules.reduction for name in allowlist.NUMPY_REDUCTIONS},
    **{name: rules.copies for name in allowlist.NUMPY_SHAPES},
    "percentile": rules.quantile, "quantile": rules.quantile,
    "where": rules.where, "unique": rules.unique, "nonzero": rules.indices,
    "argwhere": rules.indices, "flatnonzero": rules.indices, "shape": rules.nothing,
    "size": rules.nothing, "ndim": rules.nothing, "cumsum": rules.copies,
    "cumprod": rules.copies, "array": rules.array, "asarray": rules.array, "zeros": rules.sized,
    "ones": rules.sized, "full": rules.sized, "empty": rules.sized, "zeros_like": rules.like,
    "ones_like": rules.like, "full_like": rules.like, "empty_like": rules.like,
    "arange": rules.arange, "linspace": rules.linspace, "logspace": rules.linspace,
    "eye": rules.eye, "identity": rules.identity, "diag": rules.diag, "meshgrid": rules.meshgrid,
    "tile": rules.tile, "repeat": rules.repeat, "outer": rules.outer, "dot": rules.dot,
    "matmul": rules.matmul, "inner": rules.inner, "vdot": rules.elementwise,
    "cov": rules.covariance, "corrcoef": rules.covariance,
}
# numpy.empty leaves memory unfilled: here it is zeroed, so no leftover bytes can be read.
_ZEROED = {"empty": np.zeros, "empty_like": np.zeros_like}
_LINALG_RULES: dict[str, rules.Rule] = {
    **{name: rules.decomposition for name in allowlist.NUMPY_LINALG}, "norm": rules.norm,
}


def numpy_namespaces() -> dict[str, Namespace]:
    """``numpy``, ``numpy.random`` and ``numpy.linalg`` for one run (each run its own generator)."""
    functions = {name: _function(f"numpy.{name}", _ZEROED.get(name, getattr(np, name)), rule)
                 for name, rule in sorted(_RULES.items()) if hasattr(np, name)}
    linalg = Namespace("numpy.linalg", {
        name: _function(f"numpy.linalg.{name}", getattr(np.linalg, name), rule)
        for name, rule in sorted(_LINALG_RULES.items())}, "<module 'numpy.linalg'>")
    random = random_namespace()
    members: dict[str, Any] = {**functions, **scalar_types(), "linalg": linalg, "random": random,
                               "pi": np.pi, "e": np.e, "inf": np.inf, "nan": np.nan,
                               "newaxis": None}
    members.update({
        "ndarray": SafeFunction("numpy.ndarray", _no_ndarray_constructor, "plain",
                                "<class 'numpy.ndarray'>", runtime_type=np.ndarray),
        "dtype": SafeFunction("numpy.dtype", resolve_dtype, "plain", "<class 'numpy.dtype'>",
                              runtime_type=np.dtype),
        "finfo": SafeFunction("numpy.finfo", _finfo, "plain", "<class 'numpy.finfo'>",
                              runtime_type=np.finfo),
        "iinfo": SafeFunction("numpy.iinfo", _iinfo, "plain", "<class 'numpy.iinfo'>",
                              runtime_type=np.iinfo),
    })
    numpy = Namespace("numpy", members, "<module 'numpy'>")
    return {"numpy": numpy, "numpy.random": random, "numpy.linalg": linalg}


def _function(qualname: str, target: Callable[..., Any], rule: rules.Rule) -> SafeFunction:
    def call(ev: Evaluator, *args: Any, **kwargs: Any) -> Any:
        return rules.run(ev, target, rule, args, kwargs)

    return SafeFunction(qualname, call, "builtin", f"<function {qualname}>")


def scalar_types() -> dict[str, ScalarType]:
    """``np.float32``, ``np.int64``... (aliases such as ``np.double`` are the same object)."""
    made: dict[type, ScalarType] = {}
    found: dict[str, ScalarType] = {}
    for name in SCALAR_TYPE_NAMES:
        cls = getattr(np, name, None)
        if not isinstance(cls, type):
            continue
        if cls not in made:
            made[cls] = ScalarType(f"numpy.{cls.__name__}", _scalar_maker(cls), "builtin",
                                   f"<class 'numpy.{cls.__name__}'>", runtime_type=cls)
        found[name] = made[cls]
    return found


def _scalar_maker(cls: type) -> Callable[..., Any]:
    def make(ev: Evaluator, value: Any = 0) -> Any:
        if isinstance(value, str):  # np.float32("1.5") parses a number
            check_text_length(len(value), 1000)
            return cls(value)
        reserve(ev, data_count(value))
        result = cls(value)
        check_result(result)
        ev.budget.add_elements(made_elements(result, [value]))
        return result

    return make


def _no_ndarray_constructor(*args: Any, **kwargs: Any) -> None:
    raise refused("np.ndarray(...) makes an array of uninitialised memory; it is not available "
                  "in the code box", "use np.zeros, np.ones or np.array")


def _finfo(dtype: Any) -> Any:
    resolved = resolve_dtype(dtype.dtype if isinstance(dtype, (np.ndarray, np.generic)) else dtype)
    return np.finfo(resolved)


def _iinfo(dtype: Any) -> Any:
    resolved = resolve_dtype(dtype.dtype if isinstance(dtype, (np.ndarray, np.generic)) else dtype)
    return np.iinfo(resolved)


# ----- operators on arrays (the evaluator hands them here) ----------------------------------

def is_numpy(value: Any) -> bool:
    return isinstance(value, (np.ndarray, np.generic))


def binary(ev: Evaluator, name: str, function: Callable[[Any, Any], Any], left: Any, right: Any) -> Any:
    """``left <op> right`` where either is a numpy array or number: sizes by broadcasting."""
    if type(left) in _HELD and type(right) in _HELD and name != "matmul":
        return _held_binary(ev, function, left, right)
    text_or_sequence = next((value for value in (left, right) if isinstance(value, (str, list, tuple))), None)
    if text_or_sequence is not None:
        handled = _with_sequence(ev, name, function, left, right)
        if handled is not _NUMERIC:
            return handled
    if left is None or right is None:  # numpy hands None to each element, which raises
        reserve(ev, data_count(right if left is None else left))
        return check_result(function(left, right))
    for value in (left, right):
        if not is_data(value):
            raise TypeError(f"unsupported operand type(s) for {_SYMBOLS.get(name, name)}: "
                            f"'{type(left).__name__}' and '{type(right).__name__}'")
        data_count(value)  # refuses lists holding anything but numbers
    if name == "matmul":
        elements, products = matmul_size(shape_of(left), shape_of(right))
    else:
        elements, products = broadcast_count([left, right]), 0
    reserve(ev, elements, products)
    result = function(left, right)
    check_result(result)
    ev.budget.add_elements(made_elements(result, [left, right]))
    return result


_NUMERIC: Any = object()  # a sequence operand that numpy reads as data
# Values the program already holds that need no walk: arrays and numpy numbers can only be
# numeric here (no other kind enters the program), and Python numbers are one element each.
_HELD = frozenset({np.ndarray, bool, int, float, complex, *(
    np.dtype(code).type for code in "?bhilqBHILQefdgFDG")})


def _held_binary(ev: Evaluator, function: Callable[[Any, Any], Any], left: Any, right: Any) -> Any:
    """The common case of a training loop (array with array or number), without the walks."""
    left_shape, right_shape = getattr(left, "shape", ()), getattr(right, "shape", ())
    if left_shape == right_shape or not right_shape:
        shape = left_shape
    elif not left_shape:
        shape = right_shape
    else:
        try:
            shape = np.broadcast_shapes(left_shape, right_shape)
        except ValueError:  # the call raises numpy's own error before it allocates
            shape = max(left_shape, right_shape, key=lambda one: np.prod(one, dtype=np.float64))
    elements = 1
    for size in shape:
        elements *= size
    reserve(ev, elements)
    result = function(left, right)
    if isinstance(result, np.ndarray):
        check_result(result)
        if result is not left and result is not right:
            ev.budget.add_elements(elements if result.base is None else made_elements(result, [left, right]))
    else:
        ev.budget.add_elements(1)
    return result


def _with_sequence(ev: Evaluator, name: str, function: Callable[[Any, Any], Any], left: Any,
                   right: Any) -> Any:
    """Text and sequences next to numpy values, by Python's rules: a numpy integer repeats a
    list or text, ``%`` formats, other text is refused; a list with an array is data."""
    if isinstance(left, str) and name == "mod":
        check_percent_format(left)
        check_percent_length(left, right, ev.limits.max_sequence)
        return function(left, right)
    scalar = left if isinstance(left, np.generic) else right if isinstance(right, np.generic) else None
    if name == "mul" and scalar is not None:
        if not isinstance(scalar, np.integer):
            raise TypeError(f"can't multiply sequence by non-int of type "
                            f"'{type(scalar).__module__}.{type(scalar).__name__}'")
        times = int(scalar)
        return ev.binary(name, times if scalar is left else left, times if scalar is right else right)
    if isinstance(left, str) or isinstance(right, str):
        raise TypeError(f"unsupported operand type(s) for {_SYMBOLS.get(name, name)}: "
                        f"'{type(left).__name__}' and '{type(right).__name__}'")
    return _NUMERIC


def compare(ev: Evaluator, function: Callable[[Any, Any], Any], left: Any, right: Any) -> Any:
    """``==``, ``<``... with a numpy operand: element by element, sized like arithmetic."""
    other = right if is_numpy(left) else left
    if other is None or isinstance(other, str):  # numpy compares each element with it
        numpy_side = left if other is right else right
        reserve(ev, data_count(numpy_side))
        result = function(left, right)
        ev.budget.add_elements(made_elements(result, [numpy_side]))
        return result
    if not is_data(other):
        raise TypeError(f"comparison not supported between instances of '{type(left).__name__}' "
                        f"and '{type(right).__name__}'")
    return binary(ev, "compare", function, left, right)


def unary(ev: Evaluator, function: Callable[[Any], Any], value: Any) -> Any:
    """``-a``, ``+a``, ``~a``: one new element per element."""
    reserve(ev, data_count(value))
    result = function(value)
    check_result(result)
    ev.budget.add_elements(made_elements(result, [value]))
    return result


# ----- tensors to and from numpy ------------------------------------------------------------

def tensor_numpy(ev: Evaluator, tensor: torch.Tensor, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """``tensor.numpy()``: the same memory, as torch shares it (a tensor that requires grad is
    refused by torch itself: detach it first); ``force=True`` copies."""
    force = _force(*args, **kwargs)
    if force:
        reserve(ev, tensor.numel())
    result = tensor.numpy(force=force)
    check_result(result)
    if force:
        ev.budget.add_elements(result.size)
    return result


def _force(*, force: bool = False) -> bool:
    if not isinstance(force, bool):
        raise TypeError(f"numpy(): argument 'force' must be bool, not {type(force).__name__}")
    return force
