# Kind: course notebook (1-D convolution on a signal)
# Pattern: nn.Conv1d smoothing a noisy sine, a forward pre-hook printing the input shape, F.avg_pool1d, Adam steps
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
t = torch.linspace(0, 2 * math.pi, 32)
clean = torch.sin(t).view(1, 1, -1)
noisy = clean + 0.3 * torch.randn_like(clean)


class Smoother(nn.Module):
    def __init__(self, kernel_size=5):
        super().__init__()
        self.conv = nn.Conv1d(1, 1, kernel_size, padding=kernel_size // 2, bias=False)
        nn.init.constant_(self.conv.weight, 1.0 / kernel_size)

    def forward(self, x):
        return self.conv(x)


def show_input(module, args):
    print(f"{type(module).__name__} gets {tuple(args[0].shape)}")


model = Smoother()
handle = model.conv.register_forward_pre_hook(show_input)
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
for step in range(5):
    optimizer.zero_grad()
    out = model(noisy)
    loss = F.mse_loss(out, clean)
    loss.backward()
    optimizer.step()
    if step == 0:
        handle.remove()
    print(step, f"{loss.item():.5f}")

pooled = F.avg_pool1d(model(noisy), kernel_size=4)
print(pooled.shape)
print(model.conv.weight.data.view(-1))
