"""What a run keeps of the passes it records in full: plain options, no torch.

An export's drawing process names them for its worker without loading torch.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RecordOptions:
    """What a pass recorded in full keeps besides its graph, steps and gradients."""

    # Each node's saved tensors (``saved``, and ``freed_after`` without retain_graph): the
    # Inspector, the narration and the trace JSON show them; a picture of the graph does not,
    # and copying them is a tenth of recording a 10,000-node pass. Left out, the nodes have
    # neither attribute.
    saved_tensors: bool = True
    # Whether each forward output is checked for NaN or Inf, so that diagnostics can name the
    # first operation that made one (a node's ``non_finite``, then False for every node); a
    # picture does not show it, and it is a reduction per operation.
    forward_checks: bool = True
