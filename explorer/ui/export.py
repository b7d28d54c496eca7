"""Render a scene to PNG or SVG without a window: the same painter, layout and colours as the app."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter
from PySide6.QtSvg import QSvgGenerator

from explorer.core.files import write_atomic
from explorer.core.scene import Scene
from explorer.ui.scene_painter import Geometry, paint_scene
from explorer.ui.theme import Theme

PNG_SCALE = 1.5  # pixels per scene unit: labels stay sharp on slides
HEADER_HEIGHT = 44.0


def _paint(painter: QPainter, scene: Scene, geometry: Geometry, theme: Theme, bounds: QRectF,
           scale: float, font_scale: float) -> None:
    painter.fillRect(QRectF(0, 0, bounds.width() * scale, (bounds.height() + HEADER_HEIGHT) * scale),
                     QColor(theme.background))
    painter.setPen(QColor(theme.foreground))
    font = QFont("DejaVu Sans")
    font.setPixelSize(max(1, round(18 * scale)))
    font.setBold(True)
    painter.setFont(font)
    painter.drawText(QRectF(12 * scale, 0, bounds.width() * scale, HEADER_HEIGHT * scale),
                     Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, scene.header)
    painter.scale(scale, scale)
    painter.translate(-bounds.left(), -bounds.top() + HEADER_HEIGHT)
    paint_scene(painter, scene, geometry, theme, font_scale=font_scale)


MAX_PNG_SIDE = 16_000  # pixels: a huge graph is drawn smaller (its overview), not refused


def render_png(scene: Scene, geometry: Geometry, theme: Theme, *, font_scale: float = 1.0) -> bytes:
    bounds = geometry.bounds()
    longest = max(bounds.width(), bounds.height() + HEADER_HEIGHT)
    scale = min(PNG_SCALE, MAX_PNG_SIDE / longest)
    size = QSize(max(1, round(bounds.width() * scale)),
                 max(1, round((bounds.height() + HEADER_HEIGHT) * scale)))
    image = QImage(size, QImage.Format.Format_ARGB32)
    image.fill(QColor(theme.background))
    painter = QPainter(image)
    _paint(painter, scene, geometry, theme, bounds, scale, font_scale)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data.data())


def render_svg(scene: Scene, geometry: Geometry, theme: Theme, *, font_scale: float = 1.0) -> bytes:
    bounds = geometry.bounds()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    generator = QSvgGenerator()
    generator.setOutputDevice(buffer)
    generator.setSize(QSize(round(bounds.width()), round(bounds.height() + HEADER_HEIGHT)))
    generator.setViewBox(QRectF(0, 0, bounds.width(), bounds.height() + HEADER_HEIGHT))
    generator.setTitle("Autograd Explorer")
    generator.setDescription(scene.header)
    painter = QPainter(generator)
    _paint(painter, scene, geometry, theme, bounds, 1.0, font_scale)
    painter.end()
    return bytes(data.data())


def write_image(path: str | Path, scene: Scene, geometry: Geometry, theme: Theme, *,
                font_scale: float = 1.0) -> None:
    """Write PNG or SVG by the file's suffix, atomically."""
    suffix = Path(path).suffix.lower()
    if suffix == ".png":
        write_atomic(path, render_png(scene, geometry, theme, font_scale=font_scale))
    elif suffix == ".svg":
        write_atomic(path, render_svg(scene, geometry, theme, font_scale=font_scale))
    else:
        raise ValueError(f"cannot export to '{suffix or path}': use a .png or .svg file name")
