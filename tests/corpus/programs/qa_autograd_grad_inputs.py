# Kind: Q&A answer (torch.autograd.grad with several inputs)
# Pattern: autograd.grad of one output with respect to a tuple of inputs, allow_unused=True, grad_outputs for a vector output
import torch

a = torch.tensor(2.0, requires_grad=True)
b = torch.tensor(-1.0, requires_grad=True)
unused = torch.tensor(5.0, requires_grad=True)

out = a ** 2 * b + torch.exp(b)
ga, gb, gu = torch.autograd.grad(out, (a, b, unused), allow_unused=True)
print(ga, gb, gu)

v = torch.stack([a * b, a + b, a / b])
grads = torch.autograd.grad(v, [a, b], grad_outputs=torch.tensor([1.0, 0.5, -2.0]))
print(grads)
print(a.grad, b.grad)
