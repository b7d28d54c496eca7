# A linear layer: weights W, bias b, inputs X
# loss = sum((X @ W + b)²): the bias gradient adds up over the batch.
import torch

W = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
b = torch.tensor([0.5, 1.0], requires_grad=True)
X = torch.tensor([[1.0, 0.5], [0.2, 0.8]])
y = torch.matmul(X, W) + b
loss = torch.sum(y**2)
loss.backward()
print("Gradient of weights W: ", W.grad)
print("Gradient of bias b:", b.grad)
