"""``autograd-explorer export``: run a program and draw it without a window."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtGui import QGuiApplication

from explorer.core.capture.trace import Trace
from explorer.core.sandbox.program import run_program
from explorer.core.storage.session import SessionError, read_program
from explorer.core.view.folding import fold, fold_scene
from explorer.core.view.scene import build_scene
from explorer.core.view.stepper import Stepper
from explorer.core.view.summary import is_big, repeat_groups
from explorer.ui.canvas.placement import layout_geometry  # the window's placement, exactly
from explorer.ui.files.export import write_atlas, write_image
from explorer.ui.window.theme import THEMES


class ExportError(Exception):
    """Why an export could not be made, in words for the command line."""


def _source_of(path: Path) -> tuple[str, dict]:
    try:
        return read_program(path)
    except SessionError as error:
        raise ExportError(error.message) from None


def export_program(path: Path, output: Path, *, step: int | None = None, pass_number: int = 1,
                   theme: str = "light", orientation: str = "TB", compact: bool = False,
                   run: Callable[..., Trace] = run_program, full: bool = False) -> None:
    """Write the graph of ``path``'s pass ``pass_number`` at ``step`` (default: the end).

    ``run`` runs the program: the command line passes a worker process's. A big pass is
    written as its summary (repeated turns folded into "repeat ×N" blocks); ``full`` writes
    every node at a readable size instead: an SVG, or a PDF atlas of pages."""
    suffix = output.suffix.lower()
    if suffix not in (".png", ".svg", ".pdf"):
        raise ExportError(f"cannot export to '{output.name}': use a .png, .svg or .pdf file name")
    if full and suffix == ".png":
        raise ExportError("--full draws every node at a readable size, larger than any PNG can be: "
                          "use a .svg or .pdf file name")
    # fonts and painting into an image need no widgets: the lighter application starts sooner
    QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    code, overrides = _source_of(path)
    if pass_number < 1:
        raise ExportError(f"passes are counted from 1; there is no pass {pass_number}")
    trace = run(code, overrides=overrides, passes=str(pass_number))  # only that pass in full
    if trace.error is not None:
        raise ExportError(trace.error.editor_format(str(path)))
    position = trace.position_of(pass_number - 1)
    if position is None:
        raise ExportError(f"{path} has {trace.pass_count} backward pass(es); there is no pass {pass_number}")
    one_pass = trace.passes[position]
    stepper = Stepper(one_pass)
    if step is not None and not 0 <= step <= stepper.count:
        raise ExportError(f"the pass has {stepper.count} steps; --step must be 0..{stepper.count}")
    stepper.to_end()
    scene = build_scene(one_pass, stepper, trace.leaves)  # at the end: the widest labels
    groups = [] if full or not is_big(one_pass.graph) else repeat_groups(one_pass.graph)
    folded, owner = fold(one_pass.graph, groups) if groups else (None, {})
    widths = scene if folded is None else fold_scene(scene, folded, owner)
    _, geometry = layout_geometry(one_pass, widths, orientation=orientation, compact=compact, graph=folded)
    if step is not None and step != stepper.count:
        stepper.jump(step)
        scene = build_scene(one_pass, stepper, trace.leaves)
    if folded is not None:
        scene = fold_scene(scene, folded, owner)
    try:
        if full and suffix == ".pdf":
            write_atlas(output, scene, geometry, THEMES[theme], title=path.name)
        else:
            write_image(output, scene, geometry, THEMES[theme])
    except (OSError, ValueError) as error:
        raise ExportError(f"cannot write {output}: {error}") from None
