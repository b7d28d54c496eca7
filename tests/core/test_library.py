"""The library tutorials reach for (nn, optim, autograd.functional, legacy names, devices, complex
numbers, hooks, data loading, plotting), each program compared with real Python running it."""

from __future__ import annotations

from pathlib import Path

import pytest

from explorer.core import Trace, run_program
from tests.corpus.compare import compare, run_source_in_code_box, run_source_in_python


def assert_matches_torch(source: str) -> Trace:
    """Printed output, errors (line and message), every pass's steps and gradients, and every
    leaf and parameter equal what real Python does with ``source``."""
    trace = run_source_in_code_box(source)
    found = compare(run_source_in_python(source, Path("library_program.py")), trace)
    assert found.matches, found.report()
    return trace


HEADER = "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\nfrom torch import optim\n"

TRAINING = HEADER + """
torch.manual_seed(4)
model = nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 1))
optimizer = {make}
x = torch.randn(16, 3)
y = x.sum(dim=1, keepdim=True) ** 2
loss_fn = nn.MSELoss()
for step in range(6):
    optimizer.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    optimizer.step()
    print(step, loss.item())
for name, p in model.named_parameters():
    print(name, p.tolist())
"""

OPTIMIZERS = {
    "sgd_momentum": "optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True)",
    "adam": "optim.Adam(model.parameters(), lr=0.01, betas=(0.8, 0.99))",
    "adam_amsgrad": "optim.Adam(model.parameters(), lr=0.01, amsgrad=True)",
    "adamw": "optim.AdamW(model.parameters(), lr=0.01, weight_decay=0.1)",
    "rmsprop": "optim.RMSprop(model.parameters(), lr=0.01, momentum=0.5, centered=True)",
    "adagrad": "optim.Adagrad(model.parameters(), lr=0.1)",
    "adadelta": "torch.optim.Adadelta(model.parameters())",
    "nadam": "optim.NAdam(model.parameters(), lr=0.01)",
    "groups": "optim.SGD([{'params': model[0].parameters()}, {'params': model[2].parameters(), "
              "'lr': 0.001}], lr=0.05)",
}


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_training_loop_matches_python(name: str) -> None:
    trace = assert_matches_torch(TRAINING.format(make=OPTIMIZERS[name]))
    assert len(trace.passes) == 6


SCHEDULERS = HEADER + """
from torch.optim.lr_scheduler import StepLR, LambdaLR, ReduceLROnPlateau, OneCycleLR
import torch.optim.lr_scheduler as schedulers
w = nn.Parameter(torch.ones(2))
def halve(epoch):
    return 0.5 ** epoch
for make in [
    lambda opt: StepLR(opt, step_size=2, gamma=0.1),
    lambda opt: LambdaLR(opt, lr_lambda=halve),
    lambda opt: LambdaLR(opt, [lambda e: 1.0 / (e + 1)]),
    lambda opt: schedulers.MultiStepLR(opt, milestones=[1, 3], gamma=0.5),
    lambda opt: schedulers.ExponentialLR(opt, gamma=0.9),
    lambda opt: schedulers.CosineAnnealingLR(opt, T_max=4),
    lambda opt: OneCycleLR(opt, max_lr=1.0, total_steps=6),
]:
    opt = optim.SGD([w], lr=0.1, momentum=0.9)
    sched = make(opt)
    for epoch in range(5):
        opt.zero_grad()
        (w ** 2).sum().backward()
        opt.step()
        sched.step()
        print(sched.last_epoch, sched.get_last_lr(), opt.param_groups[0]["lr"])
opt = optim.Adam([w], lr=1.0)
plateau = ReduceLROnPlateau(opt, patience=0, factor=0.5)
for metric in [3.0, 2.0, 2.5, 2.6, 1.0]:
    plateau.step(metric)
    print(opt.param_groups[0]["lr"])
for group in opt.param_groups:
    group["lr"] = 0.25
print(opt.param_groups[0]["lr"], opt.defaults["lr"], w.tolist())
print(isinstance(opt, optim.Optimizer), isinstance(plateau, optim.Optimizer),
      isinstance(sched, schedulers.LRScheduler))
"""


def test_lr_schedulers_match_python() -> None:
    assert_matches_torch(SCHEDULERS)


