# Kind: forum question (fails on purpose: a tensor saved for backward modified in place)
# Pattern: an activation changed with an in-place op after a later op saved it; backward reports the version mismatch
import torch

x = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
h = torch.sigmoid(x)
out = h * h
h.add_(1.0)
print(out)
out.sum().backward()
print(x.grad)
