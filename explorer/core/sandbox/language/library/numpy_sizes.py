"""What a numpy call in the code box may be given, and how many elements it may make.

numpy has no meta device, so sizes are worked out by arithmetic on shapes before a call runs:
broadcasting for element-wise work, the product rules for ``dot`` and ``matmul``, the selection
rules for indexing. Arguments are checked first: only numbers, numeric arrays, tensors, lists
of them and named options reach numpy, so it never holds, calls or stores anything else (no
object or string arrays, no program objects).
"""

from __future__ import annotations

import math
import operator
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from explorer.core.errors import ExplorerError
from explorer.core.sandbox.language.library.base import refused
from explorer.core.sandbox.language.values import SafeFunction

if TYPE_CHECKING:
    from explorer.core.sandbox.language.evaluator import Evaluator

NUMERIC_KINDS = frozenset("biufc")  # bool, signed, unsigned, float, complex: plain data
MAX_DIMS = 64  # numpy's own limit on dimensions; deeper lists are refused before they are read
# Multiply-adds one product or decomposition may take: a few seconds of one C call at most,
# since the time limit cannot stop a call that has started.
MAX_PRODUCTS = 2_000_000_000
SCALAR_TYPE_NAMES = (
    "float16", "float32", "float64", "double", "single", "int8", "int16", "int32", "int64",
    "int_", "intp", "uint8", "uint16", "uint32", "uint64", "bool_", "bool", "complex64",
    "complex128",
)
SCALAR_TYPES: frozenset[type] = frozenset(
    getattr(np, name) for name in SCALAR_TYPE_NAMES if isinstance(getattr(np, name, None), type)
)
# The types a ``dtype=`` may name: numpy's scalar types and Python's number types.
DTYPE_TYPES: frozenset[type] = SCALAR_TYPES | {float, int, bool, complex}
# Words numpy takes as options (order, sort kind, norm order, casting, meshgrid indexing...).
OPTION_WORDS = frozenset(
    "C F A K fro nuc stable quicksort mergesort heapsort left right same valid full reduced "
    "complete r raise wrap clip ij xy no equiv safe same_kind unsafe linear lower higher "
    "midpoint nearest L U".split()
)
_NUMBERS = (bool, int, float, complex)


# ----- checking arguments -------------------------------------------------------------------

def resolve_dtype(value: Any) -> np.dtype | None:
    """A ``dtype=`` argument as a numeric numpy dtype; other dtypes are refused."""
    if value is None:
        return None
    if isinstance(value, SafeFunction) and value.runtime_type in DTYPE_TYPES:
        value = value.runtime_type
    elif isinstance(value, SafeFunction) and value.runtime_type in (object, str, bytes):
        value = np.dtype(value.runtime_type)  # refused below, by its kind
    if isinstance(value, np.dtype) or isinstance(value, str) or value in DTYPE_TYPES:
        dtype = np.dtype(value)
    else:
        raise TypeError(f"Cannot interpret '{value!r}' as a data type")
    if dtype.kind not in NUMERIC_KINDS:
        raise refused(f"numpy arrays of dtype {dtype} are not available in the code box",
                      "use numbers: float32, float64, int64, bool...")
    return dtype


def check_array(array: np.ndarray) -> np.ndarray:
    """An array the program may hold: numeric, and a plain ndarray."""
    if type(array) is not np.ndarray or array.dtype.kind not in NUMERIC_KINDS:
        raise refused(f"numpy arrays of dtype {array.dtype} are not available in the code box",
                      "use numbers: float32, float64, int64, bool...")
    return array


def checked_call(args: Iterable[Any], kwargs: dict[str, Any]) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """The arguments of a numpy call, checked: dtypes resolved, data checked, options allowed."""
    if "out" in kwargs and kwargs["out"] is not None:
        raise refused("`out=` is not available in the code box", "assign the result instead")
    laid_out = tuple(_prepare(value, keyword=None) for value in args)
    return laid_out, {key: _prepare(value, keyword=key) for key, value in kwargs.items()}


