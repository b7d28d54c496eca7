# Kind: Q&A question (fails on purpose: can't optimize a non-leaf Tensor)
# Pattern: weights created with requires_grad=True and then scaled, so the tensor handed to the optimizer is not a leaf
import torch

w = torch.randn(3, requires_grad=True) * 0.01
b = torch.zeros(1, requires_grad=True)
print(w.is_leaf, b.is_leaf)
optimizer = torch.optim.SGD([w, b], lr=0.1)
