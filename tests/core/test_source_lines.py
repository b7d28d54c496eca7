"""Trusted runs map each node to the user's file and line."""

from __future__ import annotations

from pathlib import Path

from explorer.core.capture.trusted import run_script
from explorer.core.view.scene import function_texts

SCRIPT = """\
import torch
from torch import nn
model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
x = torch.randn(5, 3)
out = model(x)
loss = (out ** 2).mean()
loss.backward()
"""


def test_nodes_carry_the_file_and_line_of_the_users_code(tmp_path: Path) -> None:
    script = tmp_path / "train.py"
    script.write_text(SCRIPT)
    recording = run_script(script)
    graph = recording.passes[0].graph
    placed = {data["name"]: (data.get("file"), data.get("line"), data.get("expression"))
              for _, data in graph.nodes(data=True) if data["kind"] == "function" and data.get("file")}
    assert placed["MeanBackward0"] == ("train.py", 6, "loss = (out ** 2).mean()")
    assert placed["TanhBackward0"] == ("train.py", 5, "out = model(x)")
    title, torch_line, _ = function_texts(next(data for _, data in graph.nodes(data=True)
                                               if data["name"] == "PowBackward0"))
    assert title == "loss = (out ** 2).mean()" and torch_line == "PowBackward0 · train.py:6"
