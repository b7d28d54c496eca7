# Kind: forum question (fails on purpose: custom Function returns too few gradients)
# Pattern: a Function with two inputs whose backward returns one gradient; the engine rejects it during backward
import torch


class ScaleBy(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, factor):
        ctx.save_for_backward(factor)
        return x * factor

    @staticmethod
    def backward(ctx, grad_output):
        factor, = ctx.saved_tensors
        return grad_output * factor


x = torch.tensor([1.0, 2.0], requires_grad=True)
factor = torch.tensor(3.0, requires_grad=True)
out = ScaleBy.apply(x, factor).sum()
print(out)
out.backward()
print(x.grad)
