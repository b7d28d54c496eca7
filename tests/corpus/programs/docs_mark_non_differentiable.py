# Kind: official docs (extending torch.autograd)
# Pattern: a sort Function returning values and indices, with ctx.mark_non_differentiable on the indices
import torch


class Sort(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        sorted_x, idx = x.sort()
        ctx.mark_non_differentiable(idx)
        ctx.save_for_backward(x, idx)
        return sorted_x, idx

    @staticmethod
    def backward(ctx, g1, g2):
        x, idx = ctx.saved_tensors
        grad_input = torch.zeros_like(x)
        grad_input.index_add_(0, idx, g1)
        return grad_input


x = torch.tensor([3.0, 1.0, 2.0, 5.0], requires_grad=True)
values, indices = Sort.apply(x)
print(values, indices)
print(indices.requires_grad)
weights = torch.arange(1.0, 5.0)
(values * weights).sum().backward()
print(x.grad)
