# Kind: official docs (autograd mechanics notes)
# Pattern: reading grad_fn._saved_self / _saved_result / _saved_exponent, equal but not identical tensors
import torch

x = torch.randn(5, requires_grad=True)
y = x.pow(2)
print(x.equal(y.grad_fn._saved_self))
print(x is y.grad_fn._saved_self)
print(y.grad_fn._saved_exponent)

x = torch.randn(5, requires_grad=True)
y = x.exp()
print(y.equal(y.grad_fn._saved_result))
print(y is y.grad_fn._saved_result)

y.sum().backward()
print(torch.allclose(x.grad, y.detach()))
