"""Files shipped with the package (the app's icon), found wherever the package is installed.

Qt-free: the desktop installer, the HTML exporter and the command line use these paths too.
"""

from __future__ import annotations

import base64
from pathlib import Path

ICON_NAME = "autograd-explorer"  # the icon's name in icon themes and on disk
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)  # the PNG renders shipped, in pixels
ICON_DIRECTORY = Path(__file__).resolve().parent / "icons"


def icon_svg() -> Path:
    """The icon's scalable master (a copy of assets/icon/autograd-explorer.svg)."""
    return ICON_DIRECTORY / f"{ICON_NAME}.svg"


def icon_png(size: int) -> Path:
    """The PNG render of the icon at ``size`` pixels (one of ICON_SIZES)."""
    if size not in ICON_SIZES:
        raise ValueError(f"no {size} px render of the icon; there are {ICON_SIZES}")
    return ICON_DIRECTORY / f"{ICON_NAME}-{size}.png"


def icon_ico() -> Path:
    """The Windows icon file (every render up to 256 px)."""
    return ICON_DIRECTORY / f"{ICON_NAME}.ico"


def icon_icns() -> Path:
    """The macOS icon file."""
    return ICON_DIRECTORY / f"{ICON_NAME}.icns"


def icon_data_uri(size: int | None = 64) -> str:
    """The icon as a ``data:`` URI for HTML pages: the PNG at ``size`` px, or the SVG if None."""
    if size is None:
        encoded = base64.b64encode(icon_svg().read_bytes()).decode("ascii")
        return f"data:image/svg+xml;base64,{encoded}"
    encoded = base64.b64encode(icon_png(size).read_bytes()).decode("ascii")
    return f"data:image/png;base64,{encoded}"
