"""Render the app's icon from its master SVG: PNGs, a Windows .ico and a macOS .icns.

    .venv/bin/python tools/render_icon.py

Reads assets/icon/autograd-explorer.svg and writes, into explorer/resources/icons/ (package
data, so an installed app finds them): a copy of the SVG, autograd-explorer-<N>.png for each of
explorer.resources.ICON_SIZES, autograd-explorer.ico and autograd-explorer.icns. Run it again
after editing the SVG and commit what it writes (tests/ui/test_icon.py checks they match).
"""

from __future__ import annotations

import io
import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MASTER = ROOT / "assets" / "icon" / "autograd-explorer.svg"
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)  # the largest a .ico holds is 256 px
ICNS_EXTRA = 1024  # macOS wants a 1024 px "retina" image; rendered for the .icns only


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.path.insert(0, str(ROOT))
    from PIL import Image
    from PySide6.QtGui import QGuiApplication  # noqa: TID251 - the icon is drawn by Qt's SVG renderer

    from explorer.resources import (
        ICON_DIRECTORY,
        ICON_SIZES,
        icon_icns,
        icon_ico,
        icon_png,
        icon_svg,
    )
    from explorer.ui.window.icon import png_bytes, render_icon

    _app = QGuiApplication.instance() or QGuiApplication([])
    ICON_DIRECTORY.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(MASTER, icon_svg())
    svg = MASTER.read_bytes()
    pictures: dict[int, Image.Image] = {}
    for size in (*ICON_SIZES, ICNS_EXTRA):
        image = render_icon(size, svg)
        if size in ICON_SIZES:
            icon_png(size).write_bytes(png_bytes(image))
            print(f"wrote {icon_png(size).relative_to(ROOT)}")
        pictures[size] = Image.open(io.BytesIO(png_bytes(image))).convert("RGBA")
    icos = [pictures[size] for size in ICO_SIZES]
    icos[-1].save(icon_ico(), format="ICO", sizes=[(s, s) for s in ICO_SIZES], append_images=icos[:-1])
    print(f"wrote {icon_ico().relative_to(ROOT)}")
    pictures[ICNS_EXTRA].save(icon_icns(), format="ICNS",
                              append_images=[pictures[s] for s in (32, 64, 128, 256, 512)])
    print(f"wrote {icon_icns().relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
