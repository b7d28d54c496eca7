"""The state of one open program: its code, value overrides, last good trace and step position.

Views subscribe to the events and redraw; user input reaches the document by its methods only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from explorer.core.capture.passes import DEFAULT_PASSES, PassSelection
from explorer.core.capture.trace import Pass, Trace
from explorer.core.errors import ExplorerError
from explorer.core.storage.events import Event
from explorer.core.view.stepper import Stepper


@dataclass
class Document:
    """One program and what its last run produced."""

    code: str = ""
    overrides: dict[str, Any] = field(default_factory=dict)
    trace: Trace | None = None  # the last run that succeeded (or failed after some passes)
    error: ExplorerError | None = None  # the error of the latest run, if any
    stale: bool = False  # the trace on screen is from older code than the editor's
    pass_index: int = 0  # the position of the shown pass in ``trace.passes``
    stepper: Stepper | None = None
    # passes (numbered from 0 among all the program makes) the user asked to see in full: every
    # later run records them too (see ``pass_spec``)
    picked_passes: set[int] = field(default_factory=set)
    # The editor's code was typed or edited by the user in this window; False while it is exactly
    # what a file, lesson, session or autosave put there (only typed code may run as trusted Python)
    typed: bool = False
    trusted: bool = False  # the trace shown ran as trusted Python, outside the code box
    trace_changed: Event = field(default_factory=Event, repr=False)
    step_changed: Event = field(default_factory=Event, repr=False)
    error_changed: Event = field(default_factory=Event, repr=False)
    typed_changed: Event = field(default_factory=Event, repr=False)

    @property
    def current_pass(self) -> Pass | None:
        if self.trace is None or not self.trace.passes:
            return None
        return self.trace.passes[min(self.pass_index, len(self.trace.passes) - 1)]

    def accept_run(self, code: str, trace: Trace, *, keep_position: bool = False,
                   stepper: Stepper | None = None, pass_number: int | None = None,
                   trusted: bool = False) -> None:
        """Take the result of running ``code``; a failed run keeps the last good graph.

        ``stepper`` is one made ahead for this trace's current pass (off the UI thread): it is
        used, moved to the position wanted, instead of making a new one. ``trusted``: the trace
        came from running ``code`` as trusted Python, outside the code box. The pass shown is
        pass ``pass_number`` (from 0) if given and kept, else the one shown before, by its number.
        """
        # a program loaded from a file or lesson that fails with no graph at all shows nothing:
        # the graph on screen belongs to another program, not to an older version of this one
        another_program = code != self.code and not self.typed
        self.code = code
        self.error = trace.error
        # a cancelled run never takes the picture away
        kept_anyway = trace.error is not None and trace.error.kind == "cancelled"
        if trace.error is not None and not trace.passes and self.trace is not None and (
                not another_program or kept_anyway):
            self.stale = True
            self.error_changed.emit()
            self.trace_changed.emit()
            return
        position = self.stepper.position if (keep_position and self.stepper) else None
        current = self.current_pass
        wanted = pass_number if pass_number is not None else (current.index if current else None)
        self.trace = trace
        self.trusted = trusted
        self.stale = False
        self.pass_index = trace.position_for(wanted, self.pass_index)
        self._new_stepper(position, stepper)
        self.error_changed.emit()
        self.trace_changed.emit()

    def refresh(self, stepper: Stepper | None = None) -> None:
        """Views draw the same trace again; ``stepper``, made ahead for the current pass (off the
        UI thread), takes the current one's place at the same position."""
        if stepper is not None and self.stepper is not None and stepper.one_pass is self.stepper.one_pass:
            stepper.jump(self.stepper.position)
            self.stepper = stepper
        self.trace_changed.emit()

    def select_pass(self, index: int) -> None:
        if self.trace is None or not 0 <= index < len(self.trace.passes):
            return
        self.pass_index = index
        self._new_stepper(None)
        self.trace_changed.emit()

    def code_loaded(self) -> None:
        """The editor's code now comes from a file, lesson, session or autosave, not the user."""
        self._set_typed(False)

    def code_typed(self) -> None:
        """The user edited the code in the editor themselves."""
        self._set_typed(True)

    def _set_typed(self, typed: bool) -> None:
        if typed != self.typed:
            self.typed = typed
            self.typed_changed.emit()

    def pass_spec(self) -> str:
        """Which passes a run records in full: the default set and the user's picks."""
        return PassSelection.parse(DEFAULT_PASSES).with_passes(self.picked_passes).spec

    def pick_pass(self, number: int) -> bool:
        """Show pass ``number`` (from 0); False when it was not kept: run again with ``pass_spec``
        (which now names it) to record it, then show it."""
        position = self.trace.position_of(number) if self.trace is not None else None
        if position is not None:
            self.select_pass(position)
            return True
        self.picked_passes.add(number)
        return False

    def set_override(self, name: str, value: Any) -> None:
        self.overrides[name] = value

    def clear_overrides(self) -> None:
        self.overrides.clear()

    def step(self, how: str, position: int | None = None) -> None:
        """Move the stepper: ``next``, ``previous``, ``reset``, ``end`` or ``jump``."""
        if self.stepper is None:
            return
        before = self.stepper.position
        if how == "next":
            self.stepper.next()
        elif how == "previous":
            self.stepper.previous()
        elif how == "reset":
            self.stepper.reset()
        elif how == "end":
            self.stepper.to_end()
        elif how == "jump" and position is not None:
            self.stepper.jump(position)
        if self.stepper.position != before:
            self.step_changed.emit()

    def _new_stepper(self, position: int | None, made: Stepper | None = None) -> None:
        one_pass = self.current_pass
        if made is not None and made.one_pass is one_pass:
            self.stepper = made
        else:
            self.stepper = Stepper(one_pass) if one_pass is not None else None
        if self.stepper is not None:
            self.stepper.jump(self.stepper.count if position is None else position)
