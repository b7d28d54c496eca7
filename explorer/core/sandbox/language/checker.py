"""Refuse a program before it runs: parse it and check every construct against the allow-list."""

from __future__ import annotations

import ast
import difflib
import functools
import warnings

from explorer.core.errors import ExplorerError
from explorer.core.sandbox.language import allowlist, objects
from explorer.core.sandbox.language.scopes import scope_of
from explorer.core.sandbox.limits import Limits

_ALLOWED_NODES: tuple[type[ast.AST], ...] = (
    ast.Module, ast.Expr, ast.Assign, ast.AugAssign, ast.AnnAssign, ast.For, ast.If, ast.With,
    ast.withitem, ast.Pass, ast.Break, ast.Continue, ast.Import, ast.ImportFrom, ast.alias,
    ast.Delete, ast.Assert, ast.BoolOp, ast.BinOp, ast.UnaryOp, ast.IfExp, ast.Compare,
    ast.Call, ast.keyword, ast.Constant, ast.FormattedValue, ast.JoinedStr, ast.Attribute,
    ast.Subscript, ast.Starred, ast.Name, ast.List, ast.Tuple, ast.Slice, ast.ListComp,
    ast.GeneratorExp, ast.comprehension, ast.expr_context, ast.operator, ast.unaryop,
    ast.cmpop, ast.boolop, ast.FunctionDef, ast.Lambda, ast.ClassDef, ast.Return, ast.While,
    ast.Try, ast.ExceptHandler, ast.Raise, ast.Global, ast.Nonlocal, ast.Dict, ast.Set,
    ast.DictComp, ast.SetComp, ast.arguments, ast.arg, ast.NamedExpr, ast.Yield, ast.YieldFrom,
)

# How a refused construct is named to the user, and what to do instead.
_REFUSED_CONSTRUCTS: dict[type[ast.AST], tuple[str, str]] = {
    ast.AsyncFunctionDef: ("`async def`", "define a plain function with `def`"),
    ast.Await: ("`await`", ""),
    ast.AsyncFor: ("`async for`", ""),
    ast.AsyncWith: ("`async with`", ""),
    ast.Match: ("`match`", "use `if` / `elif`"),
}
if hasattr(ast, "TryStar"):  # Python 3.11 and later
    _REFUSED_CONSTRUCTS[ast.TryStar] = ("`except*`", "use `except`")
# Dunder names a program may use: the module's name, and the attributes classes need.
_ALLOWED_DUNDER_NAMES = frozenset({"__name__"})
_REGISTERING_METHODS = frozenset({"register_buffer", "register_parameter", "register_module", "add_module"})
_ALLOWED_DUNDER_ATTRIBUTES = frozenset({"__init__", "__name__", "__class__", "__version__"})
# Read-only tensor internals the autograd notes show (a tensor's version counter, a view's base).
_TENSOR_PRIVATE = frozenset({"_version", "_base", "_is_view"})


def parse_program(source: str, limits: Limits) -> ast.Module:
    """Parse ``source`` and check it; raise :class:`ExplorerError` for anything refused."""
    if len(source) > limits.max_source:
        raise ExplorerError(
            f"the program is {len(source):,} characters long, past the limit of "
            f"{limits.max_source:,}", kind="limit",
        )
    tree = _parse(source)
    _check_depth(tree, limits.max_depth)
    defined = _ProgramNames.of(tree)
    _check_every_node(tree, defined)
    _check_placement(tree)
    _check_nonlocals(tree)
    return tree


def _parse(source: str) -> ast.Module:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Python's own warnings about the text ("\ ") are noise here
            return ast.parse(source, mode="exec")
    except SyntaxError as error:
        line = error.lineno or 1
        col = max((error.offset or 1) - 1, 0)
        raise ExplorerError(f"syntax error: {error.msg}", line, col, kind="syntax") from None
    except (RecursionError, MemoryError):
        raise ExplorerError(
            "the program nests too deeply to be read", _longest_line(source), 0, kind="limit",
            advice="split the expression over several lines") from None
    except ValueError as error:
        raise ExplorerError(f"the program cannot be read: {error}", 1, 0, kind="syntax") from None


def _longest_line(source: str) -> int:
    """Where a too-deep expression most likely is, when the parser cannot say."""
    lines = source.splitlines() or [""]
    return max(range(len(lines)), key=lambda index: len(lines[index])) + 1


def _check_depth(tree: ast.AST, max_depth: int) -> None:
    stack: list[tuple[ast.AST, int, ast.AST]] = [(tree, 0, tree)]
    while stack:
        node, depth, located = stack.pop()
        if hasattr(node, "lineno"):
            located = node
        if depth > max_depth:
            raise _refuse(located, f"the program nests more than {max_depth} levels deep",
                          "split the expression over several lines", kind="limit")
        stack.extend((child, depth + 1, located) for child in ast.iter_child_nodes(node))


