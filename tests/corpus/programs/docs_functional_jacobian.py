# Kind: official docs (torch.autograd.functional)
# Pattern: jacobian of a row-wise reducer, jacobian with two inputs, then an ordinary backward on the same function
import torch
from torch.autograd.functional import jacobian


def exp_reducer(x):
    return x.exp().sum(dim=1)


torch.manual_seed(0)
inputs = torch.rand(2, 2)
print(jacobian(exp_reducer, inputs))


def exp_adder(x, y):
    return 2 * x.exp() + 3 * y


inputs = (torch.rand(2), torch.rand(2))
jx, jy = jacobian(exp_adder, inputs)
print(jx)
print(jy)

x = torch.rand(2, 2, requires_grad=True)
exp_reducer(x).sum().backward()
print(x.grad)
