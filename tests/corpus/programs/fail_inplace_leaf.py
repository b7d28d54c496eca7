# Kind: Q&A question (fails on purpose: in-place update of a leaf that requires grad)
# Pattern: a hand-written SGD update w -= lr * w.grad without torch.no_grad()
import torch

w = torch.randn(3, requires_grad=True)
x = torch.tensor([1.0, 2.0, 3.0])
lr = 0.1
for step in range(2):
    loss = (w * x).sum() ** 2
    loss.backward()
    print(step, loss.item())
    w -= lr * w.grad
