# Kind: forum answer (finding where a NaN gradient comes from)
# Pattern: torch.autograd.set_detect_anomaly(True) with a sqrt at zero, torch.isnan on the gradient, the fix with an epsilon
import torch

torch.autograd.set_detect_anomaly(True)
x = torch.tensor([0.0, 1.0, 4.0], requires_grad=True)
dist = torch.sqrt(x + 1e-12).sum()
dist.backward()
print(torch.isnan(x.grad).any().item(), x.grad)
torch.autograd.set_detect_anomaly(False)

x.grad = None
with torch.autograd.detect_anomaly():
    safe = torch.sqrt(x + 1e-6).sum()
    safe.backward()
print(x.grad)
