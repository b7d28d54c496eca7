"""Hooks with the program's own functions: ``tensor.register_hook``, ``register_post_accumulate_grad_hook``
(module hooks are in :mod:`.nn`), and the handles that remove them.

The hook is the program's function run by the evaluator each time torch calls it; what it
returns goes back to torch, which accepts only a tensor or None (a hook that returns a tensor
changes the gradient, as in Python).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import torch
import torch.utils.hooks

from explorer.core.sandbox.language import allowlist
from explorer.core.sandbox.language.library.base import LibraryKind, Method
from explorer.core.sandbox.language.library.sizes import callback

if TYPE_CHECKING:
    from explorer.core.sandbox.language.evaluator import Evaluator


def _registrar(name: str) -> Any:
    def register(ev: Evaluator, tensor: torch.Tensor, args: list[Any], kwargs: dict[str, Any]) -> Any:
        if len(args) != 1 or kwargs:
            raise TypeError(f"{name}() takes exactly one argument, the hook")
        return getattr(tensor, name)(callback(ev, args[0]))

    return register


TENSOR_HOOKS = {name: _registrar(name) for name in ("register_hook", "register_post_accumulate_grad_hook")}


def _remove(ev: Evaluator, owner: Any) -> None:
    owner.remove()


class HandleKind(LibraryKind):
    """What ``register_*hook`` returns: ``.remove()`` and its ``.id``."""

    label = "a hook handle"
    classes = (torch.utils.hooks.RemovableHandle,)
    attributes = frozenset({"id"})
    methods: dict[str, Method] = {"remove": _remove}

    def vocabulary(self) -> frozenset[str]:
        return allowlist.HANDLE_MEMBERS
