# Kind: official tutorial (nn.Module hooks)
# Pattern: forward hook and full backward hook with user functions printing shapes, removed through their handles
import torch
import torch.nn as nn

torch.manual_seed(0)
net = nn.Sequential(nn.Linear(4, 3), nn.Tanh(), nn.Linear(3, 1))


def forward_hook(module, inputs, output):
    print(f"forward  {module.__class__.__name__}: in {tuple(inputs[0].shape)} out {tuple(output.shape)}")


def backward_hook(module, grad_input, grad_output):
    print(f"backward {module.__class__.__name__}: grad_output {grad_output[0].norm():.4f}")


handles = []
for layer in net:
    handles.append(layer.register_forward_hook(forward_hook))
    handles.append(layer.register_full_backward_hook(backward_hook))

x = torch.randn(2, 4)
out = net(x).sum()
out.backward()

for handle in handles:
    handle.remove()

print(net[0].weight.grad)
