"""Functions, classes, exceptions and dicts reach nothing the allow-list does not name.

Each program tries to climb from something the language now has (a function, a class, an
object, an exception, ctx, a module of the program's own class) to Python's internals. Each
must end with an error at its line, never with the internal value in the program's hands.
"""

import pytest

from explorer.core import run_program

ESCAPES = {
    "function_globals": "def f():\n    pass\ng = f.__globals__",
    "function_code": "def f():\n    pass\nc = f.__code__",
    "function_closure": "def f():\n    pass\nc = f.__closure__",
    "lambda_globals": "g = (lambda: 1).__globals__",
    "function_node": "def f():\n    pass\nn = f.node",
    "function_evaluator": "def f():\n    pass\nn = f.evaluator_ref",
    "class_dict": "class A:\n    pass\nd = A.__dict__",
    "class_bases": "class A:\n    pass\nb = A.__bases__",
    "class_subclasses": "class A:\n    pass\ns = A.__subclasses__()",
    "class_mro": "class A:\n    pass\nm = A.__mro__",
    "class_namespace_field": "class A:\n    pass\nn = A.namespace",
    "instance_dict": "class A:\n    pass\na = A()\nd = a.__dict__",
    "instance_class_dict": "class A:\n    pass\na = A()\nd = a.__class__.__dict__",
    "instance_attributes_field": "class A:\n    pass\na = A()\nd = a.attributes",
    "instance_cls_field": "class A:\n    pass\na = A()\nd = a.cls",
    "define_getattr": "class A:\n    def __getattr__(self, name):\n        return 1",
    "define_del": "class A:\n    def __del__(self):\n        pass",
    "define_reduce": "class A:\n    def __reduce__(self):\n        return 1",
    "define_init_subclass": "class A:\n    def __init_subclass__(cls):\n        pass",
    "define_torch_function": "class A:\n    def __torch_function__(self, *a):\n        pass",
    "metaclass": "class A(metaclass=print):\n    pass",
    "class_decorator": "def d(c):\n    return c\n@d\nclass A:\n    pass",
    "base_not_allowed": "class A(torch.Tensor.__class__):\n    pass",
    "base_is_function": "class A(print):\n    pass",
    "super_class": "class A:\n    def f(self):\n        return super().__class__\nA().f()",
    "super_thisclass": "class A:\n    def f(self):\n        return super().__thisclass__\nA().f()",
    "exception_traceback": "try:\n    1 / 0\nexcept ZeroDivisionError as e:\n    t = e.__traceback__",
    "exception_class": "try:\n    1 / 0\nexcept ZeroDivisionError as e:\n    t = e.__class__.__subclasses__()",
    "exception_with_traceback": "try:\n    1 / 0\nexcept ZeroDivisionError as e:\n    t = e.with_traceback(None)",
    "exception_context": "try:\n    1 / 0\nexcept ZeroDivisionError as e:\n    t = e.__context__",
    "catch_limit": ("try:\n    for i in range(10 ** 9):\n        pass\nexcept Exception:\n    pass"),
    "catch_everything_limit": ("try:\n    t = torch.ones(10 ** 6, 10 ** 6)\nexcept:\n    pass"),
    "module_private_tables": ("import torch.nn as nn\nclass M(nn.Module):\n    def __init__(self):\n"
                              "        super().__init__()\nm = M()\np = m._modules"),
    "module_set_private_table": ("import torch.nn as nn\nclass M(nn.Module):\n"
                                 "    def __init__(self):\n        super().__init__()\n"
                                 "        self._parameters = {}\nm = M()"),
    "module_forward_hooks": ("import torch.nn as nn\nclass M(nn.Module):\n"
                             "    def __init__(self):\n        super().__init__()\nm = M()\n"
                             "h = m._forward_hooks"),
    "module_class_attribute": ("import torch.nn as nn\nclass M(nn.Module):\n    pass\nm = M()\n"
                               "c = m.__class__.__bases__"),
    "ctx_internals": ("class F(torch.autograd.Function):\n    @staticmethod\n"
                      "    def forward(ctx, x):\n        ctx._raw_saved_tensors = 1\n"
                      "        return x * 2\n    @staticmethod\n    def backward(ctx, g):\n"
                      "        return g\ny = F.apply(torch.ones(2, requires_grad=True))"),
    "ctx_dict": ("class F(torch.autograd.Function):\n    @staticmethod\n    def forward(ctx, x):\n"
                 "        d = ctx.__dict__\n        return x * 2\n    @staticmethod\n"
                 "    def backward(ctx, g):\n        return g\ny = F.apply(torch.ones(2, requires_grad=True))"),
    "function_real_class": ("class F(torch.autograd.Function):\n    pass\nr = F.real"),
    "getattr_dunder": "class A:\n    pass\nd = getattr(A(), '__dict__')",
    "getattr_private_tensor": "x = torch.ones(2)\nv = getattr(x, '_cdata')",
    "getattr_storage": "x = torch.ones(2)\nv = getattr(x, 'storage')()",
    "type_subclasses": "t = type(1).__subclasses__()",
    "type_call": "t = type(torch.ones(1))('x')",
    "dict_of_builtins": "d = dict(print=print)\np = d['print'].target",
    "format_attribute_of_object": "class A:\n    pass\ns = '{0.__class__}'.format(A())",
    "forbidden_builtin_shadowed_late": "x = eval('1')\neval = 2",
    "name_mangling": "class A:\n    def __secret(self):\n        pass",
    "import_in_function": "def f():\n    import os\n    return os",
    "unbound_input": "v = input()",
    "nonlocal_escape": "def f():\n    nonlocal print\n    return 1",
    "raise_non_exception": "raise print",
    "except_non_exception": "try:\n    1 / 0\nexcept print:\n    pass",
}


