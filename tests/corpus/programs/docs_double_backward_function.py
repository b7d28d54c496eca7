# Kind: official tutorial (double backward with custom functions)
# Pattern: Square Function whose backward uses differentiable ops, second derivative via autograd.grad(create_graph=True), gradgradcheck
import torch


class Square(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 2

    @staticmethod
    def backward(ctx, grad_out):
        x, = ctx.saved_tensors
        return grad_out * 2 * x


x = torch.tensor([1.5, -2.0, 0.5], requires_grad=True)
y = Square.apply(x).sum()
(dx,) = torch.autograd.grad(y, x, create_graph=True)
print(dx)
dx.sum().backward()
print(x.grad)

x = torch.rand(3, 3, requires_grad=True, dtype=torch.double)
print(torch.autograd.gradcheck(Square.apply, x))
print(torch.autograd.gradgradcheck(Square.apply, x))
