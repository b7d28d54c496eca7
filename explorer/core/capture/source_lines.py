"""Where in the user's own files each autograd node was made, for trusted runs.

The code box knows each node's expression from its own evaluator. A trusted script runs as
plain Python, so here a ``TorchFunctionMode`` sees every torch call as it returns and tags the
output's ``grad_fn`` with the file and line of the innermost frame outside torch and this
package: the user's ``h = self.fc1(x)`` for the nodes that call makes. Anomaly mode records a
full stack per node instead, which costs far more (``benchmarks/trusted_lines_bench.py``
measures both against a plain run).
"""

from __future__ import annotations

import linecache
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import networkx as nx
import torch
from torch.overrides import TorchFunctionMode

from explorer.core.capture.graph import FILE_KEY, LINE_KEY
from explorer.core.capture.labels import EXPRESSION_KEY, shorten

# the package's own folder: its frames are never the user's
_EXPLORER_DIR = os.path.normcase(str(Path(os.path.abspath(__file__)).parents[2]))  # explorer/
_TORCH_DIR = os.path.normcase(os.path.dirname(os.path.abspath(torch.__file__)))


class _FileKinds(dict[str, bool]):
    """Whether a code object's file is the user's (not torch, not the app, not Python's own)."""

    def __missing__(self, filename: str) -> bool:
        path = os.path.normcase(os.path.abspath(filename))
        mine = not filename.startswith("<") and not path.startswith(
            (_EXPLORER_DIR + os.sep, _TORCH_DIR + os.sep, os.path.normcase(sys.prefix) + os.sep,
             os.path.normcase(sys.base_prefix) + os.sep))
        self[filename] = mine
        return mine


_USERS = _FileKinds()


def user_frame() -> tuple[str, int] | None:
    """File and line of the innermost frame of the user's code on the stack now."""
    frame: Any = sys._getframe(2)
    while frame is not None:
        filename = frame.f_code.co_filename
        if _USERS[filename]:
            return filename, frame.f_lineno
        frame = frame.f_back
    return None


class SourceLines(TorchFunctionMode):
    """Tags each new autograd node with the user's file and line."""

    def __torch_function__(self, func: Any, types: Any, args: tuple = (), kwargs: dict | None = None) -> Any:
        result = func(*args, **(kwargs or {}))
        if not torch.is_grad_enabled():  # an optimizer's step, an evaluation: no nodes made
            return result
        if isinstance(result, torch.Tensor):
            _tag(result)
        elif isinstance(result, (tuple, list)):
            for item in result:
                if isinstance(item, torch.Tensor):
                    _tag(item)
        return result


def _tag(tensor: torch.Tensor) -> None:
    node = tensor.grad_fn
    if node is None:
        return
    metadata: dict[Any, Any] = node.metadata  # type: ignore[assignment]
    if FILE_KEY in metadata:
        return
    found = user_frame()
    if found is not None:
        metadata[FILE_KEY], metadata[LINE_KEY] = found


@contextmanager
def source_lines() -> Iterator[None]:
    """Tag the nodes made inside the block with the user's file and line."""
    with SourceLines():
        yield


def label_from_files(graph: nx.MultiDiGraph) -> None:
    """Give nodes tagged with a file the text of their line as their expression (``h = fc1(x)``),
    and keep only the file's name for display."""
    for _, data in graph.nodes(data=True):
        path, line = data.get("path") or data.get("file"), data.get("line")
        if not path or not line or data.get("path"):
            continue
        text = linecache.getline(path, line).strip()
        if text and not data.get(EXPRESSION_KEY):
            data[EXPRESSION_KEY] = shorten(text)
        data["path"] = path
        data["file"] = os.path.basename(path)
