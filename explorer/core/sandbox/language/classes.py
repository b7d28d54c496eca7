"""Classes a program defines: plain classes, and subclasses of ``nn.Module``, ``autograd.Function``
and exceptions.

A plain class is a :class:`UserClass`; its objects are :class:`UserInstance` values whose
attributes and operators the evaluator looks up and runs itself (Python never dispatches into
them: they define no operator methods). A class with a library base is also made into a real
Python class, so torch can call it (``nn.Module.__call__`` calls ``forward``, the engine calls
a Function's ``backward``): each method the program defined becomes a small trampoline that
hands the call back to the evaluator, which runs the method's body.
"""

from __future__ import annotations

import types
import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import torch

from explorer.core.errors import ExplorerError
from explorer.core.sandbox.language import allowlist
from explorer.core.sandbox.language.functions import UserFunction, UserProperty
from explorer.core.sandbox.language.values import NOT_DEFINED

if TYPE_CHECKING:
    from explorer.core.sandbox.language.evaluator import Evaluator

_MISSING = NOT_DEFINED
USER_CLASS_ATTRIBUTE = "_explorer_user_class"

# Methods a class may not define: Python would call them at times the evaluator does not
# choose (attribute lookup, pickling, garbage collection, class creation).
FORBIDDEN_METHODS = frozenset(
    """
    __del__ __getattribute__ __getattr__ __setattr__ __delattr__ __init_subclass__
    __class_getitem__ __reduce__ __reduce_ex__ __getstate__ __setstate__ __new__ __set_name__
    __instancecheck__ __subclasscheck__ __dir__ __get__ __set__ __delete__ __mro_entries__
    __prepare__ __copy__ __deepcopy__ __index__ __fspath__ __buffer__ __release_buffer__
    __torch_function__ __torch_dispatch__ __array__ __array_ufunc__ __array_function__
    __enter__ __exit__ __await__ __aiter__ __anext__ __aenter__ __aexit__ __format__
    __sizeof__ __subclasshook__ __init_subclass__ __missing__ __length_hint__
    """.split()
)

# Library classes a program may subclass, by the real class (or any subclass of it).
SUBCLASSABLE: tuple[type, ...] = (
    torch.nn.Module, torch.autograd.Function, Exception, torch.utils.data.Dataset,
    torch.optim.Optimizer,
)


@dataclass(eq=False)
class UserClass:
    """A ``class`` of the program."""

    name: str
    bases: tuple[Any, ...] = field(repr=False)  # UserClass values or library classes (real types)
    namespace: dict[str, Any] = field(repr=False)
    real: type | None = field(default=None, repr=False)  # the real class, when a base is a library class
    mro: list[UserClass] = field(default_factory=list, repr=False)

    def find(self, name: str) -> Any:
        """``name`` from this class or a user base, in method resolution order."""
        for cls in self.mro:
            value = cls.namespace.get(name, _MISSING)
            if value is not _MISSING:
                return value
        return _MISSING

    def find_after(self, start: UserClass, name: str) -> Any:
        """``name`` from the classes after ``start`` in this class's order (``super()``)."""
        index = self.mro.index(start) if start in self.mro else len(self.mro)
        for cls in self.mro[index + 1:]:
            value = cls.namespace.get(name, _MISSING)
            if value is not _MISSING:
                return value
        return _MISSING

    def is_subclass_of(self, other: UserClass) -> bool:
        return other in self.mro

    def __copy__(self) -> UserClass:
        return self  # classes are copied by reference, as Python's copy module does

    def __deepcopy__(self, memo: dict[int, Any]) -> UserClass:
        return self

    def __repr__(self) -> str:
        return f"<class '__main__.{self.name}'>"


@dataclass(eq=False)
class UserInstance:
    """An object of a plain class of the program: its attributes live here, its methods in the class."""

    cls: UserClass
    attributes: dict[str, Any] = field(default_factory=dict)

    def __copy__(self) -> UserInstance:
        return UserInstance(self.cls, dict(self.attributes))

    def __deepcopy__(self, memo: dict[int, Any]) -> UserInstance:
        import copy

        made = UserInstance(self.cls)
        memo[id(self)] = made
        made.attributes = copy.deepcopy(self.attributes, memo)
        return made

    def __repr__(self) -> str:
        return f"<__main__.{self.cls.name} object at {hex(id(self))}>"


@dataclass(frozen=True, eq=False)
class SuperProxy:
    """What ``super()`` returns inside a method of ``start``, for ``obj``."""

    start: UserClass
    obj: Any

    def __repr__(self) -> str:
        return f"<super: <class '{self.start.name}'>, <{self.start.name} object>>"


def linearize(cls: UserClass) -> list[UserClass]:
    """The C3 method resolution order of ``cls`` over its user bases, as Python computes it."""
    user_bases = [base for base in cls.bases if isinstance(base, UserClass)]
    sequences = [list(base.mro) for base in user_bases] + [list(user_bases)]
    order = [cls]
    while True:
        sequences = [sequence for sequence in sequences if sequence]
        if not sequences:
            return order
        for sequence in sequences:
            head = sequence[0]
            if not any(head in other[1:] for other in sequences):
                break
        else:
            raise TypeError("Cannot create a consistent method resolution order (MRO)")
        order.append(head)
        for sequence in sequences:
            if sequence[0] is head:
                del sequence[0]


