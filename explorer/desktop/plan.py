"""What an install writes: files, registry values and the commands that refresh desktop caches."""

from __future__ import annotations

import os
import shutil
import sys
import sysconfig
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePath

APP_NAME = "Autograd Explorer"
APP_ID = "autograd-explorer"  # desktop file id, icon name, folder of the manifest
SESSION_MIME = "application/x-autograd-explorer-session"
SESSION_GLOB = "*.explorer.json"
GUI_SCRIPT = "autograd-explorer-gui"  # [project.gui-scripts]: starts without a console window


@dataclass(frozen=True)
class FileToWrite:
    path: Path
    data: bytes
    executable: bool = False


@dataclass(frozen=True)
class RegistryValue:
    """One value under HKEY_CURRENT_USER; ``name`` "" is the key's default value."""

    key: str
    name: str
    value: str


@dataclass
class Plan:
    """Everything one install writes, for one platform."""

    platform: str
    files: list[FileToWrite] = field(default_factory=list)
    registry: list[RegistryValue] = field(default_factory=list)
    refresh: list[list[str]] = field(default_factory=list)  # commands run after (un)installing
    # folders the refresh commands fill with their own caches: {folder: names they write}
    generated: dict[Path, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Environment:
    """Where this user's files go and how the app is launched (faked in tests)."""

    platform: str  # "linux", "win32" or "darwin" (sys.platform's names)
    home: Path
    variables: Mapping[str, str]
    launcher: tuple[str, ...]  # the command that opens the app; a file name follows it

    @property
    def data_home(self) -> Path:
        """$XDG_DATA_HOME, or ~/.local/share (Linux); the manifest's home elsewhere too."""
        if self.platform == "win32":
            return Path(self.variables.get("APPDATA") or self.home / "AppData" / "Roaming")
        if self.platform == "darwin":
            return self.home / "Library" / "Application Support"
        configured = self.variables.get("XDG_DATA_HOME", "")
        return Path(configured) if os.path.isabs(configured) else self.home / ".local" / "share"

    @property
    def manifest_path(self) -> Path:
        return self.data_home / APP_ID / "desktop-install.json"


def current_environment() -> Environment:
    """This user, this platform, and the GUI launcher of this installation."""
    variables = dict(os.environ)
    home = Path(variables.get("HOME") or Path.home()) if sys.platform != "win32" else Path.home()
    return Environment(sys.platform if sys.platform in ("win32", "darwin") else "linux",
                       home, variables, find_launcher())


def find_launcher(platform: str = sys.platform) -> tuple[str, ...]:
    """The GUI launcher script installed with the package, else this Python running ``-m explorer``."""
    name = GUI_SCRIPT + (".exe" if platform == "win32" else "")
    for folder in (sysconfig.get_path("scripts"), str(Path(sys.executable).parent)):
        candidate = Path(folder) / name
        if candidate.is_file():
            return (str(candidate),)
    found = shutil.which(GUI_SCRIPT)
    if found:
        return (found,)
    python = Path(sys.executable)
    if platform == "win32" and (python.parent / "pythonw.exe").is_file():
        python = python.parent / "pythonw.exe"  # no console window
    return (str(python), "-m", "explorer")


def is_under(path: PurePath, folder: PurePath) -> bool:
    """Whether ``path`` lies inside ``folder`` (a manifest never reaches outside its homes)."""
    try:
        path.relative_to(folder)
    except ValueError:
        return False
    return True
