# Kind: forum answer (gradient accumulation over micro-batches)
# Pattern: loss divided by accumulation_steps, optimizer.step() and zero_grad() every few iterations, (i + 1) % k == 0
import torch
import torch.nn as nn

torch.manual_seed(0)
model = nn.Linear(4, 1)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
criterion = nn.MSELoss()
accumulation_steps = 3

inputs = torch.randn(12, 4)
targets = torch.randn(12, 1)

optimizer.zero_grad()
for i in range(6):
    batch, target = inputs[2 * i:2 * i + 2], targets[2 * i:2 * i + 2]
    loss = criterion(model(batch), target) / accumulation_steps
    loss.backward()
    if (i + 1) % accumulation_steps == 0:
        print(f"step after batch {i}: grad norm {model.weight.grad.norm():.5f}")
        optimizer.step()
        optimizer.zero_grad()
print(model.weight.grad)
print(model.bias)
