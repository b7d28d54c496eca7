# Kind: textbook (calculus exercise: derivative of sin without computing it by hand)
# Pattern: x = torch.linspace(..., requires_grad=True), torch.sin(x).sum().backward(), x.grad compared with torch.cos(x)
import torch

x = torch.linspace(-3.0, 3.0, 13, requires_grad=True)
y = torch.sin(x)
y.sum().backward()
print(x.grad)
print(torch.allclose(x.grad, torch.cos(x)))
print((x.grad - torch.cos(x.detach())).abs().max())
