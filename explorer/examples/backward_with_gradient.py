# A vector output: backward(gradient=...)
# y has three elements, so backward needs a weight per element; x.grad = 2x · v.
import torch

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = x ** 2
v = torch.tensor([1.0, 0.1, 0.01])
y.backward(gradient=v)
print(x.grad)
