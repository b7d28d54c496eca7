"""``torch.nn`` for the code box: layers, containers, losses, ``init``, ``utils`` and what a program
may do with a module (its own ``nn.Module`` subclasses included).

Layers are built after their parameters are counted on the meta device. A module's forward runs
under the library guard, so every torch call inside it is size-checked like the program's own.
"""

from __future__ import annotations

import collections
from collections.abc import Iterator
from types import GeneratorType
from typing import TYPE_CHECKING, Any

import torch
import torch.nn.utils

from explorer.core.sandbox.language import allowlist
from explorer.core.sandbox.language.library.base import (
    LibraryKind,
    Method,
    bound,
    check_devices,
    class_of,
    gpu_error,
    is_plain,
    library_class,
    no_attribute,
    refused,
)
from explorer.core.sandbox.language.library.sizes import build_checked, callback, guarded
from explorer.core.sandbox.language.values import Namespace, SafeFunction

if TYPE_CHECKING:
    from explorer.core.sandbox.language.evaluator import Evaluator

_CONTAINERS = (torch.nn.Sequential, torch.nn.ModuleList, torch.nn.ModuleDict,
               torch.nn.ParameterList, torch.nn.ParameterDict)
_TABLES = ("_parameters", "_buffers", "_modules")


# ----- the torch.nn namespace ----------------------------------------------------------------

def nn_members() -> dict[str, Any]:
    """Every allowed torch.nn class, plus ``init`` and ``utils``."""
    members: dict[str, Any] = {name: _layer_class(name) for name in sorted(allowlist.NN_LAYERS)
                               if hasattr(torch.nn, name)}
    members.update({name: _container_class(name) for name in allowlist.NN_CONTAINERS})
    members["Module"] = library_class("torch.nn.Module", torch.nn.Module, _make_plain_module)
    members["Parameter"] = library_class("torch.nn.Parameter", torch.nn.Parameter, _make_parameter)
    members["init"] = Namespace("torch.nn.init", _torch_functions(torch.nn.init, "torch.nn.init",
                                                                    allowlist.NN_INIT_FUNCTIONS))
    members["utils"] = Namespace("torch.nn.utils", _torch_functions(
        torch.nn.utils, "torch.nn.utils", allowlist.NN_UTILS_FUNCTIONS))
    return members


def _torch_functions(module: Any, prefix: str, names: frozenset[str]) -> dict[str, Any]:
    """Functions run as the program's own torch calls (size-checked first, counted after)."""
    return {name: SafeFunction(f"{prefix}.{name}", getattr(module, name), "torch",
                               repr(getattr(module, name)))
            for name in sorted(names) if callable(getattr(module, name, None))}


def _layer_class(name: str) -> SafeFunction:
    cls = getattr(torch.nn, name)

    def make(ev: Evaluator, *args: Any, **kwargs: Any) -> Any:
        check_devices((), kwargs)
        return build_checked(ev, cls, _lists(args), _lists(kwargs))

    return library_class(f"torch.nn.{name}", cls, make)


def _container_class(name: str) -> SafeFunction:
    cls = getattr(torch.nn, name)

    def make(ev: Evaluator, *args: Any, **kwargs: Any) -> Any:
        return cls(*_lists(args), **_lists(kwargs))  # holds what it is given: allocates nothing

    return library_class(f"torch.nn.{name}", cls, make)


def _make_plain_module(ev: Evaluator) -> torch.nn.Module:
    return torch.nn.Module()


def _make_parameter(ev: Evaluator, data: Any = None, requires_grad: bool = True) -> torch.nn.Parameter:
    if data is None:
        return torch.nn.Parameter(torch.empty(0), requires_grad)  # what torch makes of None
    if not isinstance(data, torch.Tensor):
        raise TypeError(f"Parameter data must be a tensor, not {type(data).__name__}")
    return torch.nn.Parameter(data, requires_grad)


def _lists(values: Any) -> Any:
    """Generators as lists: a constructor runs twice (meta, then real) and must see the same items."""
    if isinstance(values, dict):
        return {key: list(value) if isinstance(value, GeneratorType) else value
                for key, value in values.items()}
    return tuple(list(value) if isinstance(value, GeneratorType) else value for value in values)


# ----- what a program may do with a module ---------------------------------------------------

