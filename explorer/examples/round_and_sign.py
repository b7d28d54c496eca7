# round, sign and comparisons: no useful gradient
# round and sign are flat between jumps (gradient 0); x > 0 leaves the graph entirely.
import torch

x = torch.tensor([0.4, 1.6, -2.3], requires_grad=True)
mask = (x > 0).float()
print("mask requires grad:", mask.requires_grad)
y = (torch.round(x) * 2 + torch.sign(x)).sum()
y.backward()
print(x.grad)
