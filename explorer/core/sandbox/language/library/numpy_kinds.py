"""What a program may do with numpy values: arrays, numpy numbers, dtypes and ``finfo``/``iinfo``.

Each kind names its members; methods run through the same checks as the numpy functions (sizes
bounded first, what they make counted). Indexing is sized by the selection rules before it runs.
Nothing gives out memory: no ``.data``, ``.ctypes``, ``__array_interface__`` or buffers.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from explorer.core.errors import ExplorerError
from explorer.core.sandbox.language import allowlist
from explorer.core.sandbox.language.library import numpy_calls as rules
from explorer.core.sandbox.language.library.base import LibraryKind, refused
from explorer.core.sandbox.language.library.numpy_sizes import (
    NUMERIC_KINDS,
    check_result,
    data_count,
    index_count,
    made_elements,
    reserve,
)

if TYPE_CHECKING:
    from explorer.core.sandbox.language.evaluator import Evaluator

_METHOD_RULES: dict[str, rules.Rule] = {
    **{name: rules.reduction for name in
       "sum mean std var max min argmax argmin prod all any ptp trace".split()},
    **{name: rules.copies for name in
       "reshape transpose swapaxes copy flatten ravel squeeze astype cumsum cumprod sort argsort "
       "clip round conj conjugate diagonal".split()},
    # fill writes every element (a view of an expanded tensor may hold far more than memory)
    "repeat": rules.repeat, "nonzero": rules.indices, "fill": rules.reduction, "dot": rules.dot,
}
# A numpy number has the array methods that make a new value (a.sum() of a 1-element sum...).
_SCALAR_METHODS = frozenset(_METHOD_RULES) - {"fill", "sort"}
_SCALAR_ATTRIBUTES = frozenset({"dtype", "shape", "ndim", "size", "itemsize", "real", "imag"})


def _method(name: str) -> Any:
    rule = _METHOD_RULES[name]

    def call(ev: Evaluator, owner: Any, *args: Any, **kwargs: Any) -> Any:
        return rules.run(ev, getattr(owner, name), rule, args, kwargs, owner=owner)

    return call


def _item(ev: Evaluator, owner: Any, *args: Any) -> Any:
    data_count(args, index=True)
    return owner.item(*args)


def _tolist(ev: Evaluator, owner: Any) -> Any:
    if owner.size > ev.limits.max_sequence:
        raise ExplorerError(f"tolist() of {owner.size:,} elements is past the limit of "
                            f"{ev.limits.max_sequence:,}", kind="limit")
    return owner.tolist()


class ArrayKind(LibraryKind):
    """A numeric ``numpy.ndarray``: its listed members, indexing, assignment into it, iteration."""

    label = "a numpy array"
    classes = (np.ndarray,)
    attributes = allowlist.ARRAY_ATTRIBUTES

    def __init__(self) -> None:
        special = {"item": _item, "tolist": _tolist}
        self.methods = {name: special[name] if name in special else _method(name)
                        for name in allowlist.ARRAY_METHODS}

    def accepts(self, value: Any) -> bool:
        return type(value) is np.ndarray and value.dtype.kind in NUMERIC_KINDS

    def get(self, ev: Evaluator, owner: Any, name: str) -> Any:
        if name == "imag" and owner.dtype.kind != "c":  # the zeros of a real array are new memory
            reserve(ev, owner.size)
            ev.budget.add_elements(owner.size)
        return super().get(ev, owner, name)

    def set(self, ev: Evaluator, owner: Any, name: str, value: Any) -> None:
        raise refused(f"`.{name}` of a numpy array cannot be assigned in the code box",
                      "make a new array: a.reshape(...), a.astype(...)")

    def item(self, ev: Evaluator, owner: Any, index: Any) -> Any:
        converted = data_count(index, index=True)  # index lists become arrays first
        reserve(ev, converted + index_count(owner.shape, index))
        result = owner[index]
        check_result(result)
        ev.budget.add_elements(made_elements(result, [owner]))
        return result

    def set_item(self, ev: Evaluator, owner: Any, index: Any, value: Any) -> None:
        given = data_count(index, index=True) + data_count(value)
        selected = index_count(owner.shape, index)
        if not selected:  # a plain index selects a view: its size is what is written
            selected = np.size(owner[index])
        reserve(ev, given + selected)
        owner[index] = value

    def iterate(self, ev: Evaluator, owner: Any) -> Iterator[Any]:
        return iter(owner)



class ScalarKind(LibraryKind):
    """A numpy number (``np.float32(1.5)``, what ``a.sum()`` returns)."""

    label = "a numpy number"
    classes = (np.generic,)
    attributes = _SCALAR_ATTRIBUTES

    def __init__(self) -> None:
        self.methods = {name: _method(name) for name in _SCALAR_METHODS}
        self.methods.update(item=_item, tolist=lambda ev, owner: owner.tolist())

    def accepts(self, value: Any) -> bool:
        return isinstance(value, np.generic) and value.dtype.kind in NUMERIC_KINDS


class DtypeKind(LibraryKind):
    """``a.dtype``: its name and size; compared with ``np.float32`` or ``"float32"``."""

    label = "a numpy dtype"
    classes = (np.dtype,)
    attributes = allowlist.DTYPE_ATTRIBUTES


class InfoKind(LibraryKind):
    """``np.finfo(np.float32).eps``, ``np.iinfo(np.int64).max``."""

    label = "numpy type information"
    classes = (np.finfo, np.iinfo)
    attributes = allowlist.FINFO_ATTRIBUTES
