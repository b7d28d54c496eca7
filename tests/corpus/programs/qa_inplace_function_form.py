# Kind: Q&A answer (in-place operations and autograd)
# Pattern: function-form in-place ops torch.sin_, torch.clamp_ and torch.sigmoid_ on non-leaf tensors, the grad_fn each leaves behind
import torch

x = torch.tensor([0.1, 0.7, -1.2], requires_grad=True)
y = x.clone()
torch.sin_(y)
print(y.grad_fn.name())
z = x * 3
torch.clamp_(z, min=-1.0, max=1.0)
torch.sigmoid_(z)
print(z, z._version)
loss = (y + z).sum()
loss.backward()
print(x.grad)

inside = ((3 * x.detach()).abs() < 1.0).float()
s = z.detach()
expected = torch.cos(x.detach()) + 3 * s * (1 - s) * inside
print(torch.allclose(x.grad, expected))
