"""Resource limits of one program run, and the budget that enforces them."""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field

from explorer.core.errors import ExplorerError


@dataclass(frozen=True)
class Limits:
    """What one run of the code box may use; every limit ends the run with a clear error."""

    max_elements: int = 50_000_000  # tensor elements one operation may allocate
    # Elements allocated over the whole run (a training loop makes and frees them by the
    # million); what is alive at once is bounded by max_memory_growth.
    max_total_elements: int = 2_000_000_000
    max_iterations: int = 100_000  # loop iterations, all loops together
    max_seconds: float = 10.0  # the run's processor time (wall-clock time: twice that)
    max_int_bits: int = 100_000  # size of a Python integer result
    max_sequence: int = 1_000_000  # items in a list/tuple, characters in a string
    max_output: int = 1_000_000  # characters written by print
    max_source: int = 1_000_000  # characters of program text
    max_depth: int = 100  # nesting depth of expressions and blocks
    max_call_depth: int = 900  # functions calling functions (recursion; Python stops near 1,000)
    max_memory_growth: int = 1536 * 2**20  # bytes the process may grow by during one run


WALL_ALLOWANCE = 2.0  # wall-clock time a run may take, as a multiple of its processor time
_MEMORY_CHECK_EVERY = 63  # check resident memory once in 64 statements or loop turns
_PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def resident_bytes() -> int:
    """The process's resident memory now (0 where the platform does not tell cheaply)."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * _PAGE_SIZE
    except (OSError, ValueError, IndexError):
        return 0


@dataclass
class Budget:
    """The running account of a run against its :class:`Limits`."""

    limits: Limits = field(default_factory=Limits)
    cancel: threading.Event | None = None
    elements: int = 0
    iterations: int = 0
    started: float = field(default_factory=time.monotonic)
    cpu_started: float = field(default_factory=time.process_time)
    memory_at_start: int = field(default_factory=lambda: resident_bytes())
    _checks: int = 0

    def check_time(self) -> None:
        """Stop the run when it was cancelled, ran out of time, or (now and then) of memory."""
        self._checks += 1
        if not self._checks & _MEMORY_CHECK_EVERY:
            self.check_memory()
        if self.cancel is not None and self.cancel.is_set():
            raise ExplorerError("the run was cancelled", kind="cancelled")
        # Processor time, so a busy machine does not cut a program short; wall-clock time as
        # well, at twice the limit, so a program that waits (sleeps) is stopped too.
        if (time.process_time() - self.cpu_started > self.limits.max_seconds
                or time.monotonic() - self.started > self.limits.max_seconds * WALL_ALLOWANCE):
            raise ExplorerError(
                f"the program ran longer than {self.limits.max_seconds:g} s",
                kind="limit",
                advice="make loops shorter or tensors smaller",
            )

    def check_memory(self) -> None:
        """Every byte a run causes (tensors, lists, text, recorded gradients) shows in the
        process's resident memory: stop the run when it grew past its allowance."""
        if self.memory_at_start <= 0:
            return
        grown = resident_bytes() - self.memory_at_start
        if grown > self.limits.max_memory_growth:
            raise ExplorerError(
                f"the program used more than {self.limits.max_memory_growth // 2**20:,} MB of memory",
                kind="limit", advice="make lists, strings and tensors smaller")

    def count_iteration(self) -> None:
        self.iterations += 1
        if self.iterations > self.limits.max_iterations:
            raise ExplorerError(
                f"more than {self.limits.max_iterations:,} loop iterations",
                kind="limit",
                advice="loops in the code box are capped; use fewer iterations",
            )
        self.check_time()

    def reserve_elements(self, count: int) -> None:
        """Refuse an allocation that would pass the element limits, before it happens."""
        if count > self.limits.max_elements:
            raise ExplorerError(
                f"this would allocate {count:,} tensor elements, past the limit of "
                f"{self.limits.max_elements:,} for one operation",
                kind="limit",
                advice="use smaller tensors",
            )
        if self.elements + count > self.limits.max_total_elements:
            raise ExplorerError(
                f"the program allocated more than {self.limits.max_total_elements:,} tensor "
                "elements in all", kind="limit", advice="use fewer loop turns or smaller tensors")

    def remaining_elements(self) -> int:
        """The most one operation may still allocate."""
        return min(self.limits.max_elements, self.limits.max_total_elements - self.elements)

    def add_elements(self, count: int) -> None:
        self.elements += count
