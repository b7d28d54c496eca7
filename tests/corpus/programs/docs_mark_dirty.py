# Kind: official docs (extending torch.autograd)
# Pattern: an in-place custom Function that modifies its input and declares it with ctx.mark_dirty
import torch


class AddOneInplace(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        x.add_(1)
        ctx.mark_dirty(x)
        return x

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output


a = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
b = a.clone()
c = AddOneInplace.apply(b)
print(c is b)
print(c)
(c * c).sum().backward()
print(a.grad)
