"""The Python API for the user's own code: trace, export, show and record tensors' graphs.

Nothing here imports Qt until a window or an image is asked for.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch

from explorer.core import frontends
from explorer.core.capture.graph import ACCUMULATE_GRAD, Naming, walk
from explorer.core.capture.modules import name_leaves_and_groups, parameter_names, track_modules
from explorer.core.capture.recorder import PassRequest, record_pass
from explorer.core.capture.trace import LeafVariable, Trace
from explorer.core.capture.trusted import Recording, caller_location, record

__all__ = ["export", "record", "show", "show_trace", "trace", "track_modules"]

Tensors = torch.Tensor | Sequence[torch.Tensor]
_EXPORT_SUFFIXES = (".png", ".svg", ".dot", ".gv", ".json", ".html")


def trace(tensor: Tensors, *, model: torch.nn.Module | None = None, gradient: Any = None,
          names: dict[str, torch.Tensor] | None = None) -> Trace:
    """Trace the backward pass of ``tensor`` (or tensors) as the real engine runs it.

    Parameters
    ----------
    tensor
        A tensor with a graph (a loss), or a sequence of them.
    model
        Names parameter leaves (``named_parameters()``) and groups nodes by module.
    gradient
        The seed(s); needed for non-scalar tensors (default: ones, as the app does).
    names
        More leaf tensors to name, ``{"x": x}``.

    The pass runs with ``retain_graph=True`` and every leaf's ``.grad`` is put back
    afterwards, so the caller's graph and gradients are as they were.
    """
    roots = _roots(tensor)
    seeds = _seeds(roots, gradient)
    named = {**parameter_names(model), **(names or {})}
    naming = Naming()
    for name, leaf in named.items():
        naming.name_tensor(name, leaf)
    filename, line = caller_location()
    request = PassRequest("backward", line, roots, seeds, True, False, note=f"{filename}:{line}")
    with _grads_put_back(roots):
        one_pass, _ = record_pass(
            request, lambda: torch.autograd.backward(roots, seeds, retain_graph=True),
            naming=naming, index=0, named_leaves={k: v for k, v in named.items() if v.requires_grad})
    result = Trace(passes=[] if one_pass is None else [one_pass],
                   leaves=[LeafVariable.of(name, leaf) for name, leaf in named.items()])
    if one_pass is not None:
        name_leaves_and_groups(one_pass.graph, named)
    return result


def _roots(tensor: Tensors) -> list[torch.Tensor]:
    roots = [tensor] if isinstance(tensor, torch.Tensor) else list(tensor)
    for root in roots:
        if not isinstance(root, torch.Tensor):
            raise TypeError(f"expected tensors, got {type(root).__name__}")
        if root.grad_fn is None:
            raise ValueError("this tensor has no graph: it was not computed from tensors that "
                             "require grad (or it was computed under torch.no_grad())")
    return roots


def _seeds(roots: list[torch.Tensor], gradient: Any) -> list[torch.Tensor]:
    if gradient is None:
        return [torch.ones_like(root) for root in roots]
    given = [gradient] if isinstance(gradient, torch.Tensor) else list(gradient)
    return [torch.ones_like(root) if seed is None else seed for root, seed in zip(roots, given)]


class _grads_put_back:  # noqa: N801 - used as a context manager, reads like one
    """Set aside every leaf's ``.grad`` (the engine may add to it in place) and restore it."""

    def __init__(self, roots: list[torch.Tensor]) -> None:
        self.leaves = _leaves_of(roots)
        self.kept: list[torch.Tensor | None] = []

    def __enter__(self) -> None:
        self.kept = [leaf.grad for leaf in self.leaves]
        for leaf in self.leaves:
            leaf.grad = None

    def __exit__(self, *_exc: object) -> None:
        for leaf, grad in zip(self.leaves, self.kept):
            leaf.grad = grad
        self.leaves, self.kept = [], []


def _leaves_of(roots: list[torch.Tensor]) -> list[torch.Tensor]:
    walked = walk([root.grad_fn for root in roots])
    return [node.variable for node in walked.nodes.values() if node.name() == ACCUMULATE_GRAD]


