"""numpy and torch.distributions in the code box: each program compared with real Python running
it (output, errors, every pass's steps and gradients, every leaf), and hostile programs aimed at
numpy stopped with their line before they allocate or reach anything beyond the allow-list."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer.core import Limits, Trace, run_program
from explorer.core.sandbox.program import RUN_SEED
from explorer.core.sandbox.worker import dump_trace, load_trace
from tests.corpus.compare import compare, run_source_in_code_box, run_source_in_python


def assert_matches_python(source: str) -> Trace:
    """What real Python prints, raises (line and message) and computes, the code box does too."""
    trace = run_source_in_code_box(source)
    found = compare(run_source_in_python(source, Path("numpy_program.py")), trace)
    assert found.matches, found.report()
    return trace


# ----- numpy next to torch, as tutorials use it -------------------------------------------------

ARRAYS = """
import numpy as np
a = np.arange(12).reshape(3, 4)
print(a, a.dtype, a.ndim, a.size, a.shape, a.itemsize, a.T.shape)
print(a[1], a[:, 2], a[1, 2], a[a > 5], a[[0, 2]], a[..., 1], a[None, 0].shape, a[::-1])
print(a.sum(), a.sum(axis=1), a.mean(axis=0), a.max(1), a.min(), a.argmax(), a.argmin(axis=0))
print(a.std(), a.var(ddof=1), a.cumsum(), a.prod(), np.median(a), np.percentile(a, [25, 75]))
b = a.astype(np.float32) / 7
print(b.dtype, b.round(2), np.clip(b, 0.2, 1.0), np.where(b > 0.5, b, 0.0), np.maximum(b, 0.5))
print(np.sqrt(b), np.exp(-b), np.log1p(b), np.tanh(b), np.abs(-b), np.sign(b - 0.5))
print(np.concatenate([a, a]), np.stack([a[0], a[1]]), np.vstack((a[0], a[1])), np.hstack([a[0], a[1]]))
print(np.zeros(3), np.ones((2, 2), dtype=int), np.full((2, 3), 7.5), np.eye(3), np.zeros_like(b))
print(np.arange(1, 10, 2), np.arange(0, 1, 0.25), np.linspace(0, 1, 5), np.empty(2).shape, np.empty_like(a).dtype)
print(np.dot(a, a.T), a @ a.T, np.outer([1, 2], [3, 4]), a.dot(np.ones(4)), np.matmul(a.T, a).shape)
m = np.array([[2.0, 1.0], [1.0, 3.0]])
print(np.linalg.inv(m), np.linalg.det(m), np.linalg.solve(m, [1.0, 2.0]), np.linalg.norm(m))
print(np.allclose(m, m + 1e-9), np.isclose(m, 2.0), np.array_equal(a, a.copy()), np.isnan(np.nan))
print(np.pi, np.e, np.inf, np.nan, np.float32(2.5), np.int64(7) // 2, np.float64(1) / 3)
print(a.dtype == np.int64, a.dtype == "int64", b.dtype == np.float64, np.float32 == b.dtype)
print(type(a).__name__, type(np.float32(1)).__name__, isinstance(a, np.ndarray), type(a) == np.ndarray)
print(a.tolist(), a[0, 0].item(), len(a), list(a[0]), float(a[0, 1]), sum(a[0]), max(a[1]))
print(-a, ~(a > 3), a == 5, 3 < a, a == None, (a > 2) & (a < 9), [1, 1, 1, 1] - a)
print(abs(-a), round(b[0, 1], 2), round(b, 1), 5 in a, 99 not in a, np.int64(2) in [1, 2])
c = np.zeros((2, 2))
c[0] = [1, 2]
c[1, :] = 5
c[c > 4] = -1
c += 1
c *= np.array([1.0, 10.0])
print(c, c ** 2, 2 ** c, c // 2, c % 2, 1 / (c + 3), f"{c[0, 0]:.3f}", "%.2f" % c[0, 1])
print(np.finfo(np.float32).eps, np.finfo(np.float32).eps.item(), np.iinfo(np.int32).max)
print([1, 2] * np.int64(2), np.unique([3, 1, 3]), np.argsort([3.0, 1.0]), np.tile([1, 2], 2))
for i, row in enumerate(a):
    print(i, row, row.sum())
"""


def test_arrays_behave_as_in_python() -> None:
    assert_matches_python(ARRAYS)


RANDOM = """
import numpy as np
np.random.seed(3)
print(np.random.rand(2, 3), np.random.randn(3), np.random.randint(5, size=(2, 2)))
print(np.random.normal(1.0, 2.0, size=3), np.random.uniform(-1, 1, 4), np.random.choice(5, 3))
print(np.random.choice([10, 20, 30], size=5, p=[0.5, 0.25, 0.25]), np.random.permutation(6))
items = np.arange(8)
np.random.shuffle(items)
names = [1, 2, 3, 4]
np.random.shuffle(names)
print(items, names, np.random.random(2), np.random.standard_normal(2))
rng = np.random.default_rng(7)
print(rng.random(3), rng.integers(0, 10, size=4), rng.choice(5, size=2, replace=False))
print(rng.normal(0.0, 1.0, (2, 2)), rng.permutation(4), rng.uniform(size=2))
state = np.random.RandomState(1)
print(state.rand(2), state.randn(2), state.randint(0, 3, 5))
np.random.seed(3)
print(np.random.rand(2))
"""


def test_random_draws_match_python_after_the_same_seed() -> None:
    assert_matches_python(RANDOM)


INTEROP = """
import numpy as np
import torch
import torch.nn as nn

np.random.seed(0)
torch.manual_seed(0)
X = np.random.randn(20, 3).astype(np.float32)
true_w = np.array([[1.5], [-2.0], [0.5]], dtype=np.float32)
y = X @ true_w + 0.1 * np.random.randn(20, 1).astype(np.float32)
Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
model = nn.Linear(3, 1)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
losses = []
for epoch in range(5):
    loss = ((model(Xt) - yt) ** 2).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
    losses.append(loss.item())
print(np.round(np.array(losses), 4), np.mean(losses))
w = model.weight.detach().numpy()
grad = model.weight.grad.numpy()
print(w.dtype, grad, np.linalg.norm(grad))
x = torch.tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
z = (x * torch.as_tensor(np.arange(3))).sum()
z.backward()
print(x.grad, x.grad.numpy() * 2)
t = torch.ones(3)
a = t.numpy()
a[0] = 5.0
t.add_(1)
print(t, a)
v = np.ones(3)
shared = torch.from_numpy(v)
v += 1
print(shared, torch.tensor(v), t + a, t * np.float64(2.0), t @ np.ones(3))
batch = np.random.permutation(20)[:4]
states = [np.ones(2) * i for i in range(3)]
print(Xt[batch].shape, torch.tensor(np.array(states)), torch.tensor(states, dtype=torch.float32))
"""


def test_tensors_and_arrays_share_data_and_gradients_as_in_python() -> None:
    trace = assert_matches_python(INTEROP)
    assert len(trace.passes) == 6  # five training steps and z.backward()


DISTRIBUTIONS = """
import torch
import torch.distributions as dist
from torch.distributions import Categorical, Normal, Bernoulli, Uniform, MultivariateNormal
from torch.distributions.normal import Normal as SameNormal
from torch.distributions.kl import kl_divergence

torch.manual_seed(1)
probs = torch.tensor([0.1, 0.6, 0.3], requires_grad=True)
m = Categorical(probs)
action = m.sample()
loss = -m.log_prob(action) * 2.0
loss.backward()
print(action, loss, probs.grad, m.entropy(), m.probs, m.logits, m.batch_shape, m.event_shape)
print(m.sample((4,)), m.sample((2, 3)).shape, m.enumerate_support())
mu = torch.tensor([0.5, -1.0], requires_grad=True)
sigma = torch.tensor([1.0, 2.0], requires_grad=True)
n = Normal(mu, sigma)
z = n.rsample()
n.log_prob(z).sum().backward()
print(z, mu.grad, sigma.grad, n.mean, n.stddev, n.variance, n.entropy(), n.has_rsample)
print(n.sample((3,)).shape, n.cdf(torch.zeros(2)), n.icdf(torch.tensor([0.5, 0.9])))
b = Bernoulli(logits=torch.tensor([0.0, 2.0]))
print(b.sample(), b.probs, b.log_prob(torch.tensor([1.0, 0.0])), b.mean, b.variance)
u = Uniform(0.0, 2.0)
print(u.sample((3,)), u.low, u.log_prob(torch.tensor(1.0)), u.entropy())
cov = torch.tensor([[1.0, 0.5], [0.5, 2.0]])
mvn = MultivariateNormal(torch.zeros(2), covariance_matrix=cov)
print(mvn.sample(), mvn.log_prob(torch.ones(2)), mvn.scale_tril, mvn.event_shape)
p, q = dist.Normal(torch.zeros(3), torch.ones(3)), SameNormal(torch.ones(3), 2 * torch.ones(3))
print(kl_divergence(p, q), dist.kl_divergence(q, p).sum(), torch.distributions.Normal(0.0, 1.0))
print(isinstance(n, Normal), isinstance(n, dist.Distribution), type(m).__name__, m)
print(dist.Gamma(torch.tensor([2.0]), torch.tensor([1.0])).sample(), dist.Beta(2.0, 3.0).mean)
independent = dist.Independent(dist.Normal(torch.zeros(2, 3), torch.ones(2, 3)), 1)
print(independent.batch_shape, independent.event_shape, independent.log_prob(torch.zeros(2, 3)))
print(dist.OneHotCategorical(torch.tensor([0.2, 0.8])).sample(), dist.Poisson(3.0).sample((3,)))
try:
    Categorical(torch.tensor([0.5, 0.5])).log_prob(torch.tensor(5))
except ValueError as error:
    print("ValueError", str(error)[:60])
"""


def test_distributions_sample_and_differentiate_as_in_python() -> None:
    trace = assert_matches_python(DISTRIBUTIONS)
    assert len(trace.passes) == 2


REINFORCE = """
import numpy as np
import torch
import torch.nn as nn
from torch.distributions import Categorical

torch.manual_seed(0)
np.random.seed(0)
eps = np.finfo(np.float32).eps.item()
policy = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 3), nn.Softmax(dim=-1))
optimizer = torch.optim.Adam(policy.parameters(), lr=0.01)
payout = np.array([0.2, 1.0, 0.5])
for episode in range(8):
    state = torch.from_numpy(np.random.rand(2).astype(np.float32))
    log_probs, rewards = [], []
    for t in range(3):
        m = Categorical(policy(state))
        action = m.sample()
        log_probs.append(m.log_prob(action))
        rewards.append(payout[action.item()] + np.random.normal(0, 0.1))
    returns = torch.tensor(rewards)
    returns = (returns - returns.mean()) / (returns.std() + eps)
    loss = torch.cat([(-lp * r).unsqueeze(0) for lp, r in zip(log_probs, returns)]).sum()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    print(episode, round(float(np.sum(rewards)), 4), loss.item())
