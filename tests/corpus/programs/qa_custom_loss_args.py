# Kind: Q&A answer (writing a custom loss function)
# Pattern: def with keyword defaults, *args and **kwargs, a recursive helper, a loss built from several terms and backward
import torch


def weighted_mse(pred, target, weight=1.0, reduction="mean"):
    err = weight * (pred - target) ** 2
    return err.mean() if reduction == "mean" else err.sum()


def power(t, n):
    """t ** n by repeated multiplication (recursive)."""
    if n == 0:
        return torch.ones_like(t)
    return t * power(t, n - 1)


def total_loss(pred, target, *regularized, **options):
    loss = weighted_mse(pred, target, **options)
    for param in regularized:
        loss = loss + 0.01 * power(param, 2).sum()
    return loss


w = torch.tensor([0.5, -0.25], requires_grad=True)
b = torch.tensor(0.1, requires_grad=True)
x = torch.tensor([[1.0, 2.0], [3.0, -1.0], [0.0, 1.0]])
target = torch.tensor([1.0, 0.0, 2.0])
pred = x @ w + b
loss = total_loss(pred, target, w, b, weight=2.0, reduction="sum")
loss.backward()
print(f"loss = {loss.item():.4f}")
print(w.grad, b.grad)
print(power(torch.tensor(2.0), 5))