LBFGS = HEADER + """
torch.manual_seed(0)
a = nn.Parameter(torch.tensor([3.0, -1.0]))
optimizer = optim.LBFGS([a], lr=0.5, max_iter=5)
def closure():
    optimizer.zero_grad()
    loss = ((a - torch.tensor([1.0, 2.0])) ** 2).sum()
    loss.backward()
    return loss
for i in range(2):
    print(optimizer.step(closure).item(), a.tolist())
"""


def test_lbfgs_calls_the_program_closure_like_python() -> None:
    trace = assert_matches_torch(LBFGS)
    assert len(trace.passes) > 2  # every closure call is a backward pass


MODULES = HEADER + """
torch.manual_seed(2)
class Block(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(width, width) for _ in range(2)])
        self.norm = nn.LayerNorm(width)
        self.gates = nn.ModuleDict({"relu": nn.ReLU(), "tanh": nn.Tanh()})
    def forward(self, x):
        for layer in self.layers:
            x = self.gates["tanh"](layer(x))
        return self.norm(x)
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.inp = nn.Linear(4, 6)
        self.block = Block(6)
        self.out = nn.Linear(6, 2)
        self.register_buffer("scale", torch.tensor(2.0))
    def forward(self, x):
        return self.out(self.block(F.relu(self.inp(x)))) * self.scale
net = Net()
print(net)
def init(m):
    if isinstance(m, nn.Linear):
        nn.init.xavier_uniform_(m.weight)
        nn.init.constant_(m.bias, 0.1)
net.apply(init)
seen = []
def forward_hook(module, inputs, output):
    print("forward", module.__class__.__name__, tuple(output.shape))
def pre_hook(module, inputs):
    print("pre", type(module).__name__, inputs[0].shape)
def backward_hook(module, grad_input, grad_output):
    seen.append(grad_output[0].norm().item())
handles = [net.inp.register_forward_hook(forward_hook), net.out.register_forward_pre_hook(pre_hook),
           net.out.register_full_backward_hook(backward_hook)]
x = torch.randn(3, 4)
target = torch.tensor([0, 1, 1])
loss = nn.CrossEntropyLoss()(net(x), target)
loss.backward()
for handle in handles:
    handle.remove()
print(seen, loss.item())
print(net.inp.weight.grad, net.block.layers[1].bias.grad)
print(sum(p.numel() for p in net.parameters()), [name for name, _ in net.named_modules()])
print(net.inp.in_features, net.block.norm.normalized_shape, net.scale, len(net.block.layers))
net.eval()
print(net.training, net.block.training, net.block.gates["relu"].training)
net.train()
net.zero_grad()
print(net.inp.weight.grad)
state = net.state_dict()
print(list(state.keys()))
copy = Net()
print(copy.load_state_dict(state))
print(torch.equal(copy.out.weight, net.out.weight))
state["out.bias"] = torch.zeros(2)
print(net.out.bias)
state["inp.bias"].zero_()
print(net.inp.bias)
net.out = nn.Linear(6, 3)
print(net(x).shape, net.double().inp.weight.dtype)
"""


def test_module_subclass_with_hooks_init_and_state_dict_matches_python() -> None:
    assert_matches_torch(MODULES)


LAYERS = HEADER + """
torch.manual_seed(5)
conv = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.BatchNorm2d(2), nn.ReLU(), nn.MaxPool2d(2),
                     nn.Flatten(), nn.Dropout(0.2), nn.Linear(8, 3))
images = torch.randn(4, 1, 4, 4, requires_grad=True)
logits = conv(images)
loss = F.cross_entropy(logits, torch.tensor([0, 1, 2, 1]))
loss.backward()
print(logits, conv[1].running_mean, conv[1].num_batches_tracked, conv[0].kernel_size)
rnn = nn.LSTM(3, 4, num_layers=2, batch_first=True)
out, (h, c) = rnn(torch.randn(2, 5, 3))
print(out.sum(), h.shape, rnn.weight_hh_l1.shape)
gru = nn.GRUCell(3, 2)
print(gru(torch.randn(1, 3)))
embedding = nn.Embedding(10, 3, padding_idx=0)
words = torch.tensor([[0, 2, 5]])
vectors = embedding(words)
vectors.sum().backward()
print(embedding.weight.grad[:3])
bce = nn.BCEWithLogitsLoss(pos_weight=torch.tensor([2.0]))
print(bce(torch.tensor([0.3, -1.2]), torch.tensor([1.0, 0.0])), nn.BCELoss()(torch.sigmoid(
    torch.tensor([0.5])), torch.tensor([1.0])), nn.L1Loss()(torch.ones(2), torch.zeros(2)))
seq = nn.Sequential(nn.Linear(2, 2), nn.ReLU())
seq.append(nn.Linear(2, 1))
seq[0] = nn.Linear(2, 2)
print(seq, seq[-1].out_features, seq[:2], len(seq))
layer = nn.Dropout(0.5)
layer.p = 0.25
print(layer, nn.Parameter(torch.ones(2)), nn.utils.clip_grad_norm_(conv.parameters(), 0.5))
q = torch.randn(1, 2, 3, 4, requires_grad=True)
attention = F.scaled_dot_product_attention(q, q, q)
attention.sum().backward()
print(attention, q.grad)
print(conv.weight)
"""


