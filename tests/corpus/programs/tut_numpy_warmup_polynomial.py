# Kind: official tutorial (learning PyTorch by example: the NumPy warm-up, then tensors and autograd)
# Pattern: fit a cubic to sin(x) with gradients written by hand in NumPy, then the same fit with torch.from_numpy and backward(), gradients compared with np.allclose
import math

import numpy as np
import torch

np.random.seed(42)

# Data: 200 points of sin(x) on one period.
x = np.linspace(-math.pi, math.pi, 200)
y = np.sin(x)

# The NumPy version: forward pass, loss and gradients all by hand.
a, b, c, d = np.random.randn(4)
learning_rate = 1e-6
for t in range(300):
    y_pred = a + b * x + c * x ** 2 + d * x ** 3
    loss = np.square(y_pred - y).sum()
    if t % 100 == 99:
        print(t, round(float(loss), 6))
    grad_y_pred = 2.0 * (y_pred - y)
    grad_a = grad_y_pred.sum()
    grad_b = (grad_y_pred * x).sum()
    grad_c = (grad_y_pred * x ** 2).sum()
    grad_d = (grad_y_pred * x ** 3).sum()
    a -= learning_rate * grad_a
    b -= learning_rate * grad_b
    c -= learning_rate * grad_c
    d -= learning_rate * grad_d
print(f"numpy: y = {a:.4f} + {b:.4f} x + {c:.4f} x^2 + {d:.4f} x^3")

# The same model with tensors: autograd writes the gradients.
xt = torch.from_numpy(x)
yt = torch.from_numpy(y)
coefficients = torch.tensor(np.array([a, b, c, d]), requires_grad=True)
powers = torch.stack([xt ** k for k in range(4)], dim=1)
y_pred = powers @ coefficients
loss = (y_pred - yt).pow(2).sum()
loss.backward()

# The hand-written NumPy gradients at the same point agree with autograd.
residual = 2.0 * (a + b * x + c * x ** 2 + d * x ** 3 - y)
by_hand = np.array([(residual * x ** k).sum() for k in range(4)])
print(coefficients.grad)
print(np.allclose(coefficients.grad.numpy(), by_hand), coefficients.grad.dtype)

# A few autograd steps from there, updating in place under no_grad.
for t in range(3):
    loss = ((powers @ coefficients) - yt).pow(2).sum()
    loss.backward()
    with torch.no_grad():
        coefficients -= learning_rate * coefficients.grad
        coefficients.grad.zero_()
    print(t, loss.item())
print(np.round(coefficients.detach().numpy(), 4))
