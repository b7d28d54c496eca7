# Kind: textbook (softmax regression from scratch)
# Pattern: softmax and cross_entropy written as functions with fancy indexing y_hat[range(len(y_hat)), y], an accuracy helper, an updater
import torch


def softmax(X):
    X_exp = torch.exp(X)
    partition = X_exp.sum(1, keepdim=True)
    return X_exp / partition


def net(X):
    return softmax(torch.matmul(X.reshape((-1, W.shape[0])), W) + b)


def cross_entropy(y_hat, y):
    return - torch.log(y_hat[range(len(y_hat)), y])


def accuracy(y_hat, y):
    """Count the correct predictions."""
    if len(y_hat.shape) > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(axis=1)
    cmp = y_hat.type(y.dtype) == y
    return float(cmp.type(y.dtype).sum())


def updater(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()


torch.manual_seed(0)
num_inputs, num_outputs = 8, 3
W = torch.normal(0, 0.01, size=(num_inputs, num_outputs), requires_grad=True)
b = torch.zeros(num_outputs, requires_grad=True)

X = torch.normal(0, 1, (2, 5))
X_prob = softmax(X)
print(X_prob, X_prob.sum(1))

y = torch.tensor([0, 2])
y_hat = torch.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])
print(y_hat[[0, 1], y])
print(cross_entropy(y_hat, y))
print(accuracy(y_hat, y) / len(y))

features = torch.randn(24, num_inputs)
labels = torch.randint(0, num_outputs, (24,))
for epoch in range(3):
    for start in range(0, 24, 8):
        X_batch, y_batch = features[start:start + 8], labels[start:start + 8]
        l = cross_entropy(net(X_batch), y_batch)
        l.sum().backward()
        updater([W, b], 0.1, X_batch.shape[0])
    print(f"epoch {epoch + 1}: train acc {accuracy(net(features), labels) / len(labels):.3f}")