def test_layers_losses_and_containers_match_python() -> None:
    trace = assert_matches_torch(LAYERS)
    assert trace.error is not None and "has no attribute 'weight'" in trace.error.message


FUNCTIONAL = HEADER + """
from torch.autograd.functional import jacobian, hessian, vjp, jvp, hvp, vhp
from torch.autograd import gradcheck, gradgradcheck
def f(x):
    return x ** 2 * torch.sin(x)
def energy(x, y):
    return (x ** 3 * y).sum()
x = torch.tensor([0.5, 1.0, 2.0])
y = torch.tensor([1.0, -1.0, 0.5])
print(jacobian(f, x))
print(jacobian(energy, (x, y)))
print(jacobian(torch.exp, x, create_graph=True))
print(hessian(lambda t: (t ** 3).sum(), x))
print(hessian(energy, (x, y)))
print(vjp(f, x, torch.ones(3)))
print(jvp(f, x, torch.ones(3)))
print(hvp(lambda t: (t ** 3).sum(), x, torch.ones(3)))
print(vhp(lambda t: (t ** 3).sum(), x, torch.ones(3)))
inputs = (torch.randn(4, dtype=torch.double, requires_grad=True),)
print(gradcheck(lambda t: (t * t.exp()).sum(), inputs, eps=1e-6, atol=1e-4))
print(gradgradcheck(lambda t: (t ** 3).sum(), inputs))
print(torch.autograd.gradcheck(torch.sin, inputs))
"""


def test_autograd_functional_and_gradcheck_match_python() -> None:
    assert_matches_torch(FUNCTIONAL)


def test_a_failing_gradcheck_fails_at_the_same_line_with_the_same_error() -> None:
    source = HEADER + (
        "class Wrong(torch.autograd.Function):\n"
        "    @staticmethod\n"
        "    def forward(ctx, x):\n"
        "        ctx.save_for_backward(x)\n"
        "        return x ** 2\n"
        "    @staticmethod\n"
        "    def backward(ctx, g):\n"
        "        x, = ctx.saved_tensors\n"
        "        return g * 3 * x\n"
        "x = torch.randn(3, dtype=torch.double, requires_grad=True)\n"
        "print(torch.autograd.gradcheck(Wrong.apply, (x,), raise_exception=False))\n"
        "torch.autograd.gradcheck(Wrong.apply, (x,))\n")
    trace = assert_matches_torch(source)
    assert trace.stdout == "False\n" and trace.error is not None
    assert trace.error.message.startswith("GradcheckError: Jacobian mismatch")


LEGACY = HEADER + """
from torch.autograd import Variable
a = torch.Tensor([[1, 2], [3, 4]])
b = torch.FloatTensor([1.5, 2.5])
c = torch.LongTensor([1, 2, 3])
e = torch.DoubleTensor(3).fill_(1.0)
print(a, b, c, torch.Tensor(2, 3).shape, torch.FloatTensor(2).dtype, e, torch.BoolTensor([True, False]), torch.IntTensor([7]))
print(torch.Tensor(), torch.empty(2, 2).shape, torch.empty_like(a).shape)
v = Variable(torch.ones(2, 2), requires_grad=True)
w = Variable(torch.tensor([3.0]))
out = (v * 3 + w).sum()
out.backward()
print(v, w.requires_grad, v.grad, isinstance(v, torch.Tensor), isinstance(b, torch.FloatTensor))
print(isinstance(c, torch.FloatTensor), isinstance(v, Variable), torch.Tensor([1]).type())
"""