def library_bases(bases: tuple[Any, ...]) -> list[type]:
    """The real classes a new class must derive from: library bases, and user bases' real classes."""
    found: list[type] = []
    for base in bases:
        real = base.real if isinstance(base, UserClass) else base
        if isinstance(real, type) and real not in found:
            found.append(real)
    return found


def check_base(base: Any) -> None:
    if isinstance(base, UserClass):
        return
    if isinstance(base, type) and issubclass(base, SUBCLASSABLE):
        return
    shown = getattr(base, "__name__", type(base).__name__)
    raise ExplorerError(
        f"classes can derive from the program's own classes, torch.nn.Module (and its layers), "
        f"torch.autograd.Function, Dataset and exceptions, not from `{shown}`", kind="refused")


def make_real_class(cls: UserClass, evaluator: Evaluator) -> type:
    """The real class torch sees, whose methods hand every call back to the evaluator."""
    reference = weakref.ref(evaluator)
    namespace: dict[str, Any] = {"__module__": "__main__", "__qualname__": cls.name,
                                 USER_CLASS_ATTRIBUTE: cls}
    for name, value in _methods(cls).items():
        namespace[name] = _trampoline(value, reference)
    for name, described in _properties(cls).items():
        namespace[name] = property(
            _trampoline(described.fget, reference),
            None if described.fset is None else _trampoline(described.fset, reference))
    bases = tuple(library_bases(cls.bases))
    return types.new_class(cls.name, bases, exec_body=lambda body: body.update(namespace))


def _methods(cls: UserClass) -> dict[str, UserFunction]:
    """Every method the class or its user bases define, nearest first."""
    methods: dict[str, UserFunction] = {}
    for each in reversed(cls.mro):
        methods.update({name: value for name, value in each.namespace.items()
                        if isinstance(value, UserFunction)})
    return methods


def _properties(cls: UserClass) -> dict[str, UserProperty]:
    found: dict[str, UserProperty] = {}
    for each in reversed(cls.mro):
        found.update({name: value for name, value in each.namespace.items()
                      if isinstance(value, UserProperty)})
    return found


def _trampoline(function: UserFunction, reference: weakref.ReferenceType[Evaluator]) -> Any:
    def call(*args: Any, **kwargs: Any) -> Any:
        evaluator = reference()
        if evaluator is None:
            raise RuntimeError(f"{function.qualname}() belongs to a program that has ended")
        return evaluator.call_user(function, list(args), kwargs)

    call.__name__ = call.__qualname__ = function.name
    if function.kind == "class":
        def class_call(real_cls: type, *args: Any, **kwargs: Any) -> Any:
            return call(getattr(real_cls, USER_CLASS_ATTRIBUTE), *args, **kwargs)

        return classmethod(class_call)
    if function.once_differentiable:
        call = torch.autograd.function.once_differentiable(call)
    return staticmethod(call) if function.kind == "static" else call


def user_class_of(value: Any) -> UserClass | None:
    """The program's class of ``value``: a plain object's, or a real class made from one."""
    if isinstance(value, UserInstance):
        return value.cls
    found = getattr(type(value), USER_CLASS_ATTRIBUTE, None)
    return found if isinstance(found, UserClass) else None


def bind_method(value: Any, owner: Any, cls: UserClass | None) -> Any:
    """A class member as read through ``owner`` (an instance, or the class itself)."""
    from explorer.core.sandbox.language.functions import BoundUserMethod

    if isinstance(value, UserProperty):
        if isinstance(owner, UserClass):
            return value
        evaluator = value.fget.evaluator_ref()
        if evaluator is None:
            raise RuntimeError("this property belongs to a program that has ended")
        return evaluator.call_user(value.fget, [owner], {})
    if not isinstance(value, UserFunction):
        return value
    if value.kind == "static":
        return value
    if value.kind == "class":
        return BoundUserMethod(value, cls)
    if isinstance(owner, UserClass):
        return value  # read from the class: a plain function that takes self explicitly
    return BoundUserMethod(value, owner)


# ----- autograd.Function's ctx ------------------------------------------------------------

CTX_MEMBERS = allowlist.CTX_MEMBERS


def is_ctx(value: Any) -> bool:
    return isinstance(value, torch.autograd.function.FunctionCtx)


_MODULE_INTERNALS = frozenset(vars(torch.nn.Module())) | frozenset(dir(torch.nn.Module))
_CTX_INTERNALS = frozenset(dir(torch.autograd.function.BackwardCFunction))


def settable_private(owner: Any, name: str) -> bool:
    """Whether the program may set ``owner._name``: only names the library itself does not use."""
    if name.startswith("__"):
        return False
    if isinstance(owner, torch.nn.Module):
        return name not in _MODULE_INTERNALS and name not in dir(type(owner))
    if is_ctx(owner):
        return name not in _CTX_INTERNALS
    return True
