# Kind: textbook (the chain rule, checked by autograd)
# Pattern: u = x ** 2, v = torch.sin(u), w = v * x with retain_grad on the intermediates, hand-derived derivative compared with x.grad
import torch

x = torch.tensor(0.8, requires_grad=True)
u = x ** 2
u.retain_grad()
v = torch.sin(u)
v.retain_grad()
w = v * x
w.backward()

manual = torch.cos(x ** 2) * 2 * x * x + torch.sin(x ** 2)
print(f"autograd: {x.grad.item():.6f}  by hand: {manual.item():.6f}")
print("dw/dv =", v.grad.item(), " dw/du =", u.grad.item())
