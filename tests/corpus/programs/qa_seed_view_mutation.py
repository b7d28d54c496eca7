# Kind: forum answer (a gradient that changes after backward)
# Pattern: backward through a view with an explicit gradient tensor that is modified in place afterwards; what x.grad shows before and after
import torch

x = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
y = x.view(4)
g = torch.tensor([1.0, 0.5, 0.25, 0.125])
y.backward(g)
print(x.grad)
g.mul_(100)
print(x.grad)

x.grad = None
z = (x * 2).view(4)
seed = torch.ones(4)
z.backward(seed)
seed.zero_()
print(x.grad)
