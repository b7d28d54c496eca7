# A quadratic on a one-element tensor
# y = x² + 3x + 1 at x = 2: the gradient 2x + 3 = 7 lands in x.grad.
import torch

x = torch.tensor([2.0], requires_grad=True)
y = x**2 + 3*x + 1
y.backward()
print("Gradient of x:", x.grad)
