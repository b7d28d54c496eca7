"""Light, dark and projector colours, without Qt: every front-end (window, export, web page)
draws with these."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any

from explorer.core.view.scene_model import NodeState

RAMP_STEPS = 64  # gradient colours are quantised: a thousand edges share a few dozen colours
RAMP_LOW, RAMP_HIGH = -4.0, 4.0  # log10 of the norms at the two ends of the ramp


@dataclass(frozen=True)
class Theme:
    name: str
    background: str
    foreground: str
    muted: str
    panel: str
    border: str
    node_fill: dict[NodeState, str]
    node_text: str
    leaf_fill: str
    active_outline: str
    root_outline: str
    edge_idle: str
    grad_small: str  # colours of delivered gradients, from tiny to large magnitude
    grad_mid: str
    grad_large: str
    grad_zero: str
    grad_bad: str  # NaN or Inf
    error: str
    stale: str

    def state_fill(self, state: NodeState, kind: str) -> str:
        if kind == "accumulate_grad" and state in (NodeState.WAITING, NodeState.UNREACHED):
            return self.leaf_fill if state is NodeState.WAITING else self.node_fill[state]
        return self.node_fill[state]

    def gradient_colour(self, magnitude: float | None) -> str:
        """Log-scale colour of a gradient's norm: blue (small) to orange (large)."""
        if magnitude is None:
            return self.edge_idle
        if not math.isfinite(magnitude):
            return self.grad_bad
        if magnitude == 0.0:
            return self.grad_zero
        position = (math.log10(magnitude) - RAMP_LOW) / (RAMP_HIGH - RAMP_LOW)
        position = min(max(position, 0.0), 1.0)  # 1e-4 .. 1e4
        return _ramp(self.grad_small, self.grad_mid, self.grad_large, round(position * RAMP_STEPS))

    def to_json(self) -> dict[str, Any]:
        """The colours as plain data (node fills by state name), for the web page."""
        colours: dict[str, Any] = {key: value for key, value in self.__dict__.items()
                                   if isinstance(value, str)}
        colours["node_fill"] = {state.value: colour for state, colour in self.node_fill.items()}
        return colours


@functools.lru_cache(maxsize=1024)
def _ramp(small: str, mid: str, large: str, step: int) -> str:
    """One of 65 colours from small to large."""
    position = step / RAMP_STEPS
    low, high = (small, mid) if position < 0.5 else (mid, large)
    return mix(low, high, position * 2 if position < 0.5 else position * 2 - 1)


def mix(first: str, second: str, amount: float) -> str:
    """``#rrggbb`` part way from ``first`` (0) to ``second`` (1)."""
    a, b = _channels(first), _channels(second)
    return "#" + "".join(f"{round(x + (y - x) * amount):02x}" for x, y in zip(a, b))


def _channels(colour: str) -> tuple[int, int, int]:
    text = colour.lstrip("#")
    return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)


LIGHT = Theme(
    name="light", background="#fbfbfd", foreground="#1d1f24", muted="#6b7280",
    panel="#ffffff", border="#c9ced6",
    node_fill={NodeState.DONE: "#cfe8d6", NodeState.ACTIVE: "#ffd166",
               NodeState.WAITING: "#dbe7f6", NodeState.UNREACHED: "#eceef1"},
    node_text="#111318", leaf_fill="#e6f0d9", active_outline="#d9480f", root_outline="#7048e8",
    edge_idle="#9aa3af", grad_small="#1c7ed6", grad_mid="#2b8a3e", grad_large="#e8590c",
    grad_zero="#adb5bd", grad_bad="#c2255c", error="#c92a2a", stale="#e67700",
)

# Dark around the boxes, mid-light boxes with dark text: light text on dark fills read well to
# people but poorly to OCR (tesseract read 7 of 20 labels of a network at the window's zoom, 19
# with these fills), and the states keep their hues: green done, blue waiting, amber running.
DARK = Theme(
    name="dark", background="#16181d", foreground="#e6e8ee", muted="#9aa1ad",
    panel="#1e2128", border="#3a3f4b",
    node_fill={NodeState.DONE: "#8fcfa4", NodeState.ACTIVE: "#f2b84b",
               NodeState.WAITING: "#9dbbe8", NodeState.UNREACHED: "#a9adb6"},
    node_text="#111318", leaf_fill="#b5d38f", active_outline="#ff7a33", root_outline="#b197fc",
    edge_idle="#6b7280", grad_small="#4dabf7", grad_mid="#69db7c", grad_large="#ff922b",
    grad_zero="#6b7280", grad_bad="#f06595", error="#ff6b6b", stale="#ffc078",
)

# For a projector in a lit room: pure white and black, saturated fills, dark saturated edges.
PROJECTOR = Theme(
    name="projector", background="#ffffff", foreground="#000000", muted="#3b3b3b",
    panel="#ffffff", border="#000000",
    node_fill={NodeState.DONE: "#8fe0a0", NodeState.ACTIVE: "#ffcc00",
               NodeState.WAITING: "#9cc8f7", NodeState.UNREACHED: "#dedede"},
    node_text="#000000", leaf_fill="#c8f08c", active_outline="#c40000", root_outline="#4b00c8",
    edge_idle="#4a4a4a", grad_small="#0047c2", grad_mid="#006b1a", grad_large="#c23a00",
    grad_zero="#6e6e6e", grad_bad="#b0004f", error="#c00000", stale="#a34a00",
)

THEMES = {"light": LIGHT, "dark": DARK, "projector": PROJECTOR}
