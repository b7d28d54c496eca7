# Ten layers with weight 3: the gradient explodes
# Each layer multiplies the gradient by 3, so x.grad is 3¹⁰ = 59049.
import torch

x = torch.tensor(0.5, requires_grad=True)
h = x
for layer in range(10):
    h = torch.relu(3.0 * h)
h.backward()
print(x.grad)
