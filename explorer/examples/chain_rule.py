# The chain rule: sin(x²)
# Two nodes in a row: the outer derivative cos(x²) times the inner one 2x.
import torch

x = torch.tensor(1.5, requires_grad=True)
u = x ** 2
y = torch.sin(u)
y.backward()
print("y =", y.item())
print("dy/dx =", x.grad.item())
