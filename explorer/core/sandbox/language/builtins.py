"""The Python builtins a program may call, re-implemented so every loop is counted."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import torch

from explorer.core.errors import ExplorerError
from explorer.core.sandbox.language.guards import check_format_spec, spec_growth
from explorer.core.sandbox.language.surrogates import SURROGATES
from explorer.core.sandbox.language.textsize import check_text_length, text_length
from explorer.core.sandbox.language.values import NOT_DEFINED, SafeFunction

if TYPE_CHECKING:
    from explorer.core.sandbox.language.evaluator import Evaluator

_MISSING = NOT_DEFINED


def _print(ev: Evaluator, *values: Any, sep: Any = " ", end: Any = "\n", flush: bool = False) -> None:
    sep = " " if sep is None else sep
    end = "\n" if end is None else end
    if not isinstance(sep, str):
        raise TypeError(f"sep must be None or a string, not {type(sep).__name__}")
    if not isinstance(end, str):
        raise TypeError(f"end must be None or a string, not {type(end).__name__}")
    limit = ev.limits.max_output
    check_text_length(sum(text_length(value, stop_at=limit) + len(sep) for value in values), limit)
    ev.write(sep.join(ev.text(value) for value in values) + end)


def _range(ev: Evaluator, *args: Any) -> range:
    return range(*args)


def _len(ev: Evaluator, value: Any) -> int:
    found = ev.call_special(value, "__len__", [])
    if found is not _NOT_DEFINED:
        return int(found)
    if _is_program_object(value):
        raise TypeError(f"object of type '{value.cls.name}' has no len()")
    return len(value)


def _float(ev: Evaluator, value: Any = 0.0) -> float:
    return float(value)


def _int(ev: Evaluator, value: Any = 0, *base: Any) -> int:
    return int(value, *base)


def _bool(ev: Evaluator, value: Any = False) -> bool:
    return ev.truth(value)


def _abs(ev: Evaluator, value: Any) -> Any:
    from explorer.core.sandbox.language import library

    if isinstance(value, torch.Tensor):
        return ev.call_torch(abs, (value,), {}, grows=False)
    if library.numpy_operand(value):  # an array: counted like its arithmetic
        return library.array_unary(ev, abs, value)
    found = ev.call_special(value, "__abs__", [])
    return abs(value) if found is _NOT_DEFINED else found


def _round(ev: Evaluator, value: Any, ndigits: Any = None) -> Any:
    if isinstance(ndigits, int) and abs(ndigits) > 1000:
        raise ExplorerError("round() to more than 1000 digits is not allowed", kind="limit")
    from explorer.core.sandbox.language import library

    if library.numpy_operand(value):  # an array: counted like its arithmetic
        return library.array_unary(ev, lambda array: round(array, ndigits), value)
    return round(value) if ndigits is None else round(value, ndigits)


def _extreme(ev: Evaluator, pick: Any, name: str, args: tuple[Any, ...], default: Any,
             key: Any) -> Any:
    items = list(ev.iterate(args[0])) if len(args) == 1 else list(args)
    if not args:
        raise TypeError(f"{name} expected at least 1 argument, got 0")
    if not items:
        if default is not _MISSING:
            return default
        raise ValueError(f"{name}() iterable argument is empty")
    measure = (lambda item: item) if key is None else ev.as_callable(key)
    best, best_key = items[0], measure(items[0])
    for item in items[1:]:
        item_key = measure(item)
        if ev.truth(pick(item_key, best_key)):
            best, best_key = item, item_key
    return best


def _min(ev: Evaluator, *args: Any, default: Any = _MISSING, key: Any = None) -> Any:
    return _extreme(ev, lambda item, best: item < best, "min", args, default, key)


def _max(ev: Evaluator, *args: Any, default: Any = _MISSING, key: Any = None) -> Any:
    return _extreme(ev, lambda item, best: item > best, "max", args, default, key)


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


def _sorted(ev: Evaluator, iterable: Any, key: Any = None, reverse: bool = False) -> list[Any]:
    return sorted(ev.materialize(iterable), key=None if key is None else ev.as_callable(key),
                  reverse=reverse)


def _str(ev: Evaluator, value: Any = "") -> str:
    limit = ev.limits.max_sequence
    check_text_length(text_length(value, stop_at=limit), limit)
    return ev.text(value)


def _repr(ev: Evaluator, value: Any) -> str:
    limit = ev.limits.max_sequence
    check_text_length(text_length(value, as_repr=True, stop_at=limit), limit)
    return ev.text(value, as_repr=True)


def _any(ev: Evaluator, iterable: Any) -> bool:
    return any(ev.truth(item) for item in ev.iterate(iterable))


def _all(ev: Evaluator, iterable: Any) -> bool:
    return all(ev.truth(item) for item in ev.iterate(iterable))


def _dict(ev: Evaluator, *args: Any, **kwargs: Any) -> dict[Any, Any]:
    if len(args) > 1:
        raise TypeError(f"dict expected at most 1 argument, got {len(args)}")
    result: dict[Any, Any] = {}
    if args:
        source = args[0]
        pairs = source.items() if isinstance(source, dict) else ev.iterate(source)
        for pair in pairs:
            key, value = ev.materialize(pair) if not isinstance(pair, tuple) else pair
            result[key] = value
    result.update(kwargs)
    return result


def _set(ev: Evaluator, iterable: Any = ()) -> set[Any]:
    return set(ev.materialize(iterable))


def _frozenset(ev: Evaluator, iterable: Any = ()) -> frozenset[Any]:
    return frozenset(ev.materialize(iterable))


def _map(ev: Evaluator, function: Any, *iterables: Any) -> Iterator[Any]:
    call = ev.as_callable(function)
    return (call(*items) for items in zip(*(ev.iterate(iterable) for iterable in iterables)))


def _filter(ev: Evaluator, function: Any, iterable: Any) -> Iterator[Any]:
    test = ev.truth if function is None else ev.as_callable(function)
    return (item for item in ev.iterate(iterable) if ev.truth(test(item)))


def _iter(ev: Evaluator, value: Any) -> Iterator[Any]:
    return ev.iterate(value)


def _next(ev: Evaluator, iterator: Any, default: Any = _MISSING) -> Any:
    if not hasattr(iterator, "__next__") or _is_program_object(iterator):
        raise TypeError(f"'{type(iterator).__name__}' object is not an iterator")
    if default is _MISSING:
        return next(iterator)
    return next(iterator, default)


def _callable(ev: Evaluator, value: Any) -> bool:
    return ev.is_callable(value)


def _getattr(ev: Evaluator, owner: Any, name: Any, default: Any = _MISSING) -> Any:
    if not isinstance(name, str):
        raise TypeError("attribute name must be string")
    if name.startswith("__"):
        raise ExplorerError(f"`{name}` cannot be read in the code box", kind="refused")
    try:
        return ev.get_attribute(owner, name)
    except AttributeError:
        if default is _MISSING:
            raise
        return default


def _hasattr(ev: Evaluator, owner: Any, name: Any) -> bool:
    absent = object()
    return _getattr(ev, owner, name, absent) is not absent


def _isinstance(ev: Evaluator, value: Any, kinds: Any) -> bool:
    from explorer.core.sandbox.language.classes import UserClass, UserInstance, user_class_of

    if isinstance(kinds, tuple):
        return any(_isinstance(ev, value, kind) for kind in kinds)
    if isinstance(kinds, UserClass):
        if kinds.real is not None:
            return isinstance(value, kinds.real)
        cls = user_class_of(value)
        return cls is not None and cls.is_subclass_of(kinds)
    runtime = getattr(kinds, "runtime_type", None)
    if isinstance(kinds, SafeFunction) and runtime is not None:
        if isinstance(value, UserInstance):
            return runtime is object
        return isinstance(value, runtime)
    raise TypeError("isinstance() arg 2 must be a type, a tuple of types, or a union")


def _issubclass(ev: Evaluator, cls: Any, kinds: Any) -> bool:
    from explorer.core.sandbox.language.classes import UserClass

    if isinstance(kinds, tuple):
        return any(_issubclass(ev, cls, kind) for kind in kinds)
    if isinstance(cls, UserClass) and isinstance(kinds, UserClass):
        return cls.is_subclass_of(kinds)
    left = cls.real if isinstance(cls, UserClass) else getattr(cls, "runtime_type", None)
    right = kinds.real if isinstance(kinds, UserClass) else getattr(kinds, "runtime_type", None)
    if not isinstance(left, type) or not isinstance(right, type):
        raise TypeError("issubclass() arg 1 must be a class")
    return issubclass(left, right)


def _super(ev: Evaluator, *args: Any) -> Any:
    from explorer.core.sandbox.language.classes import SuperProxy, UserClass

    if len(args) == 2:
        start, obj = args
        if not isinstance(start, UserClass):
            raise TypeError("super() argument 1 must be a class of the program")
        return SuperProxy(start, obj)
    frame = ev.frame
    function = frame.function if frame is not None and not frame.is_class else None
    owner = getattr(function, "owner", None)
    if owner is None or args:
        raise RuntimeError("super(): no arguments")
    return SuperProxy(owner, frame.first_argument)  # type: ignore[union-attr]


def _type(ev: Evaluator, value: Any) -> Any:
    from explorer.core.sandbox.language.classes import user_class_of

    cls = user_class_of(value)
    if cls is not None:
        return cls
    known = ev.named_type(type(value))
    if known is not None:
        return known
    return SafeFunction(type(value).__name__, _not_a_constructor, "plain", repr(type(value)),
                        runtime_type=type(value))


def _not_a_constructor(*args: Any, **kwargs: Any) -> None:
    raise TypeError("this type cannot be called in the code box")


def _format(ev: Evaluator, value: Any, spec: Any = "") -> str:
    check_format_spec(str(spec))
    limit = ev.limits.max_sequence
    check_text_length(text_length(value, stop_at=limit) + spec_growth(str(spec)), limit)
    return format(value, spec)


def _divmod(ev: Evaluator, left: Any, right: Any) -> Any:
    return (ev.binary("floordiv", left, right), ev.binary("mod", left, right))


def _pow(ev: Evaluator, base: Any, exponent: Any, modulus: Any = None) -> Any:
    if modulus is not None:
        return pow(base, exponent, modulus)
    return ev.binary("pow", base, exponent)


def _chr(ev: Evaluator, code: int) -> str:
    return chr(code)


def _ord(ev: Evaluator, text: str) -> int:
    return ord(text)


def _hash(ev: Evaluator, value: Any) -> int:
    return hash(value)


def _id(ev: Evaluator, value: Any) -> int:
    return id(value)


def _marker(ev: Evaluator, *args: Any) -> None:
    raise TypeError("use this name as a decorator or a base class")


def _is_program_object(value: Any) -> bool:
    from explorer.core.sandbox.language.classes import UserInstance

    return isinstance(value, UserInstance)


_NOT_DEFINED = NOT_DEFINED

_IMPLEMENTATIONS: dict[str, Callable[..., Any]] = {
    "print": _print, "range": _range, "len": _len, "float": _float, "int": _int,
    "bool": _bool, "abs": _abs, "round": _round, "min": _min, "max": _max, "sum": _sum,
    "list": _list, "tuple": _tuple, "zip": _zip, "enumerate": _enumerate,
    "reversed": _reversed, "sorted": _sorted, "str": _str, "repr": _repr, "any": _any,
    "all": _all, "dict": _dict, "set": _set, "frozenset": _frozenset, "map": _map,
    "filter": _filter, "iter": _iter, "next": _next, "callable": _callable,
    "getattr": _getattr, "hasattr": _hasattr, "isinstance": _isinstance,
    "issubclass": _issubclass, "super": _super, "type": _type, "format": _format,
    "divmod": _divmod, "pow": _pow, "chr": _chr, "ord": _ord, "hash": _hash, "id": _id,
}
# What isinstance() tests for the builtins that are also types.
_RUNTIME_TYPES: dict[str, type] = {
    "float": float, "int": int, "bool": bool, "list": list, "tuple": tuple, "str": str,
    "dict": dict, "set": set, "frozenset": frozenset, "range": range, "object": object,
    "complex": complex,
}
_MARKERS = ("staticmethod", "classmethod", "object", "property")


def build_builtins() -> dict[str, Any]:
    from explorer.core.sandbox.language.exceptions import exception_functions

    functions: dict[str, Any] = {
        name: SafeFunction(name, implementation, "builtin", f"<built-in function {name}>",
                           runtime_type=_RUNTIME_TYPES.get(name))
        for name, implementation in _IMPLEMENTATIONS.items()
    }
    functions.update({name: SafeFunction(name, _marker, "builtin", f"<class '{name}'>",
                                         runtime_type=object if name == "object" else None)
                      for name in _MARKERS})
    functions.update(exception_functions())
    functions["NotImplemented"] = NotImplemented
    functions["__name__"] = "__main__"
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
