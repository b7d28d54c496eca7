"""``import matplotlib.pyplot as plt``: every plotting call is accepted and skipped.

matplotlib is never imported. Each ``plt.*`` call (and each call on the figures and axes they
return) does nothing; the first one in a run leaves one warning line saying where plots are.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from explorer.core.sandbox.language import allowlist
from explorer.core.sandbox.language.library.base import LibraryKind, no_attribute
from explorer.core.sandbox.language.values import Namespace

if TYPE_CHECKING:
    from explorer.core.sandbox.language.evaluator import Evaluator

SKIPPED = ("matplotlib does not run in the code box: plt calls are skipped "
           "(the Plots panel draws y(x), its tangent and the gradients)")


@dataclass(eq=False)
class _PlotRun:
    """What one run's plotting calls share: whether the warning was given."""

    warned: bool = False

    def skip(self) -> None:
        if not self.warned:
            self.warned = True
            warnings.warn(SKIPPED, UserWarning, stacklevel=2)


@dataclass(eq=False)
class PlotStub:
    """A matplotlib function, figure or axes: anything done with it is skipped.

    ``shape`` is the grid of axes ``plt.subplots(rows, cols)`` returns, so indexing, unpacking
    and iterating it work as on the real array.
    """

    name: str
    run: _PlotRun = field(repr=False)
    shape: tuple[int, ...] = ()

    def __repr__(self) -> str:
        return f"<matplotlib {self.name}>"

    def __len__(self) -> int:
        if not self.shape:
            raise TypeError("object of type 'Axes' has no len()")
        return self.shape[0]


def plot_namespaces() -> dict[str, Namespace]:
    """``matplotlib`` and ``matplotlib.pyplot`` for one run."""
    run = _PlotRun()
    pyplot = Namespace("matplotlib.pyplot", {name: PlotStub(name, run)
                                             for name in sorted(allowlist.PLOT_NAMES)},
                       "<module 'matplotlib.pyplot'>")
    matplotlib = Namespace("matplotlib", {"pyplot": pyplot, "use": PlotStub("use", run),
                                          "rcParams": PlotStub("rcParams", run)},
                           "<module 'matplotlib'>")
    return {"matplotlib": matplotlib, "matplotlib.pyplot": pyplot}


class PlotKind(LibraryKind):
    label = "a matplotlib object"
    classes = (PlotStub,)

    def get(self, ev: Evaluator, owner: Any, name: str) -> Any:
        if name not in allowlist.PLOT_NAMES:
            raise no_attribute(owner, name)
        if name in ("flat", "ravel") and owner.shape:
            return PlotStub(name, owner.run, (_cells(owner.shape),))
        return PlotStub(name, owner.run)

    def set(self, ev: Evaluator, owner: Any, name: str, value: Any) -> None:
        owner.run.skip()

    def call(self, ev: Evaluator, owner: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
        owner.run.skip()
        if owner.name in ("flat", "ravel"):
            return owner
        if owner.name == "subplots":
            return PlotStub("figure", owner.run), _axes(owner.run, args, kwargs)
        if owner.name in ("show", "close", "savefig", "pause", "ion", "ioff", "clf", "cla", "use"):
            return None
        return PlotStub(owner.name, owner.run)

    def vocabulary(self) -> frozenset[str]:
        return allowlist.PLOT_NAMES

    def item(self, ev: Evaluator, owner: Any, index: Any) -> Any:
        rest = owner.shape[len(index):] if isinstance(index, tuple) else owner.shape[1:]
        return PlotStub("axes", owner.run, rest)

    def set_item(self, ev: Evaluator, owner: Any, index: Any, value: Any) -> None:
        owner.run.skip()  # plt.rcParams["figure.figsize"] = (8, 6)

    def iterate(self, ev: Evaluator, owner: Any) -> Iterator[Any]:
        count = owner.shape[0] if owner.shape else 0
        return (PlotStub("axes", owner.run, owner.shape[1:]) for _ in range(count))



def _axes(run: _PlotRun, args: list[Any], kwargs: dict[str, Any]) -> PlotStub:
    """What ``subplots(rows, cols)`` returns for its axes: one, a row, or a grid."""
    rows = kwargs.get("nrows", args[0] if args else 1)
    cols = kwargs.get("ncols", args[1] if len(args) > 1 else 1)
    rows, cols = (value if isinstance(value, int) else 1 for value in (rows, cols))
    if rows == 1 and cols == 1:
        return PlotStub("axes", run)
    if rows == 1 or cols == 1:
        return PlotStub("axes", run, (max(rows, cols),))
    return PlotStub("axes", run, (rows, cols))


def _cells(shape: tuple[int, ...]) -> int:
    total = 1
    for size in shape:
        total *= size
    return total
