# Kind: official docs (torch.nn.init and Module.apply)
# Pattern: def init_weights(m) with isinstance check, xavier_uniform_ and constant_, applied with model.apply
import torch
import torch.nn as nn


def init_weights(m):
    if isinstance(m, nn.Linear):
        torch.nn.init.xavier_uniform_(m.weight)
        m.bias.data.fill_(0.01)


torch.manual_seed(0)
net = nn.Sequential(nn.Linear(2, 2), nn.Sigmoid(), nn.Linear(2, 1))
net.apply(init_weights)
print(net[0].bias)

nn.init.constant_(net[2].weight, 0.5)
nn.init.zeros_(net[2].bias)
x = torch.tensor([[1.0, 2.0], [0.0, -1.0]])
net(x).sum().backward()
print(net[0].weight.grad)
print(net[2].weight.grad)
