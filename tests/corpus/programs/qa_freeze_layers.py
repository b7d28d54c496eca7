# Kind: forum answer (freezing part of a model)
# Pattern: param.requires_grad = False on the first layer, optimizer over filter(lambda p: p.requires_grad, ...), frozen grads stay None
import torch
import torch.nn as nn

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
for param in model[0].parameters():
    param.requires_grad = False

optimizer = torch.optim.SGD(filter(lambda p: p.requires_grad, model.parameters()), lr=0.1)
x = torch.randn(6, 3)
labels = torch.tensor([0, 1, 1, 0, 1, 0])
for epoch in range(3):
    optimizer.zero_grad()
    loss = nn.functional.cross_entropy(model(x), labels)
    loss.backward()
    optimizer.step()
    print(epoch, round(loss.item(), 5))

print(model[0].weight.grad)
print(model[2].weight.grad is not None)
print([p.requires_grad for p in model.parameters()])
