# Kind: official tutorial (learning PyTorch with examples: nn module)
# Pattern: polynomial features through nn.Sequential(Linear, Flatten), MSELoss(sum), manual update over model.parameters()
import math

import torch

x = torch.linspace(-math.pi, math.pi, 100)
y = torch.sin(x)

p = torch.tensor([1, 2, 3])
xx = x.unsqueeze(-1).pow(p)

model = torch.nn.Sequential(
    torch.nn.Linear(3, 1),
    torch.nn.Flatten(0, 1)
)

loss_fn = torch.nn.MSELoss(reduction='sum')

learning_rate = 1e-5
for t in range(100):
    y_pred = model(xx)

    loss = loss_fn(y_pred, y)
    if t % 25 == 24:
        print(t, loss.item())

    model.zero_grad()

    loss.backward()

    with torch.no_grad():
        for param in model.parameters():
            param -= learning_rate * param.grad

linear_layer = model[0]
print(f'Result: y = {linear_layer.bias.item()} + {linear_layer.weight[:, 0].item()} x + {linear_layer.weight[:, 1].item()} x^2 + {linear_layer.weight[:, 2].item()} x^3')
