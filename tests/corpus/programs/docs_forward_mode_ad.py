# Kind: official tutorial (forward-mode automatic differentiation)
# Pattern: torch.autograd.forward_ad dual_level, make_dual and unpack_dual for a JVP, compared with a reverse-mode vector-Jacobian product
import torch
import torch.autograd.forward_ad as fwAD


def fn(x, y):
    return x ** 2 + y ** 2


primal = torch.tensor([1.0, 2.0, 3.0])
tangent = torch.tensor([1.0, 0.0, 0.5])
y = torch.tensor([0.5, 0.5, 0.5])

with fwAD.dual_level():
    dual_input = fwAD.make_dual(primal, tangent)
    dual_output = fn(dual_input, y)
    jvp = fwAD.unpack_dual(dual_output).tangent
print(jvp)

x = primal.clone().requires_grad_(True)
out = fn(x, y)
out.backward(tangent)
print(x.grad, torch.allclose(x.grad, jvp))
