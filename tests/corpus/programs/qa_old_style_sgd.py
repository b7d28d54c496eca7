# Kind: forum answer (old-style manual training with .data)
# Pattern: Variable weights, w.data -= lr * w.grad.data, w.grad.data.zero_(), a check function that raises ValueError caught with try/except
import torch
from torch.autograd import Variable


def check_shapes(x, w):
    if x.shape[1] != w.shape[0]:
        raise ValueError(f"cannot multiply {tuple(x.shape)} by {tuple(w.shape)}")
    return True


torch.manual_seed(0)
x = Variable(torch.randn(10, 3))
y = Variable(x.data @ torch.tensor([[1.0], [-2.0], [0.5]]))
w = Variable(torch.zeros(3, 1), requires_grad=True)

try:
    check_shapes(x, torch.zeros(2, 1))
except ValueError as err:
    print("caught:", err)

check_shapes(x, w)
lr = 0.05
for epoch in range(30):
    y_pred = x.mm(w)
    loss = (y_pred - y).pow(2).sum()
    loss.backward()
    w.data -= lr * w.grad.data
    w.grad.data.zero_()
    if epoch % 10 == 0:
        print(epoch, loss.data.item())
print(w.data.view(-1))
