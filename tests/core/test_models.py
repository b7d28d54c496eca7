"""Real torch.nn models (random weights): traced gradients, parameter names and module groups."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import torch
from torch import nn

import explorer
from explorer.core.capture.modules import track_modules
from explorer.core.capture.trace import Pass


def _mlp() -> tuple[nn.Module, Callable[[nn.Module], torch.Tensor]]:
    model = nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 3))
    x, target = torch.randn(8, 6), torch.randint(0, 3, (8,))
    return model, lambda m: nn.functional.cross_entropy(m(x), target)


class SmallCNN(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, 3, padding=1)
        self.bn = nn.BatchNorm2d(4)
        self.conv2 = nn.Conv2d(4, 6, 3)
        self.head = nn.Linear(6 * 3 * 3, 5)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = nn.functional.max_pool2d(torch.relu(self.bn(self.conv1(x))), 2)
        x = torch.relu(self.conv2(x))
        return self.head(x.flatten(1))


def _cnn() -> tuple[nn.Module, Callable[[nn.Module], torch.Tensor]]:
    x, target = torch.randn(4, 1, 10, 10), torch.randint(0, 5, (4,))
    return SmallCNN(), lambda m: nn.functional.cross_entropy(m(x), target)


class Tagger(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.embed = nn.Embedding(20, 8)
        self.lstm = nn.LSTM(8, 12, num_layers=2, batch_first=True)
        self.out = nn.Linear(12, 4)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        hidden, _ = self.lstm(self.embed(tokens))
        return self.out(hidden)


def _lstm() -> tuple[nn.Module, Callable[[nn.Module], torch.Tensor]]:
    tokens, target = torch.randint(0, 20, (3, 5)), torch.randint(0, 4, (3 * 5,))
    return Tagger(), lambda m: nn.functional.cross_entropy(m(tokens).reshape(-1, 4), target)


class Encoder(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        layer = nn.TransformerEncoderLayer(16, 2, dim_feedforward=32, dropout=0.0, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, num_layers=2, enable_nested_tensor=False)
        self.head = nn.Linear(16, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.encoder(x).mean(dim=1))


def _transformer() -> tuple[nn.Module, Callable[[nn.Module], torch.Tensor]]:
    x, target = torch.randn(3, 5, 16), torch.randn(3, 1)
    return Encoder(), lambda m: nn.functional.mse_loss(m(x), target)


MODELS = {"mlp": _mlp, "cnn": _cnn, "lstm": _lstm, "transformer": _transformer}


def _build(kind: str) -> tuple[nn.Module, torch.Tensor]:
    torch.manual_seed(0)
    model, loss_of = MODELS[kind]()
    with track_modules(model):
        loss = loss_of(model)
    return model, loss


def _received(one_pass: Pass) -> dict[str, torch.Tensor]:
    """What each named leaf's AccumulateGrad node received, by parameter name."""
    found = {}
    for step in one_pass.steps:
        data = one_pass.graph.nodes[step.node]
        if data["kind"] == "accumulate_grad":
            found[data["variable"]] = step.grad_outputs[0]
    return found


