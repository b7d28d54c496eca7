"""Autograd Explorer: see the graph PyTorch's autograd builds, and step through backward."""

from __future__ import annotations

from typing import Any

from explorer.version import __version__

# The Python API lives in explorer.api; it is imported on first use so that `import explorer`
# loads neither torch nor Qt.
_API = ("show", "trace", "export", "record", "track_modules")
__all__ = ["__version__", *_API]


def __getattr__(name: str) -> Any:
    if name in _API:
        from explorer import api

        return getattr(api, name)
    raise AttributeError(f"module 'explorer' has no attribute {name!r}")
