"""Which backward passes a run records in full (``--passes SPEC``, the app's pass picks).

A training loop makes thousands of passes. Every pass gets a cheap summary; full step detail
is kept only for the passes a selection names. Runs are deterministic (seeded), so a pass not
kept is recorded later by running the program again with that pass added to the selection.

SPEC counts passes from 1, as the app's "Pass 1" does: ``first``, ``last``, ``all``, ``N`` or
``N-M`` (both ends included), joined by commas, e.g. ``first,last``, ``1-10``, ``3,7``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

from explorer.core.capture.trace import Trace

# Bounded by default: the first ten passes (every small program keeps all of them) and the last.
DEFAULT_PASSES = "1-10,last"
_ITEM = re.compile(r"^(\d+)(?:\s*-\s*(\d+))?$")


class PassSpecError(ValueError):
    """A ``--passes`` SPEC that cannot be read; the message says why."""


@dataclass(frozen=True)
class PassSelection:
    """A parsed SPEC: ranges of pass indices (from 0, ends included), ``last`` and ``all``."""

    spec: str
    ranges: tuple[tuple[int, int], ...] = ()
    last: bool = False
    everything: bool = False

    @classmethod
    def parse(cls, spec: str | None) -> PassSelection:
        """Read SPEC; ``None`` or an empty SPEC means :data:`DEFAULT_PASSES`."""
        text = (spec or "").strip() or DEFAULT_PASSES
        ranges: list[tuple[int, int]] = []
        last = everything = False
        for item in (part.strip().lower() for part in text.split(",")):
            if item == "all":
                everything = True
            elif item == "last":
                last = True
            elif item == "first":
                ranges.append((0, 0))
            else:
                ranges.append(_range(item))
        return cls(",".join(part.strip() for part in text.split(",")), tuple(ranges), last, everything)

    def wants(self, index: int) -> bool:
        """Whether pass ``index`` (from 0) is kept in full whatever passes come after it."""
        return self.everything or any(start <= index <= end for start, end in self.ranges)

    def with_passes(self, indices: Iterable[int]) -> PassSelection:
        """This selection and the passes ``indices`` (from 0) too."""
        added = [index for index in sorted(set(indices)) if not self.wants(index)]
        if not added:
            return self
        return PassSelection.parse(self.spec + "," + ",".join(str(index + 1) for index in added))

    def bound(self) -> int | None:
        """At most how many passes this keeps in full (None for ``all``)."""
        if self.everything:
            return None
        count, reach = 0, -1
        for start, end in sorted(self.ranges):  # merged, so overlaps count once
            if end > reach:
                count += end - max(start, reach + 1) + 1
                reach = end
        return count + (1 if self.last else 0)


def _range(item: str) -> tuple[int, int]:
    match = _ITEM.match(item)
    if match is None:
        raise PassSpecError(f"cannot read {item!r}: use first, last, all, N or N-M "
                            "(passes counted from 1), joined by commas")
    start = int(match.group(1))
    end = int(match.group(2)) if match.group(2) is not None else start
    if start < 1:
        raise PassSpecError(f"{item!r}: passes are counted from 1")
    if end < start:
        raise PassSpecError(f"{item!r}: the range ends before it starts")
    return start - 1, end - 1


@dataclass(frozen=True)
class Timeline:
    """What the pass timeline draws: one value per pass, and which passes were kept in full.

    ``values`` holds each pass's loss (the root's value when it is one number) or, when some
    pass has none, the norm of all the named leaves' gradients after it (``measure`` says which).
    Passes are numbered from 1 here, as on screen.
    """

    numbers: tuple[int, ...]
    values: tuple[float, ...]
    measure: str
    kept: tuple[int, ...]

    def nearest(self, x: float) -> int | None:
        """The pass (numbered from 0) nearest to ``x`` on the timeline's axis."""
        if not self.numbers:
            return None
        number = min(max(round(x), self.numbers[0]), self.numbers[-1])
        return number - 1


def timeline_of(trace: Trace) -> Timeline:
    """Every pass's loss (or gradient norm), from the trace's summaries."""
    summaries = trace.pass_summaries
    losses = [summary.loss for summary in summaries]
    if summaries and all(loss is not None for loss in losses):
        values = [float(loss) for loss in losses if loss is not None]
        measure = "loss"
    else:
        values = [math.sqrt(sum(norm * norm for norm in summary.grad_norms.values() if norm is not None))
                  for summary in summaries]
        measure = "‖grad‖"
    return Timeline(tuple(summary.index + 1 for summary in summaries), tuple(values), measure,
                    tuple(one_pass.index + 1 for one_pass in trace.passes))
