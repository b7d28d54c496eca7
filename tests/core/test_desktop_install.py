"""install-desktop in a temporary home: the files each platform gets, and --uninstall removing them."""

from __future__ import annotations

import os
import plistlib
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path, PureWindowsPath

import pytest

from explorer.desktop.install import install, read_manifest, uninstall
from explorer.desktop.linux import desktop_entry, exec_argument
from explorer.desktop.plan import SESSION_MIME, Environment
from explorer.desktop.windows import CLASSES, PROGRAM_PROGID, SESSION_PROGID, start_menu_folder
from explorer.resources import ICON_SIZES, icon_png

MIME_NS = "{http://www.freedesktop.org/standards/shared-mime-info}"


def linux_home(tmp_path: Path, launcher: tuple[str, ...] = ("/opt/app/bin/autograd-explorer-gui",)) -> Environment:
    return Environment("linux", tmp_path / "home", {"XDG_DATA_HOME": str(tmp_path / "home" / "data")}, launcher)


def every_file(folder: Path) -> set[Path]:
    return {path for path in folder.rglob("*") if path.is_file()} if folder.exists() else set()


def validate(entry: Path) -> None:
    """desktop-file-validate from Debian's desktop-file-utils; required, never skipped."""
    tool = shutil.which("desktop-file-validate")
    assert tool is not None, ("desktop-file-validate is missing: install Debian's desktop-file-utils "
                              "(apt-get install -y desktop-file-utils; .ci/run does)")
    result = subprocess.run([tool, str(entry)], capture_output=True, text=True, check=False)
    assert result.returncode == 0 and "error" not in result.stdout, result.stdout + result.stderr


def test_linux_install_writes_a_valid_entry_icons_and_mime_type(tmp_path: Path) -> None:
    environment = linux_home(tmp_path)
    said: list[str] = []
    assert install(environment, run=lambda command: 0, say=said.append) == 0
    data = tmp_path / "home" / "data"  # XDG_DATA_HOME, not ~/.local/share
    entry = data / "applications" / "autograd-explorer.desktop"
    validate(entry)
    text = entry.read_text(encoding="utf-8")
    assert "Exec=/opt/app/bin/autograd-explorer-gui %F" in text.splitlines()
    assert "Icon=autograd-explorer" in text.splitlines()
    mime_types = next(line for line in text.splitlines() if line.startswith("MimeType="))
    assert {SESSION_MIME, "text/x-python"} <= set(mime_types[len("MimeType="):].split(";"))
    for size in ICON_SIZES:
        installed = data / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "autograd-explorer.png"
        assert installed.read_bytes() == icon_png(size).read_bytes()
    assert (data / "icons" / "hicolor" / "scalable" / "apps" / "autograd-explorer.svg").is_file()
    mime = ElementTree.parse(data / "mime" / "packages" / "autograd-explorer.xml").getroot()
    kind = mime.find(f"{MIME_NS}mime-type")
    assert kind is not None and kind.get("type") == SESSION_MIME
    assert kind.find(f"{MIME_NS}glob").get("pattern") == "*.explorer.json"  # type: ignore[union-attr]
    written = {line.split(None, 1)[1] for line in said if line.strip().startswith("wrote")}
    assert written == {str(path) for path in every_file(tmp_path / "home")} - {str(environment.manifest_path)}
    assert not (tmp_path / "home" / ".local").exists()  # nothing beside XDG_DATA_HOME


def test_the_mime_type_is_understood_by_update_mime_database(tmp_path: Path) -> None:
    assert shutil.which("update-mime-database"), "update-mime-database is missing: apt-get install -y shared-mime-info"
    environment = linux_home(tmp_path)
    install(environment, say=lambda line: None)  # runs the real refresh tools
    globs = (tmp_path / "home" / "data" / "mime" / "globs2").read_text(encoding="utf-8")
    assert f"{SESSION_MIME}:*.explorer.json" in globs
    cache = (tmp_path / "home" / "data" / "applications" / "mimeinfo.cache").read_text(encoding="utf-8")
    assert f"{SESSION_MIME}=autograd-explorer.desktop;" in cache


