"""Programs the tests run: the seed tutorials' examples, written anew for this project.

Three of them are the app's bundled examples, read from there so the two cannot drift apart.
"""

from explorer.examples import example

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

ZERO_BEFORE_BACKWARD = example("zero_before_backward").source()

SQUARE_PLUS_THREE = """\
import torch
x = torch.tensor(2.0, requires_grad=True)
y = 2 * x**2 + 3
y.backward()
print(x.grad)
"""

LINEAR_LAYER = example("linear_layer").source()

ACCUMULATE_AND_ZERO = example("accumulate_and_zero").source()

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


def line_of(source: str, text: str, occurrence: int = 1) -> int:
    """The 1-based line of the ``occurrence``-th code line (not a comment) containing ``text``."""
    lines = [number for number, line in enumerate(source.splitlines(), 1)
             if text in line and not line.lstrip().startswith("#")]
    return lines[occurrence - 1]

# A residual loop: {turns} identical turns, three nodes each (a big one opens as a summary)
RESIDUAL_LOOP = """\
import torch
h = torch.tensor([0.5, -0.25], requires_grad=True)
w = torch.tensor([0.9, 1.1], requires_grad=True)
for step in range({turns}):
    h = h + torch.tanh(h * w)
loss = h.sum()
loss.backward()
"""
