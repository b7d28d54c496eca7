"""The Python API on the user's own tensors: trace, export, record, run a script."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import weakref
from pathlib import Path

import pytest
import torch
from torch import nn

import explorer
from explorer.cli import main
from explorer.core.capture.trusted import run_script


def _model_and_loss() -> tuple[nn.Module, torch.Tensor]:
    torch.manual_seed(1)
    model = nn.Sequential(nn.Linear(3, 5), nn.ReLU(), nn.Linear(5, 1))
    return model, model(torch.randn(4, 3)).pow(2).mean()


def test_import_explorer_loads_neither_torch_nor_qt() -> None:
    code = ("import sys, explorer; print(sorted(m for m in ('torch', 'PySide6', 'pyqtgraph') "
            "if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_trace_leaves_grads_and_graph_as_they_were() -> None:
    model, loss = _model_and_loss()
    first, bias0, second, bias2 = model.parameters()
    kept = torch.full_like(first, 7.0)
    first.grad = kept  # as if a training loop had accumulated into it
    traced = explorer.trace(loss, model=model)
    assert first.grad is kept and torch.equal(kept, torch.full_like(first, 7.0))
    assert second.grad is None and bias0.grad is None and bias2.grad is None
    expected = torch.autograd.grad(loss, [second], retain_graph=True)[0]
    torch.testing.assert_close(traced.passes[0].grads["2.weight"], expected)
    loss.backward()  # the graph is still there: trace ran with retain_graph=True
    torch.testing.assert_close(second.grad, expected)


def test_trace_of_a_non_scalar_seeds_with_ones_or_the_given_gradient() -> None:
    x = torch.randn(3, requires_grad=True)
    y = x.exp()
    seed = torch.tensor([1.0, -2.0, 0.5])
    traced = explorer.trace(y, gradient=seed, names={"x": x})
    torch.testing.assert_close(traced.passes[0].grads["x"],
                               torch.autograd.grad(y, x, seed, retain_graph=True)[0])
    ones = explorer.trace(y, names={"x": x})
    torch.testing.assert_close(ones.passes[0].grads["x"], x.exp().detach())


def test_trace_refuses_a_tensor_without_graph() -> None:
    with pytest.raises(ValueError, match="has no graph"):
        explorer.trace(torch.ones(2))


def _traced_leaf() -> tuple[weakref.ref, object]:
    x = torch.randn(50, requires_grad=True)
    traced = explorer.trace((x.sin() * x).sum(), names={"x": x})
    return weakref.ref(x), traced


def test_a_trace_keeps_no_graph_alive() -> None:
    leaf, traced = _traced_leaf()
    gc.collect()
    assert leaf() is None and traced is not None


def test_trace_removes_every_hook(monkeypatch) -> None:
    from explorer.core.capture import recorder

    calls = []
    real_hook_for = recorder.Observer.hook_for

    def counting_hook_for(self, node_id):
        observe = real_hook_for(self, node_id)
        return lambda *grads: (calls.append(node_id), observe(*grads))[1]

    monkeypatch.setattr(recorder.Observer, "hook_for", counting_hook_for)
    x = torch.randn(3, requires_grad=True)
    y = (x * 2).sum()
    explorer.trace(y)
    explorer.trace(y)
    assert len(calls) == 2 * 3  # Sum, Mul, AccumulateGrad, twice
    y.backward()
    assert len(calls) == 6  # a left-over hook would have fired here


def test_trace_json_names_parameters_and_modules() -> None:
    model, loss = _model_and_loss()
    document = json.loads(json.dumps(explorer.trace(loss, model=model).to_json(), allow_nan=False))
    nodes = document["passes"][0]["nodes"]
    assert {(n["variable"], n["module"]) for n in nodes if n["kind"] == "accumulate_grad"} == {
        ("0.weight", "0"), ("0.bias", "0"), ("2.weight", "2"), ("2.bias", "2")}


@pytest.mark.parametrize("suffix", [".dot", ".json"])
def test_export_writes_text_formats(tmp_path: Path, suffix: str) -> None:
    model, loss = _model_and_loss()
    path = explorer.export(loss, tmp_path / f"graph{suffix}", model=model)
    text = path.read_text(encoding="utf-8")
    assert "2.weight" in text and "AddmmBackward0" in text
    assert all(p.grad is None for p in model.parameters())


def test_export_refuses_unknown_suffix(tmp_path: Path) -> None:
    _, loss = _model_and_loss()
    with pytest.raises(ValueError, match="use one of"):
        explorer.export(loss, tmp_path / "graph.pdf")


def test_record_captures_every_kind_of_backward_call_once() -> None:
    model, _ = _model_and_loss()
    x = torch.randn(4, 3)
    with explorer.record(model=model) as rec:
        model(x).sum().backward()
        torch.autograd.backward([model(x).mean()])
        x.requires_grad_()
        (g,) = torch.autograd.grad(model(x).sum(), [x])
    assert [p.call for p in rec.passes] == ["backward", "autograd.backward", "autograd.grad"]
    assert rec.passes[0].note.endswith(".py:" + str(rec.passes[0].line))
    expected = torch.autograd.grad(model(x).sum(), [x])[0]
    torch.testing.assert_close(g, expected)
    assert torch.Tensor.backward.__module__ == "torch._tensor"
    assert torch.autograd.grad.__module__ == "torch.autograd"


def test_record_restores_torch_when_the_block_raises() -> None:
    originals = (torch.Tensor.backward, torch.autograd.backward, torch.autograd.grad)
    with pytest.raises(KeyError), explorer.record():
        raise KeyError("boom")
    assert (torch.Tensor.backward, torch.autograd.backward, torch.autograd.grad) == originals


def test_record_names_modules_without_being_told_the_model() -> None:
    model, _ = _model_and_loss()
    with explorer.record() as rec:
        model(torch.randn(2, 3)).sum().backward()
    graph = rec.passes[0].graph
    assert {d["module"] for _, d in graph.nodes(data=True) if d["name"] == "AddmmBackward0"} == {"0", "2"}
    assert "0.weight" in {d["variable"] for _, d in graph.nodes(data=True)}


def test_double_backward_is_its_own_pass_with_torch_gradients() -> None:
    x = torch.tensor([0.3, -1.2, 2.0], requires_grad=True)
    with explorer.record(names={"x": x}) as rec:
        y = (x.sin() * x).sum()
        (g,) = torch.autograd.grad(y, x, create_graph=True)
        g.sum().backward()
    assert [p.create_graph for p in rec.passes] == [True, False]
    assert rec.passes[1].graph.graph["built_by_pass"] == 0 and "pass 1 built" in rec.passes[1].note
    assert "built_by_pass" not in rec.passes[0].graph.graph
    x2 = x.detach().requires_grad_()
    (g2,) = torch.autograd.grad((x2.sin() * x2).sum(), x2, create_graph=True)
    (second,) = torch.autograd.grad(g2.sum(), x2)
    torch.testing.assert_close(rec.passes[1].grads["x"], second)


def test_second_backward_is_explained_with_the_pass_that_freed_the_graph() -> None:
    w = torch.randn(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="second time"), explorer.record(names={"w": w}) as rec:
        loss = (w * w).sum()
        loss.backward()
        loss.backward()
    assert len(rec.passes) == 1
    assert "Pass 1" in rec.problems[0] and "retain_graph=True" in rec.problems[0]


SCRIPT = """\
import sys
import torch
from torch import nn
torch.manual_seed(0)
net = nn.Linear(2, 1)
for _ in range(2):
    net(torch.ones(1, 2)).sum().backward()
