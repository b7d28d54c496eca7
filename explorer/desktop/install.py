"""``autograd-explorer install-desktop [--uninstall]``: the per-user desktop integration.

Writes the platform's files (and, on Windows, registry values under HKEY_CURRENT_USER), keeps
a manifest of everything it wrote and every folder or key it created, and prints each of them.
Running it again rewrites only what changed; ``--uninstall`` removes what the manifest lists.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PureWindowsPath

from explorer.core.storage.files import write_atomic
from explorer.desktop.plan import Environment, FileToWrite, Plan, is_under
from explorer.desktop.windows import CLASSES, Registry

SCHEMA = "explorer.desktop-install/1"
Runner = Callable[[Sequence[str]], int]  # runs a refresh command, returns its exit code
Say = Callable[[str], None]


def plan_for(environment: Environment) -> Plan:
    """The files (and registry values) this platform gets."""
    if environment.platform == "win32":
        from explorer.desktop.windows import windows_plan

        return windows_plan(environment)
    if environment.platform == "darwin":
        from explorer.desktop.macos import macos_plan

        return macos_plan(environment)
    from explorer.desktop.linux import linux_plan

    return linux_plan(environment)


@dataclass
class Manifest:
    """What an install wrote and created, so that uninstalling removes exactly that."""

    platform: str
    files: list[str] = field(default_factory=list)
    directories: list[str] = field(default_factory=list)  # created by the install
    registry_values: list[tuple[str, str]] = field(default_factory=list)
    registry_keys: list[str] = field(default_factory=list)  # created by the install
    refresh: list[list[str]] = field(default_factory=list)
    generated: dict[str, list[str]] = field(default_factory=dict)

    def to_json(self) -> str:
        data = {"schema": SCHEMA, **self.__dict__,
                "registry_values": [list(pair) for pair in self.registry_values]}
        return json.dumps(data, indent=1) + "\n"


def read_manifest(path: Path) -> Manifest | None:
    """The manifest of the last install, or None when there is none (or it cannot be read)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        return None
    return Manifest(str(data.get("platform", "")), list(data.get("files", [])),
                    list(data.get("directories", [])),
                    [(str(key), str(name)) for key, name in data.get("registry_values", [])],
                    list(data.get("registry_keys", [])), list(data.get("refresh", [])),
                    dict(data.get("generated", {})))


def run_command(command: Sequence[str]) -> int:
    """Run a refresh tool quietly; its output is not ours to print."""
    return subprocess.run(list(command), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                          check=False).returncode


# ----- installing ----------------------------------------------------------------------------

def install(environment: Environment, *, registry: Registry | None = None,
            run: Runner = run_command, say: Say = print) -> int:
    """Write this platform's entry, icon and associations; returns the exit code (0)."""
    plan = plan_for(environment)
    old = read_manifest(environment.manifest_path) or Manifest(plan.platform)
    manifest = Manifest(plan.platform, directories=list(old.directories), refresh=plan.refresh,
                        generated={str(folder): list(names) for folder, names in plan.generated.items()},
                        registry_keys=list(old.registry_keys))
    try:
        say(f"Installing {_what(plan.platform)} for this user:")
        for item in plan.files:
            manifest.files.append(str(item.path))  # listed first: a failed write is still undone
            _write(item, manifest, environment, say)
        for stale in set(old.files) - set(manifest.files):
            _remove_file(Path(stale), environment, say, why=" (no longer part of the install)")
        if plan.registry:
            _set_registry(plan, old, manifest, _registry(registry), say)
    finally:  # whatever was written by now, --uninstall can find
        _make_folders(environment.manifest_path.parent, manifest, environment)
        write_atomic(environment.manifest_path, manifest.to_json())
    say(f"  manifest    {environment.manifest_path}")
    _refresh(manifest.refresh, run, say)
    say("Undo with: autograd-explorer install-desktop --uninstall")
    return 0


def _what(platform: str) -> str:
    return {"win32": "a Start-menu shortcut and \"Open with\" for .json and .py files",
            "darwin": "an app in ~/Applications",
            }.get(platform, "a menu entry, its icon and the session file type")


def _write(item: FileToWrite, manifest: Manifest, environment: Environment, say: Say) -> None:
    _make_folders(item.path.parent, manifest, environment)
    mode = 0o755 if item.executable else 0o644
    if item.path.is_file() and item.path.read_bytes() == item.data:
        os.chmod(item.path, mode)
        say(f"  unchanged   {item.path}")
        return
    write_atomic(item.path, item.data)
    os.chmod(item.path, mode)
    say(f"  wrote       {item.path}")


