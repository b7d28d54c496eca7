"""What an export draws, worked out where the program ran: scenes and the graph's shape, no tensors.

``autograd-explorer export`` runs the program in a worker process. Sending the whole trace
back (every gradient of every step, 3.6 MB for a 10,000-node loop) and rebuilding it took
longer than drawing; the picture needs only the scene at the step shown, the scene at the end
of the pass (its labels are the widest a box will need) and the nodes and edges to lay out.
A big pass is summarized here, its repeated turns folded into "repeat ×N" blocks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import networkx as nx

from explorer.core.view.scene_model import Scene

if TYPE_CHECKING:
    from explorer.core.capture.trace import Trace
    from explorer.core.errors import ExplorerError

EdgeKey = tuple[str, str, object]  # (node, next node, slot or folded edge's key), as layout reads it


@dataclass(frozen=True)
class PictureRequest:
    """Which picture of a program: its pass (from 1), the step (None: the end), every node or a summary."""

    pass_number: int = 1
    step: int | None = None
    full: bool = False
    filename: str = "<program>"  # how an error names the program: FILE:LINE:COL

    # a worker process makes the picture where the trace is (``EvaluationWorker.digest``)
    @property
    def result_type(self) -> type:
        return Picture

    def __call__(self, trace: Trace) -> Picture:
        return picture_of(trace, self)

    def failed(self, error: ExplorerError) -> Picture:
        return Picture(error=error.editor_format(self.filename))

    @property
    def passes(self) -> str:
        """The passes a run records in full for this picture (a SPEC)."""
        return str(self.pass_number)


@dataclass(frozen=True)
class Picture:
    """The scenes to draw and the graph to lay out; ``error`` instead when there is no picture."""

    scene: Scene | None = None  # at the step asked for
    widths: Scene | None = None  # at the end of the pass: the widest labels
    nodes: list[str] = field(default_factory=list)  # in the pass's order: the layout follows it
    edges: list[EdgeKey] = field(default_factory=list)
    error: str = ""

    def graph(self) -> nx.MultiDiGraph:
        """The nodes and edges to lay out, in their order (all the layout reads of a graph)."""
        graph = nx.MultiDiGraph()
        graph.add_nodes_from(self.nodes)
        for node, next_node, key in self.edges:
            graph.add_edge(node, next_node, key=key)
        return graph


def picture_of(trace: Trace, request: PictureRequest) -> Picture:
    """The picture of ``request.pass_number`` at ``request.step``, a summary when the pass is big."""
    from explorer.core.capture.graph import paused_gc

    with paused_gc():  # tens of thousands of acyclic texts and records: nothing to collect
        return _picture_of(trace, request)


def _picture_of(trace: Trace, request: PictureRequest) -> Picture:
    from explorer.core.view.folding import fold, fold_scene
    from explorer.core.view.scene import build_scene
    from explorer.core.view.stepper import Stepper
    from explorer.core.view.summary import is_big, repeat_groups

    if trace.error is not None:
        return Picture(error=trace.error.editor_format(request.filename))
    position = trace.position_of(request.pass_number - 1)
    if position is None:
        return Picture(error=f"{request.filename} has {trace.pass_count} backward pass(es); "
                             f"there is no pass {request.pass_number}")
    one_pass = trace.passes[position]
    stepper = Stepper(one_pass)
    step = request.step
    if step is not None and not 0 <= step <= stepper.count:
        return Picture(error=f"the pass has {stepper.count} steps; --step must be 0..{stepper.count}")
    stepper.to_end()
    widths = scene = build_scene(one_pass, stepper, trace.leaves)
    if step is not None and step != stepper.count:
        stepper.jump(step)
        scene = build_scene(one_pass, stepper, trace.leaves)
    graph = one_pass.graph
    groups = [] if request.full or not is_big(graph) else repeat_groups(graph)
    if groups:
        graph, owner = fold(graph, groups)
        widths, scene = fold_scene(widths, graph, owner), fold_scene(scene, graph, owner)
    return Picture(scene, widths, list(graph.nodes), list(graph.edges(keys=True)))
