# A variable used twice: gradients add
# In y = x · x both inputs of the product are x, so x receives 3 and 3, and keeps 6.
import torch

x = torch.tensor(3.0, requires_grad=True)
y = x * x
y.backward()
print(x.grad)
