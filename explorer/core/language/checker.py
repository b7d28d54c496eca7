"""Refuse a program before it runs: parse it and check every construct against the allow-list."""

from __future__ import annotations

import ast
import difflib
import warnings

from explorer.core.errors import ExplorerError
from explorer.core.language import allowlist
from explorer.core.limits import Limits

_ALLOWED_NODES: tuple[type[ast.AST], ...] = (
    ast.Module, ast.Expr, ast.Assign, ast.AugAssign, ast.AnnAssign, ast.For, ast.If, ast.With,
    ast.withitem, ast.Pass, ast.Break, ast.Continue, ast.Import, ast.ImportFrom, ast.alias,
    ast.Delete, ast.Assert, ast.BoolOp, ast.BinOp, ast.UnaryOp, ast.IfExp, ast.Compare,
    ast.Call, ast.keyword, ast.Constant, ast.FormattedValue, ast.JoinedStr, ast.Attribute,
    ast.Subscript, ast.Starred, ast.Name, ast.List, ast.Tuple, ast.Slice, ast.ListComp,
    ast.GeneratorExp, ast.comprehension, ast.expr_context, ast.operator, ast.unaryop,
    ast.cmpop, ast.boolop,
)

# How a refused construct is named to the user, and what to do instead.
_REFUSED_CONSTRUCTS: dict[type[ast.AST], tuple[str, str]] = {
    ast.FunctionDef: ("`def`", "functions cannot be defined in the code box"),
    ast.AsyncFunctionDef: ("`async def`", "functions cannot be defined in the code box"),
    ast.ClassDef: ("`class`", "classes cannot be defined in the code box"),
    ast.Lambda: ("`lambda`", "functions cannot be defined in the code box"),
    ast.While: ("`while`", "use `for i in range(n)`, which has an iteration limit"),
    ast.Try: ("`try`", "errors are shown with their line instead"),
    ast.Raise: ("`raise`", "use `assert` to check a condition"),
    ast.Global: ("`global`", ""),
    ast.Nonlocal: ("`nonlocal`", ""),
    ast.Return: ("`return`", ""),
    ast.Yield: ("`yield`", ""),
    ast.YieldFrom: ("`yield from`", ""),
    ast.Await: ("`await`", ""),
    ast.AsyncFor: ("`async for`", ""),
    ast.AsyncWith: ("`async with`", ""),
    ast.NamedExpr: ("`:=`", "assign on a line of its own"),
    ast.Dict: ("a dict", "use a list or a tuple"),
    ast.DictComp: ("a dict comprehension", "use a list comprehension"),
    ast.Set: ("a set", "use a list or a tuple"),
    ast.SetComp: ("a set comprehension", "use a list comprehension"),
    ast.Lambda: ("`lambda`", "functions cannot be defined in the code box"),
}


def parse_program(source: str, limits: Limits) -> ast.Module:
    """Parse ``source`` and check it; raise :class:`ExplorerError` for anything refused."""
    if len(source) > limits.max_source:
        raise ExplorerError(
            f"the program is {len(source):,} characters long, past the limit of "
            f"{limits.max_source:,}", kind="limit",
        )
    tree = _parse(source)
    _check_depth(tree, limits.max_depth)
    for node in ast.walk(tree):
        _check_node(node)
    _check_loop_control(tree)
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


def _check_loop_control(tree: ast.Module) -> None:
    """``break`` and ``continue`` only inside a loop's body, as Python's compiler demands."""
    stack: list[tuple[ast.AST, bool]] = [(tree, False)]
    while stack:
        node, in_loop = stack.pop()
        if isinstance(node, (ast.Break, ast.Continue)) and not in_loop:
            word = "break" if isinstance(node, ast.Break) else "continue"
            raise _refuse(node, f"syntax error: '{word}' outside loop", kind="syntax")
        if isinstance(node, ast.For):
            stack.extend((child, True) for child in node.body)
            stack.extend((child, in_loop) for child in node.orelse)
        else:
            stack.extend((child, in_loop) for child in ast.iter_child_nodes(node))


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


def _check_node(node: ast.AST) -> None:
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        _check_import(node)
    elif isinstance(node, ast.Name):
        _check_name(node, node.id)
    elif isinstance(node, ast.Attribute):
        _check_attribute(node)
    elif isinstance(node, ast.keyword):
        _check_keyword(node)
    elif isinstance(node, ast.comprehension) and node.is_async:
        raise _refuse(node.target, "`async` comprehensions are not allowed")
    elif isinstance(node, ast.Starred) and isinstance(node.ctx, ast.Store):
        raise _refuse(node, "starred assignment (`a, *b = ...`) is not allowed")
    elif not isinstance(node, _ALLOWED_NODES):
        what, advice = _REFUSED_CONSTRUCTS.get(type(node), (f"`{type(node).__name__}`", ""))
        raise _refuse(node, f"{what} is not allowed in the code box", advice)


def _check_name(node: ast.AST, name: str) -> None:
    if name.startswith("_"):
        raise _refuse(node, f"`{name}`: names starting with `_` are not allowed")
    if name in allowlist.FORBIDDEN_NAMES:
        raise _refuse(node, f"`{name}` is not allowed in the code box")


def _check_attribute(node: ast.Attribute) -> None:
    name = node.attr
    if name.startswith("_"):
        raise _refuse(node, f"`.{name}`: attributes starting with `_` are not allowed")
    vocabulary = allowlist.every_member_name()
    if name not in vocabulary:
        close = difflib.get_close_matches(name, vocabulary, n=1)
        hint = f"did you mean `.{close[0]}`?" if close else "it is not on the allow-list"
        raise _refuse(node, f"`.{name}` is not allowed in the code box", hint)


def _check_keyword(node: ast.keyword) -> None:
    if node.arg is None:
        raise _refuse(node.value, "`**` arguments are not allowed")
    _check_name(node.value, node.arg)


def _check_import(node: ast.Import | ast.ImportFrom) -> None:
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
            _check_name(node, alias.asname)


def _importable(module: str) -> bool:
    if module in allowlist.IMPORTABLE:
        return True
    parent, _, member = module.rpartition(".")
    return parent in allowlist.IMPORTABLE and member in allowlist.every_member_name() and (
        not member.startswith("_")
    )
