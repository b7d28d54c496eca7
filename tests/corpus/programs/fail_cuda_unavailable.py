# Kind: forum question (fails on purpose: GPU code run on a machine without CUDA)
# Pattern: a tutorial that hard-codes .cuda() after building the model on the CPU
import torch
import torch.nn as nn

print("CUDA available:", torch.cuda.is_available())
model = nn.Sequential(nn.Linear(4, 4), nn.ReLU(), nn.Linear(4, 1))
x = torch.randn(2, 4)
out = model(x).sum()
out.backward()
print(model[0].bias.grad.shape)
model = model.cuda()
x = x.cuda()
print(model(x))
