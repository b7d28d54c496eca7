# Kind: Q&A answer (computing a full Jacobian with a loop)
# Pattern: one torch.autograd.grad call per output row with grad_outputs from torch.eye and retain_graph=True, stacked and compared with functional.jacobian
import torch


def f(x):
    return torch.stack([x[0] * x[1], x[1] ** 2, torch.sin(x[0])])


x = torch.tensor([0.5, 2.0], requires_grad=True)
y = f(x)
rows = []
for i in range(y.shape[0]):
    row, = torch.autograd.grad(y, x, grad_outputs=torch.eye(3)[i], retain_graph=True)
    rows.append(row)
J = torch.stack(rows)
print(J)
print(torch.allclose(J, torch.autograd.functional.jacobian(f, x.detach())))
