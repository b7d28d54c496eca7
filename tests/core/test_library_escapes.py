"""Hostile programs aimed at the library objects (modules, optimizers, schedulers, hooks, handles,
data loaders, grad_fn, plotting stubs, devices): each is stopped with its line, and nothing
beyond the allow-list is reached. Bombs through library code are stopped before they allocate."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import torch

from explorer.core import Limits, run_program

PRELUDE = (
    "import torch\nimport torch.nn as nn\nfrom torch import optim\n"
    "from torch.utils.data import TensorDataset, DataLoader\n"
    "x = torch.ones(3, requires_grad=True)\nm = nn.Linear(3, 2)\n"
    "opt = optim.SGD(m.parameters(), lr=0.1, momentum=0.9)\n"
)
FIRST_LINE = PRELUDE.count("\n") + 1

# Reaching Python internals through the library's objects.
INTERNALS = {
    "module_private_tables": "m._modules",
    "module_parameters_table": "m._parameters['weight']",
    "module_forward_hooks_table": "m._forward_hooks",
    "module_class_dict": "m.__class__.__dict__",
    "module_class_mro": "m.__class__.__mro__",
    "module_class_call": "m.__class__(3, 3)",
    "module_dict": "m.__dict__",
    "module_getattr_dunder": "m.__getattr__('weight')",
    "module_unknown_member": "m.share_memory()",
    "module_method_owner": "m.parameters.target",
    "module_forward_replaced": "m.forward = print",
    "module_call_replaced": "m.__call__ = print",
    "module_setting_to_function": "m.in_features = print",
    "module_training_to_object": "m.training = m",
    "module_buffer_to_function": "m.register_buffer('b', torch.ones(1))\nm.b = print",
    "module_register_private": "m.register_buffer('_parameters', torch.ones(1))",
    "module_add_non_module": "m.add_module('f', print)",
    "module_register_parameter_function": "m.register_parameter('p', print)",
    "sequential_holds_function": "s = nn.Sequential(m)\ns[0] = print",
    "sequential_of_function": "s = nn.Sequential(print)",
    "optimizer_state_internals": "opt.state.default_factory",
    "optimizer_hooks_table": "opt._optimizer_step_pre_hooks",
    "optimizer_private_step": "opt._cuda_graph_capture_health_check()",
    "optimizer_group_lr_function": "opt.param_groups[0]['lr'] = print\nopt.step()",
    "optimizer_group_params_function": "opt.param_groups[0]['params'] = [print]\nopt.step()",
    "optimizer_group_object": "opt.param_groups[0]['momentum'] = m\nopt.step()",
    "optimizer_add_group_function": "opt.add_param_group({'params': [x], 'lr': print})",
    "optimizer_state_dict_function": "opt.load_state_dict({'state': {}, 'param_groups': [print]})",
    "optimizer_function_setting": "o = optim.SGD([x], lr=print)",
    "optimizer_params_function": "o = optim.Adam([print])",
    "optimizer_state_write": "opt.state = {}",
    "state_dict_of_functions": "sd = m.state_dict()\nsd['weight'] = print\nm.load_state_dict(sd)",
    "state_dict_from_file": "m.load_state_dict('weights.pt')",
    "torch_load_state": "m.load_state_dict(torch.load('weights.pt'))",
    "torch_save_state": "torch.save(m.state_dict(), 'weights.pt')",
    "scheduler_function_argument": "s = optim.lr_scheduler.StepLR(opt, step_size=print)",
    "scheduler_object_argument": "s = optim.lr_scheduler.LambdaLR(opt, lr_lambda=m.weight)",
    "scheduler_step_function": "s = optim.lr_scheduler.StepLR(opt, 1)\ns.step(print)",
    "scheduler_private": "s = optim.lr_scheduler.StepLR(opt, 1)\ns._get_lr_called_within_step",
    "handle_internals": "h = x.register_hook(lambda g: g)\nh.hooks_dict_ref",
    "handle_class": "h = m.register_forward_hook(print)\nh.__class__.__init__(h, {})",
    "hook_not_a_function": "x.register_hook(torch)",
    "hook_returns_function": "h = x.register_hook(lambda g: print)\n(x * 2).sum().backward()",
    "hook_returns_module": "h = x.register_hook(lambda g: m)\n(x * 2).sum().backward()",
    "hook_on_builtin_open": "x.register_hook(open)",
    "module_hook_flags_function": "m.register_forward_hook(print, prepend=print)",
    "apply_non_function": "m.apply(x)",
    "node_raw_saved": "y = x * x\ny.grad_fn._raw_saved_self",
    "node_saved_write": "y = x * x\ny.grad_fn._saved_self = x",
    "node_saved_dunder": "y = x * x\ny.grad_fn.__dict__",
    "node_register_prehook": "y = x * x\ny.grad_fn.register_prehook(print)",
    "dataloader_workers": "d = DataLoader(TensorDataset(x), num_workers=2)",
    "dataloader_sampler": "d = DataLoader(TensorDataset(x), sampler=[0, 1, 2])",
    "dataloader_worker_init": "d = DataLoader(TensorDataset(x), worker_init_fn=print)",
    "dataloader_pin_memory": "d = DataLoader(TensorDataset(x), pin_memory=True)",
    "dataloader_of_module": "d = DataLoader(m)",
    "dataloader_generator_object": "d = DataLoader(TensorDataset(x), generator=m)",
    "dataloader_private": "d = DataLoader(TensorDataset(x))\nd._iterator",
    "dataloader_collate_to_file": "d = DataLoader([x], collate_fn=open)",
    "dataset_of_function": "d = TensorDataset(print)",
    "torch_utils_checkpoint": "import torch.utils.checkpoint",
    "torch_utils_member": "torch.utils.cpp_extension",
    "meta_device": "d = torch.device('meta')",
    "meta_to": "y = x.to('meta')",
    "meta_module": "m.to('meta')",
    "meta_default": "torch.set_default_device('meta')",
    "cudnn_other_setting": "torch.backends.cudnn.version()",
    "cudnn_new_flag": "torch.backends.cudnn.allow_tf32 = True",
    "cuda_init": "torch.cuda.init()",
    "plot_private": "import matplotlib.pyplot as plt\nplt._backend_mod",
    "plot_unknown": "import matplotlib.pyplot as plt\nplt.get_backend()",
    "matplotlib_submodule": "import matplotlib.backends",
    "variable_of_list": "from torch.autograd import Variable\nv = Variable([1.0])",
    "jacobian_of_module_object": "from torch.autograd.functional import jacobian\njacobian(opt, x)",
    "gradcheck_setting_function": "torch.autograd.gradcheck(torch.sin, (x,), eps=print)",
    "legacy_type_string": "t = torch.FloatTensor('os.system')",
    "tensor_type_import": "t = x.type('os.system')",
}

# Library calls that would allocate or loop too much: stopped before they do.
BOMBS = {
    "huge_linear": "a = nn.Linear(10 ** 5, 10 ** 5)",
    "huge_embedding": "e = nn.Embedding(10 ** 9, 100)",
    "huge_lstm": "r = nn.LSTM(10 ** 4, 10 ** 4)",
    "huge_forward_output": "a = nn.Linear(1, 10 ** 5)\ny = a(torch.ones(10 ** 4, 1))",
    "upsample_scale": "u = nn.Upsample(scale_factor=10000)\ny = u(torch.ones(1, 1, 100, 100))",
    "transposed_conv_stride": "c = nn.ConvTranspose2d(1, 1, 1, stride=100000)\ny = c(torch.ones(1, 1, 10, 10))",
    "conv_padding": "c = nn.Conv2d(1, 1, 1, padding=50000)\ny = c(torch.ones(1, 1, 1, 1))",
    "long_sequence_rnn": "r = nn.RNN(10, 10)\ny = r(torch.ones(100000, 100, 10))",
    "legacy_size": "t = torch.Tensor(10 ** 6, 10 ** 6)",
    "legacy_nested_data": "a = [0.0] * 1000000\nb = [a] * 1000000\nt = torch.FloatTensor(b)",
    "empty_size": "t = torch.empty(10 ** 6, 10 ** 6)",
    "many_big_models": "models = [nn.Linear(4000, 4000) for i in range(40)]",
    "adam_state": "p = nn.Parameter(torch.ones(20000000))\no = optim.Adam([p])\np.grad = torch.ones(20000000)\no.step()",
    "lbfgs_history": "o = optim.LBFGS([x], history_size=10 ** 9)\n(x * 2).sum().backward()\no.step(lambda: (x * 2).sum())",
    "jacobian_size": "from torch.autograd.functional import jacobian\nj = jacobian(lambda t: t * 2, torch.ones(20000))",
    "jacobian_rows": "from torch.autograd.functional import jacobian\nj = jacobian(lambda t: t.expand(200000) * 1, torch.ones(1))",
    "hessian_size": "from torch.autograd.functional import hessian\nh = hessian(lambda t: t.sum(), torch.ones(10000))",
    "gradcheck_inputs": "t = torch.ones(100000, dtype=torch.double, requires_grad=True)\ntorch.autograd.gradcheck(lambda a: a * 2, (t,))",
    "subplots_grid_loop": "import matplotlib.pyplot as plt\nf, ax = plt.subplots(10 ** 9, 10 ** 9)\nfor a in ax:\n    pass",
    "dataloader_forever": "d = DataLoader(TensorDataset(torch.ones(10 ** 6)))\nfor b in d:\n    pass",
    "hook_recursion": "def h(g):\n    return h(g)\nx.register_hook(h)\n(x * 2).sum().backward()",
    "apply_forever": "def f(mod):\n    while True:\n        pass\nm.apply(f)",
}


@pytest.mark.parametrize("name", sorted(INTERNALS))
def test_library_escape_is_stopped_with_its_line(name: str, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    trace = run_program(PRELUDE + INTERNALS[name] + "\n", limits=Limits(max_seconds=5.0))
    assert trace.error is not None, f"{name} was not stopped"
    assert trace.error.line >= FIRST_LINE, trace.error
    assert list(tmp_path.iterdir()) == [], f"{name} touched a file"


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_library_bomb_is_stopped_quickly(name: str) -> None:
    started = time.monotonic()
    trace = run_program(PRELUDE + BOMBS[name] + "\n", limits=Limits(max_seconds=3.0))
    elapsed = time.monotonic() - started
    assert trace.error is not None, f"{name} was not stopped"
    assert trace.error.kind in ("limit", "refused"), trace.error
    assert trace.error.line >= FIRST_LINE, trace.error
    assert elapsed < 8.0, f"{name} took {elapsed:.1f} s"


def test_the_lists_are_long_enough() -> None:
    assert len(INTERNALS) >= 60 and len(BOMBS) >= 20


def test_a_copy_of_the_optimizer_state_does_not_reach_the_optimizer() -> None:
    trace = run_program(PRELUDE + (
        "(m(x) ** 2).sum().backward()\nopt.step()\nstate = opt.state\n"
        "state[m.weight]['momentum_buffer'] = 5\nstate.clear()\n"
        "print(len(opt.state), type(opt.state[m.weight]['momentum_buffer']).__name__)\n"))
    assert trace.error is None, trace.error
    assert trace.stdout == "2 Tensor\n"


def test_a_state_dict_is_a_copy_of_names_holding_the_module_tensors() -> None:
    trace = run_program(PRELUDE + (
        "sd = m.state_dict()\nsd['extra'] = 1\ndel sd['bias']\nsd['weight'].zero_()\n"
        "print(sorted(m.state_dict().keys()), m.weight.abs().sum().item())\n"))
    assert trace.error is None, trace.error
    assert trace.stdout == "['bias', 'weight'] 0.0\n"


def test_hooks_run_the_program_function_in_the_evaluator() -> None:
    """A hook's own calls are checked like the program's: it cannot reach what the program cannot."""
    trace = run_program(PRELUDE + "def h(g):\n    return g.storage()\nx.register_hook(h)\n(x * 2).sum().backward()\n")
    assert trace.error is not None and trace.error.kind == "refused"


def test_program_callbacks_are_not_counted_twice() -> None:
    """A hook's allocations are counted by the evaluator alone, not again by the library's guard."""
    source = PRELUDE + ("big = torch.ones(1000, 1000)\ndef hook(module, inputs, output):\n"
                        "    return output + big.sum()\nm.register_forward_hook(hook)\n"
                        "for i in range(20):\n    y = m(torch.ones(4, 3))\n")
    limits = Limits(max_total_elements=1_100_000)
    trace = run_program(source, limits=limits)
    assert trace.error is None, trace.error


def test_program_modules_inside_library_containers_are_not_counted_twice() -> None:
    """The program's forward inside nn.Sequential is checked by the evaluator, the ReLU by the guard."""
    source = PRELUDE + ("class Double(nn.Module):\n    def forward(self, t):\n        return t * 2.0\n"
                        "net = nn.Sequential(Double(), nn.ReLU())\nsingle = Double()\n"
                        "big = torch.ones(1000, 1000)\nfor i in range(10):\n    y = net(big)\n"
                        "    z = single(big)\n")
    assert run_program(source, limits=Limits(max_total_elements=32_000_000)).error is None
    trace = run_program(source, limits=Limits(max_total_elements=29_000_000))
    assert trace.error is not None and trace.error.kind == "limit"  # 31 million are counted once


def test_run_leaves_torch_global_state_alone() -> None:
    run_program(PRELUDE + "torch.set_default_device('cpu')\ntorch.backends.cudnn.benchmark = True\n"
                "torch.cuda.manual_seed_all(3)\n")
    assert not torch.backends.cudnn.benchmark
    assert torch.get_default_device() == torch.device("cpu")
    assert torch.overrides._get_current_function_mode_stack() == []  # no device or guard mode left on


def test_legacy_constructors_read_only_plain_data() -> None:
    """A program object with __len__ and __getitem__ cannot feed torch.Tensor sizes the check misses."""
    trace = run_program(PRELUDE + ("class Fake:\n    def __len__(self):\n        return 10 ** 12\n"
                                   "    def __getitem__(self, i):\n        return 0.0\n"
                                   "t = torch.FloatTensor(Fake())\n"))
    assert trace.error is not None and "FloatTensor() takes sizes" in trace.error.message
