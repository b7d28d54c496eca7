"""Pages from the command line: a program's page, and every lesson as a page with an index."""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path

from explorer.core.capture.trace import Trace
from explorer.core.sandbox.program import run_program
from explorer.core.storage.session import SessionError
from explorer.core.storage.session import read_program as read_program_file
from explorer.examples import Example, by_section
from explorer.web.page import PageText, write_file, write_page

INDEX = "index.html"


class PageExportError(Exception):
    """Why a page could not be written, in words for the command line."""


def read_program(path: Path) -> tuple[str, dict]:
    """The code and value overrides of a program file or a saved session."""
    try:
        return read_program_file(path)
    except SessionError as error:
        raise PageExportError(error.message) from None


def export_program_page(path: Path, output: Path, *, step: int | None = None, pass_number: int = 1,
                        theme: str = "light", orientation: str = "TB",
                        compact: bool | None = None, run: Callable[..., Trace] = run_program) -> Path:
    """Run ``path`` and write its interactive page, opened at pass ``pass_number``, step ``step``.

    ``run`` runs the program: the command line passes a worker process's."""
    code, overrides = read_program(path)
    trace = run(code, overrides=overrides)
    if trace.error is not None:
        raise PageExportError(trace.error.editor_format(str(path)))
    if not 1 <= pass_number <= len(trace.passes):
        raise PageExportError(f"{path} has {len(trace.passes)} backward pass(es); there is no pass {pass_number}")
    steps = len(trace.passes[pass_number - 1].steps)
    if step is not None and not 0 <= step <= steps:
        raise PageExportError(f"the pass has {steps} steps; --step must be 0..{steps}")
    text = PageText(title=path.name, code=code)
    try:
        return write_page(output, trace, text, theme=theme, step=step or 0, pass_index=pass_number - 1,
                          orientation=orientation, compact=compact)
    except OSError as error:
        raise PageExportError(f"cannot write {output}: {error}") from None


def export_lessons(folder: Path, *, theme: str = "light",
                   run: Callable[..., Trace] = run_program) -> list[Path]:
    """Every lesson as its own page in ``folder``, plus ``index.html`` linking them by section.

    A lesson that ends with an error on purpose gets its page too: the graph built up to the
    error (if any pass ran) and the error itself.
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise PageExportError(f"cannot make {folder}: {error}") from None
    written = []
    sections = by_section()
    for _, lessons in sections:
        for lesson in lessons:
            written.append(_lesson_page(folder, lesson, theme, run))
    index = folder / INDEX
    try:
        write_file(index, index_html(sections))
    except OSError as error:
        raise PageExportError(f"cannot write {index}: {error}") from None
    return [index, *written]


def _lesson_page(folder: Path, lesson: Example, theme: str, run: Callable[..., Trace]) -> Path:
    code = lesson.source()
    trace = run(code)
    text = PageText(title=lesson.title, code=code, section=lesson.section, idea=lesson.idea,
                    explanation=lesson.explanation, home=INDEX)
    target = folder / f"{lesson.slug}.html"
    try:
        return write_page(target, trace, text, theme=theme)
    except OSError as error:
        raise PageExportError(f"cannot write {target}: {error}") from None


def index_html(sections: list[tuple[str, list[Example]]]) -> str:
    """The lessons' table of contents: one link per lesson, by section, with its idea."""
    parts = []
    for section, lessons in sections:
        items = "".join(
            f'<li><a href="{html.escape(lesson.slug)}.html">{html.escape(lesson.title)}</a>'
            f'<span>{html.escape(lesson.idea)}</span></li>' for lesson in lessons)
        parts.append(f"<section><h2>{html.escape(section)}</h2><ul>{items}</ul></section>")
    return _INDEX_TEMPLATE.replace("<!--@SECTIONS@-->", "\n".join(parts))


_INDEX_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="Autograd Explorer">
<title>Autograd Explorer lessons</title>
<style>
body { margin: 0 auto; max-width: 860px; padding: 24px 20px 48px; background: #fbfbfd; color: #1d1f24;
  font: 16px/1.5 "DejaVu Sans", "Bitstream Vera Sans", Verdana, Geneva, sans-serif; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 28px 0 8px; color: #7048e8; }
p.lead { color: #4b5563; margin: 0 0 12px; }
ul { list-style: none; padding: 0; margin: 0; }
li { padding: 8px 0; border-top: 1px solid #e5e7eb; }
a { color: #1d1f24; font-weight: bold; text-decoration: none; }
a:hover { color: #7048e8; text-decoration: underline; }
li span { display: block; color: #4b5563; font-size: 14px; }
@media (prefers-color-scheme: dark) {
  body { background: #16181d; color: #e6e8ee; } a { color: #e6e8ee; } h2 { color: #b197fc; }
  p.lead, li span { color: #9aa1ad; } li { border-color: #3a3f4b; }
}
</style>
</head>
<body>
<h1>Autograd Explorer lessons</h1>
<p class="lead">Each lesson is a page: the program, its autograd graph, and backward stepped node by
node in the order PyTorch's engine runs it, with the numbers explained. Use the Left and Right keys
or the slider to step.</p>
<!--@SECTIONS@-->
</body>
</html>
"""
