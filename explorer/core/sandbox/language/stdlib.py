"""The few standard-library modules tutorial code imports besides math and random: type hints
(``typing``), ``collections.OrderedDict``/``defaultdict``, ``copy``, ``time`` and ``__future__``.
Each is a namespace of explicit members; nothing else of the standard library is reachable."""

from __future__ import annotations

import collections
import copy
import time
from typing import TYPE_CHECKING, Any

import torch

from explorer.core.sandbox.language.allowlist import FUTURE_NAMES, TYPING_NAMES
from explorer.core.sandbox.language.guards import tensors_in
from explorer.core.sandbox.language.values import Namespace, SafeFunction

if TYPE_CHECKING:
    from explorer.core.sandbox.language.evaluator import Evaluator

def _hint(name: str) -> SafeFunction:
    """A type-hint name: usable in annotations (which the code box does not evaluate)."""
    return SafeFunction(f"typing.{name}", _not_callable(name), "plain", f"typing.{name}")


def _not_callable(name: str) -> Any:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise TypeError(f"typing.{name} is for type hints")

    return refuse


def _ordered_dict(ev: Evaluator, *args: Any, **kwargs: Any) -> collections.OrderedDict[Any, Any]:
    from explorer.core.sandbox.language.builtins import build_builtins

    plain = build_builtins()["dict"].target(ev, *args, **kwargs)
    return collections.OrderedDict(plain)


def _default_dict(ev: Evaluator, factory: Any = None, *args: Any) -> collections.defaultdict[Any, Any]:
    made = None if factory is None else ev.as_callable(factory)
    result: collections.defaultdict[Any, Any] = collections.defaultdict(made)
    if args:
        result.update(_ordered_dict(ev, *args))
    return result


def _copy(ev: Evaluator, value: Any) -> Any:
    _reserve_copy(ev, value)
    return ev.checked(copy.copy(value))


def _deepcopy(ev: Evaluator, value: Any) -> Any:
    _reserve_copy(ev, value)
    return ev.checked(copy.deepcopy(value))


def _reserve_copy(ev: Evaluator, value: Any) -> None:
    """A copy allocates what it copies: count the tensors it holds (a module's too) first."""
    tensors = tensors_in(value)
    if isinstance(value, torch.nn.Module):
        tensors += [*value.parameters(), *value.buffers()]
    ev.budget.reserve_elements(sum(tensor.numel() for tensor in tensors))
    ev.budget.add_elements(sum(tensor.numel() for tensor in tensors))


def _sleep(ev: Evaluator, seconds: Any) -> None:
    """``time.sleep``, cut short by the run's time limit like everything else."""
    end = time.monotonic() + float(seconds)
    while time.monotonic() < end:
        ev.budget.check_time()
        time.sleep(min(0.05, max(end - time.monotonic(), 0.0)))


def _builtin(qualname: str, function: Any, runtime_type: type | None = None) -> SafeFunction:
    return SafeFunction(qualname, function, "builtin", f"<function {qualname}>",
                        runtime_type=runtime_type)


def _plain(qualname: str, function: Any) -> SafeFunction:
    return SafeFunction(qualname, function, "plain", f"<built-in function {qualname}>")


def stdlib_namespaces() -> dict[str, Namespace]:
    """The modules by the name ``import`` uses."""
    collections_members = {
        "OrderedDict": _builtin("collections.OrderedDict", _ordered_dict, collections.OrderedDict),
        "defaultdict": _builtin("collections.defaultdict", _default_dict, collections.defaultdict),
    }
    return {
        "typing": Namespace("typing", {name: _hint(name) for name in TYPING_NAMES},
                            "<module 'typing'>"),
        "collections": Namespace("collections", collections_members, "<module 'collections'>"),
        "copy": Namespace("copy", {"copy": _builtin("copy.copy", _copy),
                                   "deepcopy": _builtin("copy.deepcopy", _deepcopy)},
                          "<module 'copy'>"),
        "time": Namespace("time", {
            "time": _plain("time.time", time.time),
            "perf_counter": _plain("time.perf_counter", time.perf_counter),
            "monotonic": _plain("time.monotonic", time.monotonic),
            "process_time": _plain("time.process_time", time.process_time),
            "sleep": _builtin("time.sleep", _sleep),
        }, "<module 'time'>"),
        "__future__": Namespace("__future__", {name: True for name in FUTURE_NAMES},
                                "<module '__future__'>"),
    }
