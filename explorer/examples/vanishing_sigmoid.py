# Ten sigmoid layers: the gradient vanishes
# Each sigmoid passes on at most a quarter of the gradient: x.grad ends near 2.4e-8.
import torch

x = torch.tensor(0.5, requires_grad=True)
h = x
for layer in range(10):
    h = torch.sigmoid(h + 0.5)
h.backward()
print(x.grad)
