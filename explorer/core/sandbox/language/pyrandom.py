"""Python's ``random`` module as the code box offers it: its own generator for each run.

Each run gets a fresh ``random.Random`` seeded like torch (``RUN_SEED``), so a re-run after a
value edit draws the same numbers, and the app's own process's generator is never touched; a
program's ``random.seed(n)`` then gives exactly the numbers Python's module gives after it.
"""

from __future__ import annotations

import random
from typing import Any

from explorer.core.sandbox.language.values import Namespace, SafeFunction

RUN_SEED = 0  # the same seed explorer.core.sandbox.program gives torch
_MAX_DRAW = 1_000_000  # sample(..., k) and choices(..., k) return lists of at most this length
MEMBERS = ("seed", "random", "uniform", "randint", "randrange", "choice", "choices", "shuffle",
           "sample", "gauss", "normalvariate", "getrandbits")


def random_namespace() -> Namespace:
    """``random`` with its own generator, for one run."""
    generator = random.Random(RUN_SEED)
    members: dict[str, Any] = {
        name: SafeFunction(f"random.{name}", _bounded(getattr(generator, name), name), "plain",
                           f"<bound method Random.{name}>")
        for name in MEMBERS
    }
    return Namespace("random", members, "<module 'random'>")


def _bounded(method: Any, name: str) -> Any:
    """The generator's method, with the sizes it returns bounded."""
    if name not in ("sample", "choices", "getrandbits"):
        return method

    def call(*args: Any, **kwargs: Any) -> Any:
        count = kwargs.get("k", args[1] if name == "sample" and len(args) > 1 else
                           args[0] if name == "getrandbits" and args else 1)
        if isinstance(count, int) and count > (_MAX_DRAW if name != "getrandbits" else 100_000):
            raise ValueError(f"random.{name}: asking for {count:,} is past the code box's limit")
        return method(*args, **kwargs)

    return call
