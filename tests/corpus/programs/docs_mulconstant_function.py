# Kind: official docs (extending torch.autograd)
# Pattern: MulConstant taking a non-tensor argument kept on ctx, backward returning None for it
import torch


class MulConstant(torch.autograd.Function):
    @staticmethod
    def forward(ctx, tensor, constant):
        ctx.constant = constant
        return tensor * constant

    @staticmethod
    def backward(ctx, grad_output):
        # the constant is not a tensor, so it gets no gradient
        return grad_output * ctx.constant, None


a = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
b = MulConstant.apply(a, 5.5)
c = b.sum()
c.backward()
print(b)
print(a.grad)
print(type(b.grad_fn).__name__)
