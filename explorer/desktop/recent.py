"""Opened and saved files in the platform's own "recent documents", where one can be reached.

Qt 6 has no API for this. On Windows the shell's SHAddToRecentDocs adds the file to Recent
items and to the app's jump list. Linux desktops keep ``recently-used.xbel``, but no well-kept
Python library writes it without GTK (pyxdg still writes the old ``~/.recently-used``), so
there the app keeps its own Open Recent menu only; macOS needs AppKit (PyObjC), also left out.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

SHARD_PATHW = 3  # SHAddToRecentDocs: the item is a wide-character path


def note_recent_document(path: Path, platform: str = sys.platform, shell32: Any = None) -> bool:
    """Tell the platform ``path`` was just opened or saved; True if it was told."""
    if platform != "win32":
        return False
    if shell32 is None and sys.platform == "win32":  # mypy on other systems knows no ctypes.windll
        import ctypes

        shell32 = ctypes.windll.shell32
    shell32.SHAddToRecentDocs(SHARD_PATHW, str(Path(path).resolve()))
    return True