def _prepare(value: Any, keyword: str | None) -> Any:
    if keyword == "dtype" or isinstance(value, np.dtype):
        return resolve_dtype(value)
    if isinstance(value, SafeFunction):  # np.float32, float...: a dtype given by position
        if value.runtime_type not in DTYPE_TYPES:
            raise TypeError(f"a numpy function cannot take {value!r} in the code box")
        return resolve_dtype(value)
    if isinstance(value, str):
        return _option_word(value, keyword)
    if value is None or isinstance(value, slice) or value is Ellipsis:
        return value
    data_count(value)  # refuses what may not go into an array
    return value


def _option_word(value: str, keyword: str | None) -> Any:
    """A string argument: a numeric dtype's name, or one of numpy's option words."""
    if value in OPTION_WORDS:
        return value
    try:
        return resolve_dtype(value)
    except (TypeError, ValueError):
        pass
    raise refused(f"the text {value[:40]!r} cannot be given to numpy in the code box",
                  "numpy arrays hold numbers here; options are words like 'C' or 'fro'")


def data_count(value: Any, *, index: bool = False) -> int:
    """How many elements numpy would read from ``value`` (lists repeating one list are counted
    once per repeat, without walking them again); refuses anything that is not plain data."""
    counted: dict[int, int] = {}

    def walk(item: Any, depth: int) -> int:
        if isinstance(item, (list, tuple)):
            if depth > MAX_DIMS:
                raise ValueError(f"lists nested deeper than {MAX_DIMS} cannot become an array")
            key = id(item)
            if key not in counted:
                if all(type(child) in _PLAIN_LEAVES for child in item):
                    counted[key] = len(item)
                else:
                    counted[key] = _sum_children(item, depth)
            return counted[key]
        return _leaf_count(item, index)

    def _sum_children(item: list[Any] | tuple[Any, ...], depth: int) -> int:
        total, previous, previous_count = 0, None, 0
        for child in item:
            if child is not previous or previous is None:  # [row] * n: one row, counted once
                previous, previous_count = child, walk(child, depth + 1)
            total += previous_count
        return total

    return walk(value, 0)


_PLAIN_LEAVES = frozenset({bool, int, float, complex})


def _leaf_count(item: Any, index: bool) -> int:
    if isinstance(item, _NUMBERS):
        return 1
    if isinstance(item, np.ndarray):
        return check_array(item).size
    if isinstance(item, np.generic):
        if item.dtype.kind not in NUMERIC_KINDS:
            raise refused(f"numpy values of dtype {item.dtype} are not available in the code box")
        return 1
    if isinstance(item, torch.Tensor):
        return item.numel()
    if isinstance(item, range):
        return len(item)
    if index and (item is None or item is Ellipsis):
        return 0
    if index and isinstance(item, slice):
        for part in (item.start, item.stop, item.step):
            if part is not None:
                _leaf_count(part, False)
        return 0
    if isinstance(item, str):
        raise refused("numpy arrays of text are not available in the code box",
                      "numpy arrays hold numbers here")
    raise TypeError(f"a value of type '{type(item).__name__}' cannot go into a numpy array "
                    "in the code box")


def shape_of(value: Any) -> tuple[int, ...]:
    """The shape numpy gives ``value`` (a list's shape is read along its first items)."""
    if isinstance(value, (np.ndarray, np.generic)):
        return tuple(value.shape)
    if isinstance(value, torch.Tensor):
        return tuple(value.shape)
    shape: list[int] = []
    current = value
    while isinstance(current, (list, tuple, range)) and len(shape) <= MAX_DIMS:
        shape.append(len(current))
        if not len(current):
            return tuple(shape)
        current = current[0]
    if isinstance(current, (np.ndarray, torch.Tensor)):
        shape.extend(current.shape)
    return tuple(shape)


