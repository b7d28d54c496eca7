"""``def`` and ``class`` statements, making objects of the program's classes, and the attributes
the program may read or set on its own functions, classes and objects."""

from __future__ import annotations

import ast
import weakref
from typing import TYPE_CHECKING, Any

import torch

from explorer.core.errors import ExplorerError
from explorer.core.sandbox.language import allowlist, objects
from explorer.core.sandbox.language.classes import (
    CTX_MEMBERS,
    FORBIDDEN_METHODS,
    SuperProxy,
    UserClass,
    UserInstance,
    bind_method,
    check_base,
    is_ctx,
    library_bases,
    linearize,
    make_real_class,
    settable_private,
    user_class_of,
)
from explorer.core.sandbox.language.functions import BoundUserMethod, UserFunction, UserProperty
from explorer.core.sandbox.language.scopes import Frame, class_scope, scope_of
from explorer.core.sandbox.language.values import NOT_DEFINED, SafeFunction

if TYPE_CHECKING:
    from explorer.core.sandbox.language.evaluator import Evaluator

NOT_MINE = object()  # the owner is not one of the program's own values: ask the library kinds
_MISSING = NOT_DEFINED
_GRAD_MODE_DECORATORS = (torch.no_grad, torch.enable_grad, torch.inference_mode)


def define_function(ev: Evaluator, node: ast.FunctionDef | ast.Lambda) -> Any:
    """The value a ``def`` (after its decorators) or a ``lambda`` makes."""
    spec = node.args
    defaults = [ev.eval(value) for value in spec.defaults]
    kw_defaults = {arg.arg: ev.eval(value) for arg, value in zip(spec.kwonlyargs, spec.kw_defaults)
                   if value is not None}
    name = node.name if isinstance(node, ast.FunctionDef) else "<lambda>"
    frame = ev.frame
    owner = frame.function if frame is not None and frame.is_class else None
    function = UserFunction(name, node, scope_of(node), _closure(frame), defaults, kw_defaults,
                            weakref.ref(ev), owner=owner)
    if isinstance(node, ast.Lambda):
        return function
    if owner is not None and name in FORBIDDEN_METHODS:
        raise ExplorerError(f"a class in the code box cannot define `{name}`", node.lineno,
                            node.col_offset, kind="refused")
    value: Any = function
    for decorator in reversed(node.decorator_list):
        value = _decorated(ev, ev.eval(decorator), value, decorator)
    return value


def _closure(frame: Frame | None) -> Frame | None:
    """The frame a new function closes over: class bodies are skipped, as in Python."""
    while frame is not None and frame.is_class:
        frame = frame.enclosing
    return frame


def _decorated(ev: Evaluator, decorator: Any, function: Any, node: ast.expr) -> Any:
    marker = decorator.qualname if isinstance(decorator, SafeFunction) else None
    if isinstance(function, UserFunction):
        if marker in ("staticmethod", "classmethod"):
            function.kind = "static" if marker == "staticmethod" else "class"
            return function
        if marker == "once_differentiable":
            function.once_differentiable = True
            return function
        if marker == "property":
            return UserProperty(function)
        mode = _grad_mode_factory(decorator)
        if mode is not None:
            function.grad_mode = mode
            return function
    markers = ("staticmethod", "classmethod", "once_differentiable", "property")
    special = isinstance(decorator, SafeFunction) and (decorator.kind == "special" or marker in markers)
    if ev.is_callable(decorator) and not special:
        return ev.invoke(decorator, [function], {})
    raise ExplorerError("this decorator is not supported in the code box", node.lineno,
                        node.col_offset, kind="refused",
                        advice="@torch.no_grad(), @torch.enable_grad(), @staticmethod, "
                        "@classmethod, @once_differentiable and the program's own functions are")


def _grad_mode_factory(decorator: Any) -> Any:
    """A maker of fresh grad-mode managers: one instance cannot be entered by recursive calls."""
    if isinstance(decorator, torch.inference_mode):
        mode = decorator.mode
        return lambda: torch.inference_mode(mode)
    if isinstance(decorator, (torch.no_grad, torch.enable_grad)):
        return type(decorator)
    if isinstance(decorator, SafeFunction) and decorator.target in _GRAD_MODE_DECORATORS:
        return decorator.target
    return None


