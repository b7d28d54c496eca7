# Kind: forum answer (computing the gradient for some leaves only)
# Pattern: loss.backward(inputs=[w]) accumulates only into w, b.grad stays None; then a full backward
import torch

w = torch.tensor([1.0, 2.0], requires_grad=True)
b = torch.tensor(0.5, requires_grad=True)
x = torch.tensor([3.0, -1.0])
loss = ((w * x).sum() + b) ** 2
loss.backward(inputs=[w], retain_graph=True)
print(w.grad, b.grad)
loss.backward()
print(w.grad, b.grad)
