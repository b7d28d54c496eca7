"""The Qt-free core: the code box language, graph capture, backward traces and stepping."""

from explorer.core.errors import ExplorerError
from explorer.core.limits import Limits
from explorer.core.program import run_program
from explorer.core.stepper import NodeState, Stepper
from explorer.core.trace import SCHEMA, LeafVariable, Pass, Step, Trace

__all__ = [
    "SCHEMA", "ExplorerError", "LeafVariable", "Limits", "NodeState", "Pass", "Step", "Stepper",
    "Trace", "run_program",
]
