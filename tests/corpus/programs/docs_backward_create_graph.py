# Kind: official docs (higher-order gradients with backward)
# Pattern: y.backward(create_graph=True) leaves an x.grad with a grad_fn; clearing x.grad and backpropagating through it gives the second derivative
import torch

x = torch.tensor(2.0, requires_grad=True)
y = x ** 3
y.backward(create_graph=True)
first = x.grad
print(first, first.requires_grad)

x.grad = None
first.backward()
print(x.grad)
