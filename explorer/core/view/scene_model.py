"""The scene's plain data: the boxes, arrows and node states that every front-end draws.

No torch here: ``autograd-explorer export`` gets its scenes from the worker process that ran
the program, and the process that only draws them then never loads torch.
(``explorer.core.view.scene`` builds scenes; ``explorer.core.view.stepper`` moves through a pass.)
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class NodeState(str, Enum):
    DONE = "done"  # the engine has run it
    ACTIVE = "active"  # the node of the current step
    WAITING = "waiting"  # the engine runs it later in this pass
    UNREACHED = "unreached"  # gradient never reaches it in this pass


@dataclass(frozen=True)
class SceneNode:
    id: str
    title: str  # the expression that made it ("y = 5 * …"), "x = 2.0" for a leaf, else the torch name
    subtitle: str  # the variable name of an intermediate titled by torch name, or a leaf's current grad
    kind: str  # "function" | "accumulate_grad"
    state: NodeState
    is_root: bool
    running_sum: str  # "3 + 4 = 7" while gradients from several consumers add up
    torch_line: str = ""  # the torch name under a title in the user's terms: "PowBackward0 · line 4"


@dataclass(frozen=True)
class SceneEdge:
    source: str  # data flows source -> target; gradient flows back target -> source
    target: str
    slot: object  # the slot in target's next_functions (a group's edges keep their origin)
    shape: str
    delivered: bool
    grad_text: str  # "", or the gradient value (scalar) / shape and norm (tensor)
    magnitude: float | None  # norm of the delivered gradient; nan when not finite


@dataclass(frozen=True)
class Scene:
    nodes: list[SceneNode]
    edges: list[SceneEdge]
    header: str  # "Step 3 / 9: PowBackward0"
    active: str | None