_MAX_REPORTED = 20


def _check_every_node(tree: ast.Module, defined: _ProgramNames) -> None:
    """Refuse the program with every refused construct in it, not only the first."""
    refusals: list[ExplorerError] = []
    stack: list[ast.AST] = [tree]
    while stack and len(refusals) < _MAX_REPORTED:
        node = stack.pop()
        try:
            _check_node(node, defined)
        except ExplorerError as refusal:
            refusals.append(refusal)
            continue  # what a refused construct holds is not reported again
        stack.extend(ast.iter_child_nodes(node))
    if refusals:
        refusals.sort(key=lambda refusal: (refusal.line, refusal.col))
        first, *others = refusals
        first.also = others
        raise first


def _check_placement(tree: ast.Module) -> None:
    """``break``/``continue`` only in loops, ``return`` only in functions, as Python's compiler demands."""
    stack: list[tuple[ast.AST, bool, bool]] = [(tree, False, False)]
    while stack:
        node, in_loop, in_function = stack.pop()
        if isinstance(node, (ast.Break, ast.Continue)) and not in_loop:
            word = "break" if isinstance(node, ast.Break) else "continue"
            raise _refuse(node, f"syntax error: '{word}' outside loop", kind="syntax")
        if isinstance(node, (ast.Yield, ast.YieldFrom)) and not in_function:
            raise _refuse(node, "syntax error: 'yield' outside function", kind="syntax")
        if isinstance(node, ast.Return) and not in_function:
            raise _refuse(node, "syntax error: 'return' outside function", kind="syntax")
        if isinstance(node, ast.Nonlocal) and not in_function:
            raise _refuse(node, "syntax error: nonlocal declaration not allowed at module level",
                          kind="syntax")
        if isinstance(node, (ast.For, ast.While)):
            stack.extend((child, True, in_function) for child in node.body)
            stack.extend((child, in_loop, in_function) for child in node.orelse)
            stack.append((node.iter if isinstance(node, ast.For) else node.test, in_loop, in_function))
        elif isinstance(node, (ast.FunctionDef, ast.Lambda)):
            stack.extend((child, False, True) for child in ast.iter_child_nodes(node))
        elif isinstance(node, ast.ClassDef):
            stack.extend((child, False, False) for child in ast.iter_child_nodes(node))
        else:
            stack.extend((child, in_loop, in_function) for child in ast.iter_child_nodes(node))


def _check_nonlocals(tree: ast.Module) -> None:
    """A ``nonlocal`` name must be bound by an enclosing function, as Python's compiler checks."""
    stack: list[tuple[ast.AST, tuple[frozenset[str], ...]]] = [(tree, ())]
    while stack:
        node, enclosing = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.Lambda)):
            scope = scope_of(node)
            for name in scope.nonlocal_names:
                if not any(name in names for names in enclosing):
                    raise _refuse(node, f"syntax error: no binding for nonlocal '{name}' found",
                                  kind="syntax")
            enclosing = (*enclosing, scope.local_names)
        stack.extend((child, enclosing) for child in ast.iter_child_nodes(node))


class _ProgramNames:
    """Names the program itself defines: variables it binds and attributes it sets or defines."""

    def __init__(self, bound: frozenset[str], attributes: frozenset[str]) -> None:
        self.bound = bound
        self.attributes = attributes

    @classmethod
    def of(cls, tree: ast.Module) -> _ProgramNames:
        bound: set[str] = set()
        attributes: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
                bound.add(node.id)
            elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                bound.add(node.name)
                attributes.add(node.name)  # methods, and classes nested in classes
            elif isinstance(node, ast.arg):
                bound.add(node.arg)
            elif isinstance(node, ast.Attribute) and not isinstance(node.ctx, ast.Load):
                attributes.add(node.attr)
            elif isinstance(node, ast.ExceptHandler) and node.name:
                bound.add(node.name)
            elif isinstance(node, ast.alias):
                bound.add((node.asname or node.name).split(".")[0])
            elif isinstance(node, ast.Call) and _registered_name(node):
                attributes.add(_registered_name(node))
        return cls(frozenset(bound), frozenset(attributes | bound))


