# Kind: official docs (CrossEntropyLoss example)
# Pattern: input as a variable name shadowing the builtin, target from torch.empty(...).random_(5), loss(input, target).backward()
import torch
import torch.nn as nn

loss = nn.CrossEntropyLoss()
input = torch.randn(3, 5, requires_grad=True)
target = torch.empty(3, dtype=torch.long).random_(5)
output = loss(input, target)
output.backward()
print(output)
print(input.grad)

# Example of target with class probabilities
input = torch.randn(3, 5, requires_grad=True)
target = torch.randn(3, 5).softmax(dim=1)
output = loss(input, target)
output.backward()
print(input.grad.sum(dim=1))
