# A two-layer MLP on four points
# XOR's four corners through tanh and a linear output: every weight gets its share.
import torch
import torch.nn.functional as F

X = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
target = torch.tensor([0.0, 1.0, 1.0, 0.0])
W1 = torch.tensor([[0.5, -0.3, 0.8], [-0.6, 0.7, 0.2]], requires_grad=True)
b1 = torch.tensor([0.1, 0.0, -0.1], requires_grad=True)
W2 = torch.tensor([[1.0], [-0.5], [0.7]], requires_grad=True)
b2 = torch.tensor([0.2], requires_grad=True)
hidden = torch.tanh(X @ W1 + b1)
out = (hidden @ W2 + b2).squeeze(1)
loss = F.mse_loss(out, target)
loss.backward()
print("loss:", loss.item())
print("W1.grad:", W1.grad)
print("b2.grad:", b2.grad)