"""


def test_reinforce_policy_gradient_matches_python_sample_for_sample() -> None:
    trace = assert_matches_python(REINFORCE)
    assert len(trace.passes) == 8


def test_a_policy_gradient_trace_travels_from_the_worker_to_the_app() -> None:
    """Categorical.log_prob saves an expanded one-element index: it must pickle like any tensor."""
    trace = run_program(REINFORCE)
    assert trace.error is None, trace.error
    back = load_trace(dump_trace(trace))
    assert back.error is None, back.error
    assert back.stdout == trace.stdout and len(back.passes) == len(trace.passes)


FAILING = {
    "shapes_do_not_broadcast": "np.ones(3) + np.ones(4)",
    "negative_size": "np.zeros(-1)",
    "float_size": "np.zeros(2.5)",
    "index_out_of_range": "np.ones(3)[10]",
    "choice_too_many": "np.random.choice(3, 5, replace=False)",
    "singular_matrix": "np.linalg.inv(np.zeros((2, 2)))",
    "matmul_shapes": "np.ones((2, 3)) @ np.ones((2, 3))",
    "ragged_list": "np.array([[1, 2], [3]])",
    "numpy_of_grad_tensor": "x = torch.ones(2, requires_grad=True)\ny = x.numpy()",
    "array_of_grad_tensor": "x = torch.ones(2, requires_grad=True)\ny = np.array(x)",
    "reshape_size": "np.ones(2).reshape(3)",
    "array_plus_none": "np.ones(3) + None",
    "array_less_than_tensor": "np.ones(2) < torch.ones(2)",
    "array_plus_tensor": "np.ones(2) + torch.ones(2)",
    "float_repeats_list": "[1] * np.float64(3)",
    "distribution_bad_scale": "from torch.distributions import Normal\nd = Normal(0.0, -1.0)",
    "sample_shape_int": "from torch.distributions import Normal\ns = Normal(0.0, 1.0).sample(3)",
}


@pytest.mark.parametrize("name", sorted(FAILING))
def test_a_failing_program_fails_at_the_same_line_with_the_same_error(name: str) -> None:
    trace = assert_matches_python("import numpy as np\nimport torch\nprint('start')\n" + FAILING[name] + "\n")
    assert trace.error is not None and trace.error.line >= 4


def test_uninitialised_arrays_show_zeros() -> None:
    """Python's np.empty shows whatever was in the memory; the code box never shows old bytes."""
    trace = run_program("import numpy as np\nprint(np.empty((2, 2)), np.empty_like(np.ones(3)))\n")
    assert trace.error is None, trace.error
    assert trace.stdout == f"{np.zeros((2, 2))} {np.zeros(3)}\n"


