# Kind: textbook (automatic differentiation chapter: gradients and Python control flow)
# Pattern: def f(a) with a while loop on b.norm() and an if on b.sum(), a = torch.randn(size=(), requires_grad=True), a.grad == d / a
import torch


def f(a):
    b = a * 2
    while b.norm() < 1000:
        b = b * 2
    if b.sum() > 0:
        c = b
    else:
        c = 100 * b
    return c


a = torch.randn(size=(), requires_grad=True)
d = f(a)
d.backward()

print(a.grad == d / a)
print(a.grad)
