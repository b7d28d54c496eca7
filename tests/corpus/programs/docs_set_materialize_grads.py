# Kind: official docs (extending torch.autograd)
# Pattern: ctx.set_materialize_grads(False) with two outputs, backward handling a None gradient for the unused one
import torch


class SimpleFunc(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.set_materialize_grads(False)
        ctx.save_for_backward(x)
        return x.clone(), x.clone() * 2

    @staticmethod
    def backward(ctx, g1, g2):
        x, = ctx.saved_tensors
        grad_input = torch.zeros_like(x)
        if g1 is not None:
            grad_input += g1
        if g2 is not None:
            grad_input += 2 * g2
        print("g1 is None:", g1 is None, "| g2 is None:", g2 is None)
        return grad_input


a = torch.tensor([1.0, -1.0], requires_grad=True)
first, second = SimpleFunc.apply(a)
first.sum().backward()
print(a.grad)
