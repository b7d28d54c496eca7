# Kind: forum answer (printing gradient norms of every layer during backward)
# Pattern: a loop registering lambda hooks that capture the name through a default argument, torch.set_printoptions, print with sep and end
import torch
import torch.nn as nn

torch.set_printoptions(precision=3)
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(2, 3), nn.Sigmoid(), nn.Linear(3, 1))
norms = {}
for name, p in model.named_parameters():
    p.register_hook(lambda grad, name=name: norms.update({name: grad.norm().item()}))

x = torch.randn(5, 2)
loss = model(x).pow(2).mean()
loss.backward()
for name in sorted(norms):
    print(name, f"{norms[name]:.5f}", sep=" -> ", end=" | ")
print()
print(model[0].weight.grad)
print(loss)