@pytest.mark.parametrize("kind", list(MODELS))
def test_every_parameter_gradient_matches_torch(kind: str) -> None:
    model, loss = _build(kind)
    names = [name for name, _ in model.named_parameters()]
    expected = torch.autograd.grad(loss, list(model.parameters()), retain_graph=True)
    traced = explorer.trace(loss, model=model)
    received = _received(traced.passes[0])
    assert sorted(received) == sorted(names)
    for name, grad in zip(names, expected):
        torch.testing.assert_close(received[name], grad, rtol=1e-6, atol=1e-7)
        torch.testing.assert_close(traced.passes[0].grads[name], grad, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("kind", list(MODELS))
def test_parameter_leaves_sit_in_their_modules(kind: str) -> None:
    model, loss = _build(kind)
    graph = explorer.trace(loss, model=model).passes[0].graph
    for _, data in graph.nodes(data=True):
        if data["kind"] == "accumulate_grad":
            assert data["module"] == data["variable"].rpartition(".")[0]


def _modules_of(graph, name: str) -> set[str | None]:
    return {data.get("module") for _, data in graph.nodes(data=True) if data["name"] == name}


def test_mlp_nodes_are_grouped_by_the_layer_that_made_them() -> None:
    model, loss = _build("mlp")
    graph = explorer.trace(loss, model=model).passes[0].graph
    assert _modules_of(graph, "AddmmBackward0") == {"0", "2", "4"}
    assert _modules_of(graph, "ReluBackward0") == {"1"}
    assert _modules_of(graph, "TanhBackward0") == {"3"}
    assert _modules_of(graph, "NllLossBackward0") == {None}  # the loss is outside the model


def test_cnn_groups_follow_submodules_and_leave_functional_ops_to_the_model() -> None:
    model, loss = _build("cnn")
    graph = explorer.trace(loss, model=model).passes[0].graph
    assert _modules_of(graph, "ConvolutionBackward0") == {"conv1", "conv2"}
    assert _modules_of(graph, "NativeBatchNormBackward0") == {"bn"}
    # relu and max_pool are called in SmallCNN.forward itself: they belong to the root model
    assert _modules_of(graph, "ReluBackward0") == {None}


def test_transformer_nodes_are_tagged_with_the_innermost_module() -> None:
    model, loss = _build("transformer")
    graph = explorer.trace(loss, model=model).passes[0].graph
    modules = {data.get("module") for _, data in graph.nodes(data=True)}
    for layer in ("encoder.layers.0", "encoder.layers.1"):
        for part in ("self_attn", "linear1", "linear2", "norm1", "norm2"):
            assert f"{layer}.{part}" in modules
    assert "encoder.layers.0.linear1.weight" in {d["variable"] for _, d in graph.nodes(data=True)}
    assert _modules_of(graph, "NativeLayerNormBackward0") == {
        f"encoder.layers.{i}.norm{j}" for i in (0, 1) for j in (1, 2)}


def test_lstm_nodes_belong_to_the_lstm() -> None:
    model, loss = _build("lstm")
    graph = explorer.trace(loss, model=model).passes[0].graph
    lstm_leaves = {d["variable"] for _, d in graph.nodes(data=True)
                   if d["kind"] == "accumulate_grad" and d["module"] == "lstm"}
    assert lstm_leaves == {name for name, _ in model.lstm.named_parameters(prefix="lstm")}
    assert _modules_of(graph, "EmbeddingBackward0") == {"embed"}


def test_without_hooks_groups_are_inferred_from_the_parameters_a_node_uses() -> None:
    torch.manual_seed(0)
    model, loss_of = _mlp()
    graph = explorer.trace(loss_of(model), model=model).passes[0].graph
    assert _modules_of(graph, "AddmmBackward0") == {"0", "2", "4"}
    assert _modules_of(graph, "ReluBackward0") == {None}  # uses no parameter: cannot be inferred


def test_module_hooks_are_removed_and_a_forward_outside_tags_nothing() -> None:
    model, _ = _build("mlp")
    assert all(not m._forward_hooks and not m._forward_pre_hooks for m in model.modules())
    out = model(torch.randn(2, 6)).sum()
    assert "explorer.module" not in out.grad_fn.next_functions[0][0].metadata


def test_module_paths_feed_the_canvas_groups() -> None:
    from explorer.core.view.folding import module_groups

    model, loss = _build("transformer")
    groups = {group.label: group for group in module_groups(explorer.trace(loss, model=model).passes[0].graph)}
    assert {"encoder.layers.0", "encoder.layers.1", "encoder.layers.0.self_attn"} <= set(groups)
    assert groups["encoder.layers.0.self_attn"].members < groups["encoder.layers.0"].members
