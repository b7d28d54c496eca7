# A polynomial at x = 2
# y = 5x³ + 2x² + 4x + 8 gives y = 64 and dy/dx = 15x² + 4x + 4 = 72.
import torch

x = torch.tensor(2.0, requires_grad=True)
y = 5 * x ** 3 + 2 * x ** 2 + 4 * x + 8
print(f"Function output: {y}")
y.backward()
print(f"Gradient of x: {x.grad}")
