# Ten ReLU layers: the gradient survives
# Where its input is positive ReLU has slope exactly 1, so x.grad is 1 after ten layers.
import torch

x = torch.tensor(0.5, requires_grad=True)
h = x
for layer in range(10):
    h = torch.relu(h + 0.5)
h.backward()
print(x.grad)
