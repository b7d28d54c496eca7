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

from explorer.core.capture.recording import RecordOptions
from explorer.core.view.scene_model import Scene

if TYPE_CHECKING:
    from explorer.core.capture.trace import LeafVariable, Pass, Trace
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

    @property
    def recording(self) -> RecordOptions:
        """What those passes keep: no saved tensors and no forward NaN checks, which no picture shows."""
        return RecordOptions(saved_tensors=False, forward_checks=False)


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
    from explorer.core.view.summary import is_big, summary_fold

    if trace.error is not None:
        return Picture(error=trace.error.editor_format(request.filename))
    position = trace.position_of(request.pass_number - 1)
    if position is None:
        return Picture(error=f"{request.filename} has {trace.pass_count} backward pass(es); "
                             f"there is no pass {request.pass_number}")
    one_pass = trace.passes[position]
    step, count = request.step, len(one_pass.steps)
    if step is not None and not 0 <= step <= count:
        return Picture(error=f"the pass has {count} steps; --step must be 0..{count}")
    graph = one_pass.graph
    folding = None if request.full or not is_big(graph) else summary_fold(graph)
    if folding is not None:
        return _summary(trace, one_pass, step, *folding)
    widths, scene = _scenes(one_pass, step, trace.leaves, None)
    return Picture(scene, widths, list(graph.nodes), list(graph.edges(keys=True)))


def _summary(trace: Trace, one_pass: Pass, step: int | None, graph: nx.MultiDiGraph,
             owner: dict[str, str]) -> Picture:
    """The pass folded into ``graph`` (``owner``: member -> block): only the boxes left are put
    in words."""
    from explorer.core.view.folding import fold_scene

    widths, scene = _scenes(one_pass, step, trace.leaves, owner)
    widths, scene = fold_scene(widths, graph, owner), fold_scene(scene, graph, owner)
    return Picture(scene, widths, list(graph.nodes), list(graph.edges(keys=True)))


def _scenes(one_pass: Pass, step: int | None, leaves: list[LeafVariable],
            owner: dict[str, str] | None) -> tuple[Scene, Scene]:
    """The scenes at the end of the pass (the widest labels) and at ``step``; with ``owner``
    (member -> group), as folding them by it needs them (``scene_for_folding``)."""
    from explorer.core.view.scene import build_scene, scene_for_folding
    from explorer.core.view.stepper import Stepper

    def scene_now() -> Scene:
        if owner is None:
            return build_scene(one_pass, stepper, leaves)
        return scene_for_folding(one_pass, stepper, leaves, owner)

    # the sums a summary shows are those of the boxes left: the stepper follows only those
    stepper = Stepper(one_pass, None if owner is None else
                      [node for node in one_pass.graph if node not in owner])
    stepper.to_end()
    widths = scene = scene_now()
    if step is not None and step != stepper.count:
        stepper.jump(step)
        scene = scene_now()
    return widths, scene
