# Kind: forum answer (changing gradients with a module backward hook)
# Pattern: register_full_backward_hook returning a scaled grad_input, gradients with and without the hook compared
import torch
import torch.nn as nn

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(3, 3), nn.ReLU(), nn.Linear(3, 1))
x = torch.randn(4, 3, requires_grad=True)

model(x).sum().backward()
plain = x.grad.clone()
x.grad = None


def halve(module, grad_input, grad_output):
    print(f"{module.__class__.__name__}: halving {len(grad_input)} gradient(s)")
    return tuple(g * 0.5 if g is not None else None for g in grad_input)


handle = model[0].register_full_backward_hook(halve)
model(x).sum().backward()
handle.remove()
print(torch.allclose(x.grad, plain * 0.5))
print(x.grad)
