# Kind: Q&A answer (.data versus .detach())
# Pattern: .data and .detach() share storage; zeroing the output through .data silently changes the gradient sigmoid computes from it
import torch

a = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
out = a.sigmoid()
c = out.data
c.zero_()
print(out)
out.sum().backward()
print(a.grad)

a.grad = None
out = a.sigmoid()
d = out.detach()
print(d.requires_grad, d.data_ptr() == out.data_ptr())
out.sum().backward()
print(a.grad)
print(out._version)
