# Kind: official docs (autograd through linear algebra)
# Pattern: gradients of torch.linalg.det, inverse and solve checked against closed forms (det * inverse transpose), a least-squares fit with torch.linalg.lstsq
import torch

A = torch.tensor([[2.0, 1.0], [0.5, 3.0]], requires_grad=True)
det = torch.linalg.det(A)
det.backward()
print(det.item())
print(A.grad)
print(torch.allclose(A.grad, det.detach() * torch.linalg.inv(A.detach()).T))

A.grad = None
b = torch.tensor([1.0, -1.0])
x = torch.linalg.solve(A, b)
x.sum().backward()
print(x)
print(A.grad)

X = torch.tensor([[1.0, 0.0], [1.0, 1.0], [1.0, 2.0]])
y = torch.tensor([[1.0], [2.0], [2.9]], requires_grad=True)
coef = torch.linalg.lstsq(X, y).solution
coef[1].sum().backward()
print(coef.view(-1), y.grad.view(-1))
