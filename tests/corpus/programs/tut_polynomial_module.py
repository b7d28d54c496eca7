# Kind: official tutorial (learning PyTorch with examples: custom nn Modules)
# Pattern: class Polynomial3(nn.Module) with four nn.Parameter scalars, a string() method, SGD and MSELoss(sum)
import math

import torch


class Polynomial3(torch.nn.Module):
    def __init__(self):
        """
        Four parameters, one per coefficient.
        """
        super().__init__()
        self.a = torch.nn.Parameter(torch.randn(()))
        self.b = torch.nn.Parameter(torch.randn(()))
        self.c = torch.nn.Parameter(torch.randn(()))
        self.d = torch.nn.Parameter(torch.randn(()))

    def forward(self, x):
        return self.a + self.b * x + self.c * x ** 2 + self.d * x ** 3

    def string(self):
        return f'y = {self.a.item()} + {self.b.item()} x + {self.c.item()} x^2 + {self.d.item()} x^3'


x = torch.linspace(-math.pi, math.pi, 100)
y = torch.sin(x)

model = Polynomial3()

criterion = torch.nn.MSELoss(reduction='sum')
optimizer = torch.optim.SGD(model.parameters(), lr=1e-6)
for t in range(100):
    y_pred = model(x)

    loss = criterion(y_pred, y)
    if t % 20 == 19:
        print(t, loss.item())

    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

print(f'Result: {model.string()}')
