# Kind: Q&A answer (Hessian-vector product without the Hessian)
# Pattern: grad with create_graph=True, dot with a vector, a second grad; checked against the explicit Hessian of a quadratic form
import torch

torch.manual_seed(0)
A = torch.randn(3, 3)
A = A @ A.t()
x = torch.randn(3, requires_grad=True)
v = torch.tensor([1.0, 0.0, -1.0])


def energy(x):
    return 0.5 * x @ A @ x + x.pow(4).sum()


g, = torch.autograd.grad(energy(x), x, create_graph=True)
hv, = torch.autograd.grad(g @ v, x)
H = A + torch.diag(12 * x.detach() ** 2)
print(hv)
print(torch.allclose(hv, H @ v, atol=1e-5))
