"""The trace's JSON schema and the command line around it."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import torch

from explorer.core import SCHEMA, run_program
from explorer.core.capture.tensors import FULL_VALUES_LIMIT, to_json
from tests.core.programs import POLYNOMIAL, ZERO_BEFORE_BACKWARD, line_of
from tests.core.reference import reference_grads


def _cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "explorer", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=120)


def _check_tensor_json(value) -> None:
    assert set(value) in ({"shape", "dtype", "values"}, {"shape", "dtype", "summary"})
    assert isinstance(value["shape"], list) and isinstance(value["dtype"], str)


def test_json_document_follows_the_schema() -> None:
    document = json.loads(json.dumps(run_program(POLYNOMIAL).to_json(), allow_nan=False))
    assert document["schema"] == SCHEMA == "explorer.trace/1"
    assert document["stdout"] == "Function output: 64.0\nGradient of x: 72.0\n"
    (one_pass,) = document["passes"]
    assert one_pass["implicit"] is False
    ids = {node["id"] for node in one_pass["nodes"]}
    assert one_pass["root"] in ids
    for node in one_pass["nodes"]:
        assert node["kind"] in ("function", "accumulate_grad") and isinstance(node["name"], str)
        assert node["variable"] is None or isinstance(node["variable"], str)
        for saved in node["saved"].values():
            if isinstance(saved, dict):
                _check_tensor_json(saved)
    for edge in one_pass["edges"]:
        assert edge["node"] in ids and edge["next"] in ids and isinstance(edge["slot"], int)
    assert [step["node"] for step in one_pass["steps"]][0] == one_pass["root"]
    for step in one_pass["steps"]:
        for grad in step["grad_outputs"] + step["grad_inputs"]:
            assert grad is None or _check_tensor_json(grad) is None
    x = torch.tensor(2.0, requires_grad=True)
    expected = reference_grads("x = torch.tensor(2.0, requires_grad=True)\ny = 5 * x**3 + 2 * x**2 + 4 * x + 8\n", "y", ["x"])
    assert one_pass["grads"]["x"] == {"shape": [], "dtype": "float32", "values": expected["x"].item()}
    assert x.grad is None


def test_large_tensors_are_summarised_and_non_finite_values_are_valid_json() -> None:
    big = torch.arange(FULL_VALUES_LIMIT + 1, dtype=torch.float32)
    summary = to_json(big)
    assert "values" not in summary
    assert math.isclose(summary["summary"]["norm"], big.double().norm().item(), rel_tol=1e-9)
    assert summary["summary"]["max"] == FULL_VALUES_LIMIT
    odd = to_json(torch.tensor([1.0, float("nan"), float("inf"), -float("inf")]))
    assert odd["values"] == [1.0, "NaN", "Infinity", "-Infinity"]
    json.dumps(odd, allow_nan=False)


def test_cli_trace_writes_json_to_stdout(tmp_path: Path) -> None:
    program = tmp_path / "poly.py"
    program.write_text(POLYNOMIAL)
    result = _cli("trace", str(program))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["passes"][0]["grads"]["x"]["values"] == 72.0


def test_cli_trace_dot_to_a_file(tmp_path: Path) -> None:
    out = tmp_path / "graph.dot"
    result = _cli("trace", "--code", "x = torch.tensor(3.0, requires_grad=True)\n(x * x).backward()\n",
                  "--format", "dot", "-o", str(out))
    assert result.returncode == 0 and result.stdout == ""
    text = out.read_text()
    assert text.startswith("digraph") and "MulBackward0" in text and text.count("->") == 2


def test_cli_error_uses_the_editor_convention(tmp_path: Path) -> None:
    program = tmp_path / "broken.py"
    program.write_text(ZERO_BEFORE_BACKWARD)
    result = _cli("trace", str(program))
    assert result.returncode == 2 and result.stdout == ""
    line = line_of(ZERO_BEFORE_BACKWARD, "x.grad.zero_()")
    assert result.stderr.startswith(f"{program}:{line}:1: AttributeError: 'NoneType' object has no attribute 'zero_'")
    refused = _cli("trace", "--code", "import torch\nimport os\n")
    assert refused.returncode == 2 and refused.stderr.startswith("<code>:2:1: `import os` is not allowed")


def test_cli_failure_leaves_an_existing_output_file_alone(tmp_path: Path) -> None:
    out = tmp_path / "trace.json"
    out.write_text("precious")
    result = _cli("trace", "--code", "y = undefined_name\n", "-o", str(out))
    assert result.returncode == 2 and out.read_text() == "precious"


def test_cli_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    result = _cli("trace", str(tmp_path / "nope.py"))
    assert result.returncode == 2 and "cannot read" in result.stderr


def test_cli_version_and_help() -> None:
    from explorer import __version__

    assert _cli("--version").stdout.strip() == f"autograd-explorer {__version__}"
    assert "trace" in _cli("--help").stdout
