# Kind: textbook (higher-order derivatives)
# Pattern: first derivative with torch.autograd.grad(create_graph=True), then the second and third derivative of a polynomial
import torch

x = torch.tensor(1.5, requires_grad=True)
y = x ** 4 - 2 * x ** 2 + x

dy_dx, = torch.autograd.grad(y, x, create_graph=True)
print("dy/dx:", dy_dx.item())
d2y_dx2, = torch.autograd.grad(dy_dx, x, create_graph=True)
print("d2y/dx2:", d2y_dx2.item())
d3y_dx3, = torch.autograd.grad(d2y_dx2, x)
print("d3y/dx3:", d3y_dx3.item())

z = torch.sin(x) * x
g, = torch.autograd.grad(z, x, create_graph=True)
g.backward()
print(x.grad, -x.sin() * x + 2 * x.cos())
