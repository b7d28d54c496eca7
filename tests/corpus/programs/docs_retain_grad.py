# Kind: official docs (autograd: non-leaf gradients)
# Pattern: retain_grad on an intermediate tensor, is_leaf checks, .grad of leaf and non-leaf after backward
import torch

a = torch.tensor([2.0, 3.0], requires_grad=True)
b = a * a
b.retain_grad()
c = b.sum() * 3
c.backward()
print(a.is_leaf, b.is_leaf, c.is_leaf)
print(a.grad)
print(b.grad)
print(b.retains_grad)
