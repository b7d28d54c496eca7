# A classic mistake: zero_() before any backward
# x.grad is None until a backward pass reaches x, so x.grad.zero_() fails on line 8.
import torch

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = 2 * x + 1
z = y.mean()
x.grad.zero_()
z.backward()
print(x.grad)
