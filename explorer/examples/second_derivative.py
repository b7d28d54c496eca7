# create_graph=True: a second derivative
# dy/dx = 3x² is itself a graph; its backward gives d²y/dx² = 6x = 9 at x = 1.5.
import torch

x = torch.tensor(1.5, requires_grad=True)
y = x ** 3
g = torch.autograd.grad(y, x, create_graph=True)[0]
print("dy/dx =", g.item())
g.backward()
print("d2y/dx2 =", x.grad.item())