def test_installing_twice_changes_nothing_and_uninstall_removes_everything(tmp_path: Path) -> None:
    environment = linux_home(tmp_path)
    keep = tmp_path / "home" / "data" / "applications" / "someone-else.desktop"
    keep.parent.mkdir(parents=True)
    keep.write_text("[Desktop Entry]\n")
    install(environment, say=lambda line: None)  # with the real refresh tools
    before = {path: path.read_bytes() for path in every_file(tmp_path / "home")}
    again: list[str] = []
    install(environment, say=again.append)
    assert not [line for line in again if line.strip().startswith("wrote")]
    assert sum(line.strip().startswith("unchanged") for line in again) == len(ICON_SIZES) + 3
    assert {path: path.read_bytes() for path in every_file(tmp_path / "home")} == before
    manifest = read_manifest(environment.manifest_path)
    assert manifest is not None and str(keep) not in manifest.files
    removed: list[str] = []
    assert uninstall(environment, say=removed.append) == 0
    cache = keep.parent / "mimeinfo.cache"  # update-desktop-database's, for someone-else.desktop
    assert every_file(tmp_path / "home") - {cache} == {keep}  # our folders went, caches and all
    assert "autograd-explorer" not in (cache.read_text() if cache.exists() else "")
    assert any("removed" in line and line.endswith("autograd-explorer.desktop") for line in removed)
    said: list[str] = []
    assert uninstall(environment, say=said.append) == 0  # twice: nothing left to do
    assert said and said[0].startswith("Nothing to remove")


def test_a_launcher_path_with_spaces_is_quoted_as_the_spec_asks(tmp_path: Path) -> None:
    launcher = ("/home/a user/my env/bin/python", "-m", "explorer")
    entry = desktop_entry(launcher)
    assert 'Exec="/home/a user/my env/bin/python" -m explorer %F' in entry.splitlines()
    target = tmp_path / "autograd-explorer.desktop"
    target.write_text(entry, encoding="utf-8")
    validate(target)
    assert exec_argument("100%") == "100%%"
    assert exec_argument('C:\\a "b"') == '"C:\\\\\\\\a \\\\"b\\\\""'  # quoted, then escaped again


def test_a_manifest_cannot_make_uninstall_delete_outside_the_home(tmp_path: Path) -> None:
    environment = linux_home(tmp_path)
    install(environment, run=lambda command: 0, say=lambda line: None)
    outside = tmp_path / "precious.txt"
    outside.write_text("keep me")
    text = environment.manifest_path.read_text(encoding="utf-8")
    environment.manifest_path.write_text(text.replace('"files": [', f'"files": [{str(outside)!r},'.replace("'", '"')))
    said: list[str] = []
    uninstall(environment, run=lambda command: 0, say=said.append)
    assert outside.read_text() == "keep me"
    assert any(line.strip().startswith("kept") for line in said)


# ----- Windows, with the registry faked --------------------------------------------------------

class MemoryRegistry:
    """HKEY_CURRENT_USER as a dict of keys, each a dict of values."""

    def __init__(self) -> None:
        self.keys: dict[str, dict[str, str]] = {}

    def key_exists(self, key: str) -> bool:
        return key.lower() in {name.lower() for name in self.keys}

    def get_value(self, key: str, name: str) -> str | None:
        return self.keys.get(key, {}).get(name)

    def set_value(self, key: str, name: str, value: str) -> None:
        path = PureWindowsPath(key)
        for parent in [*reversed(path.parents[:-1]), path]:  # CreateKey makes the parents too
            self.keys.setdefault(str(parent), {})
        self.keys[key][name] = value

    def delete_value(self, key: str, name: str) -> None:
        self.keys.get(key, {}).pop(name, None)

    def delete_key_if_empty(self, key: str) -> bool:
        children = [name for name in self.keys if name.startswith(key + "\\")]
        if key not in self.keys or self.keys[key] or children:
            return False
        del self.keys[key]
        return True


def windows_home(tmp_path: Path) -> Environment:
    roaming = tmp_path / "Users" / "ada" / "AppData" / "Roaming"
    return Environment("win32", tmp_path / "Users" / "ada", {"APPDATA": str(roaming)},
                       (r"C:\Users\ada\venv\Scripts\autograd-explorer-gui.exe",))


def test_windows_install_writes_a_shortcut_and_open_with_entries(tmp_path: Path) -> None:
    import pylnk3

    environment = windows_home(tmp_path)
    registry = MemoryRegistry()
    registry.set_value(rf"{CLASSES}\.json", "", "jsonfile")  # the user's own default stays
    said: list[str] = []
    assert install(environment, registry=registry, run=lambda command: 0, say=said.append) == 0
    shortcut = start_menu_folder(environment) / "Autograd Explorer.lnk"
    link = pylnk3.parse(str(shortcut))
    assert link.path == r"C:\Users\ada\venv\Scripts\autograd-explorer-gui.exe"
    assert link.icon.endswith("autograd-explorer.ico")
    ico = environment.data_home / "autograd-explorer" / "autograd-explorer.ico"
    assert ico.read_bytes()[:4] == b"\x00\x00\x01\x00"  # an icon resource
    command = registry.get_value(rf"{CLASSES}\{SESSION_PROGID}\shell\open\command", "")
    assert command == r'"C:\Users\ada\venv\Scripts\autograd-explorer-gui.exe" "%1"'
    assert registry.get_value(rf"{CLASSES}\.json\OpenWithProgids", SESSION_PROGID) == ""
    assert registry.get_value(rf"{CLASSES}\.py\OpenWithProgids", PROGRAM_PROGID) == ""
    assert registry.get_value(rf"{CLASSES}\.json", "") == "jsonfile"
    assert any(line.strip().startswith("registry") and SESSION_PROGID in line for line in said)

    uninstall(environment, registry=registry, run=lambda command: 0, say=lambda line: None)
    assert registry.keys == {rf"{CLASSES}": {}, r"Software": {}, rf"{CLASSES}\.json": {"": "jsonfile"}}
    assert every_file(tmp_path) == set()


