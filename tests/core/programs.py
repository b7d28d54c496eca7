"""Programs the tests run: the seed tutorials' examples, written anew for this project."""

POLYNOMIAL = """\
import torch
x = torch.tensor(2.0, requires_grad=True)
y = 5 * x ** 3 + 2 * x ** 2 + 4 * x + 8
print(f"Function output: {y}")
y.backward()
grad = x.grad
print(f"Gradient of x: {grad}")
"""

QUADRATIC_VECTOR = """\
import torch
x = torch.tensor([2.0], requires_grad=True)
y = x**2 + 3*x + 1
y.backward()
print("Gradient of x:", x.grad)
"""

MEAN_OF_VECTOR = """\
import torch
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = 2 * x + 1
z = y.mean()
z.backward()
print(x.grad)
"""

ZERO_BEFORE_BACKWARD = """\
import torch
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = 2 * x + 1
z = y.mean()
x.grad.zero_()
z.backward()
print(x.grad)
"""

SQUARE_PLUS_THREE = """\
import torch
x = torch.tensor(2.0, requires_grad=True)
y = 2 * x**2 + 3
y.backward()
print(x.grad)
"""

LINEAR_LAYER = """\
import torch
W = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
b = torch.tensor([0.5, 1.0], requires_grad=True)
X = torch.tensor([[1.0, 0.5], [0.2, 0.8]])
y = torch.matmul(X, W) + b
loss = torch.sum(y**2)
loss.backward()
print("Gradient of weights W: ", W.grad)
print("Gradient of bias b:", b.grad)
"""

ACCUMULATE_AND_ZERO = """\
import torch
x = torch.tensor(3.0, requires_grad=True)
y = x**2
y.backward()
print("Gradient of x after first backward pass: ", x.grad)
x.grad.zero_()
y = x**3
y.backward()
print("Gradient of x after zero_() and the second backward pass: ", x.grad)
"""

PRINT_LEAF = """\
import torch
tensor = torch.tensor(2.0, requires_grad=True)
print(tensor)
"""

SEEDS = {
    "polynomial": POLYNOMIAL,
    "quadratic_vector": QUADRATIC_VECTOR,
    "mean_of_vector": MEAN_OF_VECTOR,
    "zero_before_backward": ZERO_BEFORE_BACKWARD,
    "square_plus_three": SQUARE_PLUS_THREE,
    "linear_layer": LINEAR_LAYER,
    "accumulate_and_zero": ACCUMULATE_AND_ZERO,
    "print_leaf": PRINT_LEAF,
}
