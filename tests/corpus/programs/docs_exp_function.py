# Kind: official docs (extending torch.autograd)
# Pattern: Exp Function saving its own output, checked against torch.exp and with gradcheck on double inputs
import torch
from torch.autograd import Function, gradcheck


class Exp(Function):
    @staticmethod
    def forward(ctx, i):
        result = i.exp()
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad_output):
        result, = ctx.saved_tensors
        return grad_output * result


x = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
out = Exp.apply(x)
print(out)
out.sum().backward()
print(x.grad)
print(torch.allclose(x.grad, torch.exp(x).detach()))

input = torch.randn(4, dtype=torch.double, requires_grad=True)
test = gradcheck(Exp.apply, (input,), eps=1e-6, atol=1e-4)
print("gradcheck:", test)