def define_class(ev: Evaluator, node: ast.ClassDef) -> UserClass:
    """Run a class body and make the class (and its real class, for a library base)."""
    if node.keywords:
        raise ExplorerError("class keywords (`metaclass=`...) are not allowed", node.lineno,
                            node.col_offset, kind="refused")
    if node.decorator_list:
        raise ExplorerError("class decorators are not allowed in the code box", node.lineno,
                            node.col_offset, kind="refused")
    bases = tuple(base for base in (_base(ev.eval(base)) for base in node.bases) if base is not None)
    for base in bases:
        check_base(base)
    frame = Frame(class_scope(node), ev.frame, is_class=True)
    cls = UserClass(node.name, bases, frame.values)
    cls.mro = linearize(cls)
    frame.function = cls  # functions defined in the body belong to it
    saved = ev.frame
    ev.frame = frame
    try:
        ev.exec_block(node.body)
    finally:
        ev.frame = saved
    if library_bases(bases):
        cls.real = make_real_class(cls, ev)
    return cls


def _base(value: Any) -> Any:
    """A class statement's base: the program's class, or the real class behind a library name."""
    if isinstance(value, SafeFunction) and value.qualname == "object":
        return None
    if isinstance(value, SafeFunction) and value.runtime_type is not None:
        return value.runtime_type
    return value


