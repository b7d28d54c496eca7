# Kind: forum question (fails on purpose: backward on a non-scalar output)
# Pattern: a model's per-sample losses passed straight to backward() without reduction
import torch
import torch.nn as nn

torch.manual_seed(0)
model = nn.Linear(3, 1)
criterion = nn.MSELoss(reduction='none')
x = torch.randn(4, 3)
y = torch.randn(4, 1)
loss = criterion(model(x), y)
print(loss.shape)
loss.backward()
print(model.weight.grad)
