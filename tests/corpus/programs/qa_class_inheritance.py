# Kind: Q&A answer (sharing code between models with inheritance)
# Pattern: a base nn.Module with a @property and a helper method, a subclass extending forward through super().forward, a global step counter updated with global
import torch
import torch.nn as nn

step = 0


class BaseRegressor(nn.Module):
    def __init__(self, n_in):
        super().__init__()
        self.linear = nn.Linear(n_in, 1)

    @property
    def n_params(self):
        return sum(p.numel() for p in self.parameters())

    def forward(self, x):
        return self.linear(x)

    def loss(self, x, y):
        return ((self(x) - y) ** 2).mean()


class SquashedRegressor(BaseRegressor):
    def __init__(self, n_in, bound=2.0):
        super().__init__(n_in)
        self.bound = bound

    def forward(self, x):
        return self.bound * torch.tanh(super().forward(x) / self.bound)


def train_step(model, optimizer, x, y):
    global step
    optimizer.zero_grad()
    loss = model.loss(x, y)
    loss.backward()
    optimizer.step()
    step += 1
    return loss.item()


torch.manual_seed(0)
x = torch.randn(8, 2)
y = x[:, :1] - x[:, 1:]
model = SquashedRegressor(2)
print(model.n_params, isinstance(model, BaseRegressor))
optimizer = torch.optim.SGD(model.parameters(), lr=0.3)
for _ in range(10):
    last = train_step(model, optimizer, x, y)
print(f"{step} steps, loss {last:.5f}")
print(model.linear.weight.grad)
