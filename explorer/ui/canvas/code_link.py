"""Code and graph point at each other.

Stepping marks the expression that made the running node in the editor; selecting a node
selects its code; the line under the editor's cursor lights up the nodes it made; a value
edited in the variables panel is marked on the line that defines it (the code itself is never
rewritten: the edit is an override the program runs with).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from explorer.core.capture.labels import Span, assignment_spans
from explorer.core.capture.trace import Pass
from explorer.core.view.folding import GROUP_KIND
from explorer.core.view.warm import lines_of_nodes

if TYPE_CHECKING:
    from explorer.ui.window.facade import WindowFacade


class CodeLink:
    """Keeps the editor's marks and the canvas's highlights in step with the document."""

    def __init__(self, window: WindowFacade) -> None:
        self.window = window
        self._definitions: tuple[str, dict[str, Span]] = ("", {})
        window.document.step_changed.connect(self.show_step)
        window.document.trace_changed.connect(self._on_trace_changed)
        window.document.selection_changed.connect(self.select_code_of)
        window.editor.cursorPositionChanged.connect(self.highlight_cursor_line)

    # ----- what links to what ---------------------------------------------------------------

    def _linked_pass(self) -> Pass | None:
        """The pass on screen, when the editor still holds the code it ran (spans still fit)."""
        document = self.window.document
        if document.stale or document.current_pass is None:
            return None
        if self.window.editor.toPlainText() != document.code:
            return None
        return document.current_pass

    def span_of(self, node: str | None) -> Span | None:
        """The code that made ``node``: its expression, or for a leaf the line defining it."""
        one_pass = self._linked_pass()
        if node is None or one_pass is None or node not in one_pass.graph:
            return None
        data = one_pass.graph.nodes[node]
        if data.get("span"):
            return tuple(data["span"])  # type: ignore[return-value]
        if data.get("variable"):
            return self.definitions().get(str(data["variable"]).split(",")[0].strip())
        return None

    def definitions(self) -> dict[str, Span]:
        code = self.window.document.code
        if self._definitions[0] != code:
            self._definitions = (code, assignment_spans(code))
        return self._definitions[1]

    # ----- events ---------------------------------------------------------------------------

    def show_step(self) -> None:
        stepper = self.window.document.stepper
        active = stepper.active_node if stepper is not None else None
        self.window.editor.show_span(self.span_of(active))

    def select_code_of(self, node: str | None) -> None:
        graph = self.window.controller.view_graph
        if node is not None and graph is not None and node in graph \
                and graph.nodes[node].get("kind") == GROUP_KIND:
            return  # a folded block stands for many lines
        span = self.span_of(node)
        if span is not None:
            self.window.editor.show_span(span, select=True)

    def highlight_cursor_line(self) -> None:
        one_pass = self._linked_pass()
        if one_pass is None:
            self.window.canvas.highlight(frozenset())
            return
        line = self.window.editor.textCursor().blockNumber() + 1
        made = lines_of_nodes(one_pass).get(line, [])
        owner = self.window.controller.owner
        self.window.canvas.highlight(frozenset(owner.get(node, node) for node in made))

    def _on_trace_changed(self) -> None:
        document = self.window.document
        spans = self.definitions()
        roots = {name.split(".")[0] for name in document.overrides}  # model.fc.weight: model's line
        edited = {spans[name][0] for name in roots if name in spans} if not document.stale else set()
        self.window.editor.mark_edited(edited)
        self.show_step()
        self.highlight_cursor_line()
