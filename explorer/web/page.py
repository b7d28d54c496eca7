"""One self-contained HTML page per trace: the trace and its view data inlined with the page's
own script and style sheet (``assets/``), so it opens from ``file://`` with no network."""

from __future__ import annotations

import base64
import gzip
import html
import json
import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from explorer.core.capture.trace import Trace
from explorer.core.storage.files import write_atomic
from explorer.core.view.themes import THEMES
from explorer.version import __version__
from explorer.web.placement import MIN_NODE_WIDTH, NODE_HEIGHT, PADDING, Placement
from explorer.web.view import pass_view

PAGE_SCHEMA = "explorer.page/1"
COMPRESS_FROM = 1_500_000  # characters of data: above this the page carries it gzipped
NOTEBOOK_HEIGHT = 640  # pixels of a notebook cell's frame


@dataclass(frozen=True)
class PageText:
    """What a page says besides the graph: its title and, for a lesson, the lesson."""

    title: str
    code: str = ""
    section: str = ""
    idea: str = ""
    explanation: str = ""
    home: str = ""  # a link back to the lessons' index ("index.html"), or nothing


def page_data(trace: Trace, *, theme: str = "light", step: int = 0, pass_index: int = 0,
              placement: Placement | None = None, orientation: str = "TB",
              compact: bool | None = None) -> dict[str, Any]:
    """The view data of every pass (``placement`` is used for pass ``pass_index`` only; see
    ``pass_view`` for ``compact``)."""
    if theme not in THEMES:
        raise ValueError(f"unknown theme {theme!r}: use one of {', '.join(THEMES)}")
    passes = [pass_view(trace, index, placement=placement if index == pass_index else None,
                        orientation=orientation, compact=compact)
              for index in range(len(trace.passes))]
    return {
        "schema": PAGE_SCHEMA,
        "theme": theme,
        "themes": {name: colours.to_json() for name, colours in THEMES.items()},
        "start": {"pass": pass_index, "step": step},
        "sizes": {"node_height": NODE_HEIGHT, "min_width": MIN_NODE_WIDTH, "padding": PADDING},
        "passes": passes,
        "error": _error(trace),
        "stdout": trace.stdout,
        "version": __version__,
    }


def _error(trace: Trace) -> dict[str, Any] | None:
    if trace.error is None:
        return None
    return {"message": trace.error.message, "line": trace.error.line, "col": trace.error.col}


def page_html(trace: Trace, text: PageText, **options: Any) -> str:
    """The whole page as one string (``options`` as for ``page_data``)."""
    data = page_data(trace, **options)
    data["text"] = text.__dict__
    template = _asset("template.html")
    filled = {
        "/*@STYLE@*/": _asset("page.css"),
        "/*@SCRIPT@*/": page_script(),
        "<!--@TITLE@-->": html.escape(text.title),
        "<!--@DATA@-->": _data_tag("trace", trace.to_json()) + _data_tag("view", data),
    }
    for marker, value in filled.items():
        template = template.replace(marker, value)
    return template


def write_page(path: str | Path, trace: Trace, text: PageText, **options: Any) -> Path:
    """Write the page to ``path`` atomically (an existing file is replaced only when done)."""
    target = Path(path)
    write_file(target, page_html(trace, text, **options))
    return target


def write_file(target: Path, text: str) -> None:
    """Write atomically; a new file is readable by all (a course website serves it as it is)."""
    existed = target.exists()
    write_atomic(target, text)
    if not existed:
        os.chmod(target, 0o644)


def notebook_html(trace: Trace, text: PageText | None = None, **options: Any) -> str:
    """The page in a frame of its own, for a notebook cell: its script and keys stay inside it
    and it still works in a saved notebook (no server, no widget extension)."""
    text = text or PageText(title=_notebook_title(trace))
    page = page_html(trace, text, **options)
    return (f'<iframe class="autograd-explorer" title="{html.escape(text.title)}" '
            f'style="width:100%;height:{NOTEBOOK_HEIGHT}px;border:1px solid #c9ced6;border-radius:4px" '
            f'sandbox="allow-scripts" srcdoc="{html.escape(page, quote=True)}"></iframe>')


SCRIPTS = ("common.js", "model.js", "draw.js", "page.js")  # in this order: later ones use earlier


def page_script() -> str:
    """The page's scripts as one, in a function of their own (they share its scope, and leave
    only ``window.explorerPage`` behind); they hold no "</" (a test checks)."""
    parts = "\n".join(_asset(name) for name in SCRIPTS)
    return f'(function () {{\n"use strict";\n{parts}\n}})();'


def _notebook_title(trace: Trace) -> str:
    """Where the traced call was made (``train.py:42``), else the tool's name."""
    notes = [one_pass.note for one_pass in trace.passes if one_pass.note]
    return f"Autograd Explorer: {notes[0]}" if notes else "Autograd Explorer"


def _asset(name: str) -> str:
    return resources.files("explorer.web").joinpath("assets").joinpath(name).read_text(encoding="utf-8")


def _data_tag(name: str, value: Any) -> str:
    """JSON in a script element the browser does not run; big data goes gzipped and base64."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    if len(text) >= COMPRESS_FROM:
        packed = base64.b64encode(gzip.compress(text.encode("utf-8"), mtime=0)).decode("ascii")
        return f'<script type="application/gzip" id="data-{name}">{packed}</script>\n'
    # "<" only occurs inside JSON strings, where \u003c reads the same and cannot end the element
    safe = text.replace("<", "\\u003c")
    return f'<script type="application/json" id="data-{name}">{safe}</script>\n'
