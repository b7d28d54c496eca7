# Kind: textbook (concise multilayer perceptron)
# Pattern: nn.Sequential(Flatten, Linear, ReLU, Linear), def init_weights(m) with type(m) == nn.Linear and normal_(std=0.01), net.apply, trainer loop
import torch
from torch import nn

net = nn.Sequential(nn.Flatten(),
                    nn.Linear(9, 16),
                    nn.ReLU(),
                    nn.Linear(16, 3))


def init_weights(m):
    if type(m) == nn.Linear:
        nn.init.normal_(m.weight, std=0.01)


net.apply(init_weights)

batch_size, lr, num_epochs = 6, 0.5, 3
loss = nn.CrossEntropyLoss()
trainer = torch.optim.SGD(net.parameters(), lr=lr)

X_all = torch.randn(18, 3, 3)
y_all = torch.randint(0, 3, (18,))
for epoch in range(num_epochs):
    total = 0.0
    for i in range(0, len(X_all), batch_size):
        X, y = X_all[i:i + batch_size], y_all[i:i + batch_size]
        trainer.zero_grad()
        l = loss(net(X), y)
        l.backward()
        trainer.step()
        total += l.item()
    print(f"epoch {epoch + 1}, mean loss {total / 3:.5f}")
