"""Lint and types are checked with the tests, so CI runs them: ruff over the whole tree, mypy
over every Qt-free package (the Qt layer is typed but not yet clean; see docs/architecture.md)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *command], cwd=ROOT, capture_output=True,
                          text=True, timeout=600, check=False)


def test_ruff_finds_nothing() -> None:
    done = _run("ruff", "check", "explorer", "tests", "benchmarks", "tools")
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_finds_nothing_in_the_qt_free_packages() -> None:
    done = _run("mypy", "--follow-imports=silent", "explorer/core", "explorer/web",
                "explorer/desktop", "explorer/resources", "explorer/api.py", "explorer/cli.py")
    assert done.returncode == 0, done.stdout + done.stderr