def is_data(value: Any) -> bool:
    """Whether numpy reads ``value`` as array data (not an option, dtype or None)."""
    return isinstance(value, (*_NUMBERS, np.ndarray, np.generic, torch.Tensor, list, tuple, range))


# ----- sizes of results ---------------------------------------------------------------------

def count(shape: Iterable[int]) -> int:
    return math.prod(max(int(size), 0) for size in shape)


def broadcast_count(values: Iterable[Any]) -> int:
    """Elements of the broadcast of ``values`` (numpy raises its own error if they do not
    broadcast; the largest of them is then the bound)."""
    shapes = [shape_of(value) for value in values if is_data(value)]
    if not shapes:
        return 1
    try:
        return count(np.broadcast_shapes(*shapes))
    except ValueError:
        return max(count(shape) for shape in shapes)


def parse_shape(value: Any) -> tuple[int, ...]:
    """A size argument (``3``, ``(2, 3)``, a 1-d integer array) as a tuple of Python ints."""
    if isinstance(value, (np.ndarray, torch.Tensor)) and value.ndim == 1:
        if value.shape[0] > MAX_DIMS:
            raise ValueError(f"maximum supported dimension for an ndarray is {MAX_DIMS}, "
                             f"found {value.shape[0]}")
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        if len(value) > MAX_DIMS:
            raise ValueError(f"maximum supported dimension for an ndarray is {MAX_DIMS}, "
                             f"found {len(value)}")
        return tuple(_integer(item) for item in value)
    return (_integer(value),)


def _integer(value: Any) -> int:
    if isinstance(value, (float, np.floating)):
        raise TypeError(f"'{type(value).__name__}' object cannot be interpreted as an integer")
    try:
        return operator.index(value)
    except TypeError:
        raise TypeError(f"'{type(value).__name__}' object cannot be interpreted as an "
                        "integer") from None


def optional_shape(value: Any) -> tuple[int, ...] | None:
    return None if value is None else parse_shape(value)


def reserve(ev: Evaluator, elements: int, products: int = 0) -> None:
    """Refuse a call past the element limit or the work limit, before it runs."""
    ev.budget.check_time()
    if products > MAX_PRODUCTS:
        raise ExplorerError(
            f"this would take {products:,} multiply-adds in one step, past the code box's limit "
            f"of {MAX_PRODUCTS:,}", kind="limit", advice="use smaller arrays")
    ev.budget.reserve_elements(elements)


def made_elements(result: Any, inputs: Iterable[Any]) -> int:
    """Elements a call newly allocated: arrays sharing no memory with an input, and tensors."""
    given = [value for value in inputs if isinstance(value, np.ndarray)]
    total = 0
    for value in _results(result):
        if isinstance(value, np.ndarray):
            if not any(value is array or np.may_share_memory(value, array) for array in given):
                total += value.size
        elif isinstance(value, np.generic):
            total += 1
        elif isinstance(value, torch.Tensor):
            total += value.numel()
    return total


def _results(result: Any) -> list[Any]:
    if isinstance(result, (tuple, list)) and len(result) <= MAX_DIMS * 4:
        return [item for part in result for item in _results(part)]
    return [result]


def arrays_in(values: Iterable[Any]) -> list[np.ndarray]:
    """The arrays among a call's arguments (inside lists too), for telling views from copies."""
    found: list[np.ndarray] = []
    stack = list(values)
    seen: set[int] = set()
    while stack:
        value = stack.pop()
        if isinstance(value, np.ndarray):
            found.append(value)
        elif isinstance(value, (list, tuple)) and id(value) not in seen:
            seen.add(id(value))
            stack.extend(item for item in value if isinstance(item, (np.ndarray, list, tuple)))
    return found


def check_result(result: Any) -> Any:
    """A numpy result the program may hold: numeric arrays and scalars, tuples of them."""
    for value in _results(result):
        if isinstance(value, np.ndarray):
            check_array(value)
        elif isinstance(value, np.generic) and value.dtype.kind not in NUMERIC_KINDS:
            raise refused(f"numpy values of dtype {value.dtype} are not available in the code box")
    return result


