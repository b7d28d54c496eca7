"""The icon shipped with the package: every render at its size, the .ico, .icns and data: URI."""

from __future__ import annotations

import base64
import io
import xml.etree.ElementTree as ElementTree
from pathlib import Path

from PIL import Image

from explorer.resources import ICON_SIZES, icon_data_uri, icon_icns, icon_ico, icon_png, icon_svg

ROOT = Path(__file__).resolve().parents[2]


def test_every_render_has_its_size_and_a_transparent_corner() -> None:
    for size in ICON_SIZES:
        with Image.open(icon_png(size)) as image:
            assert image.size == (size, size) and image.mode == "RGBA"
            assert image.getpixel((0, 0))[3] == 0  # the rounded tile leaves the corners clear


def test_the_packaged_svg_is_the_master_in_assets() -> None:
    assert icon_svg().read_bytes() == (ROOT / "assets" / "icon" / "autograd-explorer.svg").read_bytes()
    assert ElementTree.parse(icon_svg()).getroot().tag == "{http://www.w3.org/2000/svg}svg"


def test_the_windows_and_mac_icons_hold_the_sizes_their_systems_ask_for() -> None:
    with Image.open(icon_ico()) as ico:
        assert {(16, 16), (32, 32), (48, 48), (256, 256)} <= set(ico.info["sizes"])
    with Image.open(icon_icns()) as icns:
        assert icns.size == (1024, 1024) or (512, 512) in {tuple(s[:2]) for s in icns.info.get("sizes", [])}


def test_the_data_uri_is_the_png_itself() -> None:
    uri = icon_data_uri(32)
    assert uri.startswith("data:image/png;base64,")
    assert base64.b64decode(uri.split(",", 1)[1]) == icon_png(32).read_bytes()
    with Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))) as image:
        assert image.size == (32, 32)
    assert icon_data_uri(None).startswith("data:image/svg+xml;base64,")


def test_the_icons_are_package_data_and_the_gui_launcher_is_declared() -> None:
    from importlib.metadata import entry_points

    scripts = {point.name: point.value for point in entry_points(group="gui_scripts")}
    assert scripts.get("autograd-explorer-gui") == "explorer.cli:main_gui"  # as installed
    consoles = {point.name: point.value for point in entry_points(group="console_scripts")}
    assert consoles.get("autograd-explorer") == "explorer.cli:main"
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    package_data = text.split("[tool.setuptools.package-data]", 1)[1].strip().splitlines()[0]
    assert package_data.startswith("explorer = [") and '"resources/icons/*"' in package_data
