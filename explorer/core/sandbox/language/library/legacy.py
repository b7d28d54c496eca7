"""The legacy constructors tutorials still use: ``torch.Tensor(...)``, ``torch.FloatTensor(...)``...
and ``Variable`` as torch 2.13 defines it (a function returning a tensor).

``torch.Tensor(2, 3)`` and ``torch.empty(2, 3)`` allocate without filling in Python; here the memory
is zeroed before the program sees it, so no leftover bytes of the process can be read through it.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import torch
import torch.autograd

from explorer.core.sandbox.language import allowlist
from explorer.core.sandbox.language.guards import new_elements, precheck, tensors_in
from explorer.core.sandbox.language.library.base import (
    check_devices,
    library_class,
    library_function,
)

if TYPE_CHECKING:
    from explorer.core.sandbox.language.evaluator import Evaluator


def legacy_types() -> dict[str, Any]:
    """``torch.Tensor``, ``torch.FloatTensor``... by name."""
    return {name: _legacy_class(name) for name in sorted(allowlist.LEGACY_TENSOR_TYPES)}


def _legacy_class(name: str) -> Any:
    cls = getattr(torch, name)

    def make(ev: Evaluator, *args: Any, **kwargs: Any) -> torch.Tensor:
        if _sizes(args):  # a device= other than the CPU makes torch raise, as in Python
            count = math.prod(args[0]) if len(args) == 1 and isinstance(args[0], torch.Size) else (
                math.prod(args))
            ev.budget.reserve_elements(count)
            result = cls(*args, **kwargs)
            with torch.no_grad():
                result.zero_()  # never show what was in the memory before
            ev.budget.add_elements(count)
            return result
        for value in args:  # data: what torch reads without calling back into the program
            if not isinstance(value, (torch.Tensor, list, tuple, int, float, bool, complex)):
                raise TypeError(f"{name}() takes sizes, a tensor or nested lists of numbers, not "
                                f"{type(value).__name__}")
        ev.budget.check_time()
        precheck(ev.budget, cls, args, kwargs, grows=False)
        result = cls(*args, **kwargs)
        ev.budget.add_elements(new_elements(result, tensors_in((args, kwargs))))
        return result

    return library_class(f"torch.{name}", cls, make)


def zeroed_creation() -> dict[str, Any]:
    """``torch.empty`` and ``torch.empty_like``, filled with zeros (Python leaves them unfilled)."""

    def empty(ev: Evaluator, *args: Any, **kwargs: Any) -> torch.Tensor:
        check_devices((), kwargs)
        return ev.call_torch(torch.zeros, args, kwargs, grows=True, creation=True)

    def empty_like(ev: Evaluator, *args: Any, **kwargs: Any) -> torch.Tensor:
        check_devices((), kwargs)
        return ev.call_torch(torch.zeros_like, args, kwargs, grows=False)

    return {"empty": library_function("torch.empty", empty),
            "empty_like": library_function("torch.empty_like", empty_like)}


def _sizes(args: tuple[Any, ...]) -> bool:
    """``Tensor(2, 3)`` or ``Tensor(torch.Size([2, 3]))``: a shape, not data."""
    if len(args) == 1 and isinstance(args[0], torch.Size):
        return True
    return bool(args) and all(isinstance(arg, int) and not isinstance(arg, bool) for arg in args)


def variable() -> Any:
    """``torch.autograd.Variable(data, requires_grad=False)``: the tensor, as torch 2.13 returns it."""

    def make(ev: Evaluator, data: Any, requires_grad: bool = False, volatile: bool = False) -> Any:
        if not isinstance(data, torch.Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        return torch.autograd.Variable(data, requires_grad=bool(requires_grad), volatile=bool(volatile))

    return library_class("torch.autograd.Variable", torch.autograd.Variable, make)
