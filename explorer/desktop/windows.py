"""Windows: a Start-menu shortcut, and "Open with" for sessions and programs (HKCU, no admin).

Windows knows a file's type by its last extension only, so a ``*.explorer.json`` session is a
``.json`` file to it: the app is offered under "Open with" for ``.json`` and ``.py`` files
(and the user can make it the default there); it never takes those types over.
"""

from __future__ import annotations

import ntpath
import subprocess
import sys
from pathlib import Path
from typing import Any, Protocol

from explorer.desktop.plan import APP_ID, APP_NAME, Environment, FileToWrite, Plan, RegistryValue
from explorer.resources import icon_ico

CLASSES = r"Software\Classes"
SESSION_PROGID = "AutogradExplorer.Session"
PROGRAM_PROGID = "AutogradExplorer.Program"
SHORTCUT_NAME = f"{APP_NAME}.lnk"


class Registry(Protocol):
    """The few operations on HKEY_CURRENT_USER an install needs (faked in tests)."""

    def key_exists(self, key: str) -> bool: ...
    def get_value(self, key: str, name: str) -> str | None: ...
    def set_value(self, key: str, name: str, value: str) -> None: ...
    def delete_value(self, key: str, name: str) -> None: ...
    def delete_key_if_empty(self, key: str) -> bool: ...


def windows_plan(environment: Environment) -> Plan:
    """The icon (copied beside the manifest), the Start-menu shortcut and the registry values."""
    plan = Plan("win32")
    ico = environment.data_home / APP_ID / f"{APP_ID}.ico"
    plan.files.append(FileToWrite(ico, icon_ico().read_bytes()))
    programs = start_menu_folder(environment)
    plan.files.append(FileToWrite(programs / SHORTCUT_NAME, shortcut_bytes(environment.launcher, str(ico))))
    plan.registry = registration(environment.launcher, str(ico))
    return plan


def start_menu_folder(environment: Environment) -> Path:
    """The user's Start-menu programs folder (%APPDATA%\\Microsoft\\Windows\\Start Menu\\Programs)."""
    return environment.data_home / "Microsoft" / "Windows" / "Start Menu" / "Programs"


def command_line(launcher: tuple[str, ...], *arguments: str) -> str:
    """A Windows command line with every part in double quotes ("%1" too: paths have spaces)."""
    return " ".join(f'"{part}"' for part in (*launcher, *arguments))


def registration(launcher: tuple[str, ...], ico_path: str) -> list[RegistryValue]:
    """ProgIDs for sessions and programs, listed under "Open with" of .json and .py."""
    open_command = command_line(launcher, "%1")
    executable = ntpath.basename(launcher[0])
    values: list[RegistryValue] = []
    for progid, title in ((SESSION_PROGID, f"{APP_NAME} session"),
                          (PROGRAM_PROGID, "Python program (Autograd Explorer)")):
        values += [
            RegistryValue(rf"{CLASSES}\{progid}", "", title),
            RegistryValue(rf"{CLASSES}\{progid}\DefaultIcon", "", f"{ico_path},0"),
            RegistryValue(rf"{CLASSES}\{progid}\shell\open", "FriendlyAppName", APP_NAME),
            RegistryValue(rf"{CLASSES}\{progid}\shell\open\command", "", open_command),
        ]
    values += [
        RegistryValue(rf"{CLASSES}\.json\OpenWithProgids", SESSION_PROGID, ""),
        RegistryValue(rf"{CLASSES}\.py\OpenWithProgids", PROGRAM_PROGID, ""),
        RegistryValue(rf"{CLASSES}\Applications\{executable}", "FriendlyAppName", APP_NAME),
        RegistryValue(rf"{CLASSES}\Applications\{executable}\DefaultIcon", "", f"{ico_path},0"),
        RegistryValue(rf"{CLASSES}\Applications\{executable}\SupportedTypes", ".json", ""),
        RegistryValue(rf"{CLASSES}\Applications\{executable}\SupportedTypes", ".py", ""),
        RegistryValue(rf"{CLASSES}\Applications\{executable}\shell\open\command", "", open_command),
    ]
    return values


def shortcut_bytes(launcher: tuple[str, ...], ico_path: str) -> bytes:
    """A shell link (.lnk) to the launcher, written by pylnk3 (no COM, no PowerShell)."""
    import io

    import pylnk3

    target, *arguments = launcher
    link = pylnk3.for_file(target, arguments=subprocess.list2cmdline(arguments) or None,
                           description="See the graph PyTorch's autograd builds",
                           icon_file=ico_path, work_dir=ntpath.dirname(target))
    stream = io.BytesIO()
    link.write(stream)
    return stream.getvalue()


class WindowsRegistry:
    """HKEY_CURRENT_USER through winreg (on Windows only)."""

    def __init__(self) -> None:
        import winreg

        self.winreg: Any = winreg  # typed loosely: its stubs exist only on Windows

    def key_exists(self, key: str) -> bool:
        try:
            self.winreg.CloseKey(self.winreg.OpenKey(self.winreg.HKEY_CURRENT_USER, key))
        except OSError:
            return False
        return True

    def get_value(self, key: str, name: str) -> str | None:
        try:
            with self.winreg.OpenKey(self.winreg.HKEY_CURRENT_USER, key) as handle:
                return str(self.winreg.QueryValueEx(handle, name)[0])
        except OSError:
            return None

    def set_value(self, key: str, name: str, value: str) -> None:
        with self.winreg.CreateKey(self.winreg.HKEY_CURRENT_USER, key) as handle:
            self.winreg.SetValueEx(handle, name, 0, self.winreg.REG_SZ, value)

    def delete_value(self, key: str, name: str) -> None:
        try:
            with self.winreg.OpenKey(self.winreg.HKEY_CURRENT_USER, key, 0,
                                     self.winreg.KEY_SET_VALUE) as handle:
                self.winreg.DeleteValue(handle, name)
        except OSError:
            pass  # already gone

    def delete_key_if_empty(self, key: str) -> bool:
        try:
            with self.winreg.OpenKey(self.winreg.HKEY_CURRENT_USER, key) as handle:
                subkeys, values, _ = self.winreg.QueryInfoKey(handle)
            if subkeys or values:
                return False
            self.winreg.DeleteKey(self.winreg.HKEY_CURRENT_USER, key)
        except OSError:
            return False
        return True


def notify_shell() -> None:
    """Tell Explorer that associations changed (SHChangeNotify), so icons and menus update."""
    import ctypes

    if sys.platform != "win32":  # mypy on other systems knows no ctypes.windll
        return
    shcne_assocchanged, shcnf_idlist = 0x08000000, 0x0000
    ctypes.windll.shell32.SHChangeNotify(shcne_assocchanged, shcnf_idlist, None, None)

