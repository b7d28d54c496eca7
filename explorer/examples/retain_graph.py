# retain_graph=True: backward twice through one graph
# Keeping the saved tensors lets the second pass run; x.grad adds up to 12 + 12 = 24.
import torch

x = torch.tensor(2.0, requires_grad=True)
y = x ** 3
y.backward(retain_graph=True)
print(x.grad)
y.backward()
print(x.grad)
