"""The state of one open program: its code, value overrides, last good trace, step position and
what the user chose to see of it (layout style, folds).

It is the only way that state changes: user input reaches it by its methods, and it tells the
views by one event per kind of change (psygnal signals, Qt-free), to which they subscribe.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from psygnal import Signal

from explorer.core.capture.passes import DEFAULT_PASSES, PassSelection
from explorer.core.capture.trace import Pass, Trace
from explorer.core.errors import ExplorerError
from explorer.core.view.folding import Group
from explorer.core.view.stepper import StepMove, Stepper
from explorer.core.view.style import LayoutStyle
from explorer.core.view.view_state import ViewChange, ViewState


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
    view: ViewState = field(default_factory=ViewState)
    selected: str | None = None  # the node (or folded group) the user picked
    theme: str = "light"  # a name in ``explorer.core.view.themes.THEMES``
    font_scale: float = 1.0  # labels and panels, relative to normal

    trace_changed: ClassVar[Signal] = Signal()  # a new trace, or another pass of it, to draw
    step_changed: ClassVar[Signal] = Signal()  # the stepper moved
    error_changed: ClassVar[Signal] = Signal()
    typed_changed: ClassVar[Signal] = Signal()  # the code became typed by the user, or loaded
    overrides_changed: ClassVar[Signal] = Signal()  # the user edited a value (the program runs again)
    view_changed: ClassVar[Signal] = Signal(ViewChange)  # style, folds or hidden leaves
    appearance_changed: ClassVar[Signal] = Signal()  # theme or font scale
    selection_changed: ClassVar[Signal] = Signal(object)  # the node picked now, or None

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

    def program_replaced(self) -> None:
        """Code from a file, lesson or session replaced the program: its edits and picks go."""
        self.code_loaded()
        self.overrides.clear()
        self.picked_passes.clear()  # picks name passes of the program they were made in

    def restore(self, overrides: dict[str, Any], pass_number: int) -> None:
        """A session's edits and shown pass (numbered among all), before the run that shows it."""
        self.overrides = dict(overrides)
        self.picked_passes = {pass_number}  # recorded in full even in a long loop
        self.pass_index = pass_number

    def set_override(self, name: str, value: Any) -> None:
        """The user edited a value: the program runs again with it."""
        self.overrides[name] = value
        self.overrides_changed.emit()

    def reset_overrides(self) -> None:
        """Every edited value back to what the code says."""
        self.overrides.clear()
        self.overrides_changed.emit()

    def step(self, move: StepMove, position: int | None = None) -> None:
        """Move the stepper; ``position`` is where a ``JUMP`` goes."""
        if self.stepper is None:
            return
        move = StepMove(move)  # a member, also when a caller passed its value
        before = self.stepper.position
        if move is StepMove.NEXT:
            self.stepper.next()
        elif move is StepMove.PREVIOUS:
            self.stepper.previous()
        elif move is StepMove.RESET:
            self.stepper.reset()
        elif move is StepMove.END:
            self.stepper.to_end()
        elif move is StepMove.JUMP and position is not None:
            self.stepper.jump(position)
        if self.stepper.position != before:
            self.step_changed.emit()

    # ----- what the user sees of the pass --------------------------------------------------

    def select(self, node: str | None) -> None:
        """Pick a node (a click, a search match, a finding); None picks nothing."""
        if node != self.selected:
            self.selected = node
            self.selection_changed.emit(node)

    def set_appearance(self, *, theme: str | None = None, font_scale: float | None = None) -> None:
        """Another theme or label size; the views redraw in it."""
        new_theme = self.theme if theme is None else theme
        new_scale = self.font_scale if font_scale is None else max(0.5, min(3.0, font_scale))
        if (new_theme, new_scale) != (self.theme, self.font_scale):
            self.theme, self.font_scale = new_theme, new_scale
            self.appearance_changed.emit()

    def set_style(self, style: LayoutStyle) -> None:
        if style != self.view.style:
            self.view.style = style
            self.view_changed.emit(ViewChange.STYLE)

    def collapse(self, groups: list[Group]) -> bool:
        """Fold these groups too; refuse (False) when folding would make the picture cyclic."""
        one_pass = self.current_pass
        wanted = self.view.can_collapse(one_pass, groups) if one_pass is not None else None
        if wanted is None:
            return False
        self.view.collapsed = wanted
        self.view_changed.emit(ViewChange.FOLDED)
        return True

    def expand(self, group_id: str) -> None:
        self.view.collapsed = [group for group in self.view.collapsed if group.id != group_id]
        self.view_changed.emit(ViewChange.UNFOLDED)

    def expand_all(self) -> None:
        self.view.collapsed = []
        self.view_changed.emit(ViewChange.ALL_UNFOLDED)

    def set_hide_leaves(self, hide: bool) -> None:
        self.view.hide_leaves = hide
        self.view_changed.emit(ViewChange.LEAVES)

    def _new_stepper(self, position: int | None, made: Stepper | None = None) -> None:
        one_pass = self.current_pass
        if made is not None and made.one_pass is one_pass:
            self.stepper = made
        else:
            self.stepper = Stepper(one_pass) if one_pass is not None else None
        if self.stepper is not None:
            self.stepper.jump(self.stepper.count if position is None else position)
