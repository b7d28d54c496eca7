# Kind: Q&A answer (verifying a hand-written gradient with gradcheck)
# Pattern: a def with a default argument checked by torch.autograd.gradcheck on double inputs, directly and through a lambda, then compared with sigmoid
import torch
from torch.autograd import gradcheck


def softplus(x, beta=1.0):
    return torch.log1p(torch.exp(beta * x)) / beta


inp = torch.randn(6, dtype=torch.double, requires_grad=True)
print("softplus:", gradcheck(softplus, (inp,), eps=1e-6, atol=1e-4))
print("softplus beta=2:", gradcheck(lambda t: softplus(t, beta=2.0), (inp,)))

x = torch.randn(6, dtype=torch.float64, requires_grad=True)
softplus(x).sum().backward()
print(torch.allclose(x.grad, torch.sigmoid(x)))
