# Kind: forum answer (zero_grad set_to_none)
# Pattern: optimizer.zero_grad() leaves None, zero_grad(set_to_none=False) leaves zeros, both then accumulate the same gradient
import torch

torch.manual_seed(0)
layer = torch.nn.Linear(2, 1)
opt = torch.optim.SGD(layer.parameters(), lr=0.1)
x = torch.tensor([[1.0, -1.0]])

layer(x).sum().backward()
opt.zero_grad()
print(layer.weight.grad)

layer(x).sum().backward()
opt.zero_grad(set_to_none=False)
print(layer.weight.grad)

layer(x).sum().backward()
print(layer.weight.grad, layer.bias.grad)
