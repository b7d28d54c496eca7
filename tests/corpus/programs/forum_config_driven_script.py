# Kind: forum answer (a config-driven training script)
# Pattern: nn.Linear(**cfg), torch.randn(*shape), a custom exception raised from another, named_modules, hasattr/getattr, f"{value=}", star unpacking, % formatting
import torch
import torch.nn as nn


class TrainingError(Exception):
    pass


cfg = {"in_features": 3, "out_features": 2, "bias": True}
shape = (5, cfg["in_features"])
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(**cfg), nn.Softplus(), nn.Linear(cfg["out_features"], 1))

for name, module in model.named_modules():
    if hasattr(module, "weight"):
        print("%-3s %-8s %s" % (name, type(module).__name__, tuple(getattr(module, "weight").shape)))


def run_epoch(model, x, lr):
    if not 0 < lr < 1:
        raise ValueError(f"learning rate {lr} out of range")
    loss = model(x).pow(2).mean()
    model.zero_grad()
    loss.backward()
    with torch.no_grad():
        for p in model.parameters():
            p -= lr * p.grad
    return loss.item()


x = torch.randn(*shape)
losses = [run_epoch(model, x, lr) for lr in (0.1, 0.1, 0.05)]
first, *rest = losses
print(f"{first=:.5f}", [round(v, 5) for v in rest[::-1]])
try:
    try:
        run_epoch(model, x, 2.0)
    except ValueError as error:
        raise TrainingError("epoch failed") from error
except TrainingError as failure:
    print(type(failure).__name__, "-", failure)
print(model[0].weight.grad)
