"""Kinds of library objects a program may hold (modules, optimizers, ctx...) and what it may do
with each: read or set which attributes, and call it.

The evaluator asks :func:`kind_of` about every value that is not a plain value, a tensor or one
of its own wrappers. A value of no registered kind cannot enter the program. Each kind names its
members explicitly; there is no wildcard.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from explorer.core.sandbox.language.evaluator import Evaluator


class ObjectKind(Protocol):
    """What a program may do with the values one kind accepts."""

    def accepts(self, value: Any) -> bool:
        """Whether ``value`` is of this kind."""

    def get(self, ev: Evaluator, owner: Any, name: str) -> Any:
        """``owner.name``: a value the program may hold, or raise AttributeError / ExplorerError."""

    def set(self, ev: Evaluator, owner: Any, name: str, value: Any) -> None:
        """``owner.name = value``, or raise ExplorerError(kind="refused")."""

    def call(self, ev: Evaluator, owner: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
        """``owner(*args, **kwargs)``, or raise TypeError when the kind is not callable."""

    def vocabulary(self) -> frozenset[str]:
        """Every attribute name this kind may ever allow: the static checker's word list."""


_KINDS: list[ObjectKind] = []
_LOADERS: list[Callable[[], None]] = []
_VOCABULARY: list[frozenset[str]] = []  # the union of every kind's vocabulary, once built


def register(kind: ObjectKind) -> ObjectKind:
    """Add a kind; later registrations are asked first, so a subclass kind can refine a base."""
    _KINDS.insert(0, kind)
    _VOCABULARY.clear()
    return kind


def register_loader(load: Callable[[], None]) -> None:
    """Run ``load`` (which registers kinds) the first time the kinds are asked for."""
    _LOADERS.append(load)


def _load() -> None:
    while _LOADERS:
        _LOADERS.pop(0)()


def kind_of(value: Any) -> ObjectKind | None:
    """The registered kind that accepts ``value``, if any."""
    if _LOADERS:
        _load()
    for kind in _KINDS:
        if kind.accepts(value):
            return kind
    return None


def vocabulary() -> frozenset[str]:
    """Every attribute name some registered kind allows (the same object until a kind is added)."""
    if _LOADERS:
        _load()
    if not _VOCABULARY:  # the checker asks for every attribute of a program: build it once
        names: set[str] = set()
        for kind in _KINDS:
            names |= kind.vocabulary()
        _VOCABULARY.append(frozenset(names))
    return _VOCABULARY[0]
