"""The corpus: programs written the way PyTorch teaching material writes, run as pasted.

Each program runs under real Python (every backward call recorded by the trusted recorder)
and through the code box; printed output, passes, graphs, step order, the gradients into and
out of every node and every named leaf must agree (see ``compare.py``). A program that fails
in Python must fail in the code box at the same line with the same error.

At least 95% of the corpus must match. The programs that may not, and why, are listed in
``KNOWN_GAPS``; each is expected to fail (strictly: one that starts to match must leave the
list), and the list may hold at most 5% of the corpus.
"""

from __future__ import annotations

import functools
import math
from pathlib import Path
from typing import Any

import pytest

from tests.corpus.compare import (
    PythonRun,
    compare,
    corpus_files,
    header,
    run_in_code_box,
    run_in_python,
    trace_of_python_run,
)

FILES = corpus_files()
MIN_PROGRAMS = 60
MIN_FAILING_ON_PURPOSE = 4
MATCH_SHARE = 0.95

# file name -> why the code box cannot match it yet (each entry must still fail)
KNOWN_GAPS: dict[str, str] = {}


def _case(path: Path) -> Any:
    marks = []
    if path.name in KNOWN_GAPS:
        marks.append(pytest.mark.xfail(reason=KNOWN_GAPS[path.name], strict=True))
    return pytest.param(path, id=path.stem, marks=marks)


@functools.cache
def python_run(path: Path) -> PythonRun:
    """One reference run per program, shared by the tests below (they only read it)."""
    return run_in_python(path)


@pytest.mark.parametrize("path", [_case(path) for path in FILES])
def test_program_runs_as_pasted_and_matches_python(path: Path) -> None:
    python = python_run(path)
    failing_on_purpose = path.name.startswith("fail_")
    assert (python.error is not None) == failing_on_purpose, (
        f"{path.name} must {'fail' if failing_on_purpose else 'run'} under Python: {python.error}")
    found = compare(python, run_in_code_box(path))
    assert found.matches, f"{path.name} differs from Python:\n{found.report()}"


@pytest.mark.parametrize("path", FILES, ids=[path.stem for path in FILES])
def test_program_is_deterministic_under_python(path: Path) -> None:
    """Two Python runs agree in everything compared, so a difference is the code box's."""
    found = compare(run_in_python(path), trace_of_python_run(python_run(path)))
    assert found.matches, f"{path.name} does not repeat itself under Python:\n{found.report()}"


def test_corpus_is_big_enough_and_known_gaps_stay_under_five_percent() -> None:
    names = {path.name for path in FILES}
    assert len(FILES) >= MIN_PROGRAMS
    assert set(KNOWN_GAPS) <= names, set(KNOWN_GAPS) - names
    assert all(reason.strip() for reason in KNOWN_GAPS.values())
    allowed = math.floor(len(FILES) * (1 - MATCH_SHARE))
    assert len(KNOWN_GAPS) <= allowed, (
        f"{len(KNOWN_GAPS)} known gaps; at most {allowed} of {len(FILES)} programs may not match")


def test_some_programs_fail_on_purpose() -> None:
    failing = [path for path in FILES if path.name.startswith("fail_")]
    assert len(failing) >= MIN_FAILING_ON_PURPOSE


@pytest.mark.parametrize("path", FILES, ids=[path.stem for path in FILES])
def test_program_names_its_kind_and_pattern(path: Path) -> None:
    kind, pattern = header(path)
    assert kind and pattern, f"{path.name} must start with '# Kind: ...' and '# Pattern: ...'"
