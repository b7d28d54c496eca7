"""What each autograd node saved for backward: tensors and values, or 'freed'."""

from __future__ import annotations

import functools
from typing import Any

import torch

from explorer.core.capture.tensors import TensorLike, snapshot

_PREFIX = "_saved_"


class Freed:
    """Marks a saved tensor that backward has already released."""

    _instance: Freed | None = None

    def __new__(cls) -> Freed:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "freed"


FREED = Freed()
SavedValue = TensorLike | Freed | int | float | bool | str | list[Any] | None


@functools.cache
def saved_attribute_names(node_type: Any) -> tuple[str, ...]:
    """The ``_saved_*`` attributes of a node class (looked up once per class)."""
    return tuple(name for name in dir(node_type) if name.startswith(_PREFIX))


def capture_saved(node: Any) -> dict[str, SavedValue]:
    """The node's saved values by short name (``self``, ``other``, ``exponent``...)."""
    saved: dict[str, SavedValue] = {}
    for attribute in saved_attribute_names(node.__class__):
        try:
            value = getattr(node, attribute)
        except RuntimeError:
            saved[attribute[len(_PREFIX):]] = FREED
            continue
        if value is not None:
            saved[attribute[len(_PREFIX):]] = _plain(value)
    return saved


def is_freed(node: Any) -> bool:
    """True when backward released this node's saved tensors."""
    for attribute in saved_attribute_names(node.__class__):
        try:
            getattr(node, attribute)
        except RuntimeError:
            return True
    return False


def _plain(value: Any) -> SavedValue:
    if isinstance(value, torch.Tensor):
        return snapshot(value)
    if isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (tuple, list)):
        return [_plain(item) for item in value]
    if isinstance(value, torch.dtype):
        return str(value).removeprefix("torch.")
    if isinstance(value, torch.SymInt):
        return int(value)
    return str(value)
