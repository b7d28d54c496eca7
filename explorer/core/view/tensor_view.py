"""Tensor values a person can see: small ones as matrices, larger ones as heat maps with their range.

"2×3, ‖·‖=0.6463" says how big a gradient is but not what it is. Up to 8×8 every number is
shown, laid out as the tensor is (a vector as a row, a matrix as rows and columns); beyond that
the values become a grid of coloured cells (blue negative, white zero, red positive) with the
smallest, largest and mean value beside it. The HTML made here is what the inspector, the
variables panel, edge tooltips and the narration show (and a web page can show it too).
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

import torch

from explorer.core.capture.tensors import TensorLike, TensorSummary, format_number

MATRIX_SIDE = 8  # rows and columns shown number by number
HEATMAP_SIDE = 24  # cells across and down of a heat map (bigger tensors are averaged into them)
DIGITS = 4
NEGATIVE, ZERO, POSITIVE = (33, 102, 172), (247, 247, 247), (178, 24, 43)  # blue, white, red
BAD = "#c2255c"  # a NaN or infinite cell


@dataclass(frozen=True)
class TensorView:
    """What to draw for one tensor."""

    kind: str  # "number" | "matrix" | "heatmap" | "summary"
    shape: tuple[int, ...]
    rows: tuple[tuple[str, ...], ...] = ()  # "matrix": every number, as text
    cells: tuple[tuple[float, ...], ...] = ()  # "heatmap": values to colour
    low: float = math.nan
    high: float = math.nan
    mean: float = math.nan
    text: str = ""  # "number": the value; otherwise a one-line description

    @property
    def shape_text(self) -> str:
        return "×".join(str(size) for size in self.shape) or "scalar"


def view_of(value: TensorLike | None) -> TensorView | None:
    """How to show ``value``: a number, a matrix (up to 8×8), or a heat map with its range."""
    if value is None:
        return None
    if isinstance(value, TensorSummary):
        return TensorView("summary", value.shape, low=value.min, high=value.max, mean=value.mean,
                          text=f"{'×'.join(map(str, value.shape))}: min {format_number(value.min, DIGITS)}, "
                          f"max {format_number(value.max, DIGITS)}, mean {format_number(value.mean, DIGITS)}")
    values = value.detach()
    if values.is_complex():
        values = values.abs()
    shape = tuple(values.shape)
    if values.numel() == 1:
        return TensorView("number", shape, text=format_number(values.reshape(()).item(), 6))
    if values.numel() == 0:
        return TensorView("summary", shape, text=f"{'×'.join(map(str, shape))}: empty")
    grid = _as_grid(values.double())
    low, high, mean = _range(grid)
    if grid.shape[0] <= MATRIX_SIDE and grid.shape[1] <= MATRIX_SIDE:
        rows = tuple(tuple(format_number(number, DIGITS) for number in row) for row in grid.tolist())
        return TensorView("matrix", shape, rows=rows, low=low, high=high, mean=mean)
    cells = tuple(tuple(row) for row in _pooled(grid).tolist())
    return TensorView("heatmap", shape, cells=cells, low=low, high=high, mean=mean)


def _as_grid(values: torch.Tensor) -> torch.Tensor:
    """Two dimensions: a vector as one row, higher ranks with all but the last as rows."""
    if values.dim() <= 1:
        return values.reshape(1, -1)
    return values.reshape(-1, values.shape[-1])


def _range(grid: torch.Tensor) -> tuple[float, float, float]:
    finite = grid[torch.isfinite(grid)]
    if not finite.numel():
        return math.nan, math.nan, math.nan
    return float(finite.min()), float(finite.max()), float(finite.mean())


def _pooled(grid: torch.Tensor) -> torch.Tensor:
    """At most HEATMAP_SIDE × HEATMAP_SIDE cells, each the mean of the block it covers (NaN if
    any value in the block is NaN: a bad value must not be averaged away)."""
    rows, columns = grid.shape
    row_edges = torch.linspace(0, rows, min(rows, HEATMAP_SIDE) + 1).round().long().tolist()
    column_edges = torch.linspace(0, columns, min(columns, HEATMAP_SIDE) + 1).round().long().tolist()
    pooled = torch.empty(len(row_edges) - 1, len(column_edges) - 1, dtype=torch.float64)
    for i, (top, bottom) in enumerate(zip(row_edges, row_edges[1:])):
        for j, (left, right) in enumerate(zip(column_edges, column_edges[1:])):
            pooled[i, j] = grid[top:bottom, left:right].mean()
    return pooled


def cell_colour(value: float, largest: float) -> str:
    """Blue for negative, white for zero, red for positive, by size relative to ``largest``."""
    if not math.isfinite(value):
        return BAD
    share = 0.0 if largest <= 0 else max(-1.0, min(1.0, value / largest))
    end = POSITIVE if share > 0 else NEGATIVE
    mixed = [round(zero + (far - zero) * abs(share)) for zero, far in zip(ZERO, end)]
    return "#{:02x}{:02x}{:02x}".format(*mixed)


def view_html(view: TensorView | None, *, muted: str = "#6b7280") -> str:
    """The view as Qt-compatible rich text (tables, no images or scripts)."""
    if view is None:
        return "None"
    if view.kind == "number":
        return f"<b>{html.escape(view.text)}</b>"
    if view.kind == "summary":
        return html.escape(view.text)
    if view.kind == "matrix":
        return _matrix_html(view, muted)
    return _heatmap_html(view, muted)


def _matrix_html(view: TensorView, muted: str) -> str:
    cells = "".join(
        "<tr>" + "".join(f"<td align='right' style='padding:0 5px; white-space:pre'>{html.escape(number)}</td>"
                         for number in row) + "</tr>"
        for row in view.rows)
    return (f"<span style='color:{muted}'>{view.shape_text}</span>"
            f"<table cellspacing='0' style='font-family:DejaVu Sans Mono, monospace; "
            f"border-left:2px solid {muted}; border-right:2px solid {muted}'>{cells}</table>")


def _heatmap_html(view: TensorView, muted: str) -> str:
    largest = max(abs(view.low), abs(view.high)) if math.isfinite(view.low) else 0.0
    size = 9 if len(view.cells[0]) > 12 else 14  # pixels a cell
    rows = "".join(
        "<tr>" + "".join(f"<td width='{size}' height='{size}' bgcolor='{cell_colour(value, largest)}'></td>"
                         for value in row) + "</tr>"
        for row in view.cells)
    note = (f"{view.shape_text} · min {format_number(view.low, DIGITS)} · max "
            f"{format_number(view.high, DIGITS)} · mean {format_number(view.mean, DIGITS)}")
    averaged = " (each cell the mean of a block)" if _pooled_view(view) else ""
    return (f"<span style='color:{muted}'>{html.escape(note)}{averaged}<br>"
            f"blue negative · white 0 · red positive</span>"
            f"<table cellspacing='0' cellpadding='0' style='border:1px solid {muted}'>{rows}</table>")


def _pooled_view(view: TensorView) -> bool:
    rows = math.prod(view.shape[:-1]) if len(view.shape) > 1 else 1
    return len(view.cells) < rows or len(view.cells[0]) < (view.shape[-1] if view.shape else 1)


def tensor_html(value: TensorLike | None, *, muted: str = "#6b7280") -> str:
    """``view_html(view_of(value))``: what panels call."""
    return view_html(view_of(value), muted=muted)


def compact_text(value: TensorLike | None) -> str:
    """One line for a table cell: the numbers of a small tensor, else shape and range."""
    view = view_of(value)
    if view is None:
        return "None"
    if view.kind in ("number", "summary"):
        return view.text
    if view.kind == "matrix":
        rows = ["[" + ", ".join(row) + "]" for row in view.rows]
        return rows[0] if len(rows) == 1 and len(view.shape) <= 1 else "[" + ", ".join(rows) + "]"
    return (f"{view.shape_text}, {format_number(view.low, DIGITS)} … {format_number(view.high, DIGITS)}")
