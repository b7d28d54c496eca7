"""The Python builtins a program may call, re-implemented so every loop is counted."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from explorer.core.errors import ExplorerError
from explorer.core.language.guards import check_format_spec, spec_growth
from explorer.core.language.surrogates import SURROGATES
from explorer.core.language.textsize import check_text_length, text_length
from explorer.core.language.values import SafeFunction

if TYPE_CHECKING:
    from explorer.core.language.evaluator import Evaluator

_MISSING = object()


def _print(ev: Evaluator, *values: Any, sep: Any = " ", end: Any = "\n", flush: bool = False) -> None:
    sep = " " if sep is None else sep
    end = "\n" if end is None else end
    if not isinstance(sep, str):
        raise TypeError(f"sep must be None or a string, not {type(sep).__name__}")
    if not isinstance(end, str):
        raise TypeError(f"end must be None or a string, not {type(end).__name__}")
    limit = ev.limits.max_output
    check_text_length(sum(text_length(value, stop_at=limit) + len(sep) for value in values), limit)
    ev.write(sep.join(str(value) for value in values) + end)


def _range(ev: Evaluator, *args: Any) -> range:
    return range(*args)


def _len(ev: Evaluator, value: Any) -> int:
    return len(value)


def _float(ev: Evaluator, value: Any = 0.0) -> float:
    return float(value)


def _int(ev: Evaluator, value: Any = 0, *base: Any) -> int:
    return int(value, *base)


def _bool(ev: Evaluator, value: Any = False) -> bool:
    return ev.truth(value)


def _abs(ev: Evaluator, value: Any) -> Any:
    return abs(value)


def _round(ev: Evaluator, value: Any, ndigits: Any = None) -> Any:
    if isinstance(ndigits, int) and abs(ndigits) > 1000:
        raise ExplorerError("round() to more than 1000 digits is not allowed", kind="limit")
    return round(value) if ndigits is None else round(value, ndigits)


def _extreme(ev: Evaluator, pick: Any, name: str, args: tuple[Any, ...], default: Any) -> Any:
    items = list(ev.iterate(args[0])) if len(args) == 1 else list(args)
    if not args:
        raise TypeError(f"{name} expected at least 1 argument, got 0")
    if not items:
        if default is not _MISSING:
            return default
        raise ValueError(f"{name}() iterable argument is empty")
    best = items[0]
    for item in items[1:]:
        if ev.truth(pick(item, best)):
            best = item
    return best


def _min(ev: Evaluator, *args: Any, default: Any = _MISSING) -> Any:
    return _extreme(ev, lambda item, best: item < best, "min", args, default)


def _max(ev: Evaluator, *args: Any, default: Any = _MISSING) -> Any:
    return _extreme(ev, lambda item, best: item > best, "max", args, default)


def _sum(ev: Evaluator, iterable: Any, start: Any = 0) -> Any:
    total = start
    for item in ev.iterate(iterable):
        total = ev.binary("add", total, item)
    return total


def _list(ev: Evaluator, iterable: Any = ()) -> list[Any]:
    return ev.materialize(iterable)


def _tuple(ev: Evaluator, iterable: Any = ()) -> tuple[Any, ...]:
    return tuple(ev.materialize(iterable))


def _zip(ev: Evaluator, *iterables: Any) -> Iterator[tuple[Any, ...]]:
    return zip(*(ev.iterate(iterable) for iterable in iterables))


def _enumerate(ev: Evaluator, iterable: Any, start: int = 0) -> Iterator[tuple[int, Any]]:
    return enumerate(ev.iterate(iterable), start)


def _reversed(ev: Evaluator, sequence: Any) -> Iterator[Any]:
    return iter(ev.materialize(sequence)[::-1])


def _sorted(ev: Evaluator, iterable: Any, reverse: bool = False) -> list[Any]:
    return sorted(ev.materialize(iterable), reverse=reverse)


def _str(ev: Evaluator, value: Any = "") -> str:
    limit = ev.limits.max_sequence
    check_text_length(text_length(value, stop_at=limit), limit)
    return str(value)


def _repr(ev: Evaluator, value: Any) -> str:
    limit = ev.limits.max_sequence
    check_text_length(text_length(value, as_repr=True, stop_at=limit), limit)
    return repr(value)


def _any(ev: Evaluator, iterable: Any) -> bool:
    return any(ev.truth(item) for item in ev.iterate(iterable))


def _all(ev: Evaluator, iterable: Any) -> bool:
    return all(ev.truth(item) for item in ev.iterate(iterable))


def _isinstance(ev: Evaluator, value: Any, kinds: Any) -> bool:
    raise TypeError("isinstance() is not available in the code box")


_IMPLEMENTATIONS: dict[str, Callable[..., Any]] = {
    "print": _print, "range": _range, "len": _len, "float": _float, "int": _int,
    "bool": _bool, "abs": _abs, "round": _round, "min": _min, "max": _max, "sum": _sum,
    "list": _list, "tuple": _tuple, "zip": _zip, "enumerate": _enumerate,
    "reversed": _reversed, "sorted": _sorted, "str": _str, "repr": _repr, "any": _any,
    "all": _all,
}


def build_builtins() -> dict[str, SafeFunction]:
    functions = {
        name: SafeFunction(name, implementation, "builtin", f"<built-in function {name}>")
        for name, implementation in _IMPLEMENTATIONS.items()
    }
    # Straight-through surrogates are torch calls: "torch" kind so sizes are checked first.
    functions.update({name: SafeFunction(name, target, "torch", f"<built-in function {name}>")
                      for name, target in SURROGATES.items()})
    return functions


def safe_str_format(template: str, args: tuple[Any, ...], kwargs: dict[str, Any],
                    max_length: int = 1_000_000) -> str:
    """``str.format`` without attribute or index lookups in the fields (``{0.__class__}``)."""
    import string

    fields = list(string.Formatter().parse(template))
    # every field may hold the longest argument: bound the result before building it
    longest = max((text_length(value, stop_at=max_length) for value in (*args, *kwargs.values())), default=0)
    check_text_length(len(template) + sum(longest + spec_growth(spec or "")
                                          for _, field, spec, _ in fields if field is not None), max_length)
    for _, field, spec, _ in fields:
        if field is not None and ("." in field or "[" in field):
            raise ValueError("format fields with `.` or `[` are not allowed")
        if spec:
            if "{" in spec:
                raise ValueError("nested format fields are not allowed")
            check_format_spec(spec)
    return template.format(*args, **kwargs)
