"""Python's scoping rules for the code box: which names a function binds, and the frames that hold them.

A name a function assigns anywhere in its body is local to it (unless declared ``global`` or
``nonlocal``); every other name is looked up in the enclosing functions, then the program's
globals, then the builtins. Comprehensions have their own frame. Class bodies bind names in the
class namespace, which the methods defined there do not see.
"""

from __future__ import annotations

import ast
import functools
from dataclasses import dataclass, field
from typing import Any

from explorer.core.sandbox.language.values import NOT_DEFINED

_MISSING = NOT_DEFINED

FunctionNode = ast.FunctionDef | ast.Lambda


@dataclass(frozen=True)
class ScopeInfo:
    """What one function body binds: its local names and its declarations."""

    local_names: frozenset[str]
    global_names: frozenset[str]
    nonlocal_names: frozenset[str]


@dataclass(eq=False)
class Frame:
    """The variables of one running function call, comprehension or class body."""

    info: ScopeInfo
    enclosing: Frame | None  # the frame of the code that defined the function (its closure)
    values: dict[str, Any] = field(default_factory=dict)
    is_class: bool = False
    function: Any = None  # the UserFunction running in this frame, for super()
    first_argument: Any = _MISSING  # its first argument (self or cls), for super()


def scope_of(node: FunctionNode) -> ScopeInfo:
    """The names a function (or lambda) binds, computed once per definition."""
    return _scope_of(node)


@functools.lru_cache(maxsize=4096)
def _scope_of(node: FunctionNode) -> ScopeInfo:
    bound: set[str] = set(_parameter_names(node.args))
    globals_: set[str] = set()
    nonlocals: set[str] = set()
    body = [node.body] if isinstance(node, ast.Lambda) else node.body
    for statement in body:
        _collect(statement, bound, globals_, nonlocals)
    return ScopeInfo(frozenset(bound - globals_ - nonlocals), frozenset(globals_),
                     frozenset(nonlocals))


def class_scope(node: ast.ClassDef) -> ScopeInfo:
    """The names a class body binds (its attributes and methods)."""
    bound: set[str] = set()
    globals_: set[str] = set()
    nonlocals: set[str] = set()
    for statement in node.body:
        _collect(statement, bound, globals_, nonlocals)
    return ScopeInfo(frozenset(bound - globals_ - nonlocals), frozenset(globals_),
                     frozenset(nonlocals))


def comprehension_scope(node: ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp) -> ScopeInfo:
    """The names a comprehension binds: its loop targets."""
    names = {name.id for generator in node.generators for name in ast.walk(generator.target)
             if isinstance(name, ast.Name)}
    return ScopeInfo(frozenset(names), frozenset(), frozenset())


def _parameter_names(arguments: ast.arguments) -> list[str]:
    names = [arg.arg for arg in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs)]
    names.extend(arg.arg for arg in (arguments.vararg, arguments.kwarg) if arg is not None)
    return names


def _collect(node: ast.AST, bound: set[str], globals_: set[str], nonlocals: set[str]) -> None:
    """Names bound by ``node``, not descending into nested functions, classes or comprehensions."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, ast.Global):
            globals_.update(current.names)
        elif isinstance(current, ast.Nonlocal):
            nonlocals.update(current.names)
        elif isinstance(current, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(current.name)
            stack.extend(current.decorator_list)
            if not isinstance(current, ast.ClassDef):
                stack.extend(_defaults(current.args))
            else:
                stack.extend(current.bases)
            continue
        elif isinstance(current, ast.Lambda):
            stack.extend(_defaults(current.args))
            continue
        elif isinstance(current, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            stack.append(current.generators[0].iter)  # evaluated in the enclosing scope
            continue
        elif isinstance(current, ast.Name) and isinstance(current.ctx, (ast.Store, ast.Del)):
            bound.add(current.id)
        elif isinstance(current, ast.ExceptHandler) and current.name:
            bound.add(current.name)
        elif isinstance(current, (ast.Import, ast.ImportFrom)):
            bound.update((alias.asname or alias.name).split(".")[0] for alias in current.names)
        stack.extend(ast.iter_child_nodes(current))


def _defaults(arguments: ast.arguments) -> list[ast.expr]:
    return [*arguments.defaults, *(value for value in arguments.kw_defaults if value is not None)]