class ModuleKind(LibraryKind):
    """Any ``torch.nn.Module``: its library members, parameters, buffers and submodules by name."""

    label = "a module"
    classes = (torch.nn.Module,)
    attributes = allowlist.MODULE_ATTRIBUTES

    def __init__(self) -> None:
        self.methods = {name: method for name, method in _MODULE_METHODS.items()
                        if name in allowlist.MODULE_METHODS}

    def get(self, ev: Evaluator, owner: Any, name: str) -> Any:
        if name == "__class__":
            return class_of(owner)
        if name.startswith("_"):
            raise no_attribute(owner, name)
        for table in _TABLES:
            found = vars(owner).get(table, {})
            if name in found:
                return found[name]
        if name in self.methods and hasattr(type(owner), name):
            return bound(owner, name, self.methods[name])
        if name in self.attributes and hasattr(owner, name):
            return ev.checked(getattr(owner, name))
        raise no_attribute(owner, name)

    def set(self, ev: Evaluator, owner: Any, name: str, value: Any) -> None:
        if _settable(owner, name, value):
            setattr(owner, name, value)
            return
        raise refused(f"`.{name}` of a module cannot be assigned this value",
                      "a module takes parameters, buffers, submodules and plain settings")

    def call(self, ev: Evaluator, owner: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
        with guarded(ev):
            return owner(*args, **kwargs)

    def vocabulary(self) -> frozenset[str]:
        return self.attributes | frozenset(self.methods)

    def item(self, ev: Evaluator, owner: Any, index: Any) -> Any:
        if not isinstance(owner, _CONTAINERS):
            raise TypeError(f"'{type(owner).__name__}' object is not subscriptable")
        return owner[index]

    def set_item(self, ev: Evaluator, owner: Any, index: Any, value: Any) -> None:
        if not isinstance(owner, _CONTAINERS):
            raise TypeError(f"'{type(owner).__name__}' object does not support item assignment")
        if not isinstance(value, (torch.nn.Module, torch.Tensor)):
            raise TypeError(f"{type(owner).__name__} holds modules or parameters, not "
                            f"{type(value).__name__}")
        container: Any = owner  # each container checks its own item type, as in Python
        container[index] = value

    def iterate(self, ev: Evaluator, owner: Any) -> Iterator[Any]:
        if not isinstance(owner, _CONTAINERS):
            raise TypeError(f"'{type(owner).__name__}' object is not iterable")
        return iter(owner)



def _settable(owner: torch.nn.Module, name: str, value: Any) -> bool:
    """Parameters, submodules, buffers and plain settings: what ``nn.Module.__setattr__`` expects."""
    if name.startswith("_") or name in allowlist.MODULE_METHODS:
        return False
    if name == "training":
        return isinstance(value, bool)
    if isinstance(value, (torch.nn.Parameter, torch.nn.Module)):
        return True
    if any(name in vars(owner).get(table, {}) for table in _TABLES):
        return value is None or isinstance(value, torch.Tensor)
    return name in allowlist.MODULE_ATTRIBUTES and is_plain(value) and is_plain(getattr(owner, name, None))


# Each method: (evaluator, module, *args, **kwargs) -> value.

def _parameters(ev: Evaluator, owner: Any, recurse: bool = True) -> Any:
    return owner.parameters(recurse)


def _named_parameters(ev: Evaluator, owner: Any, prefix: str = "", recurse: bool = True,
                      remove_duplicate: bool = True) -> Any:
    return owner.named_parameters(prefix, recurse, remove_duplicate)


def _buffers(ev: Evaluator, owner: Any, recurse: bool = True) -> Any:
    return owner.buffers(recurse)


def _named_buffers(ev: Evaluator, owner: Any, prefix: str = "", recurse: bool = True,
                   remove_duplicate: bool = True) -> Any:
    return owner.named_buffers(prefix, recurse, remove_duplicate)


def _children(ev: Evaluator, owner: Any) -> Any:
    return owner.children()


def _named_children(ev: Evaluator, owner: Any) -> Any:
    return owner.named_children()


def _modules(ev: Evaluator, owner: Any) -> Any:
    return owner.modules()


def _named_modules(ev: Evaluator, owner: Any, prefix: str = "", remove_duplicate: bool = True) -> Any:
    return owner.named_modules(prefix=prefix, remove_duplicate=remove_duplicate)


def _zero_grad(ev: Evaluator, owner: Any, set_to_none: bool = True) -> None:
    owner.zero_grad(set_to_none)


def _train(ev: Evaluator, owner: Any, mode: bool = True) -> Any:
    if not isinstance(mode, bool):
        raise ValueError("training mode is expected to be boolean")
    return owner.train(mode)


def _eval(ev: Evaluator, owner: Any) -> Any:
    return owner.eval()


def _state_dict(ev: Evaluator, owner: Any, *, prefix: str = "", keep_vars: bool = False) -> Any:
    """A copy of the module's state: the tensors are the module's own, the dict is the program's."""
    return collections.OrderedDict(owner.state_dict(prefix=prefix, keep_vars=keep_vars))


def _load_state_dict(ev: Evaluator, owner: Any, state_dict: Any, strict: bool = True,
                     assign: bool = False) -> Any:
    if not isinstance(state_dict, dict):
        raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
    for key, value in state_dict.items():
        if not isinstance(key, str) or not isinstance(value, torch.Tensor):
            raise TypeError("a state dict maps names to tensors")
    return owner.load_state_dict(dict(state_dict), strict=strict, assign=assign)


def _to(ev: Evaluator, owner: Any, *args: Any, **kwargs: Any) -> Any:
    check_devices(args, kwargs)
    if args and isinstance(args[0], int) and not isinstance(args[0], bool):
        raise gpu_error(args[0])
    if any(isinstance(value, (torch.dtype, torch.Tensor)) for value in (*args, *kwargs.values())):
        return _converted(ev, owner, lambda: owner.to(*args, **kwargs))
    return owner.to(*args, **kwargs)


def _cpu(ev: Evaluator, owner: Any) -> Any:
    return owner.cpu()


def _cuda(ev: Evaluator, owner: Any, device: Any = None) -> Any:
    raise gpu_error("cuda")


def _converter(name: str) -> Method:
    def convert(ev: Evaluator, owner: Any) -> Any:
        return _converted(ev, owner, getattr(owner, name))

    return convert


def _converted(ev: Evaluator, owner: Any, convert: Any) -> Any:
    """A dtype change copies every parameter and buffer: count them first."""
    count = sum(tensor.numel() for tensor in (*owner.parameters(), *owner.buffers()))
    ev.budget.reserve_elements(count)
    result = convert()
    ev.budget.add_elements(count)
    return result


def _requires_grad_(ev: Evaluator, owner: Any, requires_grad: bool = True) -> Any:
    return owner.requires_grad_(requires_grad)


def _apply(ev: Evaluator, owner: Any, fn: Any) -> Any:
    return owner.apply(callback(ev, fn))


def _hook_registrar(name: str) -> Method:
    def register(ev: Evaluator, owner: Any, hook: Any, *args: Any, **kwargs: Any) -> Any:
        for value in (*args, *kwargs.values()):
            if not isinstance(value, bool):
                raise TypeError(f"{name}() takes flags (prepend=, with_kwargs=, always_call=) "
                                "besides the hook")
        return getattr(owner, name)(callback(ev, hook), *args, **kwargs)

    return register


def _register_parameter(ev: Evaluator, owner: Any, name: str, param: Any) -> None:
    if param is not None and not isinstance(param, torch.nn.Parameter):
        raise TypeError(f"cannot assign '{type(param).__name__}' object to parameter '{name}' "
                        "(torch.nn.Parameter or None required)")
    owner.register_parameter(name, param)


def _register_buffer(ev: Evaluator, owner: Any, name: str, tensor: Any, persistent: bool = True) -> None:
    if tensor is not None and not isinstance(tensor, torch.Tensor):
        raise TypeError(f"cannot assign '{type(tensor).__name__}' object to buffer '{name}' "
                        "(torch Tensor or None required)")
    owner.register_buffer(name, tensor, persistent)


def _add_module(ev: Evaluator, owner: Any, name: str, module: Any) -> None:
    if module is not None and not isinstance(module, torch.nn.Module):
        raise TypeError(f"{type(module).__name__} is not a Module subclass")
    owner.add_module(name, module)


def _lookup(name: str) -> Method:
    def find(ev: Evaluator, owner: Any, target: str) -> Any:
        return getattr(owner, name)(target)

    return find


def _forward(ev: Evaluator, owner: Any, *args: Any, **kwargs: Any) -> Any:
    with guarded(ev):
        return owner.forward(*args, **kwargs)


def _extra_repr(ev: Evaluator, owner: Any) -> str:
    return owner.extra_repr()


def _reset_parameters(ev: Evaluator, owner: Any) -> None:
    with guarded(ev):
        owner.reset_parameters()


def _flatten_parameters(ev: Evaluator, owner: Any) -> None:
    owner.flatten_parameters()


def _container_method(name: str) -> Method:
    """append, extend, insert, keys, values, items, pop of the containers."""

    def run(ev: Evaluator, owner: Any, *args: Any) -> Any:
        for value in args:
            if not isinstance(value, (str, int, torch.nn.Module, torch.Tensor, list, tuple, dict)):
                raise TypeError(f"{type(owner).__name__}.{name}() takes modules, parameters or names")
        result = getattr(owner, name)(*_lists(args))
        return list(result) if name in ("keys", "values", "items") else result

    return run


_MODULE_METHODS: dict[str, Method] = {
    "parameters": _parameters, "named_parameters": _named_parameters, "buffers": _buffers,
    "named_buffers": _named_buffers, "children": _children, "named_children": _named_children,
    "modules": _modules, "named_modules": _named_modules, "zero_grad": _zero_grad,
    "train": _train, "eval": _eval, "state_dict": _state_dict,
    "load_state_dict": _load_state_dict, "to": _to, "cpu": _cpu, "cuda": _cuda,
    "double": _converter("double"), "float": _converter("float"), "half": _converter("half"),
    "bfloat16": _converter("bfloat16"), "requires_grad_": _requires_grad_, "apply": _apply,
    "register_parameter": _register_parameter, "register_buffer": _register_buffer,
    "register_module": _add_module, "add_module": _add_module,
    "get_submodule": _lookup("get_submodule"), "get_parameter": _lookup("get_parameter"),
    "get_buffer": _lookup("get_buffer"), "forward": _forward, "extra_repr": _extra_repr,
    "reset_parameters": _reset_parameters, "flatten_parameters": _flatten_parameters,
    **{name: _hook_registrar(name) for name in (
        "register_forward_hook", "register_forward_pre_hook", "register_full_backward_hook",
        "register_full_backward_pre_hook", "register_backward_hook")},
    **{name: _container_method(name) for name in (
        "append", "extend", "insert", "keys", "values", "items", "pop")},
}
