# Kind: official docs (torch.no_grad / torch.enable_grad)
# Pattern: functions decorated with @torch.no_grad() and @torch.enable_grad(), grad mode inside and outside
import torch

x = torch.tensor([1.0], requires_grad=True)


@torch.no_grad()
def doubler(x):
    return x * 2


@torch.enable_grad()
def tripler(x):
    return x * 3


z = doubler(x)
print(z.requires_grad)

with torch.no_grad():
    y = tripler(x)
print(y.requires_grad)

y.backward()
print(x.grad)
print(torch.is_grad_enabled())
