"""Tensor values as matrices (up to 8×8) or heat maps with their range."""

from __future__ import annotations

import math

import torch

from explorer.core.capture.tensors import summarize
from explorer.core.view.tensor_view import (
    BAD,
    HEATMAP_SIDE,
    cell_colour,
    compact_text,
    tensor_html,
    view_of,
)


def test_small_tensors_show_every_number_in_their_layout() -> None:
    matrix = torch.tensor([[1.0, -2.5], [3.25, 0.125]])
    view = view_of(matrix)
    assert view.kind == "matrix" and view.rows == (("1", "-2.5"), ("3.25", "0.125"))
    assert view.low == -2.5 and view.high == 3.25
    vector = view_of(torch.arange(8.0))
    assert vector.kind == "matrix" and len(vector.rows) == 1 and len(vector.rows[0]) == 8
    assert compact_text(torch.tensor([1.0, 2.0])) == "[1, 2]"
    assert view_of(torch.tensor(2.5)).kind == "number"


def test_larger_tensors_become_heat_maps_of_block_means() -> None:
    values = torch.arange(40 * 30, dtype=torch.float32).reshape(40, 30)
    view = view_of(values)
    assert view.kind == "heatmap"
    assert len(view.cells) == HEATMAP_SIDE and len(view.cells[0]) == HEATMAP_SIDE
    assert (view.low, view.high) == (0.0, float(values.max()))
    cells = torch.tensor(view.cells)
    assert torch.all(cells[:, 1:] >= cells[:, :-1]) and torch.all(cells[1:] >= cells[:-1])
    assert "min 0" in tensor_html(values) and "max 1199" in tensor_html(values)


def test_a_nan_is_never_averaged_away_in_a_heat_map() -> None:
    values = torch.zeros(50, 50)
    values[17, 23] = math.nan
    view = view_of(values)
    bad = [(i, j) for i, row in enumerate(view.cells) for j, value in enumerate(row) if math.isnan(value)]
    assert len(bad) == 1
    assert cell_colour(view.cells[bad[0][0]][bad[0][1]], 1.0) == BAD


def test_colours_run_from_blue_through_white_to_red() -> None:
    assert cell_colour(0.0, 1.0) == "#f7f7f7"
    blue, red = cell_colour(-1.0, 1.0), cell_colour(1.0, 1.0)
    assert int(blue[5:7], 16) > int(blue[1:3], 16) and int(red[1:3], 16) > int(red[5:7], 16)


def test_summaries_keep_their_statistics() -> None:
    summary = summarize(torch.arange(20000.0))
    view = view_of(summary)
    assert view.kind == "summary" and view.low == 0.0 and view.high == 19999.0
