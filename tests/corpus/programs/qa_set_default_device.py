# Kind: forum answer (setting a default device)
# Pattern: torch.set_default_device("cpu") guarded by cuda.is_available(), a tensor's device, a tiny gradient check
import torch

if torch.cuda.is_available():
    torch.set_default_device("cuda")
else:
    torch.set_default_device("cpu")

w = torch.tensor([1.0, 2.0], requires_grad=True)
print(w.device)
loss = (w ** 3).sum()
loss.backward()
print(w.grad)
print(w.grad.device.type)
