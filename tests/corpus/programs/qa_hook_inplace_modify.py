# Kind: forum answer (clamping a gradient inside a hook)
# Pattern: a hook that returns a clamped copy and one that clamps in place and returns nothing, on two intermediate tensors
import torch

x = torch.tensor([0.5, -3.0, 2.0], requires_grad=True)


def clamp_copy(grad):
    return grad.clamp(-1.0, 1.0)


def clamp_in_place(grad):
    grad.clamp_(-1.0, 1.0)


a = x * 4
a.register_hook(clamp_copy)
b = x * 4
b.register_hook(clamp_in_place)
(a.pow(2).sum() + b.pow(2).sum()).backward()
print(x.grad)
