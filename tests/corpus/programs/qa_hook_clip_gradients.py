# Kind: Q&A answer (clipping gradients with hooks)
# Pattern: p.register_hook(lambda grad: torch.clamp(grad, -0.1, 0.1)) on every parameter, compared with clip_grad_value_ on a twin model
import torch
import torch.nn as nn


def make_model():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))


model = make_model()
reference = make_model()

for p in model.parameters():
    p.register_hook(lambda grad: torch.clamp(grad, -0.1, 0.1))

x = torch.randn(5, 3) * 10
model(x).pow(2).sum().backward()
reference(x).pow(2).sum().backward()
torch.nn.utils.clip_grad_value_(reference.parameters(), 0.1)

for (name, p), q in zip(model.named_parameters(), reference.parameters()):
    print(name, torch.equal(p.grad, q.grad), p.grad.abs().max().item())
