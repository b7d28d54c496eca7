"""``autograd-explorer export``: run a program and draw it without a window."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtGui import QGuiApplication

from explorer.core.sandbox.worker import EvaluationWorker
from explorer.core.storage.session import SessionError, read_program
from explorer.core.view.picture import Picture, PictureRequest
from explorer.ui.canvas.placement import layout_geometry  # the window's placement, exactly
from explorer.ui.files.export import write_atlas, write_image
from explorer.ui.window.theme import THEMES

# Runs a program and returns what an export draws of it: ``draw_in(worker)``, or ``draw_here``
# (for tests and the Python API, where the program is the caller's own).
Draw = Callable[..., Picture]


def draw_in(worker: EvaluationWorker) -> Draw:
    """Run the program in ``worker``, which sends back only its picture, never its tensors."""
    def draw(source: str, request: PictureRequest, *, overrides: dict[str, Any] | None = None) -> Picture:
        picture: Picture = worker.digest(source, request, overrides=overrides, passes=request.passes,
                                         recording=request.recording)
        return picture
    return draw


class ExportError(Exception):
    """Why an export could not be made, in words for the command line."""


def _source_of(path: Path) -> tuple[str, dict]:
    try:
        return read_program(path)
    except SessionError as error:
        raise ExportError(error.message) from None


def draw_here(source: str, request: PictureRequest, *, overrides: dict[str, Any] | None = None) -> Picture:
    """Run the program in this process and work out its picture."""
    from explorer.core.sandbox.program import run_program
    from explorer.core.view.picture import picture_of

    trace = run_program(source, overrides=overrides, passes=request.passes, recording=request.recording)
    return picture_of(trace, request)


def export_program(path: Path, output: Path, *, step: int | None = None, pass_number: int = 1,
                   theme: str = "light", orientation: str = "TB", compact: bool = False,
                   draw: Draw = draw_here, full: bool = False) -> None:
    """Write the graph of ``path``'s pass ``pass_number`` at ``step`` (default: the end).

    ``draw`` runs the program: the command line passes a worker process's ``picture``. A big
    pass is written as its summary (repeated turns folded into "repeat ×N" blocks); ``full``
    writes every node at a readable size instead: an SVG, or a PDF atlas of pages."""
    suffix = output.suffix.lower()
    if suffix not in (".png", ".svg", ".pdf"):
        raise ExportError(f"cannot export to '{output.name}': use a .png, .svg or .pdf file name")
    if full and suffix == ".png":
        raise ExportError("--full draws every node at a readable size, larger than any PNG can be: "
                          "use a .svg or .pdf file name")
    if pass_number < 1:
        raise ExportError(f"passes are counted from 1; there is no pass {pass_number}")
    code, overrides = _source_of(path)
    request = PictureRequest(pass_number=pass_number, step=step, full=full, filename=str(path))
    # fonts and painting into an image need no widgets: the lighter application starts sooner
    QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    picture = draw(code, request, overrides=overrides)  # only that pass is recorded in full
    if picture.error or picture.scene is None or picture.widths is None:
        raise ExportError(picture.error or f"{path}: nothing to draw")
    _, geometry = layout_geometry(None, picture.widths, orientation=orientation, compact=compact,
                                  graph=picture.graph())
    try:
        if full and suffix == ".pdf":
            write_atlas(output, picture.scene, geometry, THEMES[theme], title=path.name)
        else:
            write_image(output, picture.scene, geometry, THEMES[theme])
    except (OSError, ValueError) as error:
        raise ExportError(f"cannot write {output}: {error}") from None

