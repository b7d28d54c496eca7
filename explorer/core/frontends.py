"""The front-ends the core hands a trace to (a notebook page, a window), without importing them.

The core never imports a front-end: ``explorer.api``, the package users call, registers them
here when it is imported, so ``trace._repr_html_()`` in a notebook and ``recording.show()``
reach them. When nothing has registered yet, the packages named in the entry point group
``autograd_explorer.frontends`` (see pyproject.toml) are loaded, and register themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import entry_points
from typing import Any

GROUP = "autograd_explorer.frontends"

_HTML_PAGE: list[Callable[[Any], str]] = []
_WINDOW: list[Callable[..., Any]] = []


def register(*, html_page: Callable[[Any], str], window: Callable[..., Any]) -> None:
    """Set the functions that draw a trace as a notebook page and open it in a window."""
    _HTML_PAGE[:] = [html_page]
    _WINDOW[:] = [window]


def html_page(trace: Any) -> str:
    """The trace as an interactive page for a notebook cell."""
    if not _HTML_PAGE:
        _load_front_ends()
    return _HTML_PAGE[0](trace)


def open_window(trace: Any, **options: Any) -> Any:
    """Open a window on the trace."""
    if not _WINDOW:
        _load_front_ends()
    return _WINDOW[0](trace, **options)


def _load_front_ends() -> None:
    for entry in entry_points(group=GROUP):
        entry.load()  # the module registers itself when imported
    if not (_HTML_PAGE and _WINDOW):
        raise RuntimeError(f"no front-end is installed (entry point group {GROUP!r})")
