# Kind: official docs (module buffers and parameter containers)
# Pattern: register_buffer for a running mean and a mask, nn.ParameterList of per-layer scales, buffers() versus parameters(), extra_repr
import torch
import torch.nn as nn


class ScaledStack(nn.Module):
    def __init__(self, dim, depth):
        super().__init__()
        self.scales = nn.ParameterList([nn.Parameter(torch.ones(dim) * (i + 1)) for i in range(depth)])
        self.register_buffer("running_mean", torch.zeros(dim))
        self.register_buffer("mask", torch.tensor([1.0, 0.0, 1.0]))

    def forward(self, x):
        if self.training:
            with torch.no_grad():
                self.running_mean.mul_(0.9).add_(0.1 * x.mean(dim=0))
        for scale in self.scales:
            x = torch.tanh(x * scale * self.mask)
        return x

    def extra_repr(self):
        return f"depth={len(self.scales)}"


torch.manual_seed(0)
stack = ScaledStack(3, 2)
print(stack)
print([name for name, _ in stack.named_buffers()])
print(sum(p.numel() for p in stack.parameters()))
out = stack(torch.randn(4, 3))
out.sum().backward()
print(stack.running_mean)
print(stack.scales[0].grad)
print(stack.scales[1].grad)
