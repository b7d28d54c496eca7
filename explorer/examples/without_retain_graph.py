# Backward twice without retain_graph
# The first pass frees what PowBackward0 saved, so the second one fails on line 9.
import torch

x = torch.tensor(2.0, requires_grad=True)
y = x ** 3
y.backward()
print(x.grad)
y.backward()
