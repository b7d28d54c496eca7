"""``torch.optim`` for the code box: optimizers, their steps, and learning-rate schedulers.

The program may change its optimizer's settings the way tutorials do (``group["lr"] = 0.01``):
``param_groups`` is the optimizer's own list. Before every step the groups are checked to hold
only parameters and plain settings, so torch never meets a program object where it expects a
number. The state an optimizer keeps (momentum, Adam's averages) is counted against the budget.
"""

from __future__ import annotations

import collections
from types import GeneratorType
from typing import TYPE_CHECKING, Any

import torch
import torch.optim
import torch.optim.lr_scheduler

from explorer.core.sandbox.language import allowlist
from explorer.core.sandbox.language.library.base import LibraryKind, Method, is_plain, library_class
from explorer.core.sandbox.language.library.sizes import callback
from explorer.core.sandbox.language.values import Namespace

if TYPE_CHECKING:
    from explorer.core.sandbox.language.evaluator import Evaluator

_SCHEDULER_TYPES = (torch.optim.lr_scheduler.LRScheduler, torch.optim.lr_scheduler.ReduceLROnPlateau)
# Tensors of state an optimizer keeps per parameter, at most (reserved before the first step).
_STATE_SLOTS = {"SGD": 1, "Adam": 3, "AdamW": 3, "RMSprop": 3, "Adagrad": 1, "Adadelta": 2,
                "Adamax": 2, "NAdam": 2, "RAdam": 2, "ASGD": 2, "Rprop": 2}


def optim_namespace() -> Namespace:
    """``torch.optim`` with its optimizers and ``lr_scheduler``."""
    members: dict[str, Any] = {name: _optimizer_class(name) for name in sorted(allowlist.OPTIMIZERS)}
    members["lr_scheduler"] = scheduler_namespace()
    return Namespace("torch.optim", members, repr(torch.optim))


def scheduler_namespace() -> Namespace:
    members = {name: _scheduler_class(name) for name in sorted(allowlist.LR_SCHEDULERS)}
    return Namespace("torch.optim.lr_scheduler", members, repr(torch.optim.lr_scheduler))


# ----- optimizers ----------------------------------------------------------------------------

def _optimizer_class(name: str) -> Any:
    cls = getattr(torch.optim, name)

    def make(ev: Evaluator, params: Any, *args: Any, **kwargs: Any) -> Any:
        groups = list(params) if isinstance(params, (GeneratorType, tuple, list)) else params
        if isinstance(groups, list):
            for group in groups:
                if isinstance(group, dict):
                    check_group(group)
                elif not isinstance(group, torch.Tensor):
                    raise TypeError(f"optimizer can only optimize Tensors, but one of the params "
                                    f"is {type(group).__name__}")
        _check_settings(args, kwargs)
        optimizer = cls(groups, *args, **kwargs)
        ev.budget.add_elements(state_elements(optimizer))  # Adagrad keeps its sums from the start
        return optimizer

    return library_class(f"torch.optim.{name}", cls, make)


