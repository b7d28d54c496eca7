"""The objects a program holds besides plain values: namespaces, functions and bound methods.

A program never holds a real Python module, function or class. It holds these wrappers, whose
members come from the allow-list, and the evaluator is the only code that calls through them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

NOT_DEFINED: Any = object()  # a special method the program's class does not define


@dataclass(frozen=True, eq=False)
class Namespace:
    """A module as the program sees it: only its allowed members."""

    qualname: str
    members: dict[str, Any] = field(repr=False)
    shown_as: str = ""

    def __repr__(self) -> str:
        return self.shown_as or f"<module '{self.qualname}'>"


@dataclass(frozen=True, eq=False)
class SafeFunction:
    """An allowed callable, named as the user wrote it (``torch.exp``, ``F.relu``, ``print``).

    ``kind`` tells the evaluator how to call it: ``torch`` (a torch function, with size
    checks), ``creation`` (a torch function that allocates from sizes), ``builtin`` (our own
    implementation, given the evaluator), or ``special`` (handled by the evaluator itself:
    backward, autograd.grad, context managers).
    """

    qualname: str
    target: Callable[..., Any] = field(repr=False)
    kind: str = "torch"
    shown_as: str = ""
    # Turns sizes that torch would read from the data into explicit arguments, so the size
    # check before the call can see them (F.one_hot without num_classes).
    prepare: Callable[[tuple[Any, ...], dict[str, Any]], tuple[tuple[Any, ...], dict[str, Any]]] | None = field(
        default=None, repr=False)
    # The real class behind a library class the program may name (``torch.Tensor``,
    # ``nn.Linear``, ``int``): what ``isinstance`` tests and what a ``class`` statement subclasses.
    runtime_type: type | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        return self.shown_as or f"<function {self.qualname}>"


@dataclass(frozen=True, eq=False)
class BoundMethod:
    """``obj.name`` for an allowed method of a value the program holds."""

    owner: Any
    name: str

    def __repr__(self) -> str:
        return f"<bound method {type(self.owner).__name__}.{self.name}>"