print("args", sys.argv[1:])
raise ValueError("late failure")
"""


def test_run_script_keeps_passes_before_an_exception(tmp_path: Path) -> None:
    script = tmp_path / "train.py"
    script.write_text(SCRIPT, encoding="utf-8")
    rec = run_script(script, ["--lr", "0.1"])
    assert len(rec.passes) == 2
    assert rec.error is not None and rec.error.line == 9 and "late failure" in rec.error.message
    assert "args ['--lr', '0.1']" in rec.stdout
    assert 'train.py", line 9' in rec.traceback and "runpy" not in rec.traceback
    assert torch.equal(rec.passes[1].grads["weight"], 2 * torch.ones(1, 2))  # accumulated twice


def test_cli_run_writes_the_trace_and_says_it_runs_trusted_code(tmp_path: Path, capsys) -> None:
    script = tmp_path / "train.py"
    script.write_text(SCRIPT, encoding="utf-8")
    output = tmp_path / "trace.json"
    assert main(["run", "--no-window", "-o", str(output), str(script)]) == 1
    err = capsys.readouterr().err
    assert "trusted code" in err and "full Python" in err and "ValueError: late failure" in err
    assert len(json.loads(output.read_text(encoding="utf-8"))["passes"]) == 2
    assert main(["run", "--no-window", str(tmp_path / "missing.py")]) == 2


def test_record_stops_recording_after_max_passes_but_runs_every_backward() -> None:
    w = torch.ones(2, requires_grad=True)
    with explorer.record(names={"w": w}, max_passes=3) as rec:
        for _ in range(5):
            (w * 3).sum().backward()
    assert len(rec.passes) == 3 and rec.unrecorded == 2
    assert torch.equal(w.grad, torch.full((2,), 15.0))
    assert any("2 more" in text for text in rec.trace().warnings)

