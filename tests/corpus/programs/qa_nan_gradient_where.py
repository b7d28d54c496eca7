# Kind: forum answer (NaN gradients from torch.where)
# Pattern: torch.where(x > 0, torch.sqrt(x), 0) still gives NaN for x < 0; the fix masks the input before sqrt
import torch

x = torch.tensor([-1.0, 0.0, 4.0], requires_grad=True)
y = torch.where(x > 0, torch.sqrt(x), torch.zeros_like(x))
y.sum().backward()
print(y)
print(x.grad)

x.grad = None
safe = torch.where(x > 0, x, torch.ones_like(x))
y = torch.where(x > 0, torch.sqrt(safe), torch.zeros_like(x))
y.sum().backward()
print(x.grad)
print(torch.isnan(x.grad).any().item())
