"""Exceptions in the code box: the classes a program may name, raise and catch.

A runtime error keeps the Python exception behind it (``ExplorerError.original``) while the
program runs, so ``except RuntimeError as e:`` sees what torch raised. The code box's own
limits (time, memory, loops) and refusals are never catchable.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from explorer.core.errors import ExplorerError
from explorer.core.sandbox.language.classes import UserClass
from explorer.core.sandbox.language.values import SafeFunction

if TYPE_CHECKING:
    from explorer.core.sandbox.language.evaluator import Evaluator

EXCEPTION_CLASSES: dict[str, type[BaseException]] = {
    cls.__name__: cls
    for cls in (
        Exception, ArithmeticError, AssertionError, AttributeError, IndexError, KeyError,
        LookupError, NameError, NotImplementedError, OverflowError, RuntimeError, StopIteration,
        TypeError, UnboundLocalError, ValueError, ZeroDivisionError, ImportError,
        ModuleNotFoundError, FloatingPointError,
    )
}


def exception_functions() -> dict[str, SafeFunction]:
    """The exception classes as the program names them: callable, raisable and catchable."""
    return {
        name: SafeFunction(name, _maker(cls), "plain", f"<class '{name}'>", runtime_type=cls)
        for name, cls in EXCEPTION_CLASSES.items()
    }


def _maker(cls: type[BaseException]) -> Any:
    def make(*args: Any) -> BaseException:
        for arg in args:
            if not isinstance(arg, (str, int, float, bool, type(None))) and not hasattr(arg, "shape"):
                raise TypeError(f"{cls.__name__}() arguments must be plain values in the code box")
        return cls(*args)

    return make


def catchable(error: ExplorerError) -> bool:
    """Whether an ``except`` clause may catch ``error``: runtime errors only, never our limits."""
    original = error.original
    return (error.kind == "runtime" and original is not None
            and not isinstance(original, (MemoryError, RecursionError)))


def exception_type(value: Any) -> type[BaseException] | tuple[type[BaseException], ...]:
    """The real class(es) an ``except`` clause names."""
    if isinstance(value, tuple):
        found: list[type[BaseException]] = []
        for item in value:
            kinds = exception_type(item)
            found.extend(kinds if isinstance(kinds, tuple) else (kinds,))
        return tuple(found)
    if isinstance(value, SafeFunction) and value.runtime_type is not None and issubclass(
            value.runtime_type, BaseException):
        return value.runtime_type
    if isinstance(value, UserClass) and value.real is not None and issubclass(value.real, BaseException):
        return value.real
    raise TypeError("catching classes that do not inherit from BaseException is not allowed")


def handler_matches(kinds: Any, exception: BaseException | None) -> bool:
    """Whether an ``except`` clause naming ``kinds`` (None: a bare ``except:``) catches it."""
    if exception is None:
        return False
    if kinds is None:
        return True
    return isinstance(exception, exception_type(kinds))


def raised_exception(ev: Evaluator, value: Any) -> BaseException:
    """What ``raise value`` raises: an exception object, or a new one of the class named."""
    if isinstance(value, BaseException):
        return value
    if isinstance(value, (SafeFunction, UserClass)):
        try:
            kind = exception_type(value)
        except TypeError:
            kind = None
        if isinstance(kind, type):
            made = ev.invoke(value, [], {})
            if isinstance(made, BaseException):
                return made
    raise TypeError("exceptions must derive from BaseException")
