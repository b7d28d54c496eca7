"""The code box runs the Python and PyTorch that tutorials use, printing exactly what Python prints."""

import pytest

from explorer.core import run_program
from tests.core.checks import assert_matches_torch

PROGRAMS = {
    "tuple_unpacking": "a, (b, c) = 1, (2.5, 'x')\nprint(a, b, c, sep='|', end='!\\n')\n",
    "augmented": "t = torch.ones(3)\nt += 2\nt *= torch.arange(3.0)\nn = 5\nn //= 2\nn **= 3\nprint(t, n)\n",
    "loops_and_if": (
        "total = 0.0\nfor i in range(10):\n    if i % 2 == 0:\n        total += i\n    elif i == 7:\n"
        "        continue\n    else:\n        total -= 0.5\n    if i > 8:\n        break\nprint(total)\n"
    ),
    "for_else": "for i in range(3):\n    pass\nelse:\n    print('done', i)\n",
    "slicing": (
        "A = torch.arange(24.0).reshape(2, 3, 4)\nprint(A[:, 0], A[..., -1], A[None, 1, ::2].shape)\n"
        "print(A[0, 1:3, [0, 2]])\nL = [1, 2, 3, 4]\nprint(L[::-1], L[1:-1], 'hello'[1:3])\n"
    ),
    "fstrings": (
        "x = torch.tensor(2.0, requires_grad=True)\ny = x ** 3\nv = 3.14159\n"
        "print(f'{v:.2f}|{v:>10.3e}|{7:04d}|{y}|{y:.3f}|{x!r}|{\"s\"!s:^5}|{v=}')\n"
    ),
    "format_method_and_percent": "print('{} and {:.2f} and {name}'.format(1, 2.5, name='n'), '%5.1f%%' % 3.14)\n",
    "comprehensions": (
        "xs = [torch.tensor(float(i)) for i in range(4) if i != 2]\ns = sum(x * 2 for x in xs)\n"
        "print(s, [i * j for i in range(3) for j in range(2)], len(xs))\n"
    ),
    "builtins": (
        "print(abs(-3), min(3, 1, 2), max([4, 9, 2]), round(2.567, 2), int(3.9), float('1.5'),"
        " bool(0), list(range(3)), tuple('ab'), sorted([3, 1, 2]), list(zip([1, 2], 'ab')),"
        " list(enumerate('xy')), list(reversed([1, 2])), any([0, 1]), all([1, 0]), str(5), repr('q'))\n"
    ),
    "math_constants": "import math\nprint(math.pi, math.e, torch.pi, math.sqrt(2.0))\n",
    "dtypes_and_shapes": (
        "x = torch.zeros(2, 3, dtype=torch.float64)\nprint(x.dtype, x.shape, x.size(1), x.ndim,"
        " x.numel(), x.T.shape, x.is_leaf, x.requires_grad, x.float().dtype)\n"
    ),
    "no_grad_and_detach": (
        "x = torch.tensor(2.0, requires_grad=True)\nwith torch.no_grad():\n    y = x * 3\n"
        "z = x.detach() * 3\nw = x * 3\nprint(y.requires_grad, z.requires_grad, w.requires_grad,"
        " w.grad_fn.name(), y.grad_fn is None)\n"
    ),
    "enable_grad_inside_no_grad": (
        "x = torch.tensor(2.0, requires_grad=True)\nwith torch.no_grad():\n    with torch.enable_grad():\n"
        "        y = x * 2\nprint(y.requires_grad)\n"
    ),
    "nn_functions": (
        "import torch.nn.functional as F\nlogits = torch.tensor([[1.0, 2.0, 0.5], [0.1, 0.2, 3.0]],"
        " requires_grad=True)\ntarget = torch.tensor([1, 2])\nloss = F.cross_entropy(logits, target)\n"
        "loss.backward()\nprint(loss, F.softmax(logits, dim=1).sum(dim=1), F.relu(torch.tensor(-1.0)))\n"
    ),
    "random_is_reproducible": "torch.manual_seed(42)\nprint(torch.randn(3), torch.rand(2, 2), torch.randint(0, 10, (4,)))\n",
    "matmul_operator": (
        "A = torch.randn(3, 4, requires_grad=True)\nB = torch.randn(4, 2)\nC = (A @ B).tanh().sum()\n"
        "C.backward()\nprint(A.grad.shape)\n"
    ),
    "max_with_dim": "v = torch.tensor([[1.0, 5.0], [7.0, 2.0]])\nm = v.max(dim=1)\nprint(m.values, m.indices)\nvals, idx = v.min(0)\nprint(vals, idx)\n",
    "setitem_and_data": (
        "w = torch.ones(3, requires_grad=True)\nloss = (w * 2).sum()\nloss.backward()\n"
        "with torch.no_grad():\n    w -= 0.1 * w.grad\nw.grad = None\nb = torch.zeros(3)\nb[1] = 5.0\n"
        "print(w, w.grad, b)\n"
    ),
    "grad_fn_chain": (
        "x = torch.tensor(1.0, requires_grad=True)\ny = (x * 2).exp()\nprint(y.grad_fn.name(),"
        " y.grad_fn.next_functions[0][0].name())\n"
    ),
    "list_methods": "a = [1]\na.append(2)\na.extend([3, 4])\nprint(a, a.pop(), a.index(2), a.count(1))\n",
    "chained_compare_and_boolops": "x = 5\nprint(0 < x < 10, x > 7 or x == 5, not x, x if x else 0, None or 'd')\n",
    "assert_passes": "assert 1 + 1 == 2, 'math works'\nprint('ok')\n",
    "string_join_methods": "print(', '.join(['a', 'b']), 'Ab'.upper(), ' s '.strip(), 'a,b'.split(','))\n",
}


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_program_matches_python(name: str) -> None:
    assert_matches_torch(PROGRAMS[name])


