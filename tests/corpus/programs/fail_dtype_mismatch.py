# Kind: Q&A question (fails on purpose: double input to a float model)
# Pattern: data built as float64 (a Python list through torch.tensor with dtype=torch.float64) fed to nn.Linear
import torch
import torch.nn as nn

torch.manual_seed(0)
model = nn.Linear(2, 1)
data = torch.tensor([[0.5, 1.0], [1.5, -2.0]], dtype=torch.float64)
print(data.dtype, model.weight.dtype)
prediction = model(data)
prediction.sum().backward()