def _make_folders(folder: Path, manifest: Manifest, environment: Environment) -> None:
    """Create ``folder`` and its missing parents, remembering the ones created in the homes."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for created in reversed(missing):
        created.mkdir()
        if _inside_homes(created, environment) and str(created) not in manifest.directories:
            manifest.directories.append(str(created))


def _inside_homes(path: Path, environment: Environment) -> bool:
    return is_under(path, environment.home) or is_under(path, environment.data_home)


def _registry(registry: Registry | None) -> Registry:
    if registry is not None:
        return registry
    from explorer.desktop.windows import WindowsRegistry

    return WindowsRegistry()


def _set_registry(plan: Plan, old: Manifest, manifest: Manifest, registry: Registry, say: Say) -> None:
    for value in plan.registry:
        for key in _key_and_parents(value.key):
            if not registry.key_exists(key) and key not in manifest.registry_keys:
                manifest.registry_keys.append(key)
        shown = f"HKEY_CURRENT_USER\\{value.key} [{value.name or '(default)'}] = {value.value!r}"
        manifest.registry_values.append((value.key, value.name))
        if registry.get_value(value.key, value.name) == value.value:
            say(f"  unchanged   {shown}")
        else:
            registry.set_value(value.key, value.name, value.value)
            say(f"  registry    {shown}")
    for key, name in set(old.registry_values) - set(manifest.registry_values):
        registry.delete_value(key, name)
        say(f"  removed     HKEY_CURRENT_USER\\{key} [{name or '(default)'}]")


def _key_and_parents(key: str) -> list[str]:
    """``key`` and each parent below Software\\Classes, deepest first."""
    keys = []
    path = PureWindowsPath(key)
    while is_under(path, PureWindowsPath(CLASSES)) and path != PureWindowsPath(CLASSES):
        keys.append(str(path))
        path = path.parent
    return keys


def _refresh(commands: list[list[str]], run: Runner, say: Say) -> None:
    """Run each cache-refresh tool that this system has; a missing one is no error."""
    for command in commands:
        tool = command[0]
        if shutil.which(tool) is None:
            say(f"  skipped     {Path(tool).name} (not on this system)")
            continue
        code = run(command)
        outcome = "ran        " if code == 0 else f"failed ({code})"
        say(f"  {outcome} {' '.join(command)}")


# ----- uninstalling --------------------------------------------------------------------------

def uninstall(environment: Environment, *, registry: Registry | None = None,
              run: Runner = run_command, say: Say = print) -> int:
    """Remove everything the manifest lists; returns the exit code (0, also when nothing was installed)."""
    manifest = read_manifest(environment.manifest_path)
    if manifest is None:
        say(f"Nothing to remove: no install is recorded at {environment.manifest_path}")
        return 0
    say("Removing the desktop integration:")
    for name in manifest.files:
        _remove_file(Path(name), environment, say)
    if manifest.registry_values:
        _clear_registry(manifest, _registry(registry), say)
    _refresh(manifest.refresh, run, say)
    _remove_file(environment.manifest_path, environment, say)
    _remove_folders(manifest, environment, say)
    return 0


def _remove_file(path: Path, environment: Environment, say: Say, why: str = "") -> None:
    if not _inside_homes(path, environment):
        say(f"  kept        {path} (outside this user's folders)")
        return
    if path.is_file() or path.is_symlink():
        path.unlink()
        say(f"  removed     {path}{why}")
    else:
        say(f"  gone        {path} (already)")


def _clear_registry(manifest: Manifest, registry: Registry, say: Say) -> None:
    for key, name in manifest.registry_values:
        registry.delete_value(key, name)
        say(f"  removed     HKEY_CURRENT_USER\\{key} [{name or '(default)'}]")
    for key in sorted(manifest.registry_keys, key=lambda k: k.count("\\"), reverse=True):
        if registry.delete_key_if_empty(key):
            say(f"  removed     HKEY_CURRENT_USER\\{key}")


def _remove_folders(manifest: Manifest, environment: Environment, say: Say) -> None:
    """Folders the install created, deepest first, once empty (or holding only refresh caches)."""
    for name in sorted(manifest.directories, key=lambda d: len(Path(d).parts), reverse=True):
        folder = Path(name)
        if not folder.is_dir() or not _inside_homes(folder, environment):
            continue
        caches = manifest.generated.get(name, [])
        entries = {entry.name for entry in folder.iterdir()}
        if entries and entries <= set(caches):
            for entry in entries:  # only the refresh tools' caches of our own entries are left
                path = folder / entry
                shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()
        if not any(folder.iterdir()):
            folder.rmdir()
            say(f"  removed     {folder}{os.sep}")


def run_install_desktop(remove: bool) -> int:
    """The command: install (or remove) for this user, on this platform."""
    from explorer.desktop.plan import current_environment

    environment = current_environment()
    code = (uninstall if remove else install)(environment)
    if environment.platform == "win32":
        from explorer.desktop.windows import notify_shell

        notify_shell()  # Explorer re-reads associations and icons now, not at the next log-in
    return code
