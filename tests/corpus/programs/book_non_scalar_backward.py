# Kind: textbook (automatic differentiation chapter: backward for non-scalar variables)
# Pattern: y = x * x, y.backward(gradient=torch.ones(len(y))) and the equivalent y.sum().backward()
import torch

x = torch.arange(4.0, requires_grad=True)
y = x * x
y.backward(gradient=torch.ones(len(y)))
print(x.grad)

x.grad.zero_()
y = x * x
y.sum().backward()
print(x.grad)
