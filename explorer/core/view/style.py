"""How the graph is arranged: the direction data flows in and how tightly boxes are packed."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Orientation(str, Enum):
    """The direction of data flow on screen; the values are what settings and pages store."""

    TOP_TO_BOTTOM = "TB"
    LEFT_TO_RIGHT = "LR"


@dataclass(frozen=True)
class LayoutStyle:
    orientation: Orientation = Orientation.TOP_TO_BOTTOM
    compact: bool = False  # boxes closer together: more of a big graph on screen
