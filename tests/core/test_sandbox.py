"""Hostile programs: escapes, file and process access, resource bombs. Each is stopped, with its line."""


import pytest

from explorer.core import Limits, run_program

PRELUDE = "x = torch.ones(3, requires_grad=True)\n"

# (the hostile line, what it tries). Functions, classes, try, dicts and sets, `type(x)`,
# `_names` and register_hook are part of the language now: tests/corpus/ runs them.
HOSTILE = {
    "import_os": "import os",
    "import_subprocess_alias": "import subprocess as sp",
    "from_os_import": "from os import system",
    "relative_import": "from . import secrets",
    "import_torch_utils": "import torch.utils",
    "from_torch_import_save": "from torch import save",
    "dunder_import": "__import__('os')",
    "eval": "eval('1+1')",
    "exec": "exec('x=1')",
    "open_file": "open('/etc/passwd')",
    "getattr": "getattr(x, 'storage')",
    "globals": "globals()",
    "locals": "locals()",
    "vars": "vars()",
    "compile": "compile('1', 'f', 'eval')",
    "dir": "dir(x)",
    "breakpoint": "breakpoint()",
    "input": "input()",
    "while": "while True:\n    pass",
    "raise": "raise ValueError('x')",
    "class_attribute": "x.__class__",
    "subclasses_chain": "().__class__.__bases__[0].__subclasses__()",
    "dunder_dict": "x.__dict__",
    "globals_of_function": "print.__globals__",
    "private_attribute": "x._grad",
    "torch_save": "torch.save(x, 'f.pt')",
    "torch_load": "torch.load('f.pt')",
    "torch_from_file": "torch.from_file('/etc/passwd')",
    "torch_hub": "torch.hub.load('a', 'b')",
    "torch_ops": "torch.ops.aten.add",
    "torch_utils": "torch.utils.cpp_extension",
    "torch_c": "torch._C",
    "torch_jit": "torch.jit.script",
    "torch_compile": "torch.compile",
    "torch_set_default": "torch.set_default_dtype(torch.float64)",
    "torch_classes": "torch.classes",
    "torch_library": "torch.library",
    "torch_backends": "torch.backends.cudnn.version()",
    "numpy": "x.numpy()",
    "storage": "x.storage()",
    "untyped_storage": "x.untyped_storage()",
    "apply_": "x.apply_(print)",
    "resize_": "x.detach().resize_(10)",
    "as_strided": "x.as_strided((100,), (1,))",
    "node_register_hook": "(x * 2).grad_fn.register_hook(print)",
    "node_variable": "(x * 1).grad_fn.next_functions[0][0].variable",
    "node_metadata": "(x * 2).grad_fn.metadata",
    "format_attribute": "'{0.__class__}'.format(x)",
    "format_index": "'{0[0]}'.format([1])",
    "format_nested": "'{:{}}'.format(1, 5)",
    "fstring_dunder": "f'{x.__class__}'",
    "print_to_file": "print('x', file=None)",
    "call_builtin_attribute": "print.target",
    "bound_method_owner": "x.sum.owner",
    "generator_frame": "g = zip([1], [2])\ng.gi_frame",
    "async_for": "async def f():\n    pass",
    "match": "match x:\n    case _:\n        pass",
    "with_open": "with open('f') as f:\n    pass",
    "with_other_manager": "with x:\n    pass",
    "calling_a_tensor": "x()",
    "calling_a_dtype": "torch.float32()",
    "calling_grad_mode_decorator": "torch.no_grad()(print)",
    "setattr_other": "x.grad_fn = None",
    "setattr_namespace": "torch.exp = print",
    "del_attribute": "del x.grad",
    "yield": "yield 1",
}

