"""``grad_fn._saved_self``, ``_saved_other``, ``_saved_result``...: what a node saved for backward,
read-only, as the autograd-mechanics notes show. ``_raw_saved_*`` (the packed objects, with hooks
of their own) stays out of reach.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import torch

from explorer.core.sandbox.language import allowlist
from explorer.core.sandbox.language.library.base import LibraryKind, no_attribute, refused

if TYPE_CHECKING:
    from explorer.core.sandbox.language.evaluator import Evaluator

_SAVED_NAME = re.compile(re.escape(allowlist.SAVED_PREFIX) + r"[a-z0-9]+(_[a-z0-9]+)*")


def is_saved_name(name: str) -> bool:
    """``_saved_self``, ``_saved_self_sym_sizes``: a saved value's attribute, nothing else."""
    return _SAVED_NAME.fullmatch(name) is not None


class SavedValuesKind(LibraryKind):
    """Autograd nodes, for their ``_saved_*`` attributes (the evaluator serves name and next_functions)."""

    label = "a grad_fn"
    classes = (torch.autograd.graph.Node,)

    def get(self, ev: Evaluator, owner: Any, name: str) -> Any:
        if not is_saved_name(name):
            raise no_attribute(owner, name)
        return ev.checked(getattr(owner, name))

    def set(self, ev: Evaluator, owner: Any, name: str, value: Any) -> None:
        raise refused(f"`.{name}` of a grad_fn is read-only")
