"""Each node in the user's terms: the expression of the program that made it, as written.

The code box evaluator tags every autograd node with the source span of the innermost
expression that made it (``span`` = line, col, end_line, end_col, as ``ast`` counts them: lines
from 1, columns in UTF-8 bytes from 0). Here that span becomes text: ``x ** 3`` for the
``PowBackward0`` of ``x**3``, and ``5 * …`` where a part of the expression is a node of its own
(that part has its own box, one edge away). A loop makes thousands of nodes from a handful of
spans, so each distinct span is put in words once.
"""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Iterable

import networkx as nx

Span = tuple[int, int, int, int]

LONGEST = 30  # characters of an expression label; longer ones end in "…"
ELIDED = "…"
EXPRESSION_KEY = "expression"  # node attribute: the label made here
_NAMES_SOMETHING = re.compile(r"[^\W]", re.UNICODE)  # a letter, digit or underscore


def expression_labels(source: str, spans: Iterable[Span]) -> dict[Span, str]:
    """Each span's expression as written, parts that are spans themselves shown as ``…``."""
    wanted = set(spans)
    parsed = _parsed(source) if wanted else None
    if parsed is None:
        return {}
    by_span, encoded, starts = parsed
    labels = {}
    for span in wanted:
        found = by_span.get(span)
        if found is None:
            continue
        text = _readable_text(found, span, wanted, encoded, starts)
        if text.strip():
            labels[span] = shorten(text)
    return labels


def label_graph(graph: nx.MultiDiGraph, source: str) -> None:
    """Set the ``expression`` attribute of every node whose span the source holds."""
    spans = {tuple(span) for _, span in graph.nodes(data="span") if span}
    labels = expression_labels(source, spans)  # type: ignore[arg-type]
    if not labels:
        return
    for _, data in graph.nodes(data=True):
        span = data.get("span")
        if span:
            label = labels.get(tuple(span))
            if label is not None:
                data[EXPRESSION_KEY] = label


def shorten(text: str, longest: int = LONGEST) -> str:
    """One line, runs of spaces as one, at most ``longest`` characters."""
    flat = re.sub(r"\s+", " ", text).strip()
    return flat if len(flat) <= longest else flat[:longest - 1].rstrip() + ELIDED


@functools.lru_cache(maxsize=4)
def _parsed(source: str) -> tuple[dict[Span, ast.expr], bytes, list[int]] | None:
    """The program's expressions by span, its bytes and where its lines start (a program with
    several passes is read once)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    encoded = source.encode("utf-8")
    return _expressions_by_span(tree), encoded, _line_starts(encoded)


def _line_starts(encoded: bytes) -> list[int]:
    starts = [0, 0]  # lines count from 1
    for index, byte in enumerate(encoded):
        if byte == 0x0A:
            starts.append(index + 1)
    return starts


def _expressions_by_span(tree: ast.AST) -> dict[Span, ast.expr]:
    found: dict[Span, ast.expr] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.expr) and node.end_lineno is not None and node.end_col_offset is not None:
            found.setdefault((node.lineno, node.col_offset, node.end_lineno, node.end_col_offset), node)
    return found


def _offset(starts: list[int], line: int, col: int) -> int:
    return starts[line] + col if line < len(starts) else starts[-1] + col


def _readable_text(expression: ast.expr, span: Span, spans: set[Span], encoded: bytes,
                   starts: list[int]) -> str:
    """The text with its node parts elided, or, where that leaves only ``… + …``, with the
    parts of those parts elided instead (one level deeper each time)."""
    hidden = spans
    for _ in range(4):
        text, elided = _text_of(expression, span, hidden, encoded, starts)
        if _NAMES_SOMETHING.search(text) or not elided:
            return text
        hidden = hidden - elided
    return _text_of(expression, span, set(), encoded, starts)[0]


def _text_of(expression: ast.expr, span: Span, spans: set[Span], encoded: bytes,
             starts: list[int]) -> tuple[str, set[Span]]:
    """The span's source with the outermost inner node spans replaced by ``…``, and those spans."""
    begin, end = _offset(starts, span[0], span[1]), _offset(starts, span[2], span[3])
    inner = []
    for child in ast.walk(expression):
        if child is expression or not isinstance(child, ast.expr) or child.end_lineno is None:
            continue
        child_span = (child.lineno, child.col_offset, child.end_lineno, child.end_col_offset or 0)
        if child_span in spans and child_span != span:
            inner.append((_offset(starts, child_span[0], child_span[1]),
                          _offset(starts, child_span[2], child_span[3]), child_span))
    pieces, at, elided = [], begin, set()
    for low, high, child_span in sorted(inner, key=lambda bounds: (bounds[0], -bounds[1])):
        if low < at:
            continue  # inside a part already elided
        pieces.append(encoded[at:low].decode("utf-8", errors="replace"))
        pieces.append(ELIDED)
        elided.add(child_span)
        at = high
    pieces.append(encoded[at:end].decode("utf-8", errors="replace"))
    return "".join(pieces), elided


def assignment_spans(source: str) -> dict[str, Span]:
    """Where each name is first given a value (``x = torch.tensor(...)``): the whole statement.

    A leaf has no expression of its own in the graph; its box links to this line instead, and
    a value edited in the variables panel is marked there.
    """
    parsed = _parsed(source)
    if parsed is None:
        return {}
    found: dict[str, Span] = {}
    for statement in _statements(source):
        targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
        for target in targets:
            for name in _names_in(target):
                found.setdefault(name, (statement.lineno, statement.col_offset,
                                        statement.end_lineno or statement.lineno,
                                        statement.end_col_offset or 0))
    return found


def _statements(source: str) -> list[ast.Assign | ast.AnnAssign]:
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return []
    statements = [node for node in ast.walk(tree) if isinstance(node, (ast.Assign, ast.AnnAssign))]
    return sorted(statements, key=lambda node: (node.lineno, node.col_offset))


def _names_in(target: ast.expr) -> list[str]:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [name for element in target.elts for name in _names_in(element)]
    return []


def nodes_by_line(graph: nx.MultiDiGraph) -> dict[int, list[str]]:
    """The nodes each program line made (a line of a loop made one per turn)."""
    lines: dict[int, list[str]] = {}
    for node, data in graph.nodes(data=True):
        span = data.get("span")
        first, last = (span[0], span[2]) if span else (data.get("line"), data.get("line"))
        if not first:
            continue
        for line in range(first, (last or first) + 1):
            lines.setdefault(line, []).append(node)
    return lines