# ----- the run's own generator --------------------------------------------------------------

def test_each_run_draws_the_same_numbers_and_leaves_the_process_generator_alone() -> None:
    before = np.random.get_state()
    source = ("import numpy as np\nprint(np.random.rand(3))\nrng = np.random.default_rng()\n"
              "print(rng.random(2))\nnp.random.seed(5)\nprint(np.random.rand())\n")
    first, second = run_program(source), run_program(source)
    after = np.random.get_state()
    assert first.error is None, first.error
    assert first.stdout == second.stdout
    assert first.stdout.splitlines()[0] == str(np.random.RandomState(RUN_SEED).rand(3))
    assert first.stdout.splitlines()[-1] == str(np.random.RandomState(5).rand())
    assert before[0] == after[0] and np.array_equal(before[1], after[1]) and before[2:] == after[2:]


# ----- arrays count in the element budget like tensors --------------------------------------

def test_arrays_are_counted_in_the_element_budget() -> None:
    source = "import numpy as np\nfor i in range(10):\n    b = np.ones(10 ** 6) * 2\n"
    assert run_program(source, limits=Limits(max_total_elements=21_000_000)).error is None
    trace = run_program(source, limits=Limits(max_total_elements=15_000_000))
    assert trace.error is not None and trace.error.kind == "limit" and trace.error.line == 3


