# Kind: official docs (autograd for complex numbers)
# Pattern: torch.complex leaves, .real/.imag, conj, angle, view_as_real, a real loss and its Wirtinger gradient
import torch

re = torch.tensor([1.0, -2.0, 0.5], requires_grad=True)
im = torch.tensor([0.5, 1.0, -1.5], requires_grad=True)
z = torch.complex(re, im)
print(z)

loss = (z * z.conj()).real.sum()
loss.backward()
print(re.grad, im.grad)

w = torch.tensor([1 + 1j, 2 - 1j], requires_grad=True)
print(w.dtype)
r = torch.view_as_real(w)
print(r)
out = w.abs().sum() + w.angle().sum() + w.imag.pow(2).sum()
out.backward()
print(w.grad)