def test_legacy_constructors_and_variable_match_python() -> None:
    assert_matches_torch(LEGACY)


def test_uninitialised_constructors_show_zeros() -> None:
    trace = run_program(HEADER + "print(torch.Tensor(2, 2).sum().item(), torch.FloatTensor(3).sum().item(),"
                        " torch.empty(4).sum().item(), torch.empty_like(torch.ones(3)).sum().item())\n")
    assert trace.error is None and trace.stdout == "0.0 0.0 0.0 0.0\n"


DEVICES = HEADER + """
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
print(device, torch.cuda.is_available(), torch.cuda.device_count(), torch.backends.mps.is_available())
torch.cuda.manual_seed_all(0)
torch.manual_seed(0)
model = nn.Linear(3, 2).to(device)
x = torch.randn(4, 3, device=device)
y = model(x).to(device)
loss = y.pow(2).mean()
loss.backward()
print(loss.item(), x.is_cuda, next(model.parameters()).is_cuda, model.weight.grad.cpu())
z = x.to("cpu", dtype=torch.float64)
print(z.dtype, model.cpu().to(torch.float64).weight.dtype, torch.device("cuda:0"))
w = x.to("cuda")
"""


def test_device_boilerplate_matches_python_and_cuda_fails_at_the_same_line() -> None:
    trace = assert_matches_torch(DEVICES)
    assert trace.error is not None and trace.error.line == DEVICES.count("\n")
    assert trace.error.message.startswith("AssertionError: Torch not compiled with CUDA enabled")
    assert "device='cpu'" in str(trace.error)  # the way out is named


@pytest.mark.parametrize("line", [
    "x.cuda()", "m.cuda()", "m.to('cuda')", "m.to(torch.device('cuda'))", "x.to(0)",
    "torch.cuda.current_device()", "torch.ones(2, device='cuda')", "torch.Tensor(2, device='cuda')",
])
def test_every_way_of_asking_for_a_gpu_gets_the_error_python_gives(line: str) -> None:
    source = HEADER + "x = torch.ones(2)\nm = nn.Linear(2, 2)\n" + line + "\n"
    assert_matches_torch(source)
    trace = run_program(source)
    assert trace.error is not None and "device='cpu'" in str(trace.error)


def test_default_device_calls_are_accepted_for_the_cpu() -> None:
    trace = run_program(HEADER + "torch.set_default_device('cpu')\ntorch.backends.cudnn.deterministic = True\n"
                        "torch.backends.cudnn.benchmark = False\n"
                        "print(torch.get_default_device(), torch.ones(1).device, "
                        "torch.backends.cudnn.deterministic)\n")
    assert trace.error is None and trace.stdout == "cpu cpu True\n"
    assert not __import__("torch").backends.cudnn.deterministic  # the process's own flag is untouched


COMPLEX = HEADER + """
z = torch.tensor([1 + 2j, 3 - 1j], requires_grad=True)
print(z.real, z.imag, z.conj(), torch.view_as_real(z), z.angle(), z.abs(), z.is_complex())
loss = (z * z.conj()).real.sum() + torch.angle(z).sum()
loss.backward()
print(z.grad)
w = torch.complex(torch.tensor([1.0], requires_grad=True), torch.tensor([2.0]))
print(w, torch.polar(torch.tensor([2.0]), torch.tensor([0.5])))
print(torch.view_as_complex(torch.tensor([[1.0, 2.0]])), torch.real(w), torch.imag(w))
x = torch.tensor([0.5, 1.0])
torch.sin_(x)
print(x)
torch.exp_(x)
torch.relu_(x)
torch.clamp_(x, max=2.0)
print(x)
"""


def test_complex_numbers_and_function_form_in_place_ops_match_python() -> None:
    assert_matches_torch(COMPLEX)


