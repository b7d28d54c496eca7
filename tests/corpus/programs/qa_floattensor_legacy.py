# Kind: Q&A answer (legacy tensor constructors)
# Pattern: torch.FloatTensor from a list, torch.Tensor(rows, cols).fill_, torch.LongTensor indices, requires_grad_() and a weighted sum
import torch

data = torch.FloatTensor([[1, 2], [3, 4], [5, 6]])
print(data.dtype, data.shape)

weights = torch.Tensor(2, 1).fill_(0.5)
weights.requires_grad_()
idx = torch.LongTensor([0, 2])
print(idx.dtype)

out = data[idx].mm(weights)
print(out)
out.sum().backward()
print(weights.grad)

t = torch.Tensor([1, 2, 3])
d = torch.DoubleTensor([1, 2, 3])
print(t.dtype, d.dtype, torch.Tensor(3).shape)