@pytest.mark.parametrize("name", sorted(ESCAPES))
def test_escape_through_the_new_language_is_stopped_at_its_line(name: str) -> None:
    source = "import torch\n" + ESCAPES[name] + "\n"
    trace = run_program(source)
    assert trace.error is not None, f"{name} was not stopped"
    assert trace.error.line >= 2, (name, trace.error)
    assert trace.error.kind in ("refused", "runtime", "limit", "syntax"), trace.error


@pytest.mark.parametrize("name", ["catch_limit", "catch_everything_limit"])
def test_the_code_box_limits_cannot_be_caught(name: str) -> None:
    trace = run_program("import torch\n" + ESCAPES[name] + "\n")
    assert trace.error is not None and trace.error.kind == "limit"


def test_an_error_never_carries_the_python_exception_out_of_the_run() -> None:
    trace = run_program("import torch\ndef f():\n    raise ValueError('no')\nf()\n")
    assert trace.error is not None and trace.error.original is None
    assert trace.error.message == "ValueError: no" and trace.error.line == 3


def test_data_ptr_compares_storage_without_showing_an_address() -> None:
    source = ("import torch\nx = torch.ones(4)\nv = x.view(2, 2)\nc = x.clone()\n"
              "print(x.data_ptr() == v.data_ptr(), x.data_ptr() == c.data_ptr(), x.data_ptr())\n")
    trace = run_program(source)
    assert trace.error is None, trace.error
    same, different, shown = trace.stdout.split()
    assert (same, different) == ("True", "False")
    assert int(shown) < 2 ** 20  # an opaque small number, never the real address


def test_every_refused_construct_is_reported_at_once() -> None:
    source = "import os\nx = torch.ones(2)\ny = x.__dict__\nz = eval('1')\n"
    trace = run_program("import torch\n" + source)
    assert trace.error is not None
    assert [place.line for place in trace.error.every_place()] == [2, 4, 5]
    assert all(place.kind == "refused" for place in trace.error.every_place())


def test_standard_library_modules_stay_within_the_limits() -> None:
    from explorer.core import Limits

    slept = run_program("import time\ntime.sleep(10 ** 9)\n", limits=Limits(max_seconds=1.0))
    assert slept.error is not None and slept.error.kind == "limit" and slept.error.line == 2
    copied = run_program("import copy\nx = torch.ones(30_000_000)\ny = copy.deepcopy([x, x])\n")
    assert copied.error is not None and copied.error.kind == "limit" and copied.error.line == 3
    refused = run_program("import copy\nc = copy.error\n")
    assert refused.error is not None and refused.error.kind == "refused"


def test_the_broadcast_size_check_agrees_with_torch() -> None:
    import itertools

    import torch

    from explorer.core.sandbox.language.guards import _broadcast_pair

    shapes = [(), (1,), (3,), (2, 1), (2, 3), (1, 3), (4, 1, 3), (2, 2)]
    for left, right in itertools.product(shapes, repeat=2):
        try:
            expected = tuple(torch.broadcast_shapes(left, right))
        except RuntimeError:
            expected = None
        assert _broadcast_pair(left, right) == expected, (left, right)


def test_print_options_are_held_within_bounds_and_put_back() -> None:
    import torch

    before = torch._tensor_str.PRINT_OPTS.threshold
    trace = run_program("torch.set_printoptions(threshold=10 ** 9, precision=2)\n"
                        "print(torch.arange(20000.0))\nprint(torch.tensor([1.23456]))\n")
    assert trace.error is None, trace.error
    first, second = trace.stdout.strip().split("\n")[0], trace.stdout.strip().split("\n")[-1]
    assert "..." in first  # 20,000 elements are still summarised: the threshold is held at 10,000
    assert second == "tensor([1.23])"
    assert torch._tensor_str.PRINT_OPTS.threshold == before
