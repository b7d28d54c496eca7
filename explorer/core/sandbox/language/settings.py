"""Process-wide torch settings a program may change (print options, anomaly detection): kept
within bounds while it runs, and put back as they were when it ends."""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Iterator
from typing import Any

import torch

from explorer.core.sandbox.language.values import Namespace, SafeFunction

# Larger values would let one print build text far past what the output limit can stop early.
_PRINT_BOUNDS = {"precision": 30, "threshold": 10_000, "edgeitems": 20, "linewidth": 1_000}
_PROFILES = ("default", "short", "full")


def _set_printoptions(precision: Any = None, threshold: Any = None, edgeitems: Any = None,
                      linewidth: Any = None, profile: Any = None, sci_mode: Any = None) -> None:
    """``torch.set_printoptions`` with each number held within bounds (``profile="full"`` and a
    larger threshold print at most 10,000 elements in full)."""
    options = {"precision": precision, "threshold": threshold, "edgeitems": edgeitems,
               "linewidth": linewidth}
    for name, value in options.items():
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise ValueError(f"set_printoptions: {name} must be a number from 0")
        # a larger value (threshold=float("inf") to print everything) is held at the bound:
        # tensors up to that size print exactly as Python prints them
        options[name] = min(value, _PRINT_BOUNDS[name])
    if profile is not None and profile not in _PROFILES:
        raise ValueError(f"set_printoptions: profile must be one of {', '.join(_PROFILES)}")
    torch.set_printoptions(**options, profile=profile, sci_mode=sci_mode)
    if profile == "full":  # torch's "full" means no threshold at all
        torch.set_printoptions(threshold=_PRINT_BOUNDS["threshold"])


def torch_setting_functions() -> dict[str, SafeFunction]:
    """Members added to the ``torch`` namespace."""
    return {"set_printoptions": SafeFunction("torch.set_printoptions", _set_printoptions, "plain",
                                             repr(torch.set_printoptions)),
            "is_anomaly_enabled": SafeFunction("torch.is_anomaly_enabled",
                                               torch.is_anomaly_enabled, "plain",
                                               repr(torch.is_anomaly_enabled))}


def autograd_setting_functions() -> dict[str, Any]:
    """Members added to ``torch.autograd``: anomaly detection, as a call and as a ``with``."""
    return {
        name: SafeFunction(f"torch.autograd.{name}", getattr(torch.autograd, name), "plain",
                           repr(getattr(torch.autograd, name)))
        for name in ("set_detect_anomaly", "detect_anomaly")
    } | {"is_anomaly_enabled": SafeFunction("torch.is_anomaly_enabled", torch.is_anomaly_enabled,
                                            "plain", repr(torch.is_anomaly_enabled))}


# What `with` accepts besides the grad modes.
SETTING_MANAGERS = (torch.autograd.detect_anomaly, torch.autograd.set_detect_anomaly)


@contextlib.contextmanager
def settings_restored() -> Iterator[None]:
    """Run a program; afterwards the print options and anomaly detection are as before."""
    printing = copy.copy(torch._tensor_str.PRINT_OPTS.__dict__)
    anomaly = (torch.is_anomaly_enabled(), torch.is_anomaly_check_nan_enabled())
    try:
        yield
    finally:
        torch._tensor_str.PRINT_OPTS.__dict__.update(printing)
        torch.set_anomaly_enabled(*anomaly)


def extend(namespaces: dict[str, Namespace]) -> None:
    namespaces["torch"].members.update(torch_setting_functions())
    namespaces["torch.autograd"].members.update(autograd_setting_functions())
