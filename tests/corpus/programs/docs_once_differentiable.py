# Kind: official docs (extending torch.autograd)
# Pattern: a clipped-identity Function whose backward is decorated with @once_differentiable
import torch
from torch.autograd.function import once_differentiable


class ClipGrad(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, bound):
        ctx.bound = bound
        return x.view_as(x)

    @staticmethod
    @once_differentiable
    def backward(ctx, grad_output):
        return grad_output.clamp(-ctx.bound, ctx.bound), None


w = torch.tensor([0.5, -3.0, 2.0], requires_grad=True)
out = ClipGrad.apply(w * 4, 1.0)
loss = (out ** 2).sum()
loss.backward()
print(loss.item())
print(w.grad)
