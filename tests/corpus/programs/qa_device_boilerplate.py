# Kind: forum answer (device-agnostic code)
# Pattern: device = torch.device("cuda" if torch.cuda.is_available() else "cpu"), model.to(device), tensors created on device, .cpu() for printing
import torch
import torch.nn as nn

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
print("device:", device)
print(torch.cuda.is_available(), torch.cuda.device_count())

torch.manual_seed(0)
model = nn.Linear(3, 2).to(device)
x = torch.randn(4, 3, device=device)
target = torch.zeros(4, 2).to(device)

loss = nn.MSELoss()(model(x), target)
loss.backward()
print(loss.item())
print(model.weight.grad.cpu())
print(x.device, model.weight.device, next(model.parameters()).is_cuda)
y = x.to("cpu", dtype=torch.float64)
print(y.dtype)
