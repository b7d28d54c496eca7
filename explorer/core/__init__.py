"""The Qt-free core: the code box language, graph capture, backward traces and stepping."""

from explorer.core.capture.trace import SCHEMA, LeafVariable, Pass, Step, Trace
from explorer.core.errors import ExplorerError
from explorer.core.sandbox.limits import Limits
from explorer.core.sandbox.program import run_program
from explorer.core.view.stepper import NodeState, Stepper

__all__ = [
    "SCHEMA", "ExplorerError", "LeafVariable", "Limits", "NodeState", "Pass", "Step", "Stepper",
    "Trace", "run_program",
]
