"""The one error type the code box language reports to users."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(eq=False)
class ExplorerError(Exception):
    """A refused or failed program, located at a line and column.

    ``line`` is 1-based and ``col`` is 0-based, as in Python's ``ast``; ``line`` is 0
    when the error belongs to the program as a whole.
    """

    message: str
    line: int = 0
    col: int = 0
    kind: str = "runtime"  # "syntax" | "refused" | "runtime" | "limit" | "cancelled"
    advice: str = ""
    end_line: int | None = None
    end_col: int | None = None
    # The Python exception behind a runtime error, while the program runs (its `except` clauses
    # test it); dropped before the error leaves the run.
    original: BaseException | None = field(default=None, repr=False, compare=False)
    # Further refusals found in the same program, so the user sees every blocker at once.
    also: list[ExplorerError] = field(default_factory=list, repr=False, compare=False)

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def __str__(self) -> str:
        where = f"line {self.line}, col {self.col}: " if self.line else ""
        tail = f" ({self.advice})" if self.advice else ""
        return f"{where}{self.message}{tail}"

    def every_place(self) -> list[ExplorerError]:
        """This error and the further refusals found with it, in program order."""
        return [self, *self.also]

    def editor_format(self, filename: str) -> str:
        """``FILE:LINE:COL: message`` with a 1-based column, as compilers and editors expect."""
        text = f"{filename}:{max(self.line, 1)}:{self.col + 1}: {self.message}" + (
            f" ({self.advice})" if self.advice else "")
        return one_line(text)


def one_line(text: str) -> str:
    """``text`` on one line: a program's own message may hold newlines (``raise E("a\\nb")``)."""
    return text.replace("\r", "\\r").replace("\n", "\\n")
