# Kind: textbook (multilayer perceptrons from scratch)
# Pattern: parameters as nn.Parameter in a list, relu via torch.max with zeros_like, net using @, CrossEntropyLoss(reduction='none'), torch.optim.SGD(params)
import torch
from torch import nn

torch.manual_seed(0)
num_inputs, num_outputs, num_hiddens = 12, 4, 16

W1 = nn.Parameter(torch.randn(num_inputs, num_hiddens) * 0.01)
b1 = nn.Parameter(torch.zeros(num_hiddens))
W2 = nn.Parameter(torch.randn(num_hiddens, num_outputs) * 0.01)
b2 = nn.Parameter(torch.zeros(num_outputs))

params = [W1, b1, W2, b2]


def relu(X):
    a = torch.zeros_like(X)
    return torch.max(X, a)


def net(X):
    X = X.reshape((-1, num_inputs))
    H = relu(X @ W1 + b1)  # here '@' stands for matrix multiplication
    return (H @ W2 + b2)


loss = nn.CrossEntropyLoss(reduction='none')

num_epochs, lr = 4, 0.1
updater = torch.optim.SGD(params, lr=lr)

X = torch.randn(20, 3, 4)
y = torch.randint(0, num_outputs, (20,))
for epoch in range(num_epochs):
    updater.zero_grad()
    l = loss(net(X), y)
    l.mean().backward()
    updater.step()
    print(f"epoch {epoch + 1}, loss {l.mean():.6f}")
print(relu(torch.tensor([-1.0, 0.0, 2.0])))
