# Kind: forum answer (monitoring gradient norms during training)
# Pattern: dict comprehension of per-parameter gradient norms, set comprehension of shapes, sorted with a lambda key, a dict literal of settings
import torch
import torch.nn as nn

config = {"lr": 0.05, "steps": 4, "hidden": 6}
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(3, config["hidden"]), nn.Tanh(), nn.Linear(config["hidden"], 1))
opt = torch.optim.SGD(model.parameters(), lr=config["lr"])
x, y = torch.randn(10, 3), torch.randn(10, 1)

history = []
for step in range(config["steps"]):
    opt.zero_grad()
    loss = nn.functional.mse_loss(model(x), y)
    loss.backward()
    norms = {name: p.grad.norm().item() for name, p in model.named_parameters()}
    history.append(norms)
    opt.step()

shapes = {tuple(p.shape) for p in model.parameters()}
print(sorted(shapes))
largest = sorted(history[-1].items(), key=lambda item: item[1], reverse=True)
for name, value in largest[:2]:
    print(f"{name}: {value:.5f}")
print(len(history), {k: round(v, 4) for k, v in history[0].items() if k.endswith("bias")})
