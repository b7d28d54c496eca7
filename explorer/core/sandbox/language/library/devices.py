"""Device boilerplate: ``torch.device``, ``torch.cuda``, ``torch.backends`` and ``.to(device)``.

The code box runs on the CPU. Questions about GPUs get the answers torch gives on a machine
without one (``cuda.is_available()`` is False); asking for a GPU raises the error Python raises
there, on the same line, with the way out. Nothing here changes torch's global settings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import torch

from explorer.core.sandbox.language import allowlist
from explorer.core.sandbox.language.library.base import (
    LibraryKind,
    check_devices,
    gpu_error,
    is_gpu,
    library_class,
    library_function,
    no_attribute,
    refuse_meta,
)
from explorer.core.sandbox.language.values import Namespace

if TYPE_CHECKING:
    from explorer.core.sandbox.language.evaluator import Evaluator


def device_members() -> dict[str, Any]:
    """The torch members for devices: ``device``, ``cuda``, ``backends``, default-device calls."""
    return {
        "device": library_class("torch.device", torch.device, _device),
        "set_default_device": library_function("torch.set_default_device", _set_default_device),
        "get_default_device": library_function("torch.get_default_device", _get_default_device),
        "cuda": cuda_namespace(),
        "backends": Namespace("torch.backends", {
            "mps": Namespace("torch.backends.mps", {
                "is_available": library_function("torch.backends.mps.is_available", _false),
                "is_built": library_function("torch.backends.mps.is_built", _false)}),
            "cudnn": CudnnSettings(),
        }),
    }


def cuda_namespace() -> Namespace:
    answers: dict[str, Callable[..., Any]] = {"is_available": _false, "device_count": _zero, "manual_seed": _seeded,
               "manual_seed_all": _seeded, "empty_cache": _nothing, "is_initialized": _false,
               "current_device": _no_gpu, "get_device_name": _no_gpu, "synchronize": _no_gpu}
    return Namespace("torch.cuda", {name: library_function(f"torch.cuda.{name}", answers[name])
                                    for name in sorted(allowlist.CUDA_FUNCTIONS)})


def _device(ev: Evaluator, *args: Any, **kwargs: Any) -> torch.device:
    device = torch.device(*args, **kwargs)  # naming a GPU is fine in Python; using one is not
    refuse_meta(device)
    return device


def _set_default_device(ev: Evaluator, device: Any) -> None:
    """The default is the CPU already; a GPU default would fail at the next tensor, so fail here."""
    if device is None:
        return
    refuse_meta(device)
    if is_gpu(device):
        raise gpu_error(device)
    torch.device(device)  # the error Python gives for a malformed name


def _get_default_device(ev: Evaluator) -> torch.device:
    return torch.device("cpu")


def _false(ev: Evaluator, *args: Any) -> bool:
    return False


def _zero(ev: Evaluator) -> int:
    return 0


def _seeded(ev: Evaluator, seed: Any) -> None:
    int(seed)  # Python seeds a GPU lazily, and there is none: nothing happens


def _nothing(ev: Evaluator) -> None:
    return None


def _no_gpu(ev: Evaluator, *args: Any) -> None:
    raise gpu_error("cuda")


# ----- torch.backends.cudnn: flags the program may set, kept for this run only -----------------

@dataclass(eq=False)
class CudnnSettings:
    """``torch.backends.cudnn``: reproducibility flags tutorials set; no cuDNN runs here."""

    deterministic: bool = False
    benchmark: bool = False
    enabled: bool = True

    def __repr__(self) -> str:
        return "<module 'torch.backends.cudnn'>"


class CudnnKind(LibraryKind):
    label = "torch.backends.cudnn"
    classes = (CudnnSettings,)
    attributes = allowlist.CUDNN_SETTINGS

    def set(self, ev: Evaluator, owner: Any, name: str, value: Any) -> None:
        if name not in self.attributes:
            raise no_attribute(owner, name)
        setattr(owner, name, bool(value))


# ----- tensor.to(...), tensor.cuda() -----------------------------------------------------------

def tensor_to(ev: Evaluator, tensor: torch.Tensor, args: list[Any], kwargs: dict[str, Any]) -> Any:
    check_devices(args, kwargs)
    if args and isinstance(args[0], int) and not isinstance(args[0], bool):
        raise gpu_error(args[0])
    if args and isinstance(args[0], torch.Tensor) and is_gpu(args[0].device):
        raise gpu_error(args[0].device)
    return ev.call_torch(lambda owner, *rest, **options: owner.to(*rest, **options),
                         (tensor, *args), kwargs, grows=False)


def tensor_cuda(ev: Evaluator, tensor: torch.Tensor, args: list[Any], kwargs: dict[str, Any]) -> Any:
    raise gpu_error("cuda")
