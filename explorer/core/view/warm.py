"""Work the window's views ask for when a new trace arrives, done once and ahead of time.

The runner calls :func:`warm_views` in its own thread before it hands a trace to the window, so
on a 100,000-node pass the UI thread only looks the results up (``Pass.cached``) and stays free.
"""

from __future__ import annotations

from explorer.core.capture.labels import nodes_by_line
from explorer.core.capture.trace import Pass, Trace
from explorer.core.view.calculus import gradient_by_depth
from explorer.core.view.diagnostics import diagnose, parameter_norms


def lines_of_nodes(one_pass: Pass) -> dict[int, list[str]]:
    """Which nodes each program line made (the editor highlights them for the cursor's line)."""
    return one_pass.cached("nodes_by_line", lambda: nodes_by_line(one_pass.graph))


def warm_views(trace: Trace, pass_index: int) -> None:
    """Work out what the diagnostics, the charts and the findings show for this trace."""
    diagnose(trace)  # the findings list covers every pass
    if 0 <= pass_index < len(trace.passes):
        one_pass = trace.passes[pass_index]
        parameter_norms(one_pass)
        gradient_by_depth(one_pass)
        lines_of_nodes(one_pass)
