# Kind: textbook (automatic differentiation chapter: detaching computation)
# Pattern: u = y.detach(), z = u * x treats u as a constant, then the gradient through y itself
import torch

x = torch.arange(4.0, requires_grad=True)
y = x * x
u = y.detach()
z = u * x

z.sum().backward()
print(x.grad == u)

x.grad.zero_()
y.sum().backward()
print(x.grad == 2 * x)