def _registered_name(node: ast.Call) -> str:
    """``self.register_buffer("scale", t)`` names an attribute the program then reads (``self.scale``)."""
    if (isinstance(node.func, ast.Attribute) and node.func.attr in _REGISTERING_METHODS and node.args
            and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
        return node.args[0].value
    return ""


def _refuse(node: ast.AST, message: str, advice: str = "", kind: str = "refused") -> ExplorerError:
    return ExplorerError(
        message,
        getattr(node, "lineno", 1),
        getattr(node, "col_offset", 0),
        kind=kind,
        advice=advice,
        end_line=getattr(node, "end_lineno", None),
        end_col=getattr(node, "end_col_offset", None),
    )


def _check_node(node: ast.AST, defined: _ProgramNames) -> None:
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        _check_import(node, defined)
    elif isinstance(node, ast.Name):
        _check_name(node, node.id, defined)
    elif isinstance(node, ast.Attribute):
        _check_attribute(node, defined)
    elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
        _check_name(node, node.name, defined, definition=True)
    elif isinstance(node, ast.arg):
        _check_name(node, node.arg, defined)
    elif isinstance(node, ast.keyword):
        if node.arg is not None and node.arg.startswith("__"):
            raise _refuse(node.value, f"`{node.arg}`: names starting with `__` are not allowed")
    elif isinstance(node, ast.comprehension) and node.is_async:
        raise _refuse(node.target, "`async` comprehensions are not allowed")
    elif not isinstance(node, _ALLOWED_NODES):
        what, advice = _REFUSED_CONSTRUCTS.get(type(node), (f"`{type(node).__name__}`", ""))
        raise _refuse(node, f"{what} is not allowed in the code box", advice)


def _check_name(node: ast.AST, name: str, defined: _ProgramNames, definition: bool = False) -> None:
    if name.startswith("__") and name not in _ALLOWED_DUNDER_NAMES and not (
            definition and name.endswith("__")):
        raise _refuse(node, f"`{name}`: names starting with `__` are not allowed")
    if name in allowlist.FORBIDDEN_NAMES and name not in defined.bound:
        raise _refuse(node, f"`{name}` is not allowed in the code box")


def _check_attribute(node: ast.Attribute, defined: _ProgramNames) -> None:
    name = node.attr
    if name in defined.attributes and not name.startswith("__"):
        return  # the program's own attribute: what owns it is checked when it runs
    if name.startswith("__") and name not in _ALLOWED_DUNDER_ATTRIBUTES:
        raise _refuse(node, f"`.{name}`: attributes starting with `__` are not allowed")
    if name.startswith("_") and not name.startswith(("_saved_", "__")) and name not in _TENSOR_PRIVATE:
        raise _refuse(node, f"`.{name}`: attributes starting with `_` are not allowed",
                      "only the program's own attributes and a node's `_saved_*` may start with `_`")
    vocabulary = _vocabulary()
    if name not in vocabulary and not name.startswith("_"):
        # tensor and torch names first: a typo of `.grad` is likelier than of a plotting call
        close = (difflib.get_close_matches(name, allowlist.TENSOR_MEMBERS | allowlist.TORCH_FUNCTIONS, n=1)
                 or difflib.get_close_matches(name, vocabulary, n=1))
        hint = f"did you mean `.{close[0]}`?" if close else "it is not on the allow-list"
        raise _refuse(node, f"`.{name}` is not allowed in the code box", hint)


def _vocabulary() -> frozenset[str]:
    return _vocabulary_with(objects.vocabulary())


@functools.lru_cache(maxsize=4)
def _vocabulary_with(kinds: frozenset[str]) -> frozenset[str]:
    """Built once per set of kinds: the checker asks for it at every attribute of a program."""
    return allowlist.every_member_name() | kinds | _ALLOWED_DUNDER_ATTRIBUTES


def _check_import(node: ast.Import | ast.ImportFrom, defined: _ProgramNames) -> None:
    if isinstance(node, ast.Import):
        modules = [alias.name for alias in node.names]
        shown = "import " + ", ".join(modules)
    else:
        modules = [
            f"{node.module}.{alias.name}" if node.module else alias.name for alias in node.names
        ]
        if node.level or node.module is None:
            modules = ["." + (node.module or "")]
        shown = f"from {'.' * node.level}{node.module or ''} import " + ", ".join(
            alias.name for alias in node.names
        )
    for module in modules:
        if not _importable(module):
            raise _refuse(node, f"`{shown}` is not allowed; only torch may be imported",
                          "torch, torch.nn.functional and math are available")
    for alias in node.names:
        if alias.asname:
            _check_name(node, alias.asname, defined)


def _importable(module: str) -> bool:
    if module in allowlist.IMPORTABLE:
        return True
    parent, _, member = module.rpartition(".")
    return parent in allowlist.IMPORTABLE and member in _vocabulary() and (
        not member.startswith("_")
    )
