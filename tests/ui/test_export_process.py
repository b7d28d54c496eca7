"""``autograd-explorer export`` runs the program in its worker and only draws in its own process:
that process never loads torch (the worker's import of it is the slow part of the command)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QImage

PROGRAM = "x = torch.tensor(2.0, requires_grad=True)\ny = x ** 3 + x * x\ny.backward()\n"
CHECK = """\
import sys
from explorer.cli import main
code = main(["export", sys.argv[1], "-o", sys.argv[2]])
print(code, "torch" in sys.modules)
"""


def test_the_export_command_draws_without_loading_torch(tmp_path: Path) -> None:
    program, picture = tmp_path / "cube.py", tmp_path / "cube.png"
    program.write_text(PROGRAM)
    done = subprocess.run([sys.executable, "-c", CHECK, str(program), str(picture)],
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0", "False"]
    image = QImage(str(picture))
    assert image.width() > 200 and image.height() > 200


def test_a_refused_program_is_reported_at_its_line(tmp_path: Path) -> None:
    program = tmp_path / "bad.py"
    program.write_text("x = 1\nimport os\n")
    done = subprocess.run([sys.executable, "-m", "explorer", "export", str(program), "-o",
                           str(tmp_path / "bad.png")], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 2
    assert f"{program}:2:1: " in done.stderr and not (tmp_path / "bad.png").exists()