def test_views_of_arrays_and_tensors_cost_nothing() -> None:
    source = ("import numpy as np\nimport torch\nt = torch.ones(10 ** 6)\nfor i in range(40):\n"
              "    a = t.numpy()\n    b = a.reshape(1000, 1000).T\n    c = b[10:20]\n")
    # a reshape may copy, so it must fit once; counted forty times it would be 40 million
    assert run_program(source, limits=Limits(max_total_elements=3_000_000)).error is None


# ----- hostile programs ---------------------------------------------------------------------

PRELUDE = "import numpy as np\nimport torch\na = np.ones((100, 100))\n"
FIRST_LINE = PRELUDE.count("\n") + 1

ESCAPES = {
    "object_array_of_function": "b = np.array([print])",
    "object_dtype": "b = np.array([1, 2], dtype=object)",
    "object_dtype_name": "b = np.zeros(3, dtype='O')",
    "object_astype": "b = a.astype(object)",
    "text_array": "b = np.array(['a', 'b'])",
    "text_astype": "b = a.astype('U10')",
    "text_fill": "b = np.full(10 ** 7, 'abc')",
    "structured_dtype": "b = np.zeros(3, dtype='f8,f8')",
    "void_dtype": "b = np.zeros(3, dtype='V1000000')",
    "program_object_in_array": "class A:\n    def __float__(self):\n        return 1.0\nb = np.array([A()])",
    "load": "b = np.load('x.npy')",
    "save": "np.save('x.npy', a)",
    "savetxt": "np.savetxt('x.txt', a)",
    "loadtxt": "b = np.loadtxt('/etc/passwd')",
    "genfromtxt": "b = np.genfromtxt('/etc/passwd')",
    "fromfile": "b = np.fromfile('/etc/passwd')",
    "memmap": "b = np.memmap('x.dat', shape=(10,))",
    "tofile": "a.tofile('x.bin')",
    "ctypes": "c = a.ctypes",
    "array_interface": "c = a.__array_interface__",
    "data_buffer": "c = a.data",
    "base": "c = a.base",
    "view_as_bytes": "c = a.view(np.uint8)",
    "tobytes": "c = a.tobytes()",
    "frombuffer": "c = np.frombuffer(b'abcd', dtype=np.uint8)",
    "lib": "c = np.lib",
    "import_distutils": "import numpy.distutils",
    "testing": "c = np.testing",
    "f2py": "c = np.f2py",
    "ctypeslib": "c = np.ctypeslib",
    "import_ctypeslib": "from numpy import ctypeslib",
    "class_subclasses": "c = a.__class__.__subclasses__()",
    "ndarray_subclasses": "c = np.ndarray.__subclasses__()",
    "ndarray_constructor": "c = np.ndarray((10,))",
    "class_constructor": "c = a.__class__((10,))",
    "type_constructor": "c = type(a)((10,))",
    "subclass_ndarray": "class B(np.ndarray):\n    pass",
    "frompyfunc": "f = np.frompyfunc(print, 1, 1)",
    "vectorize": "f = np.vectorize(print)",
    "apply_along_axis": "np.apply_along_axis(print, 0, a)",
    "set_printoptions": "np.set_printoptions(threshold=10 ** 9)",
    "random_state_internals": "r = np.random.default_rng(0)\nc = r.bit_generator",
    "random_get_state": "s = np.random.get_state()",
    "shuffle_a_function": "np.random.shuffle(print)",
    "set_shape": "a.shape = (10000,)",
    "out_argument": "np.add(a, 1, out=a)",
    "dtype_of_function": "b = np.zeros(3, dtype=print)",
    "scalar_type_init": "np.float32.__init__(a, 1.0)",
    "distribution_private": "d = torch.distributions.Normal(0.0, 1.0)\nc = d._validate_args",
    "distribution_support": "d = torch.distributions.Normal(0.0, 1.0)\nc = d.support",
    "distribution_set": "d = torch.distributions.Normal(0.0, 1.0)\nd.loc = print",
    "distribution_of_function": "d = torch.distributions.Normal(print, 1.0)",
    "distribution_transforms": "import torch.distributions.transforms",
    "distribution_subclass": "class D(torch.distributions.Normal):\n    pass",
}


