# Kind: official docs (torch.autograd.functional)
# Pattern: hessian, vjp, jvp and hvp of small user functions, checked against a hand derivative
import torch
from torch.autograd.functional import hessian, hvp, jvp, vjp


def pow_reducer(x):
    return x.pow(3).sum()


x = torch.tensor([1.0, 2.0, -1.0])
H = hessian(pow_reducer, x)
print(H)
print(torch.allclose(H, torch.diag(6 * x)))


def doubler(x):
    return 2 * x ** 2


v = torch.ones(3)
out, vjp_result = vjp(doubler, x, v)
print(out, vjp_result)
out, jvp_result = jvp(doubler, x, v)
print(jvp_result)
value, hvp_result = hvp(pow_reducer, x, v)
print(value, hvp_result)

w = x.clone().requires_grad_(True)
pow_reducer(w).backward()
print(w.grad)