def instantiate(ev: Evaluator, cls: UserClass, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """``Cls(...)``: a real object for a class with a library base, else a :class:`UserInstance`."""
    if cls.real is not None:
        return ev.checked(cls.real(*args, **kwargs))
    instance = UserInstance(cls)
    init = cls.find("__init__")
    if isinstance(init, UserFunction):
        result = ev.call_user(init, [instance, *args], kwargs)
        if result is not None:
            raise TypeError(f"__init__() should return None, not '{type(result).__name__}'")
    elif args or kwargs:
        raise TypeError(f"{cls.name}() takes no arguments")
    return instance


# ----- attributes ------------------------------------------------------------------------

def user_attribute(ev: Evaluator, owner: Any, name: str) -> Any:
    """``owner.name`` for the program's own values; :data:`NOT_MINE` for library values."""
    if isinstance(owner, UserInstance):
        return _instance_attribute(owner, name)
    if isinstance(owner, UserClass):
        return _class_attribute(owner, name)
    if isinstance(owner, SuperProxy):
        return _super_attribute(owner, name)
    if isinstance(owner, UserProperty) and name in ("setter", "getter"):
        return _property_decorator(owner, name)
    if isinstance(owner, (UserFunction, BoundUserMethod)) and name == "__name__":
        return owner.name if isinstance(owner, UserFunction) else owner.function.name
    if isinstance(owner, SafeFunction) and name == "__name__":
        return owner.qualname.rsplit(".", 1)[-1]
    if isinstance(owner, SafeFunction) and name == "__init__" and owner.runtime_type is not None:
        return _library_init(owner.runtime_type)
    if isinstance(owner, BaseException):
        if name != "args":
            raise AttributeError(f"'{type(owner).__name__}' object has no attribute '{name}'")
        return owner.args
    cls = user_class_of(owner)
    if cls is not None:
        return _real_instance_attribute(owner, cls, name)
    if is_ctx(owner):
        return _ctx_attribute(owner, name)
    return NOT_MINE


def _property_decorator(prop: UserProperty, name: str) -> SafeFunction:
    """``@x.setter`` (or ``@x.getter``): a new property with that function in its place."""

    def decorate(function: Any) -> UserProperty:
        if not isinstance(function, UserFunction):
            raise TypeError("a property's setter must be a function of the program")
        if name == "setter":
            return UserProperty(prop.fget, function)
        return UserProperty(function, prop.fset)

    return SafeFunction(f"property.{name}", decorate, "plain", f"<built-in method {name}>")


def _instance_attribute(owner: UserInstance, name: str) -> Any:
    if name == "__class__":
        return owner.cls
    described = owner.cls.find(name)
    if isinstance(described, UserProperty):  # a property wins over the object's own attributes
        return bind_method(described, owner, owner.cls)
    value = owner.attributes.get(name, _MISSING)
    if value is not _MISSING:
        return value
    value = owner.cls.find(name)
    if value is _MISSING or name.startswith("__"):
        raise AttributeError(f"'{owner.cls.name}' object has no attribute '{name}'")
    return bind_method(value, owner, owner.cls)


def _class_attribute(owner: UserClass, name: str) -> Any:
    if name == "__name__":
        return owner.name
    value = owner.find(name)
    if value is not _MISSING and not (name.startswith("__") and name != "__init__"):
        return bind_method(value, owner, owner)
    if name == "apply" and owner.real is not None and issubclass(owner.real, torch.autograd.Function):
        return SafeFunction(f"{owner.name}.apply", owner.real.apply, "plain",
                            "<built-in method apply of FunctionMeta object>")
    raise AttributeError(f"type object '{owner.name}' has no attribute '{name}'")


def _super_attribute(proxy: SuperProxy, name: str) -> Any:
    cls = user_class_of(proxy.obj) or proxy.start
    value = cls.find_after(proxy.start, name)
    if value is not _MISSING:
        return bind_method(value, proxy.obj, cls)
    real = proxy.start.real
    if real is not None and (name == "__init__" or name in objects.vocabulary()):
        bound = getattr(super(real, proxy.obj), name)
        return SafeFunction(f"super().{name}", bound, "plain", f"<bound method super().{name}>")
    if name == "__init__":
        return SafeFunction("object.__init__", _object_init, "plain", "<slot wrapper '__init__'>")
    raise AttributeError(f"'super' object has no attribute '{name}'")


def _object_init(*args: Any, **kwargs: Any) -> None:
    if args or kwargs:
        raise TypeError("object.__init__() takes exactly one argument (the instance to initialize)")


def _library_init(real: type) -> SafeFunction:
    """``nn.Module.__init__`` called explicitly on an object of the program's subclass."""

    def init(instance: Any, *args: Any, **kwargs: Any) -> None:
        if user_class_of(instance) is None or not isinstance(instance, real):
            raise TypeError(f"descriptor '__init__' requires a '{real.__name__}' object of the "
                            "program's own class")
        initializer: Any = getattr(real, "__init__")  # noqa: B009 - the class's, not an instance's
        initializer(instance, *args, **kwargs)

    return SafeFunction(f"{real.__name__}.__init__", init, "plain", f"<function {real.__name__}.__init__>")


def _real_instance_attribute(owner: Any, cls: UserClass, name: str) -> Any:
    """An attribute of an object of the program's subclass of a library class (a module)."""
    if name == "__class__":
        return cls
    value = cls.find(name)
    if value is not _MISSING and not name.startswith("__"):
        return bind_method(value, owner, cls)
    if name.startswith("_") and not settable_private(owner, name):
        raise AttributeError(f"'{cls.name}' object has no attribute '{name}'")
    if name in vars(owner) or _registered(owner, name):
        return getattr(owner, name)
    if isinstance(owner, BaseException) and name == "args":
        return owner.args
    return NOT_MINE


def _registered(owner: Any, name: str) -> bool:
    """A parameter, buffer or submodule torch registered under ``name``."""
    if not isinstance(owner, torch.nn.Module):
        return False
    return any(name in getattr(owner, table, {}) for table in ("_parameters", "_buffers", "_modules"))


def _ctx_attribute(owner: Any, name: str) -> Any:
    """A custom Function's ctx, which is also its node in the graph (``y.grad_fn``)."""
    if name in CTX_MEMBERS or name in allowlist.NODE_MEMBERS:
        value = getattr(owner, name)
        return SafeFunction(f"ctx.{name}", value, "plain", repr(value)) if callable(value) else value
    if not name.startswith("__") and name in vars(owner) and settable_private(owner, name):
        return vars(owner)[name]
    raise AttributeError(f"'{type(owner).__name__}' object has no attribute '{name}'")


def user_set_attribute(ev: Evaluator, owner: Any, name: str, value: Any) -> bool:
    """Set ``owner.name`` on the program's own values; False when the owner is a library value."""
    if name.startswith("__"):
        raise ExplorerError(f"`.{name}` cannot be assigned in the code box", kind="refused")
    if isinstance(owner, UserInstance):
        described = owner.cls.find(name)
        if isinstance(described, UserProperty):
            if described.fset is None:
                raise AttributeError(f"property '{name}' of '{owner.cls.name}' object has no setter")
            ev.call_user(described.fset, [owner, value], {})
            return True
        owner.attributes[name] = value
        return True
    if isinstance(owner, UserClass):
        owner.namespace[name] = value
        return True
    if user_class_of(owner) is not None or is_ctx(owner):
        if name.startswith("_") and not settable_private(owner, name):
            raise ExplorerError(f"`.{name}` is used by torch itself and cannot be assigned",
                                kind="refused")
        if is_ctx(owner) and name in CTX_MEMBERS:
            raise AttributeError(f"attribute '{name}' of ctx is not writable")
        setattr(owner, name, ev.checked(value))
        return True
    return False