@pytest.mark.parametrize("name", sorted(ESCAPES))
def test_numpy_escape_is_stopped_with_its_line(name: str, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    trace = run_program(PRELUDE + ESCAPES[name] + "\n", limits=Limits(max_seconds=5.0))
    assert trace.error is not None, f"{name} was not stopped"
    assert trace.error.line >= FIRST_LINE, trace.error
    assert list(tmp_path.iterdir()) == [], f"{name} touched a file"


BOMBS = {
    "zeros": "b = np.zeros(10 ** 10)",
    "ones_square": "b = np.ones((10 ** 5, 10 ** 5))",
    "zeros_shape_tensor": "b = np.zeros(torch.tensor([10 ** 5, 10 ** 5]))",
    "full": "b = np.full((10 ** 5, 10 ** 5), 1.0)",
    "empty": "b = np.empty(10 ** 10)",
    "zeros_like_shape": "b = np.zeros_like(a, shape=(10 ** 5, 10 ** 5))",
    "arange": "b = np.arange(0, 1, 1e-12)",
    "linspace": "b = np.linspace(0, 1, 10 ** 10)",
    "eye": "b = np.eye(10 ** 6)",
    "identity": "b = np.identity(10 ** 6)",
    "diag": "b = np.diag(np.ones(10 ** 5))",
    "tile": "b = np.tile(a, (1000, 1000))",
    "repeat": "b = np.repeat(a, 10 ** 6)",
    "repeat_method": "b = a.repeat(10 ** 6)",
    "outer": "b = np.ones(10 ** 5)\nc = np.outer(b, b)",
    "meshgrid": "b = np.ones(10 ** 5)\nx, y = np.meshgrid(b, b)",
    "broadcast": "b = np.ones((10 ** 5, 1))\nc = b + b.T",
    "broadcast_function": "b = np.ones((10 ** 5, 1))\nc = np.maximum(b, b.T)",
    "broadcast_compare": "b = np.ones((10 ** 5, 1))\nc = b < b.T",
    "matmul_operator": "b = np.ones((4000, 4000))\nc = b @ b",
    "matmul_function": "b = np.ones((4000, 4000))\nc = np.matmul(b, b)",
    "dot": "b = np.ones((3000, 3000))\nc = np.dot(b, b)",
    "dot_method": "b = np.ones((3000, 3000))\nc = b.dot(b)",
    "tensor_matmul_array": "b = np.ones((4000, 4000))\nt = torch.ones(4000, 4000)\nc = t @ b",
    "inverse": "b = np.eye(3000)\nc = np.linalg.inv(b)",
    "svd_full_matrices": "b = np.ones((10 ** 6, 2))\nu, s, v = np.linalg.svd(b)",
    "covariance": "b = np.ones((10 ** 4, 10))\nc = np.cov(b)",
    "fancy_index": "b = np.ones((1000, 1000))\nc = b[[0] * 1000000]",
    "fancy_index_broadcast": "b = np.ones((10000, 10000))\ni = np.arange(10000)\nc = b[i[:, None], i[None, :]]",
    "tolist": "b = np.zeros(2 * 10 ** 6)\nc = b.tolist()",
    "rand": "b = np.random.rand(10 ** 5, 10 ** 5)",
    "randn": "b = np.random.randn(10 ** 10)",
    "normal_size": "b = np.random.normal(size=(10 ** 5, 10 ** 5))",
    "randint_size": "b = np.random.randint(0, 5, size=10 ** 10)",
    "choice_without_replacement": "b = np.random.choice(10 ** 10, 3, replace=False)",
    "permutation": "b = np.random.permutation(10 ** 10)",
    "generator_normal": "r = np.random.default_rng(0)\nb = r.normal(size=10 ** 10)",
    "generator_integers": "r = np.random.default_rng(0)\nb = r.integers(0, 9, size=(10 ** 5, 10 ** 5))",
    "random_state": "r = np.random.RandomState(0)\nb = r.rand(10 ** 5, 10 ** 5)",
    "list_repeated_by_numpy_int": "c = [1] * np.int64(10 ** 9)",
    "text_repeated_by_numpy_int": "c = 'ab' * np.int64(10 ** 9)",
    "nested_list_to_array": "l = [0.0] * 1000000\nb = np.array([l] * 1000000)",
    "list_of_arrays_to_tensor": "b = np.ones(10 ** 6)\nt = torch.tensor([b] * 1000)",
    "iterate": "b = np.zeros(10 ** 7)\nfor v in b:\n    pass",
    "expanded_tensor_sum": "b = torch.ones(1).expand(10 ** 6, 10 ** 6).numpy()\nc = b.sum()",
    "expanded_tensor_times": "b = torch.ones(1).expand(10 ** 6, 10 ** 6).numpy()\nc = b * 2",
    "expanded_tensor_abs": "b = torch.ones(1).expand(10 ** 6, 10 ** 6).numpy()\nc = abs(b)",
    "expanded_tensor_round": "b = torch.ones(1).expand(10 ** 6, 10 ** 6).numpy()\nc = round(b, 2)",
    "expanded_tensor_contains": "b = torch.ones(1).expand(10 ** 6, 10 ** 6).numpy()\nc = 2.0 in b",
    "expanded_tensor_copy": "b = torch.ones(1).expand(10 ** 6, 10 ** 6).numpy()\nc = np.array(b)",
    "expanded_tensor_index": "b = torch.ones(1).expand(10 ** 6, 10 ** 6).numpy()\nc = b[b > 0]",
    "expanded_tensor_imag": "b = torch.ones(1).expand(10 ** 6, 10 ** 6).numpy()\nc = b.imag",
    "expanded_tensor_fill": "b = torch.ones(1).expand(10 ** 6, 10 ** 6).numpy()\nb.fill(0.0)",
    "expanded_tensor_assign": "b = torch.ones(1).expand(10 ** 6, 10 ** 6).numpy()\nb[:] = 0.0",
    "expanded_tensor_add_in_place": "b = torch.ones(1).expand(10 ** 6, 10 ** 6).numpy()\nb += 1",
    "expanded_tensor_shuffle": "b = torch.ones(1).expand(10 ** 6, 10 ** 6).numpy()\nnp.random.shuffle(b)",
    "expanded_tensor_sort": "b = torch.ones(1).expand(10 ** 6, 10 ** 6).numpy()\nb.sort()",
    "print_many_dimensions": "b = np.zeros((2,) * 25)\nprint(b)",
    "sample_shape": "d = torch.distributions.Normal(0.0, 1.0)\ns = d.sample((10 ** 10,))",
    "categorical_sample_shape": "m = torch.distributions.Categorical(torch.ones(3))\ns = m.sample((10 ** 5, 10 ** 5))",
    "broadcast_distribution": "d = torch.distributions.Normal(torch.zeros(10 ** 5, 1), torch.ones(1, 10 ** 5))",
}


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_numpy_bomb_is_stopped_before_it_allocates(name: str) -> None:
    trace = run_program(PRELUDE + BOMBS[name] + "\n", limits=Limits(max_seconds=5.0))
    assert trace.error is not None, f"{name} was not stopped"
    assert trace.error.kind in ("limit", "refused"), trace.error
    assert trace.error.line >= FIRST_LINE, trace.error
    assert "longer than" not in trace.error.message, trace.error  # its own check stopped it


def test_the_lists_are_long_enough() -> None:
    assert len(ESCAPES) >= 50 and len(BOMBS) >= 40


# ----- random array arithmetic against numpy itself -----------------------------------------

_SHAPES = st.lists(st.integers(1, 3), min_size=0, max_size=3).map(tuple)
_OPERATORS = st.sampled_from(["+", "-", "*", "/", "**", "<", "==", "@"])


@settings(max_examples=40, deadline=None)
@given(left=_SHAPES, right=_SHAPES, op=_OPERATORS, seed=st.integers(0, 2 ** 16))
def test_random_array_arithmetic_matches_python(left: tuple[int, ...], right: tuple[int, ...],
                                                op: str, seed: int) -> None:
    source = (f"import numpy as np\nimport torch\nnp.random.seed({seed})\n"
              f"a = np.random.rand(*{left!r})\nb = np.random.rand(*{right!r})\n"
              f"t = torch.from_numpy(b)\nprint(a {op} b)\nprint(t {op} a)\nprint((a {op} t.numpy()).sum())\n")
    assert_matches_python(source)


def test_a_program_that_uses_numpy_keeps_torch_gradients_exact() -> None:
    source = ("import numpy as np\nimport torch\nw = torch.tensor(np.array([0.5, -1.0]), "
              "requires_grad=True)\nx = torch.from_numpy(np.linspace(0, 1, 4))\n"
              "y = (w[0] * x ** 2 + w[1] * torch.sin(x)).sum()\ny.backward()\n")
    trace = run_program(source)
    assert trace.error is None, trace.error
    w = torch.tensor([0.5, -1.0], dtype=torch.float64, requires_grad=True)
    x = torch.linspace(0, 1, 4, dtype=torch.float64)
    expected, = torch.autograd.grad((w[0] * x ** 2 + w[1] * torch.sin(x)).sum(), w)
    leaf = next(leaf for leaf in trace.leaves if leaf.name == "w")
    assert torch.allclose(leaf.grad, expected)
