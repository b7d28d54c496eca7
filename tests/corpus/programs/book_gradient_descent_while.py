# Kind: textbook (gradient descent in one dimension)
# Pattern: f and its gradient through autograd in a while loop that stops when the step is small, with an iteration counter
import torch


def f(x):
    return (x - 3.0) ** 2 + 1.0


x = torch.tensor(10.0, requires_grad=True)
eta = 0.2
steps = 0
while True:
    y = f(x)
    y.backward()
    with torch.no_grad():
        step = eta * x.grad
        x -= step
    x.grad.zero_()
    steps += 1
    if abs(step.item()) < 1e-3 or steps >= 200:
        break
print(f"stopped after {steps} steps at x = {x.item():.5f}, f(x) = {f(x).item():.6f}")
