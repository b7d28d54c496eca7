# Kind: Q&A answer (repeating a step, ignoring the counter)
# Pattern: for _ in range(n) loops, _ as a throwaway in tuple unpacking, gradients accumulating over repeated backward calls
import torch

w = torch.tensor([1.0, -1.0], requires_grad=True)
x = torch.tensor([0.5, 2.0])

for _ in range(3):
    loss = (w * x).sum() ** 2
    loss.backward()
print(w.grad)

values, _ = torch.max(torch.stack([w, 2 * w]), dim=0)
_ = values.sum().backward()
print(w.grad)
print(_)
