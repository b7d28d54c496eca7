# Kind: forum answer (straight-through estimator for rounding)
# Pattern: a RoundSTE(torch.autograd.Function) whose backward passes the gradient through, used inside an nn.Module's forward
import torch
import torch.nn as nn


class RoundSTE(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return torch.round(x)

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output


class QuantLinear(nn.Module):
    def __init__(self, in_features, out_features, scale=4.0):
        super().__init__()
        self.linear = nn.Linear(in_features, out_features)
        self.scale = scale

    def forward(self, x):
        w_q = RoundSTE.apply(self.linear.weight * self.scale) / self.scale
        return nn.functional.linear(x, w_q, self.linear.bias)


torch.manual_seed(0)
layer = QuantLinear(3, 2)
x = torch.randn(4, 3)
out = layer(x)
print(out.grad_fn)
out.pow(2).mean().backward()
print(layer.linear.weight.grad)
print(layer.linear.bias.grad)
