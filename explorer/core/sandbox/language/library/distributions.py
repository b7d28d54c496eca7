"""``torch.distributions`` for the code box: the distributions tutorials use (policy gradients,
VAEs, Gaussian likelihoods) and what a program does with them.

A distribution is torch's own object; its constructor, properties and methods run torch code
under the library guard, so every torch call inside is size-checked like the program's own and
what it allocates is counted. A draw's size (``sample((n,))``) is checked before anything is
drawn. Draws use torch's generator as in Python, so the code box's seed gives Python's samples.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import torch
import torch.distributions

from explorer.core.sandbox.language import allowlist
from explorer.core.sandbox.language.library.base import (
    LibraryKind,
    Method,
    bound,
    is_plain,
    library_class,
    library_function,
    no_attribute,
    refused,
)
from explorer.core.sandbox.language.library.sizes import guarded
from explorer.core.sandbox.language.values import Namespace

if TYPE_CHECKING:
    from explorer.core.sandbox.language.evaluator import Evaluator

_Distribution = torch.distributions.Distribution


def distribution_namespaces() -> dict[str, Namespace]:
    """``torch.distributions`` and its submodules (``torch.distributions.normal``...)."""
    classes = {name: _distribution_class(name) for name in sorted(allowlist.DISTRIBUTIONS)
               if hasattr(torch.distributions, name)}
    kl = library_function("torch.distributions.kl.kl_divergence", _kl_divergence)
    modules: dict[str, Namespace] = {}
    for name in sorted(allowlist.DISTRIBUTION_MODULES):
        members: dict[str, Any] = {
            class_name: made for class_name, made in classes.items()
            if made.runtime_type is not None and made.runtime_type.__module__.endswith(f".{name}")}
        if name == "kl":
            members["kl_divergence"] = kl
        modules[name] = Namespace(f"torch.distributions.{name}", members,
                                  f"<module 'torch.distributions.{name}'>")
    top = Namespace("torch.distributions", {**classes, **modules, "kl_divergence": kl},
                    "<module 'torch.distributions'>")
    found = {"torch.distributions": top}
    found.update({f"torch.distributions.{name}": module for name, module in modules.items()})
    return found


def _distribution_class(name: str) -> Any:
    cls = getattr(torch.distributions, name)

    def make(ev: Evaluator, *args: Any, **kwargs: Any) -> Any:
        for value in (*args, *kwargs.values()):
            _check_parameter(name, value)
        with guarded(ev):
            return cls(*args, **kwargs)

    return library_class(f"torch.distributions.{name}", cls, make)


def _check_parameter(name: str, value: Any) -> None:
    """Tensors, numbers, flags and shapes, or a distribution to wrap (``Independent``)."""
    if isinstance(value, (torch.Tensor, _Distribution)) or value is None or is_plain(value):
        if isinstance(value, str):
            raise TypeError(f"{name}() takes tensors and numbers, not text")
        return
    raise TypeError(f"{name}() takes tensors and numbers, not {type(value).__name__}")


def _kl_divergence(ev: Evaluator, p: Any, q: Any) -> Any:
    if not isinstance(p, _Distribution) or not isinstance(q, _Distribution):
        raise TypeError("kl_divergence takes two distributions")
    with guarded(ev):
        return torch.distributions.kl_divergence(p, q)


# ----- what a program may do with a distribution --------------------------------------------

def _draw(name: str) -> Method:
    """``sample`` and ``rsample``: the draw's size checked before anything is drawn."""

    def draw(ev: Evaluator, owner: Any, sample_shape: Any = ()) -> Any:
        shape = torch.Size(sample_shape)
        elements = math.prod(shape) * math.prod(owner.batch_shape) * math.prod(owner.event_shape)
        ev.budget.check_time()
        ev.budget.reserve_elements(max(elements, 0))
        with guarded(ev):
            return getattr(owner, name)(shape)

    return draw


def _with_tensor(name: str) -> Method:
    """``log_prob``, ``cdf``, ``icdf``: of a tensor (numbers too, as torch takes them)."""

    def run(ev: Evaluator, owner: Any, value: Any) -> Any:
        if not isinstance(value, (torch.Tensor, int, float, bool)):
            raise TypeError(f"{name}() takes a tensor, not {type(value).__name__}")
        with guarded(ev):
            return getattr(owner, name)(value)

    return run


def _plain(name: str) -> Method:
    """``entropy``, ``perplexity``, ``enumerate_support``."""

    def run(ev: Evaluator, owner: Any, *args: Any) -> Any:
        if not all(isinstance(value, bool) for value in args):
            raise TypeError(f"{name}() takes no arguments besides expand=True/False")
        with guarded(ev):
            return getattr(owner, name)(*args)

    return run


_METHODS: dict[str, Method] = {
    "sample": _draw("sample"), "rsample": _draw("rsample"),
    **{name: _with_tensor(name) for name in ("log_prob", "cdf", "icdf")},
    **{name: _plain(name) for name in ("entropy", "perplexity", "enumerate_support")},
}


class DistributionKind(LibraryKind):
    """A distribution: its methods, and its parameters and properties (computed by torch code
    under the guard: ``mean``, ``stddev``, ``probs`` from ``logits``...)."""

    label = "a distribution"
    classes = (_Distribution,)
    attributes = allowlist.DISTRIBUTION_ATTRIBUTES
    methods = _METHODS

    def get(self, ev: Evaluator, owner: Any, name: str) -> Any:
        if name in self.methods:
            return bound(owner, name, self.methods[name])
        if name in self.attributes:
            with guarded(ev):
                value = getattr(owner, name)
            return ev.checked(value)
        if name == "__class__":
            return super().get(ev, owner, name)
        raise no_attribute(owner, name)

    def set(self, ev: Evaluator, owner: Any, name: str, value: Any) -> None:
        raise refused(f"`.{name}` of a distribution cannot be assigned in the code box",
                      "make a new distribution with the parameters you want")
