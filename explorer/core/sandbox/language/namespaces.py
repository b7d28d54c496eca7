"""The modules a program can name (torch, F, math...), built from the allow-list."""

from __future__ import annotations

import math
from typing import Any

import torch
import torch.nn.functional

from explorer.core.sandbox.language import allowlist, library, settings
from explorer.core.sandbox.language.pyrandom import random_namespace
from explorer.core.sandbox.language.stdlib import stdlib_namespaces
from explorer.core.sandbox.language.values import Namespace, SafeFunction


def _functions(module: Any, prefix: str, names: frozenset[str], creation: frozenset[str]) -> dict[str, Any]:
    members: dict[str, Any] = {}
    for name in sorted(names):
        target = getattr(module, name, None)
        if target is None or not callable(target):
            continue
        kind = "creation" if name in creation else "torch"
        members[name] = SafeFunction(f"{prefix}.{name}", target, kind, repr(target),
                                     _PREPARE.get(name))
    return members


def _one_hot_classes(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """``F.one_hot(t)`` makes ``t.max() + 1`` classes: name that number before the call."""
    if len(args) > 1 or kwargs.get("num_classes", -1) != -1 or not args:
        return args, kwargs
    labels = args[0]
    if isinstance(labels, torch.Tensor) and labels.numel() and not labels.is_floating_point():
        return args, {**kwargs, "num_classes": int(labels.max()) + 1}
    return args, kwargs


_PREPARE = {"one_hot": _one_hot_classes}


def _special(qualname: str) -> SafeFunction:
    """A function the evaluator carries out itself (it records a backward pass)."""
    return SafeFunction(qualname, _refuse_direct_call, "special", f"<function {qualname}>")


def _refuse_direct_call(*_args: Any, **_kwargs: Any) -> None:
    raise RuntimeError("special functions are called by the evaluator")


def _subclass_only(*_args: Any, **_kwargs: Any) -> None:
    raise TypeError("subclass torch.autograd.Function and call YourFunction.apply(...)")


def _custom_function_members() -> dict[str, Any]:
    """``torch.autograd.Function`` to subclass, and ``once_differentiable`` for its backward."""
    base = SafeFunction("torch.autograd.Function", _subclass_only, "plain",
                        repr(torch.autograd.Function), runtime_type=torch.autograd.Function)
    marker = SafeFunction("once_differentiable", _subclass_only, "plain",
                          "<function once_differentiable>")
    module = Namespace("torch.autograd.function", {"Function": base, "once_differentiable": marker},
                       repr(torch.autograd.function))
    return {"Function": base, "function": module}


def build_namespaces() -> dict[str, Namespace]:
    """Fresh namespaces by the name a program uses for them."""
    functional = Namespace(
        "torch.nn.functional",
        _functions(torch.nn.functional, "F", allowlist.F_FUNCTIONS, frozenset()),
        repr(torch.nn.functional),
    )
    autograd = Namespace(
        "torch.autograd",
        {name: _special(f"torch.autograd.{name}") for name in allowlist.AUTOGRAD_FUNCTIONS},
        repr(torch.autograd),
    )
    autograd.members.update(_custom_function_members())
    forward_ad = Namespace(
        "torch.autograd.forward_ad",
        _functions(torch.autograd.forward_ad, "torch.autograd.forward_ad",
                   allowlist.FORWARD_AD_FUNCTIONS, frozenset()),
        repr(torch.autograd.forward_ad))
    autograd.members["forward_ad"] = forward_ad
    linalg = Namespace(
        "torch.linalg",
        _functions(torch.linalg, "torch.linalg", allowlist.LINALG_FUNCTIONS, frozenset()),
        repr(torch.linalg),
    )
    nn = Namespace("torch.nn", {"functional": functional}, repr(torch.nn))
    torch_members = _functions(torch, "torch", allowlist.TORCH_FUNCTIONS, allowlist.CREATION_FUNCTIONS)
    torch_members.update({name: getattr(torch, name) for name in allowlist.DTYPE_NAMES})
    torch_members.update({name: float(getattr(torch, name)) for name in allowlist.TORCH_CONSTANTS})
    torch_members.update(nn=nn, autograd=autograd, linalg=linalg)
    math_members: dict[str, Any] = {name: getattr(math, name) for name in allowlist.MATH_CONSTANTS}
    math_members.update(
        {
            name: SafeFunction(f"math.{name}", getattr(math, name), "plain", repr(getattr(math, name)))
            for name in allowlist.MATH_FUNCTIONS
        }
    )
    namespaces = {
        "torch": Namespace("torch", torch_members, repr(torch)),
        "F": functional,
        "math": Namespace("math", math_members, repr(math)),
        "torch.nn": nn,
        "torch.nn.functional": functional,
        "torch.autograd": autograd,
        "torch.autograd.function": autograd.members["function"],
        "torch.autograd.forward_ad": forward_ad,
        "torch.linalg": linalg,
    }
    library.extend_namespaces(namespaces)  # nn layers, optim, devices, data, plotting...
    settings.extend(namespaces)  # print options, anomaly detection
    namespaces["random"] = random_namespace()  # Python's random, a generator of this run's own
    namespaces.update(stdlib_namespaces())  # typing, collections, copy, time, __future__
    namespaces["torch"].members["__version__"] = str(torch.__version__)
    return namespaces
