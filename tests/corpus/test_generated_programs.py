"""Random programs in the grown language give the same output, passes and gradients as Python.

Hypothesis writes small programs from pieces tutorials use: functions with defaults, closures,
``*args``/``**kwargs``, recursion and ``return``, lambdas, ``while`` loops with a counter,
``try``/``except``/``else`` around a user ``raise``, small classes with methods and a
user-defined operator, dict and set literals and comprehensions, and tensor arithmetic on leaves
that require grad, ending in ``backward()`` or ``torch.autograd.grad``. Each runs under real Python (trusted: this test's own text) and in the code
box, and the two runs are compared like a corpus program.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.corpus.compare import compare, run_source_in_code_box, run_source_in_python

GENERATED = Path("generated_program.py")  # a name for tracebacks; no file is written

PRELUDE = """\
import torch


def scale(t, k={k}):
    return t * k


def make_shift(c):
    def shift(t):
        return t + c
    return shift


def apply_all(t, *functions, **options):
    for function in functions:
        t = function(t)
    return t * options.get("gain", 1.0)


def repeat(t, n):
    if n == 0:
        return t
    return repeat(torch.sin(t) + a, n - 1)


def checked(t, limit):
    if t.abs().max() > limit:
        raise ValueError("too big")
    return t


class Scaled:
    def __init__(self, k):
        self.k = k

    def __mul__(self, t):
        return t * self.k

    def __repr__(self):
        return f"Scaled({{self.k}})"


class Affine:
    def __init__(self, w, b=0.0):
        self.w = w
        self.b = b

    def forward(self, t):
        return t * self.w + self.b

    def twice(self, t):
        return self.forward(self.forward(t))


a = torch.tensor({a}, requires_grad=True)
b = torch.tensor({b}, requires_grad=True)
coeffs = {{"low": {low}, "high": {high}}}
shift = make_shift({c})
square = lambda t: t * t
layer = Affine(b, {bias})
h = a
"""

small = st.sampled_from([-1.5, -1.0, -0.5, -0.25, 0.25, 0.5, 0.75, 1.0, 1.25, 2.0])


def _steps() -> st.SearchStrategy[str]:
    """One statement (or block) that makes a new ``h`` from the old one and the leaves."""
    count = st.integers(min_value=0, max_value=4)
    return st.one_of(
        st.just("h = scale(h)"),
        small.map(lambda k: f"h = scale(h, k={k})"),
        st.just("h = shift(h)"),
        st.just("h = torch.tanh(square(h))"),
        small.map(lambda k: f"h = (lambda t, s={k}: t * s + b)(h)"),
        st.tuples(count, small).map(lambda item: (
            f"i = 0\nwhile i < {item[0]}:\n    h = torch.sin(h) * {item[1]} + a\n    i += 1")),
        st.just("h = layer.forward(h)"),
        st.just("h = torch.tanh(layer.twice(h))"),
        st.sampled_from(["low", "high"]).map(lambda key: f'h = h * coeffs["{key}"] + b'),
        st.just("h = h + sum({k: v * b for k, v in coeffs.items()}.values())"),
        count.map(lambda n: f"h = h * len({{j % 3 for j in range({n + 1})}})"),
        st.just("h = h + len({1, 2, 2, 3}) * a"),
        st.just("parts = [h * w for w in sorted({0.5, -1.0})]\nh = parts[0] + parts[1]"),
        small.map(lambda k: f"h = apply_all(h, shift, square, gain={k})"),
        st.just("h = apply_all(h, torch.tanh)"),
        count.map(lambda n: f"h = repeat(h, {n})"),
        small.map(lambda limit: (f"try:\n    h = checked(h, {abs(limit)})\nexcept ValueError as error:\n"
                                 "    print(error)\n    h = torch.tanh(h)\nelse:\n    h = h * 0.5")),
        small.map(lambda k: f"scaler = Scaled({k})\nprint(scaler)\nh = scaler * h"),
    )


@st.composite
def programs(draw: st.DrawFn) -> str:
    values = {name: draw(small) for name in ("k", "low", "high", "c", "bias")}
    vector = draw(st.lists(small, min_size=1, max_size=3))
    scalar = draw(small)
    prelude = PRELUDE.format(a=vector, b=scalar, **values)
    body = "\n".join(draw(st.lists(_steps(), min_size=1, max_size=6)))
    ending = draw(st.sampled_from([
        "loss = h.sum()\nloss.backward()",
        "loss = (h * h).mean()\nloss.backward()",
        "loss = h.sum()\ngrads = torch.autograd.grad(loss, [a, b], allow_unused=True)\nprint(grads)",
    ]))
    printing = 'print(f"loss = {loss.item():.5f}")\nprint(a.grad, b.grad)'
    return f"{prelude}{body}\n{ending}\n{printing}\n"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs())
def test_random_program_matches_python(source: str) -> None:
    python = run_source_in_python(source, GENERATED)
    assert python.error is None, (python.error, source)
    found = compare(python, run_source_in_code_box(source))
    assert found.matches, f"{found.report()}\n--- program ---\n{source}"
