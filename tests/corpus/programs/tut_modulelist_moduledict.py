# Kind: official docs (containers: ModuleList and ModuleDict)
# Pattern: residual blocks in nn.ModuleList with LayerNorm and GELU, heads in nn.ModuleDict chosen by key in forward
import torch
import torch.nn as nn


class Block(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.norm = nn.LayerNorm(dim)
        self.fc = nn.Linear(dim, dim)
        self.act = nn.GELU()

    def forward(self, x):
        return x + self.act(self.fc(self.norm(x)))


class MultiHead(nn.Module):
    def __init__(self, dim, depth):
        super().__init__()
        self.blocks = nn.ModuleList([Block(dim) for _ in range(depth)])
        self.heads = nn.ModuleDict({
            'regress': nn.Linear(dim, 1),
            'classify': nn.Linear(dim, 3),
        })

    def forward(self, x, task):
        for i, block in enumerate(self.blocks):
            x = block(x)
        return self.heads[task](x)


torch.manual_seed(0)
model = MultiHead(dim=4, depth=2)
x = torch.randn(5, 4)
out = model(x, 'classify')
loss = nn.functional.cross_entropy(out, torch.tensor([0, 1, 2, 1, 0]))
loss.backward()
print(out.shape, round(loss.item(), 5))
print(model.heads['regress'].weight.grad)
print(model.blocks[0].norm.weight.grad)
