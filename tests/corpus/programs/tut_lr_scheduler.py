# Kind: official docs (torch.optim: adjusting the learning rate)
# Pattern: SGD with momentum and a StepLR scheduler stepped once per epoch, printing get_last_lr()
import torch
import torch.nn as nn
import torch.optim as optim
from torch.optim.lr_scheduler import StepLR

torch.manual_seed(3)
model = nn.Linear(2, 1)
optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
scheduler = StepLR(optimizer, step_size=3, gamma=0.5)

inputs = torch.randn(16, 2)
targets = inputs @ torch.tensor([[2.0], [-1.0]]) + 0.5

for epoch in range(8):
    optimizer.zero_grad()
    output = model(inputs)
    loss = nn.functional.mse_loss(output, targets)
    loss.backward()
    optimizer.step()
    scheduler.step()
    print(epoch, f"loss={loss.item():.5f}", "lr =", scheduler.get_last_lr())
