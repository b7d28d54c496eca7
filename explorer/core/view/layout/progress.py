"""Progress reports and cancelling, for every phase: each phase's share of the whole layout."""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[str, float], None]
REPORT_EVERY = 4096  # items between two progress reports inside a long loop (a power of two)

# the phases in the order they run, each with its share of the whole job's time (measured on a
# 100,000-node residual MLP, where ordering and placing dominate)
_PHASES = {"reading": 0.04, "layering": 0.04, "routing": 0.04, "ordering": 0.45, "placing": 0.38,
           "assembling": 0.05}


class LayoutCancelled(Exception):
    """Raised by a progress callback to stop a layout; the graph and ``previous`` are untouched."""


class Reporter:
    """Turns progress within a phase into the share of the whole job, for the caller's callback."""

    def __init__(self, callback: Progress | None) -> None:
        self.callback = callback
        self.phase = ""
        self.start = 0.0
        self.share = 0.0

    def enter(self, phase: str) -> None:
        if self.phase:
            self.start += self.share
        self.phase, self.share = phase, _PHASES[phase]
        self.at(0.0)

    def at(self, fraction: float) -> None:
        """Report ``fraction`` (0..1) of the current phase done."""
        if self.callback is not None:
            self.callback(self.phase, min(1.0, self.start + self.share * min(1.0, fraction)))

    def within(self, start: float, stop: float) -> Callable[[float], None]:
        """Reports of a part of the phase, from ``start`` to ``stop`` of it."""
        return lambda fraction: self.at(start + (stop - start) * fraction)

    def done(self) -> None:
        if self.callback is not None:
            self.callback("done", 1.0)