# Bombs here are the ones test_escapes.py (the documented list) does not already hold.
BOMBS = {
    "int_power": "y = 10 ** 10 ** 9",
    "int_shift": "y = 1 << 10 ** 10",
    "int_mul_chain": "a = 10 ** 30000\nb = a * a * a * a * a",
    "string_doubling": "s = 'a' * 1000\nfor i in range(100):\n    s = s + s",
    "huge_randn": "t = torch.randn(10 ** 6, 10 ** 6)",
    "broadcast_outer": "a = torch.ones(100000, 1)\nb = torch.ones(1, 100000)\nc = a * b",
    "diag_of_vector": "v = torch.ones(20000)\nm = torch.diag(v)",
    "matmul_growth": "a = torch.ones(20000, 1)\nm = a @ a.T",
    "one_hot_data_dependent": "import torch.nn.functional as F\nt = F.one_hot(torch.tensor([10 ** 9]))",
    "pad_growth": "import torch.nn.functional as F\nt = F.pad(torch.ones(1), (10 ** 9, 0))",
    "nested_loops": "for i in range(1000):\n    for j in range(1000):\n        pass",
    "list_of_huge_range": "l = list(range(10 ** 12))",
    "max_of_huge_range": "m = max(range(10 ** 12))",
    "join_bomb": "s = ','.join(['a' * 1000] * 10000)",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_escape_is_refused_with_its_line(name: str) -> None:
    source = PRELUDE + HOSTILE[name] + "\n"
    trace = run_program(source)
    assert trace.error is not None, f"{name} was not stopped"
    assert trace.error.line >= 2, trace.error
    assert trace.error.message


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_resource_bomb_is_stopped_quickly(name: str) -> None:
    trace = run_program(PRELUDE + BOMBS[name] + "\n", limits=Limits(max_seconds=60.0))
    assert trace.error is not None, f"{name} was not stopped"
    assert trace.error.kind in ("limit", "refused", "syntax"), trace.error
    assert trace.error.line >= 2, trace.error
    # stopped by its own check (size, loop count), not by running into the time limit
    assert "longer than" not in trace.error.message, trace.error


def test_refusal_names_the_construct() -> None:
    trace = run_program("import torch\nimport os\n")
    assert trace.error is not None
    assert str(trace.error) == (
        "line 2, col 0: `import os` is not allowed; only torch may be imported "
        "(torch, torch.nn.functional and math are available)")
    assert trace.error.kind == "refused"


def test_refused_program_runs_nothing_at_all() -> None:
    trace = run_program("print('before')\nimport os\n")
    assert trace.stdout == "" and trace.error is not None and trace.error.line == 2


def test_misspelled_attribute_gets_a_suggestion() -> None:
    trace = run_program("x = torch.ones(2)\nx.gard\n")
    assert trace.error is not None and "grad" in trace.error.advice


def test_time_limit_stops_a_slow_program() -> None:
    source = "t = torch.ones(200, 200)\nfor i in range(100000):\n    t = (t @ t).tanh()\n"
    trace = run_program(source, limits=Limits(max_seconds=0.5, max_elements=10 ** 12))
    assert trace.error is not None and trace.error.kind == "limit"
    assert "longer than" in trace.error.message
    assert trace.error.line in (2, 3)  # the loop, or the statement in it, when time ran out


def test_cancel_stops_a_run() -> None:
    import threading

    cancel = threading.Event()
    timer = threading.Timer(0.2, cancel.set)
    timer.start()
    trace = run_program("for i in range(100000):\n    t = torch.ones(10).sum()\n",
                        cancel=cancel, limits=Limits(max_seconds=30))
    timer.join()
    assert trace.error is not None and trace.error.kind == "cancelled"


def test_no_file_is_touched(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    for source in HOSTILE.values():
        run_program(PRELUDE + source + "\n")
    assert list(tmp_path.iterdir()) == []


def test_run_restores_global_torch_state() -> None:
    import torch

    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    run_program("torch.set_grad_enabled(False)\ntorch.manual_seed(7)\nr = torch.rand(5)\n")
    assert torch.is_grad_enabled()
    assert torch.equal(torch.rand(3), expected)
