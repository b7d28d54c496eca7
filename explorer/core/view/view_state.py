"""What the user chose to see of a pass: the layout style, folded groups and hidden leaves.

It lives in the core so that every front-end folds the same way, and changes only through the
document (see ``Document.collapse`` and friends), which tells the views.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

import networkx as nx

from explorer.core.capture.trace import Pass
from explorer.core.view.folding import Group, fold
from explorer.core.view.style import LayoutStyle


class ViewChange(Enum):
    """What changed, so a view knows whether to fit the picture again."""

    STYLE = "style"
    FOLDED = "folded"
    UNFOLDED = "unfolded"  # one group opened: the picture stays where it is
    ALL_UNFOLDED = "all unfolded"
    LEAVES = "leaves"


@dataclass
class ViewState:
    style: LayoutStyle = field(default_factory=LayoutStyle)
    collapsed: list[Group] = field(default_factory=list)  # in the order they were folded
    hide_leaves: bool = False
    summarised: tuple | None = None  # the pass whose summary folds were chosen last

    def folded_graph(self, one_pass: Pass) -> tuple[nx.MultiDiGraph, dict[str, str]] | None:
        """The pass with its folds applied (groups of another pass are dropped); None when
        nothing is folded or hidden."""
        self.collapsed = [group for group in self.collapsed
                          if any(node in one_pass.graph for node in group.members)]
        if not self.collapsed and not self.hide_leaves:
            return None
        return fold(one_pass.graph, self.collapsed, hide_leaves=self.hide_leaves)

    def can_collapse(self, one_pass: Pass, groups: list[Group]) -> list[Group] | None:
        """The folds with ``groups`` added, or None when folding them would make a cycle."""
        wanted = self.collapsed + [group for group in groups if group not in self.collapsed]
        folded, _ = fold(one_pass.graph, wanted, hide_leaves=self.hide_leaves)
        return wanted if nx.is_directed_acyclic_graph(folded) else None
