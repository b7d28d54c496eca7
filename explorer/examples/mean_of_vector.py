# A vector reduced by mean()
# backward() needs a scalar: mean() makes one, and each x[i] gets 2/3.
import torch

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = 2 * x + 1
z = y.mean()
z.backward()
print(x.grad)
