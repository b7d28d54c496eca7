"""macOS: a small launcher bundle, ~/Applications/Autograd Explorer.app, that opens sessions."""

from __future__ import annotations

import plistlib
import shlex
from pathlib import Path

from explorer.desktop.plan import APP_ID, APP_NAME, Environment, FileToWrite, Plan
from explorer.resources import icon_icns
from explorer.version import __version__

BUNDLE_ID = "org.autograd-explorer.app"
SESSION_UTI = "org.autograd-explorer.session"
LSREGISTER = ("/System/Library/Frameworks/CoreServices.framework/Frameworks/"
              "LaunchServices.framework/Support/lsregister")


def bundle_path(environment: Environment) -> Path:
    return environment.home / "Applications" / f"{APP_NAME}.app"


def macos_plan(environment: Environment) -> Plan:
    """Info.plist, the launcher script (it runs the GUI launcher) and the .icns icon."""
    contents = bundle_path(environment) / "Contents"
    plan = Plan("darwin")
    plan.files.append(FileToWrite(contents / "Info.plist", info_plist()))
    plan.files.append(FileToWrite(contents / "MacOS" / APP_ID, launcher_script(environment.launcher),
                                  executable=True))
    plan.files.append(FileToWrite(contents / "Resources" / f"{APP_ID}.icns", icon_icns().read_bytes()))
    plan.refresh = [[LSREGISTER, "-f", str(bundle_path(environment))]]
    return plan


def launcher_script(launcher: tuple[str, ...]) -> bytes:
    """The bundle's executable: hands over to the installed GUI launcher, files and all."""
    command = " ".join(shlex.quote(part) for part in launcher)
    return f'#!/bin/sh\n# {APP_NAME}: written by `autograd-explorer install-desktop`\nexec {command} "$@"\n'.encode()


def info_plist() -> bytes:
    """The bundle's Info.plist: name, icon, and the documents it opens (sessions; Python as an alternate)."""
    return plistlib.dumps({
        "CFBundleName": APP_NAME,
        "CFBundleDisplayName": APP_NAME,
        "CFBundleIdentifier": BUNDLE_ID,
        "CFBundleExecutable": APP_ID,
        "CFBundleIconFile": f"{APP_ID}.icns",
        "CFBundlePackageType": "APPL",
        "CFBundleShortVersionString": __version__,
        "CFBundleVersion": __version__,
        "CFBundleInfoDictionaryVersion": "6.0",
        "LSMinimumSystemVersion": "11.0",
        "NSHighResolutionCapable": True,
        "CFBundleDocumentTypes": [
            {"CFBundleTypeName": f"{APP_NAME} session", "CFBundleTypeRole": "Editor",
             "LSHandlerRank": "Owner", "LSItemContentTypes": [SESSION_UTI],
             "CFBundleTypeIconFile": f"{APP_ID}.icns"},
            {"CFBundleTypeName": "Python program", "CFBundleTypeRole": "Viewer",
             "LSHandlerRank": "Alternate", "LSItemContentTypes": ["public.python-script"]},
            {"CFBundleTypeName": "JSON document", "CFBundleTypeRole": "Viewer",
             "LSHandlerRank": "Alternate", "LSItemContentTypes": ["public.json"]},
        ],
        "UTExportedTypeDeclarations": [
            {"UTTypeIdentifier": SESSION_UTI, "UTTypeDescription": f"{APP_NAME} session",
             "UTTypeConformsTo": ["public.json"], "UTTypeIconFile": f"{APP_ID}.icns",
             "UTTypeTagSpecification": {"public.filename-extension": ["explorer.json"]}},
        ],
    }, sort_keys=False)
