"""What each bundled program teaches: its section of the gallery, an explanation, and its results.

``expected`` holds the results the explanation states, as Python expressions evaluated after
the program ran (``"x.grad"``) with the value they should have. Tests evaluate them on the same
program run by real PyTorch, so a lesson can never state a number torch does not produce.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

BASICS = "First gradients"
GRAPH = "How the graph works"
ACTIVATIONS = "Activations and depth"
NON_DIFFERENTIABLE = "Non-differentiable operations"
NETWORKS = "Small networks"
SECTIONS = (BASICS, GRAPH, ACTIVATIONS, NON_DIFFERENTIABLE, NETWORKS)


@dataclass(frozen=True)
class Lesson:
    section: str
    explanation: str
    expected: dict[str, Any] = field(default_factory=dict)
    error: str = ""  # a part of the error message the program is meant to end with


LESSONS: dict[str, Lesson] = {
    "polynomial": Lesson(
        BASICS,
        "Every operator in y = 5x³ + 2x² + 4x + 8 becomes one node. Stepping backward, each "
        "term sends its own share to x: 60 from 5x³, 8 from 2x², 4 from 4x. The collector of x "
        "adds them: 15x² + 4x + 4 = 72 at x = 2.",
        {"y": 64.0, "x.grad": 72.0},
    ),
    "quadratic": Lesson(
        BASICS,
        "The same idea on a one-element tensor: x² sends 2x = 4 and 3x sends 3, so x.grad holds "
        "[7]. The shape of the gradient always matches the shape of x.",
        {"x.grad": [7.0]},
    ),
    "square_plus_three": Lesson(
        BASICS,
        "The smallest chain: Pow sends 2x times what Mul gives it (2), so dy/dx = 4x = 8. "
        "Adding 3 changes y but not the slope, so Add passes the gradient through untouched.",
        {"y": 11.0, "x.grad": 8.0},
    ),
    "mean_of_vector": Lesson(
        BASICS,
        "backward() without arguments needs a single number. mean() turns three values into "
        "one and hands each element 1/3 of the gradient; the factor 2 in 2x + 1 makes it 2/3.",
        {"x.grad": [2 / 3, 2 / 3, 2 / 3]},
    ),
    "linear_layer": Lesson(
        BASICS,
        "A layer X @ W + b followed by a squared sum. Broadcasting added b to both rows, so "
        "its gradient is the sum of both rows' gradients: b.grad = [12.2, 19.2].",
        {"b.grad": [12.2, 19.2], "W.grad": [[7.24, 11.84], [7.96, 12.36]], "loss": 64.77},
    ),
    "accumulate_and_zero": Lesson(
        GRAPH,
        "Gradients accumulate: a second backward() adds to .grad instead of replacing it. "
        "After x² the gradient is 6; zero_() clears it, so x³ leaves exactly 3x² = 27. "
        "Pick the second pass in the step bar to watch it.",
        {"x.grad": 27.0},
    ),
    "zero_before_backward": Lesson(
        GRAPH,
        "x.grad stays None until a backward pass reaches x, so calling zero_() on it first "
        "fails. The error is the lesson: move the line below z.backward().",
        error="'NoneType' object has no attribute 'zero_'",
    ),
    "chain_rule": Lesson(
        GRAPH,
        "sin(u) with u = x² is two nodes. SinBackward0 multiplies the incoming 1 by cos(u); "
        "PowBackward0 multiplies that by 2x. At x = 1.5: cos(2.25) · 3 = −1.88.",
        {"y": 0.77807, "x.grad": -1.88452},
    ),
    "used_twice": Lesson(
        GRAPH,
        "When one tensor feeds an op twice, each use sends its own gradient, and they add up "
        "at x: 3 from the left factor and 3 from the right give 6 = 2x.",
        {"x.grad": 6.0},
    ),
    "detach_and_no_grad": Lesson(
        GRAPH,
        "detach() gives the same numbers without their history, and torch.no_grad() records "
        "nothing, so both behave like constants. Only the explicit factor x is differentiated: "
        "z = 4x + 20 and dz/dx = 4.",
        {"x.grad": 4.0, "frozen.requires_grad": False, "scale.requires_grad": False},
    ),
    "backward_with_gradient": Lesson(
        GRAPH,
        "A vector has no single slope. backward(gradient=v) computes vᵀ·J, the weighted sum of "
        "the rows of the Jacobian: here x.grad = 2x · v = [2, 0.4, 0.06].",
        {"x.grad": [2.0, 0.4, 0.06]},
    ),
    "retain_graph": Lesson(
        GRAPH,
        "Nodes free what they saved once backward has used it. retain_graph=True keeps it, so "
        "the graph can run again, and the two passes add 12 + 12 = 24 in x.grad.",
        {"x.grad": 24.0},
    ),
    "without_retain_graph": Lesson(
        GRAPH,
        "The same program without retain_graph: the first pass frees x that PowBackward0 saved, "
        "and the second backward() stops with PyTorch's own error.",
        {"x.grad": 12.0},
        error="Trying to backward through the graph a second time",
    ),
    "second_derivative": Lesson(
        GRAPH,
        "With create_graph=True the gradient 3x² = 6.75 is built from recorded operations, so "
        "it has a graph of its own. Its backward gives the second derivative 6x = 9.",
        {"g": 6.75, "x.grad": 9.0},
    ),
    "vanishing_sigmoid": Lesson(
        ACTIVATIONS,
        "The sigmoid's slope is at most 0.25, and the chain rule multiplies ten of them. The "
        "gradient that reaches x is 2.4e-8: in a deep sigmoid network the first layers hardly "
        "learn. Compare with tanh (7.7e-7) and ReLU (1).",
        {"x.grad": 2.4067e-08},
    ),
    "vanishing_tanh": Lesson(
        ACTIVATIONS,
        "tanh has slope 1 at 0, but h + 0.5 pushes it toward 1 where it is flat. Ten small "
        "slopes multiply to 7.7e-7 at x.",
        {"x.grad": 7.6766e-07},
    ),
    "relu_chain": Lesson(
        ACTIVATIONS,
        "ReLU's slope is exactly 1 for positive inputs, so the gradient reaches x unchanged: 1. "
        "That is why deep networks mostly use ReLU and its relatives.",
        {"x.grad": 1.0, "h": 5.5},
    ),
    "exploding_chain": Lesson(
        ACTIVATIONS,
        "The opposite failure: a weight of 3 per layer multiplies the gradient by 3 ten times, "
        "so x.grad = 3¹⁰ = 59049. A learning step this large throws training off.",
        {"x.grad": 59049.0},
    ),
    "round_and_sign": Lesson(
        NON_DIFFERENTIABLE,
        "round() and sign() are flat between their jumps, so their nodes send 0 and x.grad is "
        "all zeros. A comparison such as x > 0 is not differentiable at all: its result has no "
        "graph (requires_grad is False).",
        {"x.grad": [0.0, 0.0, 0.0], "mask.requires_grad": False},
    ),
    "straight_through": Lesson(
        NON_DIFFERENTIABLE,
        "ste_round and ste_sign are built into the code box: custom autograd Functions that "
        "round (or take the sign) forward but pretend to be the identity backward (sign only "
        "where |x| ≤ 1). x.grad = [3, 2, 2] instead of zeros.",
        {"x.grad": [3.0, 2.0, 2.0], "q": [0.0, 2.0, -2.0]},
    ),
    "softmax_cross_entropy": Lesson(
        NETWORKS,
        "cross_entropy applies log-softmax and picks the target's entry. Its gradient is neat: "
        "softmax minus the one-hot target, divided by the batch size 2. The target's entry is "
        "the only negative one in each row.",
        {"loss": 1.41854, "logits.grad": [[-0.1705, 0.1212, 0.0493], [0.0543, 0.4012, -0.4555]]},
    ),
    "mlp_four_points": Lesson(
        NETWORKS,
        "A hidden layer of three tanh units and a linear output, on XOR's four points. "
        "Backward runs through the mean squared error, the output layer, tanh and the first "
        "layer; loss = 0.660 and b2.grad = −0.224.",
        {"loss": 0.66039, "b2.grad": [-0.2237]},
    ),
}
