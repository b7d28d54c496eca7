"""The library tutorials reach for, as the code box offers it: ``torch.nn`` modules, ``torch.optim``,
``torch.autograd.functional``, legacy constructors, devices, hooks, ``grad_fn._saved_*``,
``torch.utils.data`` and a skipping ``matplotlib.pyplot``.

Every name comes from the allow-list; each kind of object a program may hold names its members
(:mod:`explorer.core.sandbox.language.objects`). :func:`extend_namespaces` adds the namespaces to a run's
modules and :func:`register_kinds` registers the kinds once per process.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import torch

from explorer.core.sandbox.language import objects
from explorer.core.sandbox.language.library import (
    data,
    devices,
    distributions,
    functional_autograd,
    hooks,
    legacy,
    nn,
    numpy_kinds,
    numpy_random,
    numpy_subset,
    optim,
    plotting,
    saved,
)
from explorer.core.sandbox.language.values import Namespace

if TYPE_CHECKING:
    from explorer.core.sandbox.language.evaluator import Evaluator

# Tensor methods the library implements: (evaluator, tensor, args, kwargs) -> value.
TENSOR_METHODS: dict[str, Callable[[Evaluator, torch.Tensor, list[Any], dict[str, Any]], Any]] = {
    **hooks.TENSOR_HOOKS, "to": devices.tensor_to, "cuda": devices.tensor_cuda,
    "numpy": numpy_subset.tensor_numpy,
}
# Operators with a numpy array or number on either side (the evaluator hands them here).
numpy_operand = numpy_subset.is_numpy
array_binary = numpy_subset.binary
array_compare = numpy_subset.compare
array_unary = numpy_subset.unary


def extend_namespaces(namespaces: dict[str, Namespace]) -> None:
    """Add the library to one run's namespaces (built fresh for every run)."""
    torch_ns, nn_ns, autograd = namespaces["torch"], namespaces["torch.nn"], namespaces["torch.autograd"]
    nn_ns.members.update(nn.nn_members())
    optimizers = optim.optim_namespace()
    functional = functional_autograd.functional_namespace()
    data_ns = data.data_namespace()
    device_members = devices.device_members()
    torch_ns.members.update(legacy.legacy_types())
    torch_ns.members.update(legacy.zeroed_creation())
    torch_ns.members.update(device_members)
    torch_ns.members.update(optim=optimizers, utils=Namespace("torch.utils", {"data": data_ns}))
    autograd.members.update(functional=functional, Variable=legacy.variable(),
                            **functional_autograd.gradient_checks())
    namespaces.update({
        "torch.nn.init": nn_ns.members["init"], "torch.nn.utils": nn_ns.members["utils"],
        "torch.optim": optimizers, "torch.optim.lr_scheduler": optimizers.members["lr_scheduler"],
        "torch.autograd.functional": functional, "torch.utils.data": data_ns,
        "torch.utils": torch_ns.members["utils"], "torch.cuda": device_members["cuda"],
        **plotting.plot_namespaces(),
    })
    distribution_modules = distributions.distribution_namespaces()
    torch_ns.members["distributions"] = distribution_modules["torch.distributions"]
    namespaces.update({**distribution_modules, **numpy_subset.numpy_namespaces()})


def tensor_method(name: str) -> Callable[..., Any] | None:
    """The library's own implementation of ``tensor.name(...)``, if it has one."""
    return TENSOR_METHODS.get(name)


def register_kinds() -> None:
    """Register every library kind with the object registry (once per process)."""
    for kind in (nn.ModuleKind(), optim.OptimizerKind(), optim.SchedulerKind(), hooks.HandleKind(),
                 devices.CudnnKind(), saved.SavedValuesKind(), plotting.PlotKind(),
                 data.DataLoaderKind(), data.DatasetKind(), numpy_kinds.ArrayKind(),
                 numpy_kinds.ScalarKind(), numpy_kinds.DtypeKind(), numpy_kinds.InfoKind(),
                 numpy_random.GeneratorKind(), distributions.DistributionKind()):
        objects.register(kind)


objects.register_loader(register_kinds)
