# detach() and torch.no_grad() cut the graph
# Values computed outside the graph count as constants: dz/dx is 4, not 3x² + 10.
import torch

x = torch.tensor(2.0, requires_grad=True)
y = x ** 2
frozen = y.detach()
with torch.no_grad():
    scale = x * 10
print(frozen.requires_grad, scale.requires_grad)
z = frozen * x + scale
z.backward()
print(x.grad)
