"""What every library kind shares: named members, bound methods, refusals and the GPU answer."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import torch

from explorer.core.errors import ExplorerError
from explorer.core.sandbox.language.values import SafeFunction

if TYPE_CHECKING:
    from explorer.core.sandbox.language.evaluator import Evaluator

# A method of a library object, implemented here: (evaluator, owner, *args, **kwargs) -> value.
Method = Callable[..., Any]

_PLAIN = (bool, int, float, complex, str, type(None), torch.dtype, torch.device, torch.Size)


class LibraryKind:
    """A kind whose members are listed by name: ``attributes`` are read, ``methods`` are called.

    Subclasses set ``label`` (how errors name the kind), ``classes`` (what ``accepts`` takes),
    ``attributes`` and ``methods``; they override :meth:`get`, :meth:`set`, :meth:`call` and the
    container hooks (:meth:`item`, :meth:`set_item`, :meth:`iterate`) where the kind has them;
    ``len()`` uses the object's own length.
    """

    label = "object"
    classes: tuple[type, ...] = ()
    attributes: frozenset[str] = frozenset()
    methods: dict[str, Method] = {}

    def accepts(self, value: Any) -> bool:
        return isinstance(value, self.classes)

    def get(self, ev: Evaluator, owner: Any, name: str) -> Any:
        if name == "__class__":
            return class_of(owner)
        if name in self.methods:
            return bound(owner, name, self.methods[name])
        if name in self.attributes:
            return ev.checked(getattr(owner, name))
        raise no_attribute(owner, name)

    def set(self, ev: Evaluator, owner: Any, name: str, value: Any) -> None:
        raise refused(f"`.{name}` of {self.label} cannot be assigned")

    def call(self, ev: Evaluator, owner: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
        raise TypeError(f"'{type(owner).__name__}' object is not callable")

    def vocabulary(self) -> frozenset[str]:
        return self.attributes | frozenset(self.methods)

    # Containers: ``owner[index]``, ``owner[index] = value``, ``for item in owner``.
    def item(self, ev: Evaluator, owner: Any, index: Any) -> Any:
        raise TypeError(f"'{type(owner).__name__}' object is not subscriptable")

    def set_item(self, ev: Evaluator, owner: Any, index: Any, value: Any) -> None:
        raise TypeError(f"'{type(owner).__name__}' object does not support item assignment")

    def iterate(self, ev: Evaluator, owner: Any) -> Iterator[Any]:
        raise TypeError(f"'{type(owner).__name__}' object is not iterable")


def bound(owner: Any, name: str, method: Method) -> SafeFunction:
    """``owner.name`` as a value the program can hold and call, and nothing else."""

    def call(ev: Evaluator, *args: Any, **kwargs: Any) -> Any:
        return method(ev, owner, *args, **kwargs)

    return SafeFunction(f"{type(owner).__name__}.{name}", call, "builtin",
                        f"<bound method {type(owner).__name__}.{name}>")


def class_of(owner: Any) -> SafeFunction:
    """``owner.__class__``: the class to test with isinstance and read ``__name__`` from, not to call."""
    cls = type(owner)
    return SafeFunction(f"{cls.__module__}.{cls.__qualname__}", _not_a_constructor, "plain",
                        f"<class '{_class_path(cls)}'>", runtime_type=cls)


def _not_a_constructor(*args: Any, **kwargs: Any) -> None:
    raise TypeError("a class reached through `.__class__` cannot be called in the code box")


def library_class(qualname: str, runtime_type: type, make: Callable[..., Any]) -> SafeFunction:
    """A library class the program can name, call (``make(ev, *args)``) and test with isinstance."""
    return SafeFunction(qualname, make, "builtin", f"<class '{_class_path(runtime_type)}'>",
                        runtime_type=runtime_type)


def library_function(qualname: str, make: Callable[..., Any]) -> SafeFunction:
    """A library function implemented here, called as ``make(ev, *args, **kwargs)``."""
    return SafeFunction(qualname, make, "builtin", f"<function {qualname}>")


def _class_path(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def no_attribute(owner: Any, name: str) -> AttributeError:
    return AttributeError(f"'{type(owner).__name__}' object has no attribute '{name}'")


def refused(message: str, advice: str = "") -> ExplorerError:
    return ExplorerError(message, kind="refused", advice=advice)


def is_plain(value: Any) -> bool:
    """A number, string, flag or a tuple/list of them: safe to store in a library object."""
    if isinstance(value, _PLAIN):
        return True
    if isinstance(value, (tuple, list)):
        return all(is_plain(item) for item in value)
    return False


def is_gpu(device: Any) -> bool:
    """Whether a ``device=`` or ``.to()`` argument names a GPU (cuda, mps, xpu...)."""
    if isinstance(device, torch.device):
        return device.type not in ("cpu", "meta")
    if isinstance(device, str):
        try:
            return torch.device(device).type not in ("cpu", "meta")
        except RuntimeError:
            return False
    return isinstance(device, int) and not isinstance(device, bool)  # .to(0) means cuda:0


def gpu_error(device: Any) -> BaseException:
    """The error Python gives for a GPU on a machine without one (the advice names the way out)."""
    if isinstance(device, int):
        return RuntimeError("Cannot access accelerator device when none is available.")
    kind = device.type if isinstance(device, torch.device) else str(device).split(":")[0]
    if kind == "mps":
        return RuntimeError("PyTorch is not linked with support for mps devices")
    return AssertionError("Torch not compiled with CUDA enabled")


def refuse_meta(device: Any) -> None:
    """The meta device holds no values: a program that asks for it is refused."""
    if (isinstance(device, torch.device) and device.type == "meta") or (
            isinstance(device, str) and device.startswith("meta")):
        raise refused("the meta device is not available in the code box", "use device='cpu'")


def check_devices(args: tuple[Any, ...] | list[Any], kwargs: dict[str, Any]) -> None:
    """Raise the GPU error for any argument naming a GPU (``.to("cuda")``, ``device="cuda"``)."""
    device = kwargs.get("device")
    for value in (*args, device):
        if isinstance(value, (str, torch.device)) or (value is device and is_gpu(value)):
            refuse_meta(value)
            if is_gpu(value):
                raise gpu_error(value)
