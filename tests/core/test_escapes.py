"""The documented list of Python-sandbox escape techniques, each refused by the code box.

Every entry is (technique, program line(s), what it would reach if it worked). Entries marked
FOUND were holes found while writing this list; each was fixed in ``explorer/core/language``
(or in the snapshot code) and stays here so it cannot come back. Add every new hole here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from explorer.core import Limits, run_program
from explorer.core.sandbox.worker import EvaluationWorker, WorkerOptions

PRELUDE = "x = torch.ones(3, requires_grad=True)\ny = (x * 2).sum()\n"

# Reaching Python internals through attribute chains (the classic ().__class__... escapes).
ATTRIBUTE_CHAINS = {
    "subclasses_from_tuple": "().__class__.__bases__[0].__subclasses__()",
    "subclasses_from_str": "''.__class__.__mro__[1].__subclasses__()",
    "globals_of_builtin": "print.__globals__['__builtins__']",
    "globals_via_func_code": "print.__code__.co_consts",
    "closure_cells": "print.__closure__",
    "tensor_class_dict": "x.__class__.__dict__",
    "tensor_module_attr": "x.__module__",
    "reduce_ex": "x.__reduce_ex__(2)",
    "dunder_via_fullwidth_letters": "x.__ｃｌａｓｓ__",  # NFKC turns this into __class__
    "private_torch_member": "torch._C",
    "private_tensor_member": "x._cdata",
    "grad_fn_raw_saved": "y.grad_fn._raw_saved_self",  # _saved_* is readable; the packed form is not
    "node_metadata_dict": "y.grad_fn.metadata",
    "node_register_prehook": "y.grad_fn.register_prehook(print)",
    "accumulate_grad_variable": "y.grad_fn.next_functions[0][0].variable",
    "safe_function_target": "torch.exp.target",
    "bound_method_owner": "x.sum.owner",
    "namespace_members": "torch.members",
    "generator_frame": "g = (i for i in [1])\ng.gi_frame",
    "zip_reduce": "z = zip([1])\nz.__reduce__()",
    "return_types_fields": "m = torch.max(x, 0)\nm.n_fields",
    "dtype_private": "torch.float32.__class__",
    "size_class": "x.shape.__class__",
    "generator_seed_object": "g = torch.manual_seed(0)\ng.get_state()",
}

# Format strings that look attributes or items up on their arguments.
FORMAT_STRINGS = {
    "format_attribute": "'{0.__class__}'.format(x)",
    "format_item": "'{0[0]}'.format([x])",
    "format_nested_field": "'{:{}}'.format(1, 5)",
    "format_named_attribute": "'{a.__globals__}'.format(a=print)",
    "format_map": "'{a}'.format_map(x)",
    "fstring_dunder": "f'{x.__class__}'",
    "fstring_conversion_dunder": "f'{x.__class__!r}'",
    "percent_mapping": "'%(a)s' % x.__dict__",
}

# getattr and friends, reached directly or through objects the program may hold.
REFLECTION = {
    "getattr_builtin": "getattr(x, 'storage')",
    "setattr_builtin": "setattr(x, 'grad', None)",
    "type_three_args": "type('A', (), {})",
    "vars": "vars(x)",
    "dir": "dir(torch)",
    "globals": "globals()",
    "locals": "locals()",
    "eval": "eval('1')",
    "exec": "exec('1')",
    "compile": "compile('1', '', 'eval')",
    "dunder_import": "__import__('os')",
    "breakpoint": "breakpoint()",
    "help": "help(x)",
    "object_base": "object.__subclasses__()",
    "assign_to_namespace": "torch.exp = print",
    "assign_other_attribute": "x.grad_fn = None",
    "delete_attribute": "del x.grad",
    "call_a_tensor": "x()",
    "call_grad_mode_as_decorator": "torch.no_grad()(print)",
    "with_arbitrary_object": "with x:\n    pass",
    "try_except_traceback": "try:\n    1 / 0\nexcept Exception as e:\n    e.__traceback__",
    "break_outside_loop": "with torch.no_grad():\n    break",  # FOUND: escaped as an internal exception
    "continue_outside_loop": "if True:\n    continue",  # FOUND: the same, for continue
    "break_in_for_else": "for i in range(2):\n    pass\nelse:\n    break",  # FOUND
}

# torch functions that reach files, processes, native code or other devices.
TORCH_REACH = {
    "torch_save": "torch.save(x, 'f.pt')",
    "torch_load": "torch.load('f.pt')",
    "torch_from_file": "torch.from_file('/etc/passwd', size=10)",
    "tensor_storage_from_file": "x.untyped_storage().from_file('/etc/passwd')",
    "torch_hub": "torch.hub.load('repo', 'model')",
    "torch_ops_aten": "torch.ops.aten.add(x, x)",
    "torch_library": "torch.library.Library('aten', 'IMPL')",
    "torch_classes": "torch.classes.load_library('x.so')",
    "torch_utils_cpp_extension": "import torch.utils.cpp_extension",
    "torch_jit_script": "torch.jit.script(print)",
    "torch_compile": "torch.compile(print)",
    "torch_cuda": "torch.cuda.init()",
    "torch_backends": "torch.backends.cudnn.version()",
    "torch_set_default_device": "torch.set_default_device('meta')",
    "torch_set_num_threads": "torch.set_num_threads(1000)",
    "torch_multiprocessing": "import torch.multiprocessing",
    "torch_distributed": "import torch.distributed",
    "torch_profiler": "torch.profiler.profile()",
    "tensor_numpy": "x.numpy()",
    "tensor_apply_": "x.detach().apply_(print)",
    "tensor_register_hook_non_function": "x.register_hook(torch)",
    "tensor_storage": "x.storage()",
    "tensor_as_strided": "x.as_strided((10 ** 6,), (1,))",
    "tensor_resize_": "x.detach().resize_(10 ** 6)",
    "tensor_set_": "x.detach().set_()",
    "tensor_share_memory": "x.share_memory_()",
    "tensor_pin_memory": "x.pin_memory()",
    "tensor_to_cuda": "x.cuda()",
    "import_os": "import os",
    "import_subprocess_alias": "import subprocess as sp",
    "from_os_import": "from os import system",
    "relative_import": "from . import secrets",
    "import_builtins": "import builtins",
    "import_ctypes": "import ctypes",
    "from_torch_import_private": "from torch import _C",
    "open_file": "open('/etc/passwd')",
    "with_open": "with open('f') as f:\n    pass",
    "input": "input()",
    "print_to_file": "print('x', file=None)",
}

# Pickle and other deserialisation paths.
PICKLE_PATHS = {
    "import_pickle": "import pickle",
    "torch_serialization": "torch.serialization.load('f')",
    "tensor_reduce": "x.__reduce__()",
    "torch_storage_load_from_bytes": "torch.storage._load_from_bytes(b'')",
    "torch_package": "import torch.package",
    "bytes_literal_to_load": "torch.load(b'\\x80\\x04')",
}

HOSTILE = {**ATTRIBUTE_CHAINS, **FORMAT_STRINGS, **REFLECTION, **TORCH_REACH, **PICKLE_PATHS}

# Resource bombs: memory, time, output and recursion, each stopped before it hurts.
BOMBS = {
    "int_power_tower": "n = 10 ** 10 ** 9",
    "int_power_in_place": "n = 7\nn **= 10 ** 8",
    "int_left_shift": "n = 1 << 10 ** 10",
    "int_square_chain": "a = 2 ** 90000\nb = a * a",
    "string_repeat": "s = 'a' * 10 ** 10",
    "string_doubling": "s = 'a'\nfor i in range(64):\n    s = s + s",
    "list_repeat": "l = [0] * 10 ** 10",
    "nested_list_to_tensor": "a = [0.0] * 1000000\nb = [a] * 1000000\nt = torch.tensor(b)",
    "huge_ones": "t = torch.ones(100000, 100000)",
    "huge_arange": "t = torch.arange(0, 1e12)",
    "broadcast_outer": "a = torch.ones(100000, 1)\nc = a * a.T",
    "expand_then_allocate": "t = torch.ones(1).expand(10 ** 6, 10 ** 6).exp()",
    "expand_then_reduce": "t = torch.ones(1).expand(10 ** 6, 10 ** 6).sum()",  # FOUND: minutes in one C call
    "expanded_leaf_snapshot": "v = torch.ones(1, 1).expand(10 ** 5, 10 ** 5)\nw = v * 2",  # FOUND: 80 GB summary
    "repeat": "t = torch.ones(10).repeat(10 ** 5, 10 ** 4)",
    "outer_product": "v = torch.ones(20000)\nm = torch.outer(v, v)",
    "one_hot_from_data": "t = F.one_hot(torch.tensor([10 ** 9]))",
    "pad_growth": "t = F.pad(torch.ones(1), (10 ** 9, 0))",
    "multinomial_samples": "t = torch.multinomial(torch.ones(2), 10 ** 9, replacement=True)",  # FOUND: 8 GB
    # what stays alive is bounded by the memory allowance (a loop that frees as it goes is fine)
    "cumulative_allocations": "kept = [torch.ones(1000, 1000) for i in range(600)]",
    "loop_forever": "for i in range(10 ** 12):\n    pass",
    "sum_of_huge_range": "s = sum(range(10 ** 12))",
    "comprehension": "l = [i for i in range(10 ** 9)]",
    "extend_forever": "l = []\nl.extend(range(10 ** 12))",
    "format_width": "s = f'{1:100000000}'",
    "format_method_width": "s = '{:100000000}'.format(1)",
    "percent_width": "s = '%100000000d' % 1",
    "percent_star": "s = '%*d' % (100000000, 1)",
    "format_repeated_field": "s = 'a' * 1000000\nr = ('{0}' * 300000).format(s)",  # FOUND: 300 GB string
    "percent_repeated_field": "s = 'a' * 1000000\nr = ('%s' * 300000) % (s,)",  # FOUND
    "print_starred_repeat": "s = 'a' * 1000000\nprint(*[s] * 100000)",  # FOUND: 100 GB before the output limit
    "join_repeat": "s = 'a' * 1000000\nr = ' '.join([s] * 100000)",  # FOUND
    "str_of_repeated_list": "s = 'a' * 1000000\nr = str([s] * 100000)",  # FOUND: 10 s and 100 GB
    "repr_of_shared_lists": "a = ['a' * 1000] * 1000\nb = [a] * 1000\nr = repr(b)",  # FOUND
    "fstring_many_fields": "s = 'a' * 900000\nr = f'{s}{s}{s}{s}{s}'",  # FOUND
    "assert_message_bomb": "s = 'a' * 1000000\nassert False, [s] * 100000",  # FOUND
    "print_bomb": "for i in range(100000):\n    print('x' * 100)",
    "tolist_bomb": "t = torch.zeros(10 ** 7)\nl = t.tolist()",
    "round_digits": "r = round(5, -10 ** 9)",
    "deep_nesting": "y = " + "[" * 150 + "]" * 150,
    "deep_unary": "y = " + "-" * 5000 + "1",
    "long_chain": "y = " + " + ".join(["1"] * 5000),
    "recursive_repr": "a = []\nfor i in range(99999):\n    a = [a]\nprint(a)",
    "time_in_many_small_ops": "t = torch.ones(200, 200)\nfor i in range(100000):\n    t = (t @ t).tanh()",
}

# One operation that runs for seconds inside torch: only the worker process can end it.
# Each ends with one more operation: a call that finishes just inside the process's deadline
# on a fast machine is then still over the program's own time limit, and says so.
STUCK_IN_ONE_CALL = {
    "svd_of_a_big_matrix": "t = torch.randn(2500, 2500)\nu = torch.linalg.svd(t)\nv = t.sum()",
    "symmetric_eigendecomposition": "t = torch.randn(3800, 3800)\nu = torch.linalg.eigh(t @ t.T)\nv = t.sum()",
}


def test_the_list_is_long_enough() -> None:
    assert len(HOSTILE) + len(BOMBS) + len(STUCK_IN_ONE_CALL) >= 60
    assert len(HOSTILE) >= 60


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_escape_is_refused_with_its_line(name: str, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    trace = run_program(PRELUDE + HOSTILE[name] + "\n")
    assert trace.error is not None, f"{name} was not stopped"
    assert trace.error.line >= 3, trace.error
    assert trace.error.message
    assert list(tmp_path.iterdir()) == [], f"{name} touched a file"


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_bomb_is_stopped_quickly(name: str) -> None:
    trace = run_program("import torch.nn.functional as F\n" + PRELUDE + BOMBS[name] + "\n",
                        limits=Limits(max_seconds=60.0))
    assert trace.error is not None, f"{name} was not stopped"
    assert trace.error.kind in ("limit", "refused", "syntax", "runtime"), trace.error
    assert trace.error.line >= 4, trace.error
    # stopped by its own check (size, loop count), not by running into the time limit
    assert "longer than" not in trace.error.message, trace.error


def test_every_escape_and_bomb_leaves_the_worker_process_standing() -> None:
    worker = EvaluationWorker(WorkerOptions(grace_seconds=0.5))
    try:
        for name, line in {**HOSTILE, **BOMBS}.items():
            trace = worker.run("import torch.nn.functional as F\n" + PRELUDE + line + "\n",
                               limits=Limits(max_seconds=3.0))
            assert trace.error is not None, name
        assert worker.restarts == 0, "a program crashed the worker process"
        for name, line in STUCK_IN_ONE_CALL.items():
            trace = worker.run(line + "\n", limits=Limits(max_seconds=1.0))
            # stopped by its own time check or, stuck inside the call, with its process
            assert trace.error is not None and trace.error.kind == "limit", name
        assert worker.run(PRELUDE + "y.backward()\n").error is None
    finally:
        worker.close()
