# Kind: Q&A answer (why is .grad None for my tensor)
# Pattern: a tensor made by an operation is not a leaf, its .grad stays None, is_leaf/requires_grad/grad_fn printed for each
import torch

a = torch.rand(3, requires_grad=True)
b = torch.rand(3, requires_grad=True) * 2
c = torch.rand(3).requires_grad_()
d = torch.rand(3, dtype=torch.float64, requires_grad=True).float()

for name, t in [("a", a), ("b", b), ("c", c), ("d", d)]:
    print(name, t.is_leaf, t.requires_grad, t.grad_fn is None)

(a + b + c + d).sum().backward()
print(a.grad, c.grad)
print(b.grad is None, d.grad is None)