# ----- products -----------------------------------------------------------------------------

def matmul_size(left: tuple[int, ...], right: tuple[int, ...]) -> tuple[int, int]:
    """(elements, multiply-adds) of ``left @ right`` (batch dimensions broadcast)."""
    if not left or not right:
        return count(left) * count(right), 0  # numpy refuses a scalar operand itself
    a = (1, *left) if len(left) == 1 else left
    b = (*right, 1) if len(right) == 1 else right
    try:
        batch = np.broadcast_shapes(a[:-2], b[:-2])
    except ValueError:
        return 0, 0  # numpy raises its own error
    elements = count(batch) * a[-2] * b[-1]
    return elements, elements * a[-1]


def dot_size(left: tuple[int, ...], right: tuple[int, ...]) -> tuple[int, int]:
    """(elements, multiply-adds) of ``np.dot(left, right)``."""
    if not left or not right:
        return max(count(left), count(right)), max(count(left), count(right))
    if len(left) == 1 and len(right) == 1:
        return 1, left[0]
    if len(right) == 1:
        return count(left[:-1]), count(left)
    shape = (*left[:-1], *right[:-2], right[-1])
    return count(shape), count(shape) * left[-1]


def decomposition_size(shape: tuple[int, ...]) -> tuple[int, int]:
    """(elements, multiply-adds) bounds for inverting or decomposing a stack of matrices:
    every square factor of either side, and the cube of the matrix size."""
    if len(shape) < 2:
        return count(shape), count(shape)
    rows, cols = shape[-2], shape[-1]
    batch = count(shape[:-2])
    elements = batch * (rows * rows + cols * cols + rows * cols + max(rows, cols))
    return elements, batch * rows * cols * max(min(rows, cols), 1)


# ----- indexing -----------------------------------------------------------------------------

def index_count(shape: tuple[int, ...], index: Any) -> int:
    """Elements ``array[index]`` allocates: none for a view, the selection for integer and
    boolean array indices (a boolean mask counted at its size, an upper bound)."""
    items = index if type(index) is tuple else (index,)
    if not any(_advanced(item) for item in items):
        return 0
    used = sum(_dims_used(item) for item in items if item is not Ellipsis)
    selections: list[tuple[int, ...]] = []
    consumed: list[int] = []
    dim = 0
    for item in items:
        if item is Ellipsis:
            dim += max(len(shape) - used, 0)
        elif item is None:
            continue
        elif _advanced(item):
            width = _dims_used(item)
            item_shape = shape_of(item)
            is_mask = _is_mask(item)
            selections.append((count(item_shape),) if is_mask else item_shape)
            consumed.extend(shape[dim:dim + width] if width else ())
            dim += width
        else:
            dim += 1
    try:
        selected = count(np.broadcast_shapes(*selections))
    except ValueError:
        selected = math.prod(count(selection) for selection in selections)
    whole = count(shape)
    taken = count(consumed)
    return selected * (whole // taken if taken else whole)


def _advanced(item: Any) -> bool:
    if isinstance(item, (list, range)):
        return True
    if isinstance(item, (np.ndarray, torch.Tensor)):
        return item.ndim > 0 or item.dtype in (np.bool_, torch.bool)
    return isinstance(item, (bool, np.bool_))


def _is_mask(item: Any) -> bool:
    if isinstance(item, (bool, np.bool_)):
        return True
    if isinstance(item, np.ndarray):
        return item.dtype == np.bool_
    if isinstance(item, torch.Tensor):
        return item.dtype == torch.bool
    if isinstance(item, list):
        first = item
        while isinstance(first, list) and first:
            first = first[0]
        return isinstance(first, (bool, np.bool_))
    return False


def _dims_used(item: Any) -> int:
    if item is None:
        return 0
    if _is_mask(item):
        return len(shape_of(item))
    return 1