def test_windows_install_twice_rewrites_nothing(tmp_path: Path) -> None:
    environment = windows_home(tmp_path)
    registry = MemoryRegistry()
    install(environment, registry=registry, say=lambda line: None)
    said: list[str] = []
    install(environment, registry=registry, say=said.append)
    assert not [line for line in said if line.strip().startswith(("wrote", "registry"))]


# ----- macOS -----------------------------------------------------------------------------------

def test_macos_install_writes_a_launcher_bundle_that_passes_files_on(tmp_path: Path) -> None:
    record = tmp_path / "arguments.txt"
    launcher = (sys.executable, "-c", f"import sys; open({str(record)!r}, 'w').write('|'.join(sys.argv[1:]))")
    environment = Environment("darwin", tmp_path / "home", {}, launcher)
    said: list[str] = []
    install(environment, run=lambda command: 0, say=said.append)
    contents = tmp_path / "home" / "Applications" / "Autograd Explorer.app" / "Contents"
    info = plistlib.loads((contents / "Info.plist").read_bytes())
    assert info["CFBundleExecutable"] == "autograd-explorer"
    assert (contents / "Resources" / info["CFBundleIconFile"]).read_bytes()[:4] == b"icns"
    types = {kind for document in info["CFBundleDocumentTypes"] for kind in document["LSItemContentTypes"]}
    assert {"org.autograd-explorer.session", "public.python-script"} <= types
    exported = info["UTExportedTypeDeclarations"][0]["UTTypeTagSpecification"]["public.filename-extension"]
    assert exported == ["explorer.json"]
    script = contents / "MacOS" / "autograd-explorer"
    assert os.access(script, os.X_OK)
    subprocess.run([str(script), "a file.explorer.json", "$HOME"], check=True, timeout=60)
    assert record.read_text() == "a file.explorer.json|$HOME"  # each argument as it was given
    assert any("skipped" in line and "lsregister" in line for line in said)  # not a Mac
    uninstall(environment, run=lambda command: 0, say=lambda line: None)
    assert every_file(tmp_path / "home") == set()


@pytest.mark.parametrize("platform", ["linux", "darwin"])
def test_the_command_installs_for_the_user_in_home(tmp_path: Path, monkeypatch, capsys, platform) -> None:
    from explorer.cli import main
    from explorer.desktop import plan

    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    monkeypatch.setattr(plan.sys, "platform", platform)
    assert main(["install-desktop"]) == 0
    printed = capsys.readouterr().out
    refreshed = [Path(line.split()[-1]) for line in printed.splitlines() if line.strip().startswith("ran")]
    files = every_file(tmp_path)
    assert files and all(str(path) in printed  # says what it wrote, and where; the rest are the
                         or any(folder in path.parents for folder in refreshed)  # caches of the tools it ran
                         for path in files)
    assert main(["install-desktop", "--uninstall"]) == 0
    assert every_file(tmp_path) == set()


def test_the_installer_and_the_icon_files_need_no_qt(tmp_path: Path) -> None:
    """install-desktop runs where no display (or Qt) is: a fresh interpreter with Qt blocked."""
    code = ("import sys; sys.modules['PySide6'] = None; sys.modules['pyqtgraph'] = None\n"
            "import explorer.desktop.install, explorer.desktop.linux, explorer.desktop.windows\n"
            "import explorer.desktop.macos, explorer.desktop.screens, explorer.desktop.recent\n"
            "import explorer.resources; print(explorer.resources.icon_data_uri(16)[:22])\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                            cwd=Path(__file__).resolve().parents[2])
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "data:image/png;base64,"


def test_windows_recent_documents_go_to_the_shell(tmp_path: Path) -> None:
    from explorer.desktop.recent import SHARD_PATHW, note_recent_document

    calls: list[tuple[int, str]] = []

    class Shell32:
        def SHAddToRecentDocs(self, flags: int, path: str) -> None:  # noqa: N802 - the Win32 name
            calls.append((flags, path))

    target = tmp_path / "lesson.explorer.json"
    assert note_recent_document(target, platform="win32", shell32=Shell32())
    assert calls == [(SHARD_PATHW, str(target.resolve()))]
    assert not note_recent_document(target, platform="linux", shell32=Shell32())
    assert len(calls) == 1
