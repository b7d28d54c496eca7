# Kind: textbook (reading the dataset in minibatches)
# Pattern: def data_iter(batch_size, features, labels) shuffling with torch.randperm and yielding minibatches, used by a hand-written training loop
import torch


def data_iter(batch_size, features, labels):
    num_examples = len(features)
    indices = torch.randperm(num_examples)
    for i in range(0, num_examples, batch_size):
        batch_indices = indices[i: min(i + batch_size, num_examples)]
        yield features[batch_indices], labels[batch_indices]


torch.manual_seed(0)
true_w = torch.tensor([2.0, -3.4])
features = torch.randn(30, 2)
labels = (features @ true_w + 4.2).reshape(-1, 1)

w = torch.zeros(2, 1, requires_grad=True)
b = torch.zeros(1, requires_grad=True)
batch_size = 10
for X, y in data_iter(batch_size, features, labels):
    print(X.shape, y.shape)
    break

for epoch in range(3):
    for X, y in data_iter(batch_size, features, labels):
        l = ((X @ w + b - y) ** 2 / 2).sum()
        l.backward()
        with torch.no_grad():
            for param in [w, b]:
                param -= 0.03 * param.grad / batch_size
                param.grad.zero_()
    with torch.no_grad():
        print(f"epoch {epoch + 1}, loss {float(((features @ w + b - labels) ** 2 / 2).mean()):f}")
