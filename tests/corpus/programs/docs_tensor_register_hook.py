# Kind: official docs (Tensor.register_hook)
# Pattern: a lambda hook that doubles the gradient of a leaf, the handle removed, then a hook on an intermediate that adds to its gradient
import torch

v = torch.tensor([0., 0., 0.], requires_grad=True)
h = v.register_hook(lambda grad: grad * 2)  # double the gradient
v.backward(torch.tensor([1., 2., 3.]))
print(v.grad)

h.remove()  # removes the hook
v.grad = None
u = v * 3
u.register_hook(lambda grad: grad + 1)
u.sum().backward()
print(v.grad)
