"""The interpreter of the code box language: walks a checked ``ast`` and runs it safely.

Nothing here calls ``eval`` or ``exec``. Every name, attribute, call and operator goes
through this class, which only reaches what the allow-list names and counts what limits.
"""

from __future__ import annotations

import ast
import contextlib
import operator
import weakref
from collections.abc import Callable, Iterator, MutableSequence
from types import GeneratorType
from typing import Any, Protocol

import torch

from explorer.core.capture.graph import Naming
from explorer.core.errors import ExplorerError
from explorer.core.sandbox.language import allowlist, library, objects
from explorer.core.sandbox.language.advice import advice_for
from explorer.core.sandbox.language.builtins import build_builtins, safe_str_format
from explorer.core.sandbox.language.classes import (
    SuperProxy,
    UserClass,
    UserInstance,
    user_class_of,
)
from explorer.core.sandbox.language.definitions import (
    NOT_MINE,
    define_class,
    define_function,
    instantiate,
    user_attribute,
    user_set_attribute,
)
from explorer.core.sandbox.language.exceptions import catchable, handler_matches, raised_exception
from explorer.core.sandbox.language.functions import (
    BoundUserMethod,
    UserFunction,
    UserGenerator,
    UserProperty,
    bind_arguments,
    new_frame,
)
from explorer.core.sandbox.language.guards import (
    check_format_spec,
    check_int_result,
    check_integer_division,
    check_percent_format,
    check_percent_length,
    check_reads,
    check_sequence_result,
    new_elements,
    precheck,
    spec_growth,
    tensors_in,
)
from explorer.core.sandbox.language.namespaces import build_namespaces
from explorer.core.sandbox.language.scopes import Frame, comprehension_scope
from explorer.core.sandbox.language.settings import SETTING_MANAGERS
from explorer.core.sandbox.language.textsize import check_text_length, text_length
from explorer.core.sandbox.language.values import NOT_DEFINED, BoundMethod, Namespace, SafeFunction
from explorer.core.sandbox.limits import Budget

_BINARY: dict[type[ast.operator], tuple[str, Callable[[Any, Any], Any], Callable[[Any, Any], Any]]] = {
    ast.Add: ("add", operator.add, operator.iadd),
    ast.Sub: ("sub", operator.sub, operator.isub),
    ast.Mult: ("mul", operator.mul, operator.imul),
    ast.Div: ("div", operator.truediv, operator.itruediv),
    ast.FloorDiv: ("floordiv", operator.floordiv, operator.ifloordiv),
    ast.Mod: ("mod", operator.mod, operator.imod),
    ast.Pow: ("pow", operator.pow, operator.ipow),
    ast.MatMult: ("matmul", operator.matmul, operator.imatmul),
    ast.LShift: ("lshift", operator.lshift, operator.ilshift),
    ast.RShift: ("rshift", operator.rshift, operator.irshift),
    ast.BitOr: ("or", operator.or_, operator.ior),
    ast.BitXor: ("xor", operator.xor, operator.ixor),
    ast.BitAnd: ("and", operator.and_, operator.iand),
}
_BINARY_BY_NAME = {name: plain for name, plain, _ in _BINARY.values()}
_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge, ast.Is: operator.is_, ast.IsNot: operator.is_not,
    ast.In: lambda left, right: left in right,
    ast.NotIn: lambda left, right: left not in right,
}
_DUNDER_NAMES = {
    "add": "add", "sub": "sub", "mul": "mul", "div": "truediv", "floordiv": "floordiv",
    "mod": "mod", "pow": "pow", "matmul": "matmul", "lshift": "lshift", "rshift": "rshift",
    "or": "or", "xor": "xor", "and": "and",
}
_SYMBOLS = {
    "add": "+", "sub": "-", "mul": "*", "div": "/", "floordiv": "//", "mod": "%",
    "pow": "** or pow()", "matmul": "@", "lshift": "<<", "rshift": ">>", "or": "|", "xor": "^",
    "and": "&", "__lt__": "<", "__le__": "<=", "__gt__": ">", "__ge__": ">=", "__eq__": "==",
    "__ne__": "!=",
}
_COMPARISONS: dict[type[ast.cmpop], tuple[str, str]] = {
    ast.Eq: ("__eq__", "__eq__"), ast.NotEq: ("__ne__", "__ne__"), ast.Lt: ("__lt__", "__gt__"),
    ast.LtE: ("__le__", "__ge__"), ast.Gt: ("__gt__", "__lt__"), ast.GtE: ("__ge__", "__le__"),
}
_UNARY: dict[type[ast.unaryop], Callable[[Any], Any]] = {
    ast.USub: operator.neg, ast.UAdd: operator.pos, ast.Invert: operator.invert,
}
_GRAD_MODES = (torch.no_grad, torch.enable_grad, torch.set_grad_enabled, torch.inference_mode)
_ITERABLE: tuple[type, ...] = (
    list, tuple, str, range, torch.Tensor, GeneratorType, UserGenerator, zip, enumerate, type(iter([])), dict, set,
    frozenset, type({}.keys()), type({}.values()), type({}.items()), map, filter, type(iter(())),
    type(iter({})), type(iter(set())), type(iter(range(0))), type(iter("")), torch.Size,
)
_STRUCT_MODULES = ("torch.return_types", "torch.autograd.forward_ad")
_TENSOR_PROPERTIES = frozenset(
    "grad grad_fn requires_grad is_leaf shape dtype device data T mT H mH ndim retains_grad"
    " _version _base".split()
) | allowlist.LIBRARY_TENSOR_PROPERTIES
_MISSING = NOT_DEFINED
Comprehension = ast.ListComp | ast.GeneratorExp | ast.SetComp | ast.DictComp


class AutogradCalls(Protocol):
    """Where the evaluator sends backward calls, so each is recorded as a pass."""

    def backward(self, call: str, line: int, run: Callable[[], Any], tensors: list[torch.Tensor],
                 seeds: list[Any], retain_graph: bool, create_graph: bool) -> None: ...

    def grad(self, line: int, run: Callable[[], Any], outputs: list[torch.Tensor],
             seeds: list[Any], inputs: list[torch.Tensor], retain_graph: bool,
             create_graph: bool) -> Any: ...


class _Break(BaseException):
    pass


class _Continue(BaseException):
    pass


class _Return(BaseException):
    def __init__(self, value: Any) -> None:
        super().__init__()
        self.value = value