def export(tensor: Tensors, path: str | os.PathLike[str], *, model: torch.nn.Module | None = None,
           gradient: Any = None, theme: str = "light") -> Path:
    """Write the graph of ``tensor`` to ``path``: PNG, SVG, DOT (``.dot``/``.gv``), JSON or the
    interactive page (``.html``), by suffix.

    A drop-in for ``torchviz.make_dot(loss).render(...)`` that needs no system Graphviz.
    """
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in _EXPORT_SUFFIXES:
        raise ValueError(f"cannot export to '{target.name}': use one of {', '.join(_EXPORT_SUFFIXES)}")
    traced = trace(tensor, model=model, gradient=gradient)
    from explorer.core.storage.files import write_atomic

    if suffix == ".json":
        write_atomic(target, json.dumps(traced.to_json(), indent=1, allow_nan=False) + "\n")
    elif suffix == ".html":  # the interactive page, drawn by the browser: no Qt
        from explorer.web import PageText, write_page

        write_page(target, traced, PageText(title=target.stem), theme=theme)
    elif suffix in (".dot", ".gv"):
        from explorer.core.storage.dot import pass_to_dot

        write_atomic(target, pass_to_dot(traced.passes[0], "autograd"))
    else:
        from explorer.ui.window.trusted_window import write_trace_image  # Qt only for pictures

        write_trace_image(traced, target, theme)
    return target


def show(tensor: Tensors | Trace | Recording, *, model: torch.nn.Module | None = None,
         names: dict[str, torch.Tensor] | None = None, block: bool = True) -> Any:
    """Open the app on the graph of ``tensor`` (or on a trace or recording) and step through it.

    In a plain script this blocks until the window closes; in IPython with a running Qt
    event loop (``%gui qt``) it returns the window at once. In a Jupyter notebook without a Qt
    event loop (a remote server, say) it shows the interactive page in the cell instead, as
    ``trace(...)`` does, and returns None: nothing blocks and no window is needed.
    """
    if isinstance(tensor, Recording):
        if _notebook_without_qt():
            return _show_inline(tensor.trace(), title="recorded passes", code=tensor.source)
        return tensor.show(block=block)
    traced = tensor if isinstance(tensor, Trace) else trace(tensor, model=model, names=names)
    filename, line = caller_location()
    title, code = f"{Path(filename).name}:{line}", _source_excerpt(filename, line)
    if _notebook_without_qt():
        return _show_inline(traced, title=title, code=code)
    return show_trace(traced, title=title, code=code, block=block)


def _notebook_without_qt() -> bool:
    """Whether this runs in a Jupyter kernel whose event loop is not Qt's (no ``%gui qt``)."""
    module = sys.modules.get("IPython")  # never imported here: only a running IPython has it
    shell = module.get_ipython() if module is not None and hasattr(module, "get_ipython") else None
    if shell is None or not any(kind.__name__ == "ZMQInteractiveShell" for kind in type(shell).__mro__):
        return False  # a plain script, or IPython in a terminal: the window
    return "qt" not in str(getattr(shell, "active_eventloop", None) or "").lower()


def _show_inline(traced: Trace, *, title: str, code: str) -> None:
    """Display the trace's page in the notebook cell (IPython's own display machinery)."""
    from IPython.display import HTML, display

    from explorer.web import PageText, notebook_html

    display(HTML(notebook_html(traced, PageText(title=title, code=code))))


def show_trace(traced: Trace, *, title: str, code: str = "", block: bool = True) -> Any:
    """Open a window on a ready-made trace (Qt is imported here, not before)."""
    from explorer.ui.window.trusted_window import open_trace_window

    return open_trace_window(traced, title=title, code=code, block=block)


def _source_excerpt(filename: str, line: int) -> str:
    try:
        lines = Path(filename).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return ""
    start = max(line - 15, 0)
    return "\n".join(lines[start:line])


def _notebook_page(traced: Trace) -> str:
    from explorer.web import notebook_html  # the web front-end (Qt-free), only when asked

    return notebook_html(traced)


frontends.register(html_page=_notebook_page, window=show_trace)
