"""Linux (freedesktop): a .desktop entry, the icon in hicolor, and a MIME type for sessions."""

from __future__ import annotations

import shutil
from xml.sax.saxutils import quoteattr

from explorer.desktop.plan import (
    APP_ID,
    APP_NAME,
    SESSION_GLOB,
    SESSION_MIME,
    Environment,
    FileToWrite,
    Plan,
)
from explorer.resources import ICON_SIZES, icon_png, icon_svg

PYTHON_TYPES = ("text/x-python", "text/x-python3")  # "Open with" for programs
# what update-mime-database writes beside packages/: removed with a mime folder we created
MIME_CACHES = ("aliases", "generic-icons", "globs", "globs2", "icons", "magic", "mime.cache",
               "subclasses", "treemagic", "types", "version", "XMLnamespaces", "application")
_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")  # an Exec argument holding one of these is quoted


def linux_plan(environment: Environment) -> Plan:
    """The entry, the icons and the MIME type, in $XDG_DATA_HOME (~/.local/share)."""
    data = environment.data_home
    plan = Plan("linux")
    plan.files.append(FileToWrite(data / "applications" / f"{APP_ID}.desktop",
                                  desktop_entry(environment.launcher).encode("utf-8")))
    plan.files.append(FileToWrite(data / "mime" / "packages" / f"{APP_ID}.xml",
                                  mime_package().encode("utf-8")))
    icons = data / "icons" / "hicolor"
    for size in ICON_SIZES:
        plan.files.append(FileToWrite(icons / f"{size}x{size}" / "apps" / f"{APP_ID}.png",
                                      icon_png(size).read_bytes()))
    plan.files.append(FileToWrite(icons / "scalable" / "apps" / f"{APP_ID}.svg", icon_svg().read_bytes()))
    plan.refresh = [[tool, str(data / folder)] for tool, folder in
                    (("update-mime-database", "mime"), ("update-desktop-database", "applications"))]
    plan.generated = {data / "mime": MIME_CACHES, data / "applications": ("mimeinfo.cache",)}
    return plan


def desktop_entry(launcher: tuple[str, ...]) -> str:
    """The freedesktop Desktop Entry (version 1.4) that starts the app on the files given."""
    command = " ".join(exec_argument(part) for part in launcher)
    lines = [
        "[Desktop Entry]",
        "Type=Application",
        "Version=1.4",
        f"Name={APP_NAME}",
        "GenericName=Autograd Graph Explorer",
        "Comment=See the graph PyTorch's autograd builds, and step through backward",
        f"Exec={command} %F",
        f"Icon={APP_ID}",
        "Terminal=false",
        "StartupNotify=true",
        f"StartupWMClass={APP_NAME}",  # the class Qt gives its windows: the application name
        "Categories=Education;ComputerScience;",
        f"MimeType={';'.join((SESSION_MIME, *PYTHON_TYPES))};",
        "Keywords=PyTorch;autograd;gradient;backpropagation;graph;",
    ]
    if len(launcher) == 1 and shutil.which(launcher[0]) is not None:
        lines.insert(7, f"TryExec={_escape_value(launcher[0])}")  # hidden if the app is uninstalled
    return "\n".join(lines) + "\n"


def exec_argument(argument: str) -> str:
    """One argument of an Exec key: quoted when the spec asks, then escaped as a string value."""
    quoted = argument.replace("%", "%%")
    if any(character in _RESERVED for character in argument):
        inner = "".join("\\" + c if c in '"`$\\' else c for c in quoted)
        quoted = f'"{inner}"'
    return _escape_value(quoted)


def _escape_value(text: str) -> str:
    """The escapes of a string value (a backslash is written twice)."""
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")


def mime_package() -> str:
    """shared-mime-info's definition of the session type (it is JSON, known by its name)."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<mime-info xmlns="http://www.freedesktop.org/standards/shared-mime-info">\n'
        f"  <mime-type type={quoteattr(SESSION_MIME)}>\n"
        f"    <comment>{APP_NAME} session</comment>\n"
        '    <sub-class-of type="application/json"/>\n'
        f"    <icon name={quoteattr(APP_ID)}/>\n"
        f"    <glob pattern={quoteattr(SESSION_GLOB)} weight=\"60\"/>\n"
        "  </mime-type>\n"
        "</mime-info>\n"
    )
