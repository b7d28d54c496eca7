"""Which backward passes a run records in full (``--passes SPEC``, the app's pass picks).

A training loop makes thousands of passes. Every pass gets a cheap summary; full step detail
is kept only for the passes a selection names. Runs are deterministic (seeded), so a pass not
kept is recorded later by running the program again with that pass added to the selection.

SPEC counts passes from 1, as the app's "Pass 1" does: ``first``, ``last``, ``all``, ``N`` or
``N-M`` (both ends included), joined by commas, e.g. ``first,last``, ``1-10``, ``3,7``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

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