def _check_settings(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    for value in (*args, *kwargs.values()):
        settings = value.values() if isinstance(value, dict) else [value]  # Optimizer(params, defaults)
        for setting in settings:
            if not (is_plain(setting) or isinstance(setting, torch.Tensor)):
                raise TypeError(f"an optimizer setting cannot be a {type(setting).__name__}")


def check_group(group: dict[str, Any]) -> None:
    """A parameter group holds its parameters and plain settings, nothing torch would call."""
    for key, value in group.items():
        if not isinstance(key, str):
            raise TypeError("parameter group keys are names")
        if key == "params":
            params = [value] if isinstance(value, torch.Tensor) else value
            if not isinstance(params, (list, tuple, GeneratorType)):
                raise TypeError("params argument given to the optimizer should be an iterable of "
                                f"Tensors or dicts, but got {type(value).__name__}")
            if not isinstance(params, GeneratorType) and not all(
                    isinstance(param, torch.Tensor) for param in params):
                raise TypeError("optimizer can only optimize Tensors")
        elif not (is_plain(value) or isinstance(value, torch.Tensor)):
            raise TypeError(f"parameter group setting '{key}' cannot be a {type(value).__name__}")


def state_elements(optimizer: torch.optim.Optimizer) -> int:
    return sum(value.numel() for state in optimizer.state.values() for value in state.values()
               if isinstance(value, torch.Tensor))


def _reserve_state(ev: Evaluator, optimizer: torch.optim.Optimizer) -> None:
    """Before a step makes new state, check the budget has room for it."""
    new = 0
    for group in optimizer.param_groups:
        slots = 2 * int(group.get("history_size", 0)) + 4 if isinstance(
            optimizer, torch.optim.LBFGS) else _STATE_SLOTS.get(type(optimizer).__name__, 3)
        new += sum(slots * param.numel() for param in group["params"]
                   if param.grad is not None and param not in optimizer.state)
    ev.budget.reserve_elements(new)


def _step(ev: Evaluator, owner: Any, closure: Any = None) -> Any:
    for group in owner.param_groups:
        check_group(group)
    _reserve_state(ev, owner)
    before = state_elements(owner)
    ev.budget.check_time()
    result = owner.step() if closure is None else owner.step(callback(ev, closure))
    ev.budget.add_elements(max(state_elements(owner) - before, 0))
    return result


def _zero_grad(ev: Evaluator, owner: Any, set_to_none: bool = True) -> None:
    for group in owner.param_groups:
        check_group(group)
    owner.zero_grad(set_to_none)


def _state(ev: Evaluator, owner: Any) -> dict[Any, Any]:
    """A copy (printed as Python prints the real one): the program reads it, torch keeps its own."""
    return collections.defaultdict(dict, {param: dict(state) for param, state in owner.state.items()})


def _state_dict(ev: Evaluator, owner: Any) -> Any:
    return owner.state_dict()  # fresh dicts and lists, holding the state's tensors


def _load_state_dict(ev: Evaluator, owner: Any, state_dict: Any) -> None:
    check_tree(state_dict)
    owner.load_state_dict(state_dict)


def _add_param_group(ev: Evaluator, owner: Any, group: Any) -> None:
    if not isinstance(group, dict):
        raise TypeError(f"param_group must be a dict, but got {type(group).__name__}")
    check_group(group)
    owner.add_param_group(group)


def check_tree(value: Any) -> None:
    """Dicts, lists and tuples of plain values and tensors: a state dict the program made."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
        elif not (is_plain(item) or isinstance(item, torch.Tensor)):
            raise TypeError(f"a state dict cannot hold a {type(item).__name__}")


class OptimizerKind(LibraryKind):
    label = "an optimizer"
    classes = (torch.optim.Optimizer,)
    attributes = frozenset({"param_groups"})
    methods: dict[str, Method] = {
        "step": _step, "zero_grad": _zero_grad, "state_dict": _state_dict,
        "load_state_dict": _load_state_dict, "add_param_group": _add_param_group,
    }

    def get(self, ev: Evaluator, owner: Any, name: str) -> Any:
        if name == "state":
            return _state(ev, owner)
        if name == "defaults":
            return dict(owner.defaults)
        return super().get(ev, owner, name)

    def vocabulary(self) -> frozenset[str]:
        return allowlist.OPTIMIZER_MEMBERS


# ----- learning-rate schedulers --------------------------------------------------------------

def _scheduler_class(name: str) -> Any:
    cls = getattr(torch.optim.lr_scheduler, name)

    def make(ev: Evaluator, *args: Any, **kwargs: Any) -> Any:
        takes_function = name in _FUNCTION_SECOND
        converted = [_scheduler_argument(ev, value, takes_function and index == 1)
                     for index, value in enumerate(args)]
        options = {key: _scheduler_argument(ev, value, key in _FUNCTION_OPTIONS)
                   for key, value in kwargs.items()}
        return cls(*converted, **options)

    return library_class(f"torch.optim.lr_scheduler.{name}", cls, make)


# Where a scheduler takes the program's functions: lr_lambda (second, or by name) and scale_fn.
_FUNCTION_SECOND = frozenset({"LambdaLR", "MultiplicativeLR"})
_FUNCTION_OPTIONS = frozenset({"lr_lambda", "scale_fn"})


def _scheduler_argument(ev: Evaluator, value: Any, function: bool) -> Any:
    """Optimizers, schedulers and plain settings pass; a function where one is due becomes a callback."""
    if is_plain(value) or isinstance(value, (torch.Tensor, torch.optim.Optimizer, *_SCHEDULER_TYPES)):
        return value
    if isinstance(value, (list, tuple)):
        return type(value)(_scheduler_argument(ev, item, function) for item in value)
    if function and ev.is_callable(value):
        return callback(ev, value)
    raise TypeError(f"a scheduler argument cannot be a {type(value).__name__}")


def _scheduler_step(ev: Evaluator, owner: Any, *args: Any) -> None:
    for value in args:
        if not (is_plain(value) or isinstance(value, torch.Tensor)):
            raise TypeError(f"step() takes a number, not {type(value).__name__}")
    optimizer = getattr(owner, "optimizer", None)  # a ChainedScheduler steps its schedulers'
    for group in getattr(optimizer, "param_groups", ()):
        check_group(group)
    owner.step(*args)


def _get_last_lr(ev: Evaluator, owner: Any) -> list[float]:
    return list(owner.get_last_lr())


def _scheduler_state_dict(ev: Evaluator, owner: Any) -> Any:
    return owner.state_dict()


def _scheduler_load_state_dict(ev: Evaluator, owner: Any, state_dict: Any) -> None:
    check_tree(state_dict)
    owner.load_state_dict(state_dict)


class SchedulerKind(LibraryKind):
    label = "a learning-rate scheduler"
    classes = _SCHEDULER_TYPES
    attributes = frozenset({"last_epoch", "base_lrs", "optimizer"})
    methods: dict[str, Method] = {
        "step": _scheduler_step, "get_last_lr": _get_last_lr,
        "state_dict": _scheduler_state_dict, "load_state_dict": _scheduler_load_state_dict,
    }

    def vocabulary(self) -> frozenset[str]:
        return allowlist.SCHEDULER_MEMBERS
