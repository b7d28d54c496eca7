"""``torch.autograd.functional`` (jacobian, hessian, vjp, jvp, hvp, vhp) and gradient checks.

The program's function runs in the evaluator each time torch calls it. Its first call tells the
sizes, so the Jacobian (or the numerical one gradcheck builds) and the number of backward calls
torch will make are charged to the budget before torch makes them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import torch
import torch.autograd.functional

from explorer.core.sandbox.language import allowlist
from explorer.core.sandbox.language.guards import tensors_in
from explorer.core.sandbox.language.library.base import is_plain, library_function
from explorer.core.sandbox.language.library.sizes import callback, spend_iterations
from explorer.core.sandbox.language.values import Namespace

if TYPE_CHECKING:
    from explorer.core.sandbox.language.evaluator import Evaluator

# (input elements, output elements) -> (elements torch will allocate, backward calls it will make)
Cost = Callable[[int, int], tuple[int, int]]

_COSTS: dict[str, Cost] = {
    "jacobian": lambda n_in, n_out: (n_in * n_out, max(n_in, n_out)),
    "hessian": lambda n_in, n_out: (n_in * n_in, n_in + 1),
    "vjp": lambda n_in, n_out: (n_in + n_out, 1),
    "jvp": lambda n_in, n_out: (2 * (n_in + n_out), 2),
    "hvp": lambda n_in, n_out: (3 * n_in, 2),
    "vhp": lambda n_in, n_out: (3 * n_in, 2),
    "gradcheck": lambda n_in, n_out: (2 * n_in * n_out, 2 * n_in + n_out),
    "gradgradcheck": lambda n_in, n_out: (2 * (n_in + n_out) * n_in, 2 * (n_in + n_out) + n_in),
}


def functional_namespace() -> Namespace:
    """``torch.autograd.functional``."""
    members = {name: _checked_function(getattr(torch.autograd.functional, name),
                                       f"torch.autograd.functional.{name}", _COSTS[name])
               for name in sorted(allowlist.AUTOGRAD_FUNCTIONAL)}
    return Namespace("torch.autograd.functional", members, repr(torch.autograd.functional))


def gradient_checks() -> dict[str, Any]:
    """``torch.autograd.gradcheck`` and ``gradgradcheck``."""
    return {name: _checked_function(getattr(torch.autograd, name), f"torch.autograd.{name}",
                                    _COSTS[name])
            for name in sorted(allowlist.GRADIENT_CHECKS)}


def _checked_function(target: Callable[..., Any], qualname: str, cost: Cost) -> Any:
    def run(ev: Evaluator, func: Any, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        _check_tensors(inputs, "inputs")
        for value in (*args, *kwargs.values()):
            if not (is_plain(value) or _are_tensors(value)):
                raise TypeError(f"{qualname.rsplit('.', 1)[-1]}() takes tensors and settings, "
                                f"not {type(value).__name__}")
        return target(_measured(ev, func, inputs, qualname, cost), inputs, *args, **kwargs)

    return library_function(qualname, run)


def _measured(ev: Evaluator, func: Any, inputs: Any, qualname: str, cost: Cost) -> Callable[..., Any]:
    """The program's function; its first result charges what torch will do with it."""
    call = callback(ev, func)
    charged = False

    def run(*args: Any, **kwargs: Any) -> Any:
        nonlocal charged
        result = call(*args, **kwargs)
        if not charged:
            charged = True
            n_in = sum(tensor.numel() for tensor in tensors_in(inputs))
            n_out = sum(tensor.numel() for tensor in tensors_in(result))
            elements, steps = cost(n_in, n_out)
            ev.budget.reserve_elements(elements)
            ev.budget.add_elements(elements)
            spend_iterations(ev.budget, steps, qualname)
        return result

    return run


def _are_tensors(value: Any) -> bool:
    if isinstance(value, torch.Tensor):
        return True
    return isinstance(value, (tuple, list)) and all(
        item is None or isinstance(item, torch.Tensor) for item in value)


def _check_tensors(value: Any, what: str) -> None:
    if not _are_tensors(value):
        raise TypeError(f"The {what} given to the function must be either a Tensor or a tuple "
                        f"of Tensors but the given one is of type {type(value).__name__}")
