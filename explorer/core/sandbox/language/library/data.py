"""``torch.utils.data``: ``TensorDataset``, ``DataLoader`` (in this process only) and ``random_split``.

Shuffling draws from torch's generator as in Python, so a run seeded like the code box's gives
the same batches. Worker processes, samplers and pinned memory are refused: they start
processes or hand torch objects the program made.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import torch
import torch.utils.data

from explorer.core.sandbox.language.guards import new_elements
from explorer.core.sandbox.language.library.base import (
    LibraryKind,
    is_plain,
    library_class,
    library_function,
    refused,
)
from explorer.core.sandbox.language.library.sizes import callback
from explorer.core.sandbox.language.values import Namespace

if TYPE_CHECKING:
    from explorer.core.sandbox.language.evaluator import Evaluator

_DATASETS: tuple[type, ...] = (torch.utils.data.Dataset, list, tuple)
# DataLoader options that would start processes or hand torch the program's objects.
_REFUSED_OPTIONS = {
    "num_workers": "worker processes are not available in the code box; leave num_workers=0",
    "sampler": "samplers are not available in the code box; use shuffle=True or False",
    "batch_sampler": "samplers are not available in the code box; use batch_size and shuffle",
    "worker_init_fn": "worker processes are not available in the code box",
    "multiprocessing_context": "worker processes are not available in the code box",
    "persistent_workers": "worker processes are not available in the code box",
    "pin_memory": "pinned memory is for GPUs; the code box runs on the CPU",
    "prefetch_factor": "worker processes are not available in the code box",
}
_QUIET_VALUES = (None, 0, False, "")  # an option left at its default is fine


def data_namespace() -> Namespace:
    """``torch.utils.data``."""
    return Namespace("torch.utils.data", {
        "Dataset": library_class("torch.utils.data.Dataset", torch.utils.data.Dataset, _dataset),
        "Subset": library_class("torch.utils.data.Subset", torch.utils.data.Subset, _subset),
        "TensorDataset": library_class("torch.utils.data.TensorDataset",
                                       torch.utils.data.TensorDataset, _tensor_dataset),
        "DataLoader": library_class("torch.utils.data.DataLoader", torch.utils.data.DataLoader,
                                    _data_loader),
        "random_split": library_function("torch.utils.data.random_split", _random_split),
    }, repr(torch.utils.data))


def _dataset(ev: Evaluator) -> Any:
    return torch.utils.data.Dataset()  # the base the program's datasets derive from


def _subset(ev: Evaluator, dataset: Any, indices: Any) -> Any:
    _check_dataset(dataset, "Subset takes")
    if not is_plain(indices):
        raise TypeError("Subset indices are numbers")
    return torch.utils.data.Subset(dataset, indices)


def _tensor_dataset(ev: Evaluator, *tensors: Any) -> Any:
    for tensor in tensors:
        if not isinstance(tensor, torch.Tensor):
            raise TypeError(f"TensorDataset takes tensors, not {type(tensor).__name__}")
    return torch.utils.data.TensorDataset(*tensors)


def _data_loader(ev: Evaluator, dataset: Any, batch_size: Any = 1, shuffle: Any = None,
                 **options: Any) -> Any:
    _check_dataset(dataset, "a DataLoader reads")
    for name, value in options.items():
        if name in _REFUSED_OPTIONS and value not in _QUIET_VALUES:
            raise refused(f"DataLoader({name}=...) is not available in the code box",
                          _REFUSED_OPTIONS[name])
    collate = options.pop("collate_fn", None)
    generator = options.get("generator")
    if generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError("generator must be a torch.Generator")
    for name, value in options.items():
        if name != "generator" and not is_plain(value):
            raise TypeError(f"DataLoader({name}=...) takes a plain value")
    options = {name: value for name, value in options.items() if name not in _REFUSED_OPTIONS}
    if not (batch_size is None or isinstance(batch_size, int)) or not (
            shuffle is None or isinstance(shuffle, bool)):
        raise TypeError("batch_size is a number and shuffle is True or False")
    return torch.utils.data.DataLoader(
        dataset, batch_size=batch_size, shuffle=shuffle, num_workers=0,
        collate_fn=None if collate is None else callback(ev, collate), **options)


def _check_dataset(dataset: Any, what: str) -> None:
    if not isinstance(dataset, _DATASETS):
        raise TypeError(f"{what} a Dataset or a list, not {type(dataset).__name__}")


def _random_split(ev: Evaluator, dataset: Any, lengths: Any, generator: Any = None) -> Any:
    _check_dataset(dataset, "random_split takes")
    if not is_plain(lengths):
        raise TypeError("lengths are numbers")
    if generator is None:
        return torch.utils.data.random_split(dataset, lengths)
    if not isinstance(generator, torch.Generator):
        raise TypeError("generator must be a torch.Generator")
    return torch.utils.data.random_split(dataset, lengths, generator)


def _batches(ev: Evaluator, loader: Any) -> Iterator[Any]:
    """The loader's batches, each charged to the budget (stacking copies the samples)."""
    for batch in loader:
        ev.budget.add_elements(new_elements(batch, []))
        yield ev.checked(batch)


class DataLoaderKind(LibraryKind):
    label = "a DataLoader"
    classes = (torch.utils.data.DataLoader,)
    attributes = frozenset({"dataset", "batch_size", "drop_last"})

    def iterate(self, ev: Evaluator, owner: Any) -> Iterator[Any]:
        return _batches(ev, owner)



class DatasetKind(LibraryKind):
    """``TensorDataset``, the ``Subset`` values ``random_split`` returns, and the ``Dataset`` base."""

    label = "a dataset"
    classes = (torch.utils.data.Dataset,)
    attributes = frozenset({"tensors", "dataset", "indices"})

    def get(self, ev: Evaluator, owner: Any, name: str) -> Any:
        if name == "tensors" and not isinstance(owner, torch.utils.data.TensorDataset):
            raise AttributeError(f"'{type(owner).__name__}' object has no attribute '{name}'")
        return super().get(ev, owner, name)

    def item(self, ev: Evaluator, owner: Any, index: Any) -> Any:
        return ev.checked(owner[index])

    def iterate(self, ev: Evaluator, owner: Any) -> Iterator[Any]:
        return (ev.checked(owner[index]) for index in range(len(owner)))

