"""The Qt-free core: the code box language, graph capture, backward traces and stepping.

The names below load on first use (as in ``explorer/__init__.py``): a command can then start
its worker process from ``explorer.core.sandbox.worker`` before anything here imports torch.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from explorer.core.capture.trace import SCHEMA, LeafVariable, Pass, Step, Trace
    from explorer.core.errors import ExplorerError
    from explorer.core.sandbox.limits import Limits
    from explorer.core.sandbox.program import run_program
    from explorer.core.view.stepper import NodeState, Stepper

_HOMES = {
    "SCHEMA": "explorer.core.capture.trace",
    "LeafVariable": "explorer.core.capture.trace",
    "Pass": "explorer.core.capture.trace",
    "Step": "explorer.core.capture.trace",
    "Trace": "explorer.core.capture.trace",
    "ExplorerError": "explorer.core.errors",
    "Limits": "explorer.core.sandbox.limits",
    "run_program": "explorer.core.sandbox.program",
    "NodeState": "explorer.core.view.stepper",
    "Stepper": "explorer.core.view.stepper",
}
__all__ = ["ExplorerError", "LeafVariable", "Limits", "NodeState", "Pass", "SCHEMA", "Step",
           "Stepper", "Trace", "run_program"]  # the names of _HOMES


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'explorer.core' has no attribute {name!r}")
