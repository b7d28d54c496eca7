# Kind: forum question (fails on purpose: element 0 of tensors does not require grad)
# Pattern: the loss computed inside torch.no_grad() for "speed", then backward on it
import torch
import torch.nn as nn

torch.manual_seed(0)
model = nn.Linear(3, 1)
x = torch.randn(4, 3)
y = torch.randn(4, 1)
with torch.no_grad():
    prediction = model(x)
loss = ((prediction - y) ** 2).mean()
print(loss.requires_grad, loss.grad_fn)
loss.backward()
