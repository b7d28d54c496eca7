"""Size and time checks for library code: module constructors, forward calls and callbacks.

The program's own torch calls are checked by the evaluator. Library code (a module's forward,
a DataLoader batch) makes its torch calls from Python, so a torch function mode gives each of
them the same check: the result's size on the meta device first, what was allocated counted
after. The program's functions that library code calls back (hooks, ``lr_lambda``) run in the
evaluator, which checks their calls itself, so the mode steps aside while they run: while a
callback runs (:func:`program_code`) and while any function of the program runs (the evaluator
is then in another frame: a ``forward`` of the program's module inside ``nn.Sequential``).
"""

from __future__ import annotations

import contextlib
import math
import threading
import types
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import torch
import torch.nn.functional
from torch.overrides import TorchFunctionMode

from explorer.core.errors import ExplorerError
from explorer.core.sandbox.language.guards import new_elements, precheck, tensors_in

if TYPE_CHECKING:
    from explorer.core.sandbox.language.evaluator import Evaluator
    from explorer.core.sandbox.limits import Budget

# Calls inside library code whose output size comes from arguments, not input sizes alone
# (padding, scale factors, repeats, strides of a transposed convolution): always checked.
_GROWTH: frozenset[Any] = frozenset({
    torch.nn.functional.pad, torch.nn.functional.interpolate, torch.nn.functional.upsample,
    torch.nn.functional.conv1d, torch.nn.functional.conv2d, torch.nn.functional.conv3d,
    torch.nn.functional.conv_transpose1d, torch.nn.functional.conv_transpose2d,
    torch.nn.functional.conv_transpose3d, torch.nn.functional.unfold, torch.nn.functional.fold,
    torch.nn.functional.pixel_shuffle, torch.nn.functional.one_hot, torch.nn.functional.embedding,
    torch.Tensor.repeat, torch.Tensor.expand, torch.Tensor.new_zeros, torch.Tensor.new_ones,
    torch.Tensor.new_full, torch.Tensor.new_empty, torch.zeros, torch.ones, torch.empty, torch.full,
    torch.Tensor.repeat_interleave, torch.repeat_interleave, torch.tile, torch.Tensor.tile,
})
_CREATION = frozenset({torch.zeros, torch.ones, torch.empty, torch.full})


class _Pauses(threading.local):
    level = 0  # how many program callbacks are running inside library code now


_PAUSES = _Pauses()


class LibraryGuard(TorchFunctionMode):
    """Checks every torch call made by library code, as the evaluator checks the program's."""

    def __init__(self, ev: Evaluator) -> None:
        super().__init__()
        self.ev = ev
        self.budget = ev.budget
        self.level = _PAUSES.level
        self.frame = ev.frame  # the program's frame that called into the library

    def __torch_function__(self, func: Any, types: Any, args: tuple[Any, ...] = (),
                           kwargs: dict[str, Any] | None = None) -> Any:
        kwargs = kwargs or {}
        if _PAUSES.level != self.level or self.ev.frame is not self.frame or not _is_call(func):
            return func(*args, **kwargs)  # the program's own code is running: it checks itself
        self.budget.check_time()
        inputs = tensors_in((args, kwargs))
        if func in _GROWTH or _bound(inputs) > self.budget.remaining_elements():
            precheck(self.budget, func, args, kwargs, grows=True, creation=func in _CREATION)
        result = func(*args, **kwargs)
        self.budget.add_elements(new_elements(result, inputs))
        return result


def _bound(inputs: list[torch.Tensor]) -> int:
    """The most elements a call sized by its inputs alone can make (broadcasting multiplies them).

    Below the budget left, the meta-device run that finds the exact size can be skipped: a
    training loop's layers then cost no extra time.
    """
    return math.prod(max(tensor.numel(), 1) for tensor in inputs)


def _is_call(func: Any) -> bool:
    """Property reads (``.shape``, ``.grad``) allocate nothing: no need to check them."""
    return not isinstance(func, types.MethodWrapperType) and getattr(func, "__name__", "") != "__get__"


@contextlib.contextmanager
def guarded(ev: Evaluator) -> Iterator[None]:
    """Check the torch calls made inside this block as the program's own calls are checked."""
    with LibraryGuard(ev):
        yield


@contextlib.contextmanager
def program_code() -> Iterator[None]:
    """The program's own code runs inside: library guards step aside (the evaluator checks it)."""
    _PAUSES.level += 1
    try:
        yield
    finally:
        _PAUSES.level -= 1


def callback(ev: Evaluator, value: Any) -> Callable[..., Any]:
    """A program function (def, lambda, torch.sin) as a Python callable for library code."""
    function = ev.as_callable(value)

    def call(*args: Any, **kwargs: Any) -> Any:
        with program_code():
            return function(*args, **kwargs)

    return call


def build_checked(ev: Evaluator, make: Callable[..., Any], args: tuple[Any, ...],
                  kwargs: dict[str, Any]) -> Any:
    """Build a module (or other tensor holder) after counting, on the meta device, what it allocates."""
    meta_kwargs = {**kwargs, "device": "meta"} if "device" in kwargs else kwargs
    with torch.device("meta"):
        planned = make(*args, **meta_kwargs)
    reserve = _new_meta_elements(planned)
    del planned
    ev.budget.reserve_elements(reserve)
    built = make(*args, **kwargs)
    ev.budget.add_elements(reserve)
    return built


def _new_meta_elements(module: Any) -> int:
    if not isinstance(module, torch.nn.Module):
        return 0
    tensors = [*module.parameters(), *module.buffers()]
    return sum(tensor.numel() for tensor in tensors if tensor.is_meta)


def spend_iterations(budget: Budget, count: int, what: str) -> None:
    """Count ``count`` loop turns that library code will make (a Jacobian's rows) before it makes them."""
    if budget.iterations + count > budget.limits.max_iterations:
        raise ExplorerError(
            f"{what} would take {count:,} steps, past the limit of "
            f"{budget.limits.max_iterations:,} loop iterations", kind="limit",
            advice="use fewer or smaller tensors")
    budget.iterations += count
    budget.check_time()
