# Kind: textbook (weight decay)
# Pattern: init_params returning [w, b], l2_penalty function, lambd passed as a keyword, training with a lambda for the net
import torch

n_train, num_inputs, batch_size = 20, 30, 5
true_w, true_b = torch.ones((num_inputs, 1)) * 0.01, 0.05
torch.manual_seed(0)
train_X = torch.randn(n_train, num_inputs)
train_y = train_X @ true_w + true_b + 0.01 * torch.randn(n_train, 1)


def init_params():
    w = torch.normal(0, 1, size=(num_inputs, 1), requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    return [w, b]


def l2_penalty(w):
    return torch.sum(w.pow(2)) / 2


def train(lambd, num_epochs=10, lr=0.003):
    w, b = init_params()
    net = lambda X: torch.matmul(X, w) + b
    loss = lambda y_hat, y: (y_hat - y.reshape(y_hat.shape)) ** 2 / 2
    for epoch in range(num_epochs):
        for i in range(0, n_train, batch_size):
            X, y = train_X[i:i + batch_size], train_y[i:i + batch_size]
            l = loss(net(X), y) + lambd * l2_penalty(w)
            l.sum().backward()
            with torch.no_grad():
                for param in (w, b):
                    param -= lr * param.grad / batch_size
                    param.grad.zero_()
    print('L2 norm of w:', torch.norm(w).item())


train(lambd=0)
train(lambd=3)
