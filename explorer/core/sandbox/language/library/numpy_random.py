"""``np.random`` for the code box: the legacy functions on a generator of the run's own, and the
generators a program makes (``np.random.default_rng(seed)``, ``np.random.RandomState(seed)``).

Each run gets a fresh ``RandomState`` seeded with the code box's seed: the process's own numpy
generator is never touched, a re-run draws the same numbers, and a program's
``np.random.seed(n)`` gives exactly what Python's global generator gives after it (numpy's
global generator is a ``RandomState``). ``default_rng()`` without a seed draws from the
operating system in Python; here it is seeded from the run, so re-runs agree.
"""

from __future__ import annotations

import inspect
import itertools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from explorer.core.sandbox.language import allowlist
from explorer.core.sandbox.language.library.base import LibraryKind, bound, library_class
from explorer.core.sandbox.language.library.numpy_sizes import (
    broadcast_count,
    check_result,
    checked_call,
    count,
    data_count,
    is_data,
    made_elements,
    parse_shape,
    reserve,
    shape_of,
)
from explorer.core.sandbox.language.values import Namespace, SafeFunction

if TYPE_CHECKING:
    from explorer.core.sandbox.language.evaluator import Evaluator

RUN_SEED = 0  # the seed explorer.core.sandbox.program gives torch at the start of every run
# Parameters that are options, not the distribution's own (which broadcast to the draw's shape).
_OPTIONS = frozenset({"size", "dtype", "replace", "p", "axis", "shuffle", "endpoint", "out"})
_FUNCTIONS = frozenset(allowlist.NUMPY_RANDOM) - {"default_rng", "RandomState", "integers"}
_GENERATOR_METHODS = frozenset(allowlist.NUMPY_RANDOM) - {"default_rng", "RandomState", "seed"}


def random_namespace() -> Namespace:
    """``numpy.random`` with its own generator, for one run."""
    state = np.random.RandomState(RUN_SEED)
    members: dict[str, Any] = {name: _draw(f"numpy.random.{name}", getattr(state, name))
                               for name in sorted(_FUNCTIONS) if hasattr(state, name)}
    streams = itertools.count()
    members["default_rng"] = SafeFunction(
        "numpy.random.default_rng", lambda ev, seed=None: _default_rng(ev, seed, streams),
        "builtin", "<function numpy.random.default_rng>")
    members["RandomState"] = library_class("numpy.random.RandomState", np.random.RandomState,
                                           _random_state)
    return Namespace("numpy.random", members, "<module 'numpy.random'>")


def _default_rng(ev: Evaluator, seed: Any, streams: Any) -> np.random.Generator:
    if seed is None:
        seed = [RUN_SEED, next(streams)]
    elif not isinstance(seed, (np.random.Generator, np.random.RandomState)):
        data_count(seed)  # numbers only
    return np.random.default_rng(seed)


def _random_state(ev: Evaluator, seed: Any = None) -> np.random.RandomState:
    if seed is not None:
        data_count(seed)
    return np.random.RandomState(seed)


def _draw(qualname: str, method: Callable[..., Any]) -> SafeFunction:
    def call(ev: Evaluator, *args: Any, **kwargs: Any) -> Any:
        return draw(ev, method, args, kwargs)

    return SafeFunction(qualname, call, "builtin", f"<function {qualname}>")


def draw(ev: Evaluator, method: Callable[..., Any], args: tuple[Any, ...] | list[Any],
         kwargs: dict[str, Any]) -> Any:
    """One generator call: its draw counted before it is made."""
    name = method.__name__
    if name == "shuffle":
        return _shuffle(ev, method, args, kwargs)
    checked_args, checked_kwargs = checked_call(args, kwargs)
    reserve(ev, _draw_size(name, method, checked_args, checked_kwargs))
    result = method(*checked_args, **checked_kwargs)
    check_result(result)
    ev.budget.add_elements(made_elements(result, [*checked_args, *checked_kwargs.values()]))
    return result


def _draw_size(name: str, method: Callable[..., Any], args: tuple[Any, ...],
               kwargs: dict[str, Any]) -> int:
    if name in ("rand", "randn"):
        return count(parse_shape(value)[0] for value in args) if args else 1
    if name == "seed":
        return 0
    try:
        given = inspect.signature(method).bind(*args, **kwargs).arguments
    except TypeError:
        return 0  # the call raises numpy's own error before drawing
    if name == "permutation":
        return _population(given.get("x"))
    size = given.get("size")
    drawn = count(parse_shape(size)) if size is not None else broadcast_count(
        [value for key, value in given.items() if key not in _OPTIONS])
    if name == "choice":
        chances = given.get("p")
        return drawn + _population(given.get("a")) + (data_count(chances) if is_data(chances) else 0)
    return drawn + sum(data_count(value) for key, value in given.items()
                       if key not in _OPTIONS and is_data(value))


def _population(value: Any) -> int:
    """What ``choice`` and ``permutation`` draw from: an array's elements, or ``range(n)``."""
    if isinstance(value, (list, tuple, range, np.ndarray, torch.Tensor)) and len(shape_of(value)):
        return data_count(value)
    try:
        return max(parse_shape(value)[0], 0)
    except (TypeError, ValueError):
        return 0  # numpy raises its own error


def _shuffle(ev: Evaluator, method: Callable[..., Any], args: tuple[Any, ...] | list[Any],
             kwargs: dict[str, Any]) -> None:
    """Shuffles an array or a list in place (a list's items are only moved, never read)."""
    target = args[0] if args else kwargs.get("x")
    if not isinstance(target, (np.ndarray, list)):
        raise TypeError(f"shuffle takes an array or a list, not {type(target).__name__}")
    reserve(ev, data_count(target) if isinstance(target, np.ndarray) else 0)  # moves every element
    method(*args, **kwargs)


class GeneratorKind(LibraryKind):
    """A generator the program made: ``rng.normal(...)``, ``rng.integers(...)``, ``rng.choice(...)``."""

    label = "a numpy random generator"
    classes = (np.random.Generator, np.random.RandomState)

    def get(self, ev: Evaluator, owner: Any, name: str) -> Any:
        allowed = _GENERATOR_METHODS if isinstance(owner, np.random.Generator) else _FUNCTIONS
        if name in allowed and hasattr(owner, name):
            method = getattr(owner, name)
            return bound(owner, name, lambda ev, _owner, *args, **kwargs: draw(ev, method, args, kwargs))
        return super().get(ev, owner, name)

    def vocabulary(self) -> frozenset[str]:
        return _GENERATOR_METHODS | _FUNCTIONS