HOOKS = HEADER + """
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = x * 2
def double_grad(grad):
    print("hook saw", grad)
    return grad * 2
handle = y.register_hook(double_grad)
y.retain_grad()
z = (y ** 2).sum()
z.backward()
print(x.grad, y.grad)
handle.remove()
x.grad = None
(y ** 2).sum().backward()
print(x.grad)
w = torch.ones(2, requires_grad=True)
calls = []
w.register_post_accumulate_grad_hook(lambda p: calls.append(p.grad.sum().item()))
w.register_hook(torch.neg)
(w * 3).sum().backward()
print(calls, w.grad)
a = torch.tensor(2.0, requires_grad=True)
b = a ** 3
print(b.grad_fn._saved_self, b.grad_fn._saved_exponent)
c = a.exp()
print(c.grad_fn._saved_result, (a * torch.tensor(4.0)).grad_fn._saved_other)
m = torch.ones(2, 3, requires_grad=True) @ torch.ones(3, 1)
print(m.grad_fn._saved_self_sym_sizes)
b.backward()
print(b.grad_fn._saved_self)
"""


def test_hooks_and_saved_values_match_python() -> None:
    trace = assert_matches_torch(HOOKS)
    assert trace.error is not None and "backward through the graph a second time" in trace.error.message


DATA = HEADER + """
from torch.utils.data import TensorDataset, DataLoader, random_split
torch.manual_seed(0)
X = torch.arange(20.0).reshape(10, 2)
Y = X.sum(dim=1, keepdim=True)
dataset = TensorDataset(X, Y)
print(len(dataset), dataset[3], dataset.tensors[1].shape)
loader = DataLoader(dataset, batch_size=4, shuffle=True)
print(len(loader))
model = nn.Linear(2, 1)
opt = optim.SGD(model.parameters(), lr=0.001)
for epoch in range(2):
    for xb, yb in loader:
        opt.zero_grad()
        loss = F.mse_loss(model(xb), yb)
        loss.backward()
        opt.step()
        print(epoch, xb[:, 0].tolist(), loss.item())
train, test = random_split(dataset, [7, 3])
print(len(train), len(test), train.indices)
for xb, yb in DataLoader(train, batch_size=3, drop_last=True):
    print(xb.shape)
pairs = [(torch.tensor([float(i)]), i) for i in range(5)]
for batch in DataLoader(pairs, batch_size=2, collate_fn=lambda items: [item[1] for item in items]):
    print(batch)
for xs, ys in DataLoader(pairs, batch_size=2):
    print(xs.flatten(), ys)
from torch.utils.data import Dataset, Subset
class Squares(Dataset):
    def __init__(self, n):
        self.x = torch.linspace(-1, 1, n).unsqueeze(1)
    def __len__(self):
        return len(self.x)
    def __getitem__(self, index):
        return self.x[index], self.x[index] ** 2
squares = Squares(7)
print(isinstance(squares, Dataset), len(Subset(squares, [1, 2])), squares[2])
for xb, yb in DataLoader(squares, batch_size=3, shuffle=True):
    print(xb.flatten(), yb.flatten())
"""


def test_data_loading_is_deterministic_and_matches_python() -> None:
    assert_matches_torch(DATA)


def test_matplotlib_calls_are_skipped_with_one_warning() -> None:
    source = HEADER + (
        "import matplotlib.pyplot as plt\nimport matplotlib\nmatplotlib.use('Agg')\n"
        "x = torch.linspace(0, 1, 5)\nplt.figure(figsize=(6, 4))\nplt.plot(x, x ** 2, label='y')\n"
        "plt.xlabel('x')\nplt.legend()\nplt.show()\nfig, ax = plt.subplots()\nax.plot(x, x)\n"
        "ax.set_title('t')\nfig, axes = plt.subplots(2, 3, figsize=(8, 6))\naxes[0, 1].plot(x, x)\n"
        "print(len(axes), len(list(axes.flat)))\nfor row in axes:\n    for a in row:\n        a.grid(True)\n"
        "fig, (left, right) = plt.subplots(1, 2)\nplt.rcParams['figure.figsize'] = (8, 6)\n"
        "plt.savefig('plot.png')\nprint('done')\n")
    trace = run_program(source)
    assert trace.error is None, trace.error
    assert trace.stdout == "2 6\ndone\n"
    assert len(trace.warnings) == 1 and "Plots panel" in trace.warnings[0]
    assert trace.warnings[0].startswith("line 7:")  # the first matplotlib call


def test_pyplot_is_served_without_importing_matplotlib() -> None:
    import sys

    run_program("import matplotlib.pyplot as plt\nplt.plot([1, 2])\n")
    assert "matplotlib" not in sys.modules
