# Kind: official docs (extending torch.autograd)
# Pattern: LinearFunction with separate setup_context, ctx.needs_input_grad, optional bias, wrapped in a function and gradchecked
import torch
from torch.autograd import Function


class LinearFunction(Function):
    @staticmethod
    def forward(input, weight, bias):
        output = input.mm(weight.t())
        if bias is not None:
            output += bias.unsqueeze(0).expand_as(output)
        return output

    @staticmethod
    def setup_context(ctx, inputs, output):
        input, weight, bias = inputs
        ctx.save_for_backward(input, weight, bias)

    @staticmethod
    def backward(ctx, grad_output):
        input, weight, bias = ctx.saved_tensors
        grad_input = grad_weight = grad_bias = None

        if ctx.needs_input_grad[0]:
            grad_input = grad_output.mm(weight)
        if ctx.needs_input_grad[1]:
            grad_weight = grad_output.t().mm(input)
        if bias is not None and ctx.needs_input_grad[2]:
            grad_bias = grad_output.sum(0)

        return grad_input, grad_weight, grad_bias


def linear(input, weight, bias=None):
    return LinearFunction.apply(input, weight, bias)


torch.manual_seed(1)
x = torch.randn(4, 3)
weight = torch.randn(2, 3, requires_grad=True)
bias = torch.randn(2, requires_grad=True)
out = linear(x, weight, bias)
out.pow(2).mean().backward()
print(weight.grad)
print(bias.grad)

ref = torch.nn.functional.linear(x, weight, bias).pow(2).mean()
gw, gb = torch.autograd.grad(ref, (weight, bias))
print(torch.allclose(gw, weight.grad), torch.allclose(gb, bias.grad))

inputs = (torch.randn(5, 3, dtype=torch.double, requires_grad=True),
          torch.randn(2, 3, dtype=torch.double, requires_grad=True))
print(torch.autograd.gradcheck(linear, inputs, eps=1e-6, atol=1e-4))
