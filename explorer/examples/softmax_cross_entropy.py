# Softmax and cross-entropy on a batch of two
# The gradient of the mean loss is (softmax − one-hot) / 2 for each row.
import torch
import torch.nn.functional as F

logits = torch.tensor([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]], requires_grad=True)
targets = torch.tensor([0, 2])
loss = F.cross_entropy(logits, targets)
loss.backward()
print("loss:", loss.item())
print("softmax:", torch.softmax(logits, dim=1))
print("grad:", logits.grad)
