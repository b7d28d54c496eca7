# The simplest chain rule
# y = 2x² + 3 at x = 2: dy/dx = 4x = 8.
import torch

x = torch.tensor(2.0, requires_grad=True)
y = 2 * x**2 + 3
y.backward()
print(x.grad)