RUNTIME_ERRORS = {
    "shape_mismatch": ("a = torch.ones(2, 3)\nb = torch.ones(4, 5)\nc = a @ b\n", 3),
    "backward_twice": (
        "x = torch.tensor(2.0, requires_grad=True)\ny = x.exp() * x\ny.backward()\ny.backward()\n", 4),
    "non_scalar_backward": ("x = torch.ones(3, requires_grad=True)\ny = x * 2\ny.backward()\n", 3),
    "leaf_in_place": ("x = torch.ones(3, requires_grad=True)\nx.add_(1)\n", 2),
    "undefined_name": ("y = x + 1\n", 1),
    "int_requires_grad": ("x = torch.tensor(2, requires_grad=True)\n", 1),
    "unpack_count": ("a, b = [1, 2, 3]\n", 1),
    "zero_division": ("print(1 / 0)\n", 1),
    "assert_fails": ("assert 1 > 2, 'nope'\n", 1),
}


@pytest.mark.parametrize("name", sorted(RUNTIME_ERRORS))
def test_runtime_error_is_torchs_own_at_its_line(name: str) -> None:
    source, line = RUNTIME_ERRORS[name]
    trace = assert_matches_torch(source)
    assert trace.error is not None and trace.error.kind == "runtime"
    assert trace.error.line == line


@pytest.mark.parametrize("name", ["backward_twice", "non_scalar_backward", "leaf_in_place"])
def test_common_torch_errors_come_with_advice(name: str) -> None:
    trace = run_program(RUNTIME_ERRORS[name][0])
    assert trace.error is not None and len(trace.error.advice) > 20


def test_syntax_error_has_line_and_column() -> None:
    trace = run_program("x = 1\ny = (2 +\n")
    assert trace.error is not None and trace.error.kind == "syntax"
    assert trace.error.line == 2


def test_error_keeps_passes_recorded_before_it() -> None:
    trace = run_program("x = torch.tensor(1.0, requires_grad=True)\n(x * 2).backward()\nboom\n")
    assert trace.error is not None and trace.error.line == 3
    assert len(trace.passes) == 1


def test_iteration_cap_is_configurable() -> None:
    from explorer.core import Limits

    source = "n = 0\nfor i in range(50):\n    n += 1\n"
    assert run_program(source, limits=Limits(max_iterations=50)).ok
    trace = run_program(source, limits=Limits(max_iterations=49))
    assert trace.error is not None and trace.error.kind == "limit" and trace.error.line == 2


def test_default_iteration_cap_allows_a_hundred_thousand() -> None:
    trace = run_program("n = 0\nfor i in range(100000):\n    n += 1\nprint(n)\n")
    assert trace.ok and trace.stdout == "100000\n"