class Evaluator:
    """Runs one program; holds its variables, output and the budget it spends."""

    def __init__(self, budget: Budget, autograd: AutogradCalls, naming: Naming,
                 overrides: dict[str, Any] | None = None) -> None:
        self.budget = budget
        self.limits = budget.limits
        self.autograd = autograd
        self.naming = naming
        self.overrides = dict(overrides or {})
        self.applied_overrides: set[str] = set()
        self.env: dict[str, Any] = {}
        self.namespaces = build_namespaces()
        self.predefined: dict[str, Any] = {
            "torch": self.namespaces["torch"], "F": self.namespaces["F"],
            "math": self.namespaces["math"], **build_builtins(),
        }
        self.output: list[str] = []
        self.output_size = 0
        self.last_graph_name: str | None = None
        self.line = 0  # the statement running now, for warnings torch raises inside it
        self.where: MutableSequence[int] | None = None  # [line, col] shared with a watching process
        self.block: str | None = None  # "line 3 · turn 7" inside the outermost for loop
        self.frame: Frame | None = None  # the running function call's variables; None: globals
        self.call_depth = 0
        self.handling: list[BaseException] = []  # exceptions being handled, for a bare `raise`
        self._types_by_runtime: dict[type, SafeFunction] | None = None
        self.yield_sinks: list[list[Any]] = []  # what the running generator bodies yielded
        self.module_tracker: Any = None  # explorer.core.capture.modules.ModuleTracker, while running
        self._pointers: dict[int, int] = {}
        self._statements: dict[type[ast.stmt], Callable[[Any], None]] = {
            ast.Expr: lambda node: self.eval(node.value),
            ast.Assign: self._assign_statement,
            ast.AugAssign: self._augmented_assign,
            ast.AnnAssign: self._annotated_assign,
            ast.For: self._for,
            ast.If: self._if,
            ast.With: self._with,
            ast.Pass: lambda node: None,
            ast.Break: self._break,
            ast.Continue: self._continue,
            ast.Import: self._import,
            ast.ImportFrom: self._import_from,
            ast.Delete: self._delete,
            ast.Assert: self._assert,
            ast.FunctionDef: lambda node: self.assign_name(node.name, define_function(self, node)),
            ast.ClassDef: lambda node: self.assign_name(node.name, define_class(self, node)),
            ast.Return: self._return,
            ast.While: self._while,
            ast.Try: self._try,
            ast.Raise: self._raise,
            ast.Global: lambda node: None,  # read from the function's scope before it runs
            ast.Nonlocal: lambda node: None,
        }
        self._expressions: dict[type[ast.expr], Callable[[Any], Any]] = {
            ast.Constant: lambda node: node.value,
            ast.Name: lambda node: self.lookup(node.id),
            ast.Attribute: lambda node: self.get_attribute(self.eval(node.value), node.attr),
            ast.Subscript: lambda node: self.get_item(self.eval(node.value), self.eval(node.slice)),
            ast.Slice: self._slice,
            ast.Tuple: lambda node: tuple(self._elements(node.elts)),
            ast.List: lambda node: self._elements(node.elts),
            ast.BinOp: self._binop,
            ast.UnaryOp: self._unaryop,
            ast.BoolOp: self._boolop,
            ast.Compare: self._compare,
            ast.IfExp: lambda node: self.eval(node.body if self.truth(self.eval(node.test)) else node.orelse),
            ast.Call: self._call,
            ast.JoinedStr: self._joined_str,
            ast.FormattedValue: self._formatted_value,
            ast.ListComp: self._comprehension,
            ast.GeneratorExp: self._comprehension,
            ast.SetComp: lambda node: self.new_set(self._comprehension(node)),
            ast.DictComp: self._dict_comprehension,
            ast.Dict: self._dict,
            ast.Set: lambda node: self.new_set(self._elements(node.elts)),
            ast.Lambda: lambda node: define_function(self, node),
            ast.NamedExpr: self._named_expression,
            ast.Yield: self._yield,
            ast.YieldFrom: self._yield,
        }

    # ----- statements -------------------------------------------------------------------

    def run(self, tree: ast.Module) -> None:
        self.exec_block(tree.body)

    def exec_block(self, body: list[ast.stmt]) -> None:
        for statement in body:
            self.line = statement.lineno
            if self.where is not None:
                self.where[0], self.where[1] = statement.lineno, statement.col_offset
            try:
                self.budget.check_time()  # inside the try: a time-limit error gets this line
                self._statements[type(statement)](statement)
            except ExplorerError as error:
                raise _located(error, statement) from None
            except (_Break, _Continue):
                raise
            except Exception as error:  # noqa: BLE001 - every failure becomes an ExplorerError
                raise self._runtime_error(error, statement) from None

    def _assign_statement(self, node: ast.Assign) -> None:
        value = self.eval(node.value)
        for target in node.targets:
            self.assign(target, value)

    def _annotated_assign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self.assign(node.target, self.eval(node.value))

    def _augmented_assign(self, node: ast.AugAssign) -> None:
        name, _, in_place = _BINARY[type(node.op)]
        value = self.eval(node.value)
        target = node.target
        if isinstance(target, ast.Name):
            self.assign_name(target.id, self.binary(name, self.lookup(target.id), value, in_place))
        elif isinstance(target, ast.Subscript):
            owner, index = self.eval(target.value), self.eval(target.slice)
            current = self.get_item(owner, index)
            self.set_item(owner, index, self.binary(name, current, value, in_place))
        elif isinstance(target, ast.Attribute):
            owner = self.eval(target.value)
            current = self.get_attribute(owner, target.attr)
            self.set_attribute(owner, target.attr, self.binary(name, current, value, in_place))

    def _for(self, node: ast.For) -> None:
        items = self.iterate(self.eval(node.iter))

        def next_turn() -> bool:
            item = next(items, _MISSING)
            if item is _MISSING:
                return False
            self.assign(node.target, item)
            return True

        self._loop(node, next_turn)

    def _while(self, node: ast.While) -> None:
        def next_turn() -> bool:
            if not self.truth(self.eval(node.test)):
                return False
            self.budget.count_iteration()
            return True

        self._loop(node, next_turn)

    def _loop(self, node: ast.For | ast.While, next_turn: Callable[[], bool]) -> None:
        """Run turns while ``next_turn()`` starts one; ``else`` when no ``break`` ended the loop.
        Nodes made in one turn of the outermost loop form a block (folded as ``turn N``)."""
        outermost = self.block is None
        turn = 0
        while next_turn():
            if outermost:
                self.block = f"line {node.lineno} · turn {turn}"
            turn += 1
            try:
                self.exec_block(node.body)
            except _Break:
                return
            except _Continue:
                continue
            finally:
                if outermost:
                    self.block = None
        self.exec_block(node.orelse)

    def _if(self, node: ast.If) -> None:
        self.exec_block(node.body if self.truth(self.eval(node.test)) else node.orelse)

    def _with(self, node: ast.With) -> None:
        with contextlib.ExitStack() as stack:
            for item in node.items:
                manager = self.eval(item.context_expr)
                if not isinstance(manager, (*_GRAD_MODES, *SETTING_MANAGERS,
                                            torch.autograd.forward_ad.dual_level)):
                    raise ExplorerError(
                        "only torch.no_grad(), torch.enable_grad(), torch.set_grad_enabled() "
                        "and torch.inference_mode() can be used with `with`",
                        item.context_expr.lineno, item.context_expr.col_offset, kind="refused")
                entered = stack.enter_context(manager)
                if item.optional_vars is not None:
                    self.assign(item.optional_vars, entered)
            self.exec_block(node.body)

    def _break(self, node: ast.Break) -> None:
        raise _Break

    def _continue(self, node: ast.Continue) -> None:
        raise _Continue

    def _import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.name not in allowlist.IMPORTABLE:
                raise ModuleNotFoundError(f"No module named '{alias.name}'")
            if alias.asname:
                self.assign_name(alias.asname, self.namespaces[alias.name])
            else:
                top = alias.name.split(".")[0]
                self.assign_name(top, self.namespaces[top])

    def _import_from(self, node: ast.ImportFrom) -> None:
        module = self.namespaces.get(node.module or "")
        for alias in node.names:
            if module is None or alias.name not in module.members:
                raise ImportError(f"cannot import name '{alias.name}' from '{node.module}'")
            self.assign_name(alias.asname or alias.name, module.members[alias.name])

    def _delete(self, node: ast.Delete) -> None:
        for target in node.targets:
            if isinstance(target, ast.Name):
                self.delete_name(target.id)
            elif isinstance(target, ast.Subscript):
                owner = self.eval(target.value)
                if not isinstance(owner, (list, dict)):
                    raise TypeError(f"'{type(owner).__name__}' object doesn't support item deletion")
                del owner[self.eval(target.slice)]
            elif isinstance(target, ast.Attribute) and isinstance(owner := self.eval(target.value), UserInstance):
                if target.attr not in owner.attributes:
                    raise AttributeError(f"'{owner.cls.name}' object has no attribute '{target.attr}'")
                del owner.attributes[target.attr]
            elif isinstance(target, (ast.Tuple, ast.List)):
                self._delete(ast.Delete(targets=target.elts))
            else:
                raise ExplorerError("only names, list and dict items and attributes of the "
                                    "program's own objects can be deleted", kind="refused")

    def _return(self, node: ast.Return) -> None:
        raise _Return(None if node.value is None else self.eval(node.value))

    def _try(self, node: ast.Try) -> None:
        try:
            try:
                self.exec_block(node.body)
            except ExplorerError as error:
                handler = self._handler_for(node.handlers, error)
                if handler is None:
                    raise
                self._handle(handler, error.original)
            else:
                self.exec_block(node.orelse)
        finally:
            self.exec_block(node.finalbody)

    def _handler_for(self, handlers: list[ast.ExceptHandler], error: ExplorerError) -> ast.ExceptHandler | None:
        """The first ``except`` clause that catches ``error``; the code box's own limits never match."""
        if not catchable(error):
            return None
        for handler in handlers:
            kinds = None if handler.type is None else self.eval(handler.type)
            if handler_matches(kinds, error.original):
                return handler
        return None

    def _handle(self, handler: ast.ExceptHandler, exception: Any) -> None:
        if handler.name:
            self.assign_name(handler.name, exception)
        self.handling.append(exception)
        try:
            self.exec_block(handler.body)
        finally:
            self.handling.pop()
            if handler.name:
                with contextlib.suppress(NameError):
                    self.delete_name(handler.name)

    def _raise(self, node: ast.Raise) -> None:
        if node.exc is None:
            if not self.handling:
                raise RuntimeError("No active exception to reraise")
            raise self.handling[-1]
        cause = None if node.cause is None else raised_exception(self, self.eval(node.cause))
        exception = raised_exception(self, self.eval(node.exc))
        if node.cause is not None:
            raise exception from cause
        raise exception

    def _assert(self, node: ast.Assert) -> None:
        if not self.truth(self.eval(node.test)):
            message = self.eval(node.msg) if node.msg is not None else ""
            check_text_length(text_length(message, stop_at=self.limits.max_sequence), self.limits.max_sequence)
            raise AssertionError(str(message))

    # ----- assignment -------------------------------------------------------------------

    def assign(self, target: ast.expr, value: Any) -> None:
        if isinstance(target, ast.Name):
            self.assign_name(target.id, value)
        elif isinstance(target, (ast.Tuple, ast.List)):
            starred = [index for index, element in enumerate(target.elts)
                       if isinstance(element, ast.Starred)]
            if starred:
                self._assign_starred(target.elts, starred[0], value)
                return
            items = self._unpack(value, len(target.elts))
            for element, item in zip(target.elts, items):
                self.assign(element, item)
        elif isinstance(target, ast.Subscript):
            self.set_item(self.eval(target.value), self.eval(target.slice), value)
        elif isinstance(target, ast.Attribute):
            self.set_attribute(self.eval(target.value), target.attr, value)
        else:
            raise ExplorerError("this assignment target is not allowed", kind="refused")

    def _assign_starred(self, targets: list[ast.expr], star: int, value: Any) -> None:
        """``a, *rest, b = value``: the starred target takes what the others leave, as a list."""
        items = self.materialize(value)
        after = len(targets) - star - 1
        if len(items) < star + after:
            raise ValueError(f"not enough values to unpack (expected at least {star + after}, "
                             f"got {len(items)})")
        for element, item in zip(targets[:star], items[:star]):
            self.assign(element, item)
        starred = targets[star]
        assert isinstance(starred, ast.Starred)
        self.assign(starred.value, items[star:len(items) - after])
        for element, item in zip(targets[star + 1:], items[len(items) - after:]):
            self.assign(element, item)

    def assign_name(self, name: str, value: Any) -> None:
        frame = self.frame
        if frame is not None and name not in frame.info.global_names:
            if isinstance(value, torch.Tensor) and value.grad_fn is not None:
                self.naming.tag_origin(value.grad_fn, self.line, self.block)
            self._frame_holding(frame, name).values[name] = value
            return
        if isinstance(value, torch.nn.Module):
            for path, parameter in module_parameters(name, value).items():
                self.naming.name_tensor(path, parameter)
            if self.module_tracker is not None:  # its calls' nodes are grouped as `name.fc1`...
                self.module_tracker.paths.update(
                    {id(module): f"{name}.{path}" if path else name
                     for path, module in value.named_modules()})
        if isinstance(value, torch.Tensor):
            if name in self.overrides and value.grad_fn is None:
                value = self._overridden(name, value)
            self.naming.name_tensor(name, value)
            if value.grad_fn is not None:
                self.last_graph_name = name
                self.naming.tag_origin(value.grad_fn, self.line, self.block)
        self.env[name] = value

    def _frame_holding(self, frame: Frame, name: str) -> Frame:
        """The frame a name assigned in ``frame`` lives in: itself, or a ``nonlocal`` one."""
        if name not in frame.info.nonlocal_names:
            return frame
        outer = frame.enclosing
        while outer is not None and (outer.is_class or name not in outer.info.local_names):
            outer = outer.enclosing
        if outer is None:
            raise SyntaxError(f"no binding for nonlocal '{name}' found")
        return outer

    def delete_name(self, name: str) -> None:
        frame = self.frame
        if frame is not None and name not in frame.info.global_names:
            holder = self._frame_holding(frame, name)
            if name not in holder.values:
                raise NameError(f"cannot access local variable '{name}' where it is not "
                                "associated with a value")
            del holder.values[name]
            return
        if name not in self.env:
            raise NameError(f"name '{name}' is not defined")
        del self.env[name]

    def _overridden(self, name: str, tensor: torch.Tensor) -> torch.Tensor:
        """The user's edited value for ``name``, in the shape and dtype the program made."""
        replacement = torch.as_tensor(self.overrides[name], dtype=tensor.dtype)
        if replacement.numel() != tensor.numel():
            return tensor
        self.applied_overrides.add(name)
        with torch.no_grad():
            result = replacement.reshape(tensor.shape).clone()
        return result.requires_grad_(tensor.requires_grad)

    def _unpack(self, value: Any, count: int) -> list[Any]:
        items = []
        for item in self.iterate(value):
            items.append(item)
            if len(items) > count:
                raise ValueError(f"too many values to unpack (expected {count})")
        if len(items) < count:
            raise ValueError(f"not enough values to unpack (expected {count}, got {len(items)})")
        return items

    def set_item(self, owner: Any, index: Any, value: Any) -> None:
        if isinstance(owner, torch.Tensor):
            precheck(self.budget, operator.setitem, (owner, index, value), {}, grows=False)
            owner[index] = value
        elif isinstance(owner, list):
            if isinstance(index, slice):
                check_sequence_result("add", owner, self.materialize(value), self.limits.max_sequence)
            owner[index] = value
        elif isinstance(owner, dict):
            if index not in owner:
                check_sequence_result("add", list(owner), [index], self.limits.max_sequence)
            owner[index] = value
        elif isinstance(owner, UserInstance) and self.call_special(owner, "__setitem__", [index, value]) is not _MISSING:
            return
        elif (kind := objects.kind_of(owner)) is not None and hasattr(kind, "set_item"):
            kind.set_item(self, owner, index, value)  # a library container: model[0] = layer
        else:
            raise TypeError(f"'{type(owner).__name__}' object does not support item assignment")

    def set_attribute(self, owner: Any, name: str, value: Any) -> None:
        if isinstance(owner, torch.Tensor):
            if name not in allowlist.SETTABLE_TENSOR_ATTRIBUTES:
                raise ExplorerError(
                    f"`.{name}` of a tensor cannot be assigned; only its .requires_grad, .grad "
                    "and .data can", kind="refused")
            setattr(owner, name, value)
            return
        if user_set_attribute(self, owner, name, value):
            return
        kind = objects.kind_of(owner)
        if kind is None:
            raise ExplorerError(f"`.{name}` of a `{_type_name(owner)}` cannot be assigned",
                                kind="refused")
        kind.set(self, owner, name, value)

    # ----- names and attributes ---------------------------------------------------------

    def lookup(self, name: str) -> Any:
        frame = self.frame
        if frame is not None:
            value = self._lookup_in_frames(frame, name)
            if value is not _MISSING:
                return value
        value = self.env.get(name, _MISSING)
        if value is _MISSING:
            value = self.predefined.get(name, _MISSING)
        if value is _MISSING:
            if name in allowlist.FORBIDDEN_NAMES:
                raise ExplorerError(f"`{name}` is not allowed in the code box", kind="refused")
            raise NameError(f"name '{name}' is not defined")
        return value

    def _lookup_in_frames(self, frame: Frame, name: str) -> Any:
        """A name from the running function's frame or the frames around it (``_MISSING``: global)."""
        if name in frame.info.global_names:
            return _MISSING
        if frame.is_class:  # a class body sees its own names first, then the code around it
            value = frame.values.get(name, _MISSING)
            return value if value is not _MISSING or frame.enclosing is None else (
                self._lookup_in_frames(frame.enclosing, name))
        if name in frame.info.local_names:
            value = frame.values.get(name, _MISSING)
            if value is _MISSING:
                raise UnboundLocalError(f"cannot access local variable '{name}' where it is not "
                                        "associated with a value")
            return value
        outer = frame.enclosing
        while outer is not None:
            if not outer.is_class and name in outer.info.local_names:
                value = outer.values.get(name, _MISSING)
                if value is _MISSING:
                    raise NameError(f"cannot access free variable '{name}' where it is not "
                                    "associated with a value in enclosing scope")
                return value
            outer = outer.enclosing
        return _MISSING

    def get_attribute(self, owner: Any, name: str) -> Any:
        if isinstance(owner, torch.Tensor):
            return self._tensor_attribute(owner, name)
        if isinstance(owner, Namespace):
            return self._namespace_attribute(owner, name)
        value = user_attribute(self, owner, name)
        if value is not NOT_MINE:
            return self.checked(value)
        allowed = _members_of(owner)
        if name in allowed:
            value = getattr(owner, name)
            return BoundMethod(owner, name) if callable(value) else self.checked(value)
        kind = objects.kind_of(owner)
        if kind is not None and (not name.startswith("__") or name == "__class__"):
            return self.checked(kind.get(self, owner, name))
        raise AttributeError(f"'{_type_name(owner)}' object has no attribute '{name}'")

    def _tensor_attribute(self, tensor: torch.Tensor, name: str) -> Any:
        if name not in allowlist.TENSOR_MEMBERS:
            raise ExplorerError(f"`.{name}` of a tensor is not allowed in the code box",
                                kind="refused")
        if name in _TENSOR_PROPERTIES:
            return self.checked(getattr(tensor, name))
        if not hasattr(tensor, name):
            raise AttributeError(f"'Tensor' object has no attribute '{name}'")
        return BoundMethod(tensor, name)

    def _namespace_attribute(self, namespace: Namespace, name: str) -> Any:
        member = namespace.members.get(name, _MISSING)
        if member is _MISSING:
            raise ExplorerError(f"`{namespace.qualname}.{name}` is not allowed in the code box",
                                kind="refused")
        return member

    # ----- expressions ------------------------------------------------------------------

    def eval(self, node: ast.expr) -> Any:
        try:
            value = self._expressions[type(node)](node)
            if type(value) is torch.Tensor and value.grad_fn is not None:
                self.naming.tag_span(value.grad_fn, _span(node), value)
            return value
        except ExplorerError as error:
            raise _located(error, node) from None
        except (_Break, _Continue):
            raise
        except Exception as error:  # noqa: BLE001 - every failure becomes an ExplorerError
            raise self._runtime_error(error, node) from None

    def _elements(self, nodes: list[ast.expr]) -> list[Any]:
        items: list[Any] = []
        for node in nodes:
            if isinstance(node, ast.Starred):
                items.extend(self.materialize(self.eval(node.value)))
            else:
                items.append(self.eval(node))
            if len(items) > self.limits.max_sequence:
                check_sequence_result("add", items, [], self.limits.max_sequence)
        return items

    def _slice(self, node: ast.Slice) -> slice:
        return slice(*(None if part is None else self.eval(part)
                       for part in (node.lower, node.upper, node.step)))

    def _binop(self, node: ast.BinOp) -> Any:
        name = _BINARY[type(node.op)][0]
        return self.binary(name, self.eval(node.left), self.eval(node.right))

    def binary(self, name: str, left: Any, right: Any,
               function: Callable[[Any, Any], Any] | None = None) -> Any:
        """``left <op> right`` with the size checks its operand types need."""
        if isinstance(left, UserInstance) or isinstance(right, UserInstance):
            return self._user_binary(name, left, right, in_place=function is not None)
        function = function or _BINARY_BY_NAME[name]
        if library.numpy_operand(left) or library.numpy_operand(right):  # sized by broadcasting
            return self.checked(library.array_binary(self, name, function, left, right))
        left, right = _sequence_count(left, right), _sequence_count(right, left)
        if isinstance(left, torch.Tensor) or isinstance(right, torch.Tensor):
            return self.call_torch(function, (left, right), {}, grows=name == "matmul")
        check_int_result(name, left, right, self.limits.max_int_bits)
        check_sequence_result(name, left, right, self.limits.max_sequence)
        if name == "mod" and isinstance(left, str):
            check_percent_format(left)
            check_percent_length(left, right, self.limits.max_sequence)
        return function(left, right)

    def _user_binary(self, name: str, left: Any, right: Any, *, in_place: bool) -> Any:
        """An operator with an object of the program's own class: its methods, as Python picks them."""
        dunder = _DUNDER_NAMES[name]
        attempts: list[tuple[Any, str, Any]] = []
        if in_place:
            attempts.append((left, f"__i{dunder}__", right))
        attempts.append((left, f"__{dunder}__", right))
        same_class = isinstance(left, UserInstance) and isinstance(right, UserInstance) and (
            left.cls is right.cls)
        if not same_class:
            attempts.append((right, f"__r{dunder}__", left))
        for owner, method, other in attempts:
            result = self.call_special(owner, method, [other])
            if result is not _MISSING and result is not NotImplemented:
                return result
        symbol = _SYMBOLS[name]
        raise TypeError(f"unsupported operand type(s) for {symbol}: '{_type_name(left)}' and "
                        f"'{_type_name(right)}'")

    def call_special(self, owner: Any, method: str, args: list[Any]) -> Any:
        """``owner.method(*args)`` if ``owner`` is an object of the program's class that defines it."""
        if not isinstance(owner, UserInstance):
            return _MISSING
        function = owner.cls.find(method)
        if not isinstance(function, UserFunction):
            return _MISSING
        return self.call_user(function, [owner, *args], {})

    def text(self, value: Any, *, as_repr: bool = False) -> str:
        """``str(value)`` (or ``repr``), running the program's own ``__str__`` and ``__repr__``."""
        if isinstance(value, UserInstance):
            for method in (("__repr__",) if as_repr else ("__str__", "__repr__")):
                result = self.call_special(value, method, [])
                if result is not _MISSING:
                    if not isinstance(result, str):
                        raise TypeError(f"{method} returned non-string (type {_type_name(result)})")
                    return result
            return repr(value)
        if isinstance(value, (list, tuple, dict, set)) and _holds_user_instance(value):
            return self._container_text(value)
        return repr(value) if as_repr else str(value)

    def _container_text(self, value: Any) -> str:
        if isinstance(value, dict):
            return "{" + ", ".join(f"{self.text(key, as_repr=True)}: {self.text(item, as_repr=True)}"
                                   for key, item in value.items()) + "}"
        inner = ", ".join(self.text(item, as_repr=True) for item in value)
        if isinstance(value, list):
            return f"[{inner}]"
        if isinstance(value, set):
            return "{" + inner + "}"
        return f"({inner}{',' if len(value) == 1 else ''})"

    def _unaryop(self, node: ast.UnaryOp) -> Any:
        value = self.eval(node.operand)
        if isinstance(node.op, ast.Not):
            return not self.truth(value)
        if isinstance(value, UserInstance):
            method = {ast.USub: "__neg__", ast.UAdd: "__pos__", ast.Invert: "__invert__"}[type(node.op)]
            result = self.call_special(value, method, [])
            if result is _MISSING:
                symbol = {ast.USub: "-", ast.UAdd: "+", ast.Invert: "~"}[type(node.op)]
                raise TypeError(f"bad operand type for unary {symbol}: '{value.cls.name}'")
            return result
        function = _UNARY[type(node.op)]
        if library.numpy_operand(value):
            return self.checked(library.array_unary(self, function, value))
        if isinstance(value, torch.Tensor):
            return self.call_torch(function, (value,), {}, grows=False)
        return function(value)

    def _boolop(self, node: ast.BoolOp) -> Any:
        value: Any = None
        for operand in node.values:
            value = self.eval(operand)
            if self.truth(value) == isinstance(node.op, ast.Or):
                return value
        return value

    def _compare(self, node: ast.Compare) -> Any:
        left = self.eval(node.left)
        result: Any = True
        for op, right_node in zip(node.ops, node.comparators):
            right = self.eval(right_node)
            function = _COMPARE[type(op)]
            if isinstance(op, (ast.Is, ast.IsNot)):
                result = function(left, right)
            elif isinstance(left, UserInstance) or isinstance(right, UserInstance):
                result = self._user_compare(op, left, right)
            elif library.numpy_operand(right) or (not isinstance(op, (ast.In, ast.NotIn))
                                                   and library.numpy_operand(left)):
                result = self.checked(library.array_compare(self, function, left, right))
            elif isinstance(left, torch.Tensor) or isinstance(right, torch.Tensor):
                result = self.call_torch(function, (left, right), {}, grows=False)
            else:
                result = function(left, right)
            if len(node.ops) > 1 and not self.truth(result):
                return result
            left = right
        return result

    def _joined_str(self, node: ast.JoinedStr) -> str:
        parts: list[str] = []
        for part in node.values:
            parts.append(str(self.eval(part)))
            # count as the parts come: many long parts must not be joined first
            check_text_length(sum(len(text) for text in parts), self.limits.max_sequence)
        return "".join(parts)

    def _formatted_value(self, node: ast.FormattedValue) -> str:
        value = self.eval(node.value)
        if isinstance(value, UserInstance) or (isinstance(value, (list, tuple, dict, set))
                                                and _holds_user_instance(value)):
            value = self.text(value, as_repr=node.conversion in (ord("r"), ord("a")))
        check_text_length(text_length(value, as_repr=node.conversion in (ord("r"), ord("a")),
                                      stop_at=self.limits.max_sequence), self.limits.max_sequence)
        if node.conversion == ord("r"):
            value = repr(value)
        elif node.conversion == ord("s"):
            value = str(value)
        elif node.conversion == ord("a"):
            value = ascii(value)
        spec = "" if node.format_spec is None else self.eval(node.format_spec)
        check_format_spec(spec)
        check_text_length(text_length(value, stop_at=self.limits.max_sequence) + spec_growth(str(spec)),
                          self.limits.max_sequence)
        return format(value, spec)

    def _comprehension(self, node: Comprehension, element: Callable[[], Any] | None = None) -> list[Any]:
        """The items of a comprehension, made in its own frame as Python 3 does."""
        first = self.eval(node.generators[0].iter)  # evaluated in the enclosing scope
        results: list[Any] = []
        saved = self.frame
        self.frame = Frame(comprehension_scope(node), saved)
        try:
            self._comprehension_loop(node, 0, results, first,
                                     element or (lambda: self.eval(node.elt)))  # type: ignore[union-attr]
        finally:
            self.frame = saved
        return results

    def _comprehension_loop(self, node: Comprehension, depth: int, results: list[Any],
                            first: Any, element: Callable[[], Any]) -> None:
        if depth == len(node.generators):
            results.append(element())
            check_sequence_result("add", results, [], self.limits.max_sequence)
            return
        generator = node.generators[depth]
        iterable = first if depth == 0 else self.eval(generator.iter)
        for item in self.iterate(iterable):
            self.assign(generator.target, item)
            if all(self.truth(self.eval(condition)) for condition in generator.ifs):
                self._comprehension_loop(node, depth + 1, results, first, element)

    def _dict_comprehension(self, node: ast.DictComp) -> dict[Any, Any]:
        pairs = self._comprehension(node, lambda: (self.eval(node.key), self.eval(node.value)))
        return dict(pairs)

    def _dict(self, node: ast.Dict) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        for key, value in zip(node.keys, node.values):
            if key is None:  # {**other}
                other = self.eval(value)
                if not isinstance(other, dict):
                    raise TypeError(f"'{type(other).__name__}' object is not a mapping")
                check_sequence_result("add", list(result), list(other), self.limits.max_sequence)
                result.update(other)
            else:
                result[self.eval(key)] = self.eval(value)
        return result

    def new_set(self, items: list[Any]) -> set[Any]:
        return set(items)

    def _named_expression(self, node: ast.NamedExpr) -> Any:
        value = self.eval(node.value)
        self.assign(node.target, value)
        return value

    # ----- calls ------------------------------------------------------------------------

    def _call(self, node: ast.Call) -> Any:
        function = self.eval(node.func)
        args = self._elements(node.args)
        kwargs: dict[str, Any] = {}
        for keyword in node.keywords:
            if keyword.arg is None:  # f(**options)
                options = self.eval(keyword.value)
                if not isinstance(options, dict):
                    raise TypeError("argument after ** must be a mapping, "
                                    f"not {type(options).__name__}")
                for key, value in options.items():
                    if key in kwargs:
                        raise TypeError(f"got multiple values for keyword argument '{key}'")
                    kwargs[str(key)] = value
            else:
                kwargs[keyword.arg] = self.eval(keyword.value)
        return self.invoke(function, args, kwargs, node)

    def invoke(self, function: Any, args: list[Any], kwargs: dict[str, Any],
               node: ast.Call | None = None) -> Any:
        if isinstance(function, UserFunction):
            return self.call_user(function, args, kwargs)
        if isinstance(function, BoundUserMethod):
            return self.call_user(function.function, [function.owner, *args], kwargs)
        if isinstance(function, UserClass):
            return instantiate(self, function, args, kwargs)
        if isinstance(function, BoundMethod):
            return self._call_method(function.owner, function.name, args, kwargs, node)
        if not isinstance(function, SafeFunction):
            return self._call_object(function, args, kwargs)
        if function.kind == "builtin":
            return self.checked(function.target(self, *args, **kwargs))
        if function.kind == "special":
            return self._autograd_function(function.qualname, args, kwargs, node.lineno if node else self.line)
        if function.kind == "plain":
            return self.checked(function.target(*args, **kwargs))
        short_name = function.qualname.rsplit(".", 1)[-1]
        positional = tuple(args)
        if function.prepare is not None:
            positional, kwargs = function.prepare(positional, kwargs)
        return self.call_torch(
            function.target, positional, kwargs,
            grows=function.kind == "creation" or short_name in allowlist.GROWTH_FUNCTIONS,
            creation=function.kind == "creation",
        )

    def _call_object(self, function: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
        """Call an object of the program's own class (``__call__``) or of a library kind."""
        if user_class_of(function) is not None:
            method = user_class_of(function).find("__call__")  # type: ignore[union-attr]
            if isinstance(method, UserFunction):
                return self.call_user(method, [function, *args], kwargs)
        kind = objects.kind_of(function)
        if kind is not None:
            return self.checked(kind.call(self, function, args, kwargs))
        raise TypeError(f"'{_type_name(function)}' object is not callable")

    def call_user(self, function: UserFunction, args: list[Any], kwargs: dict[str, Any]) -> Any:
        """Run one call of a function the program defined, in a new frame."""
        if self.call_depth >= self.limits.max_call_depth:
            raise ExplorerError(
                f"functions called each other more than {self.limits.max_call_depth} deep",
                kind="limit", advice="recursion in the code box is capped; use a loop")
        self.budget.check_time()
        if function.is_generator:
            bind_arguments(function, args, kwargs)  # a wrong call fails here, as in Python
            return UserGenerator(function, args, kwargs)
        return self._run_body(function, args, kwargs)

    def _run_body(self, function: UserFunction, args: list[Any], kwargs: dict[str, Any]) -> Any:
        values = bind_arguments(function, args, kwargs)
        frame = new_frame(function, values, args[0] if args else None)
        saved_frame, saved_line, saved_block = self.frame, self.line, self.block
        self.frame = frame
        self.call_depth += 1
        try:
            with contextlib.ExitStack() as stack:
                if function.grad_mode is not None:
                    stack.enter_context(function.grad_mode())
                if isinstance(function.node, ast.Lambda):
                    return self.eval(function.node.body)
                self.exec_block(function.node.body)
            return None
        except _Return as returned:
            return returned.value
        finally:
            self.frame, self.line, self.block = saved_frame, saved_line, saved_block
            self.call_depth -= 1

    def named_type(self, runtime_type: type) -> SafeFunction | None:
        """The name the program can reach ``runtime_type`` by (``nn.Linear``, ``int``), if any,
        so that ``type(m) == nn.Linear`` holds."""
        if self._types_by_runtime is None:
            self._types_by_runtime = _types_by_runtime(self.predefined, self.namespaces)
        return self._types_by_runtime.get(runtime_type)

    def run_generator(self, function: UserFunction, args: list[Any], kwargs: dict[str, Any]) -> list[Any]:
        """Run a generator function's body to its end; what it yielded, in order."""
        sink: list[Any] = []
        self.yield_sinks.append(sink)
        try:
            self._run_body(function, args, kwargs)
        finally:
            self.yield_sinks.pop()
        return sink

    def _yield(self, node: ast.Yield | ast.YieldFrom) -> None:
        sink = self.yield_sinks[-1]
        value = None if node.value is None else self.eval(node.value)
        items = self.materialize(value) if isinstance(node, ast.YieldFrom) else [value]
        for item in items:
            self.budget.count_iteration()
            sink.append(item)
            check_sequence_result("add", sink, [], self.limits.max_sequence)

    def as_callable(self, value: Any) -> Callable[..., Any]:
        """A Python callable for a function the program hands to the library (a hook, jacobian's f)."""
        if isinstance(value, (UserFunction, BoundUserMethod)):
            return value
        if not self.is_callable(value):
            raise TypeError(f"'{_type_name(value)}' object is not callable")
        reference = weakref.ref(self)

        def call(*args: Any, **kwargs: Any) -> Any:
            evaluator = reference()
            if evaluator is None:
                raise RuntimeError("this function belongs to a program that has ended")
            return evaluator.invoke(value, list(args), kwargs)

        return call

    def is_callable(self, value: Any) -> bool:
        if isinstance(value, (UserFunction, BoundUserMethod, UserClass, BoundMethod, SafeFunction)):
            return True
        cls = user_class_of(value)
        if cls is not None and isinstance(cls.find("__call__"), UserFunction):
            return True
        return objects.kind_of(value) is not None and callable(value)

    def call_torch(self, function: Callable[..., Any], args: tuple[Any, ...],
                   kwargs: dict[str, Any], *, grows: bool, creation: bool = False) -> Any:
        """Call a torch function after checking what it would allocate; count what it did."""
        self.budget.check_time()
        inputs = precheck(self.budget, function, args, kwargs, grows=grows, creation=creation)
        if kwargs:
            check_integer_division(args, kwargs)
        result = function(*args, **kwargs)
        self.budget.add_elements(new_elements(result, inputs))
        return self.checked(result)

    def _call_method(self, owner: Any, name: str, args: list[Any], kwargs: dict[str, Any],
                     node: ast.Call | None) -> Any:
        if isinstance(owner, torch.Tensor):
            return self._tensor_method(owner, name, args, kwargs, node)
        if isinstance(owner, list):
            return self._list_method(owner, name, args, kwargs)
        if isinstance(owner, (dict, set)):
            return self._collection_method(owner, name, args, kwargs)
        if isinstance(owner, str):
            return self._str_method(owner, name, args, kwargs)
        return self.checked(getattr(owner, name)(*args, **kwargs))

    def _tensor_method(self, tensor: torch.Tensor, name: str, args: list[Any],
                       kwargs: dict[str, Any], node: ast.Call | None) -> Any:
        if name == "backward":
            return self._tensor_backward(tensor, args, kwargs, node)
        if name == "data_ptr" and not args and not kwargs:
            return self._opaque_pointer(tensor.data_ptr())
        if name == "tolist" and tensor.numel() > self.limits.max_sequence:
            raise ExplorerError(f"tolist() of {tensor.numel():,} elements is past the limit "
                                f"of {self.limits.max_sequence:,}", kind="limit")
        special = library.tensor_method(name)  # hooks with the program's functions, .to(device)
        if special is not None:
            return self.checked(special(self, tensor, args, kwargs))
        if name in allowlist.PLAIN_MEMBERS:
            check_reads(self.budget, tensors_in((tensor, args, kwargs)))
            return self.checked(getattr(tensor, name)(*args, **kwargs))

        def method(owner: torch.Tensor, *rest: Any, **options: Any) -> Any:
            return getattr(owner, name)(*rest, **options)

        return self.call_torch(method, (tensor, *args), kwargs,
                               grows=name in allowlist.GROWTH_METHODS)

    def _opaque_pointer(self, address: int) -> int:
        """``x.data_ptr()`` as a number that is equal exactly when the address is, without
        showing the program any real memory address."""
        return self._pointers.setdefault(address, 0x1000 * (len(self._pointers) + 1))

    def _list_method(self, owner: list[Any], name: str, args: list[Any],
                     kwargs: dict[str, Any]) -> Any:
        if name in ("append", "insert"):
            check_sequence_result("add", owner, [None], self.limits.max_sequence)
        if name == "extend":
            args = [self.materialize(args[0])] if args else args
            check_sequence_result("add", owner, args[0] if args else [], self.limits.max_sequence)
        if name == "sort" and kwargs.get("key") is not None:
            kwargs = {**kwargs, "key": self.as_callable(kwargs["key"])}
        return self.checked(getattr(owner, name)(*args, **kwargs))

    def _collection_method(self, owner: dict[Any, Any] | set[Any], name: str, args: list[Any],
                           kwargs: dict[str, Any]) -> Any:
        """A dict or set method; whatever it adds counts against the size limit first."""
        if name in ("update", "union", "setdefault", "add"):
            added = [item for arg in args for item in (
                self.materialize(arg) if name in ("update", "union") and not isinstance(arg, dict)
                else list(arg) if isinstance(arg, dict) else [arg])]
            check_sequence_result("add", list(owner), added + list(kwargs), self.limits.max_sequence)
        return self.checked(getattr(owner, name)(*args, **kwargs))

    def _str_method(self, owner: str, name: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
        if name == "format":
            result = safe_str_format(owner, tuple(args), kwargs, self.limits.max_sequence)
        elif name == "join":
            items = self.materialize(args[0]) if args else []
            check_text_length(sum(len(item) + len(owner) for item in items if isinstance(item, str)),
                              self.limits.max_sequence)
            result = owner.join(items)
        else:
            if name in allowlist.STR_GROWING:
                check_text_length(_grown_length(owner, name, args, kwargs), self.limits.max_sequence)
            result = getattr(owner, name)(*args, **kwargs)
        if isinstance(result, str):
            check_sequence_result("add", result, "", self.limits.max_sequence)
        return result

    # ----- autograd -----------------------------------------------------------------------

    def _tensor_backward(self, tensor: torch.Tensor, args: list[Any], kwargs: dict[str, Any],
                         node: ast.Call | None) -> None:
        gradient, retain_graph, create_graph, inputs = _bind_backward(*args, **kwargs)
        retain = create_graph if retain_graph is None else bool(retain_graph)
        self.autograd.backward(
            "backward", node.lineno if node else self.line,
            lambda: tensor.backward(gradient, retain_graph, create_graph, inputs),
            [tensor], [gradient], retain, bool(create_graph))

    def _autograd_function(self, qualname: str, args: list[Any], kwargs: dict[str, Any],
                           line: int) -> Any:
        if qualname == "torch.autograd.backward":
            tensors, seeds, retain_graph, create_graph, inputs = _bind_autograd_backward(*args, **kwargs)
            roots, seed_list = _as_list(tensors), _as_list(seeds) if seeds is not None else []
            retain = create_graph if retain_graph is None else bool(retain_graph)
            return self.autograd.backward(
                "autograd.backward", line,
                lambda: torch.autograd.backward(tensors, seeds, retain_graph, create_graph,
                                                inputs=inputs),
                roots, seed_list or [None] * len(roots), retain, bool(create_graph))
        bound = _bind_autograd_grad(*args, **kwargs)
        outputs, inputs, seeds, retain_graph, create_graph = bound[:5]
        roots, seed_list = _as_list(outputs), _as_list(seeds) if seeds is not None else []
        retain = create_graph if retain_graph is None else bool(retain_graph)
        return self.checked(self.autograd.grad(
            line,
            lambda: torch.autograd.grad(outputs, inputs, seeds, retain_graph, create_graph,
                                        allow_unused=bound[5], materialize_grads=bound[6]),
            roots, seed_list or [None] * len(roots), _as_list(inputs), retain, bool(create_graph)))

    # ----- values -----------------------------------------------------------------------

    def _user_compare(self, op: ast.cmpop, left: Any, right: Any) -> Any:
        if isinstance(op, (ast.In, ast.NotIn)):
            found = self.call_special(right, "__contains__", [left])
            if found is _MISSING:
                found = any(item is left or self._equal(item, left) for item in self.iterate(right))
            return self.truth(found) != isinstance(op, ast.NotIn)
        method, reflected = _COMPARISONS[type(op)]
        for owner, name, other in ((left, method, right), (right, reflected, left)):
            result = self.call_special(owner, name, [other])
            if result is not _MISSING and result is not NotImplemented:
                return result
        if isinstance(op, (ast.Eq, ast.NotEq)):
            return (left is right) == isinstance(op, ast.Eq)
        raise TypeError(f"'{_SYMBOLS[method]}' not supported between instances of "
                        f"'{_type_name(left)}' and '{_type_name(right)}'")

    def _equal(self, left: Any, right: Any) -> bool:
        if isinstance(left, UserInstance) or isinstance(right, UserInstance):
            return self.truth(self._user_compare(ast.Eq(), left, right))
        return self.truth(left == right)

    def truth(self, value: Any) -> bool:
        if isinstance(value, UserInstance):
            for method in ("__bool__", "__len__"):
                result = self.call_special(value, method, [])
                if result is not _MISSING:
                    return bool(result)
            return True
        return bool(value)

    def iterate(self, value: Any) -> Iterator[Any]:
        """Iterate an allowed value, counting every item against the loop limit."""
        for item in self._iterable(value):
            self.budget.count_iteration()
            yield item

    def _iterable(self, value: Any) -> Any:
        if isinstance(value, _ITERABLE) or _is_struct(value):
            return value
        kind = objects.kind_of(value)
        if kind is not None and user_class_of(value) is None and hasattr(kind, "iterate"):
            return (self.checked(item) for item in kind.iterate(self, value))  # a library container
        if isinstance(value, UserInstance):
            produced = self.call_special(value, "__iter__", [])
            if produced is not _MISSING:
                return self._iterable(produced)
            if isinstance(value.cls.find("__getitem__"), UserFunction):
                return self._indexed(value)
        elif (user_class_of(value) is not None or objects.kind_of(value) is not None) and (
                hasattr(type(value), "__iter__") or hasattr(type(value), "__getitem__")):
            return value
        raise TypeError(f"'{_type_name(value)}' object is not iterable")

    def _indexed(self, value: UserInstance) -> Iterator[Any]:
        """Python's old iteration protocol: ``value[0]``, ``value[1]``... until IndexError."""
        index = 0
        while True:
            try:
                yield self.call_special(value, "__getitem__", [index])
            except ExplorerError as error:
                if isinstance(error.original, (IndexError, StopIteration)):
                    return
                raise
            index += 1

    def materialize(self, value: Any) -> list[Any]:
        items = []
        for item in self.iterate(value):
            items.append(item)
            if len(items) > self.limits.max_sequence:
                check_sequence_result("add", items, [], self.limits.max_sequence)
        return items

    def get_item(self, owner: Any, index: Any) -> Any:
        if isinstance(owner, torch.Tensor):
            return self.call_torch(operator.getitem, (owner, index), {}, grows=False)
        if isinstance(owner, (list, tuple, str, range, dict, torch.Size)) or _is_struct(owner):
            return self.checked(owner[index])
        kind = objects.kind_of(owner)
        if kind is not None and user_class_of(owner) is None and hasattr(kind, "item"):
            return self.checked(kind.item(self, owner, index))  # a library container
        if isinstance(owner, UserInstance):
            result = self.call_special(owner, "__getitem__", [index])
            if result is not _MISSING:
                return result
        elif (user_class_of(owner) is not None or objects.kind_of(owner) is not None) and hasattr(
                type(owner), "__getitem__"):
            return self.checked(owner[index])
        raise TypeError(f"'{_type_name(owner)}' object is not subscriptable")

    def checked(self, value: Any) -> Any:
        """Let a value into the program only if it is of a type the code box may hold."""
        if isinstance(value, _HOLDABLE) or _is_struct(value) or _is_node(value):
            return value
        if isinstance(value, (tuple, list, set, frozenset)):
            for item in value:
                self.checked(item)
            return value
        if isinstance(value, dict):
            for key, item in value.items():
                self.checked(key)
                self.checked(item)
            return value
        if user_class_of(value) is not None or objects.kind_of(value) is not None:
            return value
        raise ExplorerError(
            f"a value of type `{type(value).__name__}` cannot be used in the code box",
            kind="refused")

    def write(self, text: str) -> None:
        self.output_size += len(text)
        if self.output_size > self.limits.max_output:
            raise ExplorerError(f"the program printed more than {self.limits.max_output:,} "
                                "characters", kind="limit")
        self.output.append(text)

    def _runtime_error(self, error: BaseException, node: ast.AST) -> ExplorerError:
        if isinstance(error, RecursionError):
            message = "the program is nested too deeply"
        elif isinstance(error, MemoryError):
            message = "the program ran out of memory"
        else:
            text = str(error).strip()
            message = f"{type(error).__name__}: {text}" if text else type(error).__name__
        return ExplorerError(
            message, getattr(node, "lineno", 0), getattr(node, "col_offset", 0),
            kind="runtime", advice=advice_for(message),
            end_line=getattr(node, "end_lineno", None), end_col=getattr(node, "end_col_offset", None),
            original=error)


_HOLDABLE: tuple[type, ...] = (
    torch.Tensor, bool, int, float, complex, str, bytes, type(None), type(Ellipsis), slice,
    range, torch.dtype, torch.device, torch.Size, torch.Generator, Namespace, SafeFunction,
    BoundMethod, *_GRAD_MODES, *SETTING_MANAGERS, torch.autograd.forward_ad.dual_level, UserGenerator, UserProperty, GeneratorType, zip, enumerate, type(iter([])),
    UserFunction, BoundUserMethod, UserClass, UserInstance, SuperProxy, BaseException,
    type({}.keys()), type({}.values()), type({}.items()), type(NotImplemented), map, filter,
    type(iter(())), type(iter({})), type(iter(set())), type(iter(range(0))), type(iter("")),
)


def _type_name(value: Any) -> str:
    cls = user_class_of(value)
    return cls.name if cls is not None else type(value).__name__


def _grown_length(text: str, name: str, args: list[Any], kwargs: dict[str, Any]) -> int:
    """The longest ``text.name(*args)`` can be (widths, replacements, tab sizes), before it is made."""
    first = args[0] if args else kwargs.get("width", kwargs.get("tabsize", 8))
    if name == "replace":
        new = args[1] if len(args) > 1 else ""
        count = args[2] if len(args) > 2 and isinstance(args[2], int) and args[2] >= 0 else len(text) + 1
        return len(text) + min(count, len(text) + 1) * len(new) if isinstance(new, str) else 0
    if name == "expandtabs":
        return len(text) * max(first, 1) if isinstance(first, int) else len(text)
    return max(first, len(text)) if isinstance(first, int) else len(text)


def _sequence_count(value: Any, other: Any) -> Any:
    """``'a' * torch.tensor(10**9)``: Python repeats the text by the tensor's integer value, so
    the count is read from the tensor first and the size check sees a number."""
    if (isinstance(value, torch.Tensor) and isinstance(other, (str, list, tuple, bytes))
            and value.dim() == 0 and not value.is_floating_point()):
        return operator.index(value)
    return value


def _types_by_runtime(predefined: dict[str, Any], namespaces: dict[str, Namespace]) -> dict[type, SafeFunction]:
    found: dict[type, SafeFunction] = {}
    stack: list[Any] = [*predefined.values(), *namespaces.values()]
    seen: set[int] = set()
    while stack:
        value = stack.pop()
        if id(value) in seen:
            continue
        seen.add(id(value))
        if isinstance(value, Namespace):
            stack.extend(value.members.values())
        elif isinstance(value, SafeFunction) and value.runtime_type is not None:
            found.setdefault(value.runtime_type, value)
    return found


def _span(node: ast.expr) -> tuple[int, int, int, int]:
    return (node.lineno, node.col_offset, node.end_lineno or node.lineno,
            node.end_col_offset if node.end_col_offset is not None else node.col_offset)


def module_parameters(name: str, module: torch.nn.Module) -> dict[str, torch.Tensor]:
    """A module's parameters by the path the program reaches them with (``model.fc1.weight``)."""
    return {f"{name}.{path}": parameter for path, parameter in module.named_parameters()}


def _holds_user_instance(value: Any) -> bool:
    stack, seen = [value], 0
    while stack and seen < 10_000:
        item = stack.pop()
        seen += 1
        if isinstance(item, UserInstance):
            return True
        if isinstance(item, (list, tuple, set)):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
    return False


def _is_struct(value: Any) -> bool:
    """Named tuples torch returns (``torch.max`` values and indices, ``unpack_dual``)."""
    return type(value).__module__ in _STRUCT_MODULES and isinstance(value, tuple)


def _is_node(value: Any) -> bool:
    return isinstance(value, torch.autograd.graph.Node)


def _members_of(owner: Any) -> frozenset[str]:
    if isinstance(owner, torch.Size):
        return allowlist.SIZE_MEMBERS
    if isinstance(owner, list):
        return allowlist.LIST_METHODS
    if isinstance(owner, dict):
        return allowlist.DICT_METHODS
    if isinstance(owner, (set, frozenset)):
        return allowlist.SET_METHODS
    if isinstance(owner, str):
        return allowlist.STR_METHODS
    if isinstance(owner, torch.dtype):
        return allowlist.DTYPE_MEMBERS
    if isinstance(owner, torch.device):
        return allowlist.DEVICE_MEMBERS
    if _is_struct(owner):
        return allowlist.STRUCT_MEMBERS
    if _is_node(owner):
        return allowlist.NODE_MEMBERS
    return frozenset()


def _located(error: ExplorerError, node: ast.AST) -> ExplorerError:
    """Give an error raised without a place the place of the innermost node that saw it."""
    if not error.line:
        error.line = getattr(node, "lineno", 0)
        error.col = getattr(node, "col_offset", 0)
        error.end_line = getattr(node, "end_lineno", None)
        error.end_col = getattr(node, "end_col_offset", None)
    return error


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def _bind_backward(gradient: Any = None, retain_graph: Any = None, create_graph: bool = False,
                   inputs: Any = None) -> tuple[Any, Any, bool, Any]:
    return gradient, retain_graph, create_graph, inputs


def _bind_autograd_backward(tensors: Any, grad_tensors: Any = None, retain_graph: Any = None,
                            create_graph: bool = False, inputs: Any = None
                            ) -> tuple[Any, Any, Any, bool, Any]:
    return tensors, grad_tensors, retain_graph, create_graph, inputs


def _bind_autograd_grad(outputs: Any, inputs: Any, grad_outputs: Any = None,
                        retain_graph: Any = None, create_graph: bool = False,
                        only_inputs: bool = True, allow_unused: Any = None,
                        materialize_grads: bool = False) -> tuple[Any, ...]:
    return (outputs, inputs, grad_outputs, retain_graph, create_graph, allow_unused,
            materialize_grads)
