"""Functions a program defines (``def`` and ``lambda``): their values and how arguments bind.

A :class:`UserFunction` holds the checked ``ast`` of its body and the frame it was defined in;
only the evaluator runs that body. Called from Python (torch calling a hook or a custom
Function's ``backward``), it hands the call back to the evaluator that made it.
"""

from __future__ import annotations

import ast
import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from explorer.core.sandbox.language.scopes import Frame, ScopeInfo
from explorer.core.sandbox.language.values import NOT_DEFINED

if TYPE_CHECKING:
    from explorer.core.sandbox.language.evaluator import Evaluator

_MISSING = NOT_DEFINED


@dataclass(eq=False)
class UserFunction:
    """A ``def`` or ``lambda`` of the program."""

    name: str
    node: ast.FunctionDef | ast.Lambda = field(repr=False)
    scope: ScopeInfo = field(repr=False)
    closure: Frame | None = field(repr=False)
    defaults: list[Any] = field(repr=False)  # values of the positional defaults, in order
    kw_defaults: dict[str, Any] = field(repr=False)
    evaluator_ref: weakref.ReferenceType[Evaluator] = field(repr=False)
    grad_mode: Any = field(default=None, repr=False)  # a torch.no_grad()-like decorator, or None
    kind: str = "function"  # "function", "static" (@staticmethod) or "class" (@classmethod)
    owner: Any = field(default=None, repr=False)  # the UserClass whose body defined it
    once_differentiable: bool = False

    @property
    def is_generator(self) -> bool:
        """Whether its body yields: calling it makes a :class:`UserGenerator`."""
        return isinstance(self.node, ast.FunctionDef) and _yields(self.node)

    @property
    def qualname(self) -> str:
        return f"{self.owner.name}.{self.name}" if self.owner is not None else self.name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """A call from outside the evaluator (torch running a hook): run it in the evaluator."""
        evaluator = self.evaluator_ref()
        if evaluator is None:
            raise RuntimeError(f"{self.name}() belongs to a program that has ended")
        return evaluator.call_user(self, list(args), kwargs)

    def __repr__(self) -> str:
        return f"<function {self.qualname}>"

    def __copy__(self) -> UserFunction:
        return self  # functions are copied by reference, as Python's copy module does

    def __deepcopy__(self, memo: dict[int, Any]) -> UserFunction:
        return self


@dataclass(eq=False)
class UserProperty:
    """``@property`` on a method of the program's class (and its ``@name.setter``)."""

    fget: UserFunction
    fset: UserFunction | None = None


class UserGenerator:
    """What calling a generator function of the program gives.

    Its body runs to its end when iteration starts, collecting what it yields (the evaluator
    is not re-entrant mid-statement); an endless generator ends at the loop limit.
    """

    def __init__(self, function: UserFunction, args: list[Any], kwargs: dict[str, Any]) -> None:
        self.function, self.args, self.kwargs = function, args, kwargs
        self.items: list[Any] | None = None
        self.position = 0

    def __iter__(self) -> UserGenerator:
        return self

    def __next__(self) -> Any:
        if self.items is None:
            evaluator = self.function.evaluator_ref()
            if evaluator is None:
                raise RuntimeError("this generator belongs to a program that has ended")
            self.items = evaluator.run_generator(self.function, self.args, self.kwargs)
            self.args, self.kwargs = [], {}
        if self.position >= len(self.items):
            raise StopIteration
        self.position += 1
        return self.items[self.position - 1]

    def __repr__(self) -> str:
        return f"<generator object {self.function.qualname}>"


def _yields(node: ast.FunctionDef) -> bool:
    stack: list[ast.AST] = list(node.body)
    while stack:
        current = stack.pop()
        if isinstance(current, (ast.Yield, ast.YieldFrom)):
            return True
        if isinstance(current, (ast.FunctionDef, ast.Lambda, ast.ClassDef, ast.AsyncFunctionDef)):
            continue
        stack.extend(ast.iter_child_nodes(current))
    return False


@dataclass(frozen=True, eq=False)
class BoundUserMethod:
    """``obj.method`` for a method the program defined: calling it passes ``obj`` first."""

    function: UserFunction
    owner: Any

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.function(self.owner, *args, **kwargs)

    def __repr__(self) -> str:
        return f"<bound method {self.function.qualname}>"


def bind_arguments(function: UserFunction, args: list[Any], kwargs: dict[str, Any]) -> dict[str, Any]:
    """Match a call's arguments to the function's parameters, with Python's rules and messages."""
    spec = function.node.args
    positional = [arg.arg for arg in (*spec.posonlyargs, *spec.args)]
    name = function.name
    values: dict[str, Any] = {}
    for parameter, value in zip(positional, args):
        values[parameter] = value
    extra = args[len(positional):]
    if spec.vararg is not None:
        values[spec.vararg.arg] = tuple(extra)
    elif extra:
        given = len(args)
        expected = len(positional)
        raise TypeError(f"{name}() takes {expected} positional argument{'s' * (expected != 1)} "
                        f"but {given} {'was' if given == 1 else 'were'} given")
    keywords = {arg.arg for arg in (*spec.args, *spec.kwonlyargs)}
    positional_only = {arg.arg for arg in spec.posonlyargs}
    rest: dict[str, Any] = {}
    for key, value in kwargs.items():
        if key in keywords:
            if key in values:
                raise TypeError(f"{name}() got multiple values for argument '{key}'")
            values[key] = value
        elif spec.kwarg is not None:
            rest[key] = value
        elif key in positional_only:
            raise TypeError(f"{name}() got some positional-only arguments passed as keyword "
                            f"arguments: '{key}'")
        else:
            raise TypeError(f"{name}() got an unexpected keyword argument '{key}'")
    if spec.kwarg is not None:
        values[spec.kwarg.arg] = rest
    _fill_defaults(function, positional, values)
    return values


def _fill_defaults(function: UserFunction, positional: list[str], values: dict[str, Any]) -> None:
    spec = function.node.args
    first_default = len(positional) - len(function.defaults)
    missing = []
    for index, parameter in enumerate(positional):
        if parameter in values:
            continue
        if index >= first_default:
            values[parameter] = function.defaults[index - first_default]
        else:
            missing.append(parameter)
    if missing:
        raise TypeError(f"{function.name}() missing {len(missing)} required positional "
                        f"argument{'s' * (len(missing) != 1)}: {_listed(missing)}")
    missing_keywords = []
    for arg in spec.kwonlyargs:
        if arg.arg not in values:
            if arg.arg in function.kw_defaults:
                values[arg.arg] = function.kw_defaults[arg.arg]
            else:
                missing_keywords.append(arg.arg)
    if missing_keywords:
        raise TypeError(f"{function.name}() missing {len(missing_keywords)} required keyword-only "
                        f"argument{'s' * (len(missing_keywords) != 1)}: {_listed(missing_keywords)}")


def _listed(names: list[str]) -> str:
    quoted = [f"'{name}'" for name in names]
    if len(quoted) == 1:
        return quoted[0]
    return ", ".join(quoted[:-1]) + (", and " if len(quoted) > 2 else " and ") + quoted[-1]


def new_frame(function: UserFunction, values: dict[str, Any], first_argument: Any) -> Frame:
    """The frame of one call of ``function``, holding its bound arguments."""
    frame = Frame(function.scope, function.closure, values, function=function)
    frame.first_argument = first_argument
    return frame
