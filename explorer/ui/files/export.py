"""Render a scene to PNG or SVG without a window: the same painter, layout and colours as the app."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QRectF, QSize, QSizeF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPageLayout, QPageSize, QPainter, QPdfWriter, QPen
from PySide6.QtSvg import QSvgGenerator

from explorer.core.storage.files import write_atomic
from explorer.core.view.scene_model import Scene
from explorer.ui.canvas.scene_painter import BODY_UNITS, Geometry, SceneCache, paint_scene
from explorer.ui.window.theme import Theme

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
LEGIBLE_PIXELS = 8.0  # body text at least this tall in a PNG reads; below, the PNG is a picture only
TEXT_PIXELS_KEY = "explorer:text-pixels"  # PNG text chunk: how tall the body text is, in pixels


def png_scale(geometry: Geometry) -> float:
    """Pixels per scene unit of a PNG export: 1.5, or less so that no side passes 16,000."""
    bounds = geometry.bounds()
    longest = max(bounds.width(), bounds.height() + HEADER_HEIGHT)
    return min(PNG_SCALE, MAX_PNG_SIDE / longest)


def text_pixels(scale: float, font_scale: float = 1.0) -> float:
    """How tall body text (edge labels, torch names) is at ``scale`` pixels per scene unit."""
    return BODY_UNITS * font_scale * scale


def render_png(scene: Scene, geometry: Geometry, theme: Theme, *, font_scale: float = 1.0) -> bytes:
    image = render_image(scene, geometry, theme, font_scale=font_scale)
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")  # type: ignore[call-overload]  # PySide takes the str at runtime
    return bytes(data.data())


def render_image(scene: Scene, geometry: Geometry, theme: Theme, *, font_scale: float = 1.0) -> QImage:
    """The whole graph as an image, as a PNG export draws it (Edit → Copy graph image too)."""
    bounds = geometry.bounds()
    scale = png_scale(geometry)
    size = QSize(max(1, round(bounds.width() * scale)),
                 max(1, round((bounds.height() + HEADER_HEIGHT) * scale)))
    image = QImage(size, QImage.Format.Format_ARGB32)
    image.fill(QColor(theme.background))
    painter = QPainter(image)
    _paint(painter, scene, geometry, theme, bounds, scale, font_scale)
    painter.end()
    # said in the PNG itself (a tEXt chunk), so a check needs no guess: is the text readable?
    image.setText(TEXT_PIXELS_KEY, f"{text_pixels(scale, font_scale):.1f}")
    return image


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


PDF_POINTS_PER_UNIT = 0.75  # a scene unit is a pixel at 96 dpi: body text 13 units is 9.75 pt
LARGEST_PDF_PAGE = 14_400.0  # points (200 inches): the PDF format's own limit on a page side


def render_pdf(scene: Scene, geometry: Geometry, theme: Theme, *, font_scale: float = 1.0) -> bytes:
    """One page the size of the graph (text at 9.75 pt), smaller only past the PDF page limit."""
    bounds = geometry.bounds()
    height = bounds.height() + HEADER_HEIGHT
    points = min(PDF_POINTS_PER_UNIT, LARGEST_PDF_PAGE / max(bounds.width(), height))
    page = QPageSize(QSizeF(bounds.width() * points, height * points), QPageSize.Unit.Point,
                     "graph", QPageSize.SizeMatchPolicy.ExactMatch)
    data, buffer, writer = _pdf_writer(page, QMarginsF(0, 0, 0, 0))
    painter = QPainter(writer)
    scale = painter.viewport().width() / bounds.width()
    _paint(painter, scene, geometry, theme, bounds, scale, font_scale)
    painter.end()
    buffer.close()
    return bytes(data.data())


def _pdf_writer(page: QPageSize, margins: QMarginsF) -> tuple[QByteArray, QBuffer, QPdfWriter]:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setResolution(96)  # a device pixel is a scene unit at scale 1
    writer.setTitle("Autograd Explorer")
    writer.setPageLayout(QPageLayout(page, QPageLayout.Orientation.Portrait, margins,
                                     QPageLayout.Unit.Millimeter))
    return data, buffer, writer


ATLAS_MARGIN_MM = 10.0
def write_atlas(path: str | Path, scene: Scene, geometry: Geometry, theme: Theme, *,
                font_scale: float = 1.0, title: str = "") -> int:
    """Every node at a readable size (text at 9.75 pt) on A4 landscape pages, row by row, after
    a first page that maps which page shows which part; returns the number of pages."""
    page = QPageSize(QPageSize.PageSizeId.A4)
    margin = QMarginsF(ATLAS_MARGIN_MM, ATLAS_MARGIN_MM, ATLAS_MARGIN_MM, ATLAS_MARGIN_MM)
    data, buffer, writer = _pdf_writer(page, margin)
    writer.setPageOrientation(QPageLayout.Orientation.Landscape)
    painter = QPainter(writer)
    area = QRectF(painter.viewport())
    tile_height = area.height() - HEADER_HEIGHT
    cache = SceneCache(scene, geometry, theme)
    # pages follow the boxes, band by band: a grid over the whole drawing would give a page to
    # every stretch of a long edge (a weight feeding every turn of a loop) and to empty corners
    tiles = following_tiles(cache.node_boxes, area.width(), tile_height)
    _paint_atlas_map(painter, area, scene, geometry, theme, tiles, title, cache)
    for number, (row, column, tile) in enumerate(tiles, start=1):
        writer.newPage()
        painter.fillRect(area, QColor(theme.background))
        _atlas_header(painter, area, theme, f"{title}  ·  page {number} of {len(tiles)}  ·  "
                                           f"row {row + 1}, column {column + 1}")
        painter.save()
        painter.setClipRect(QRectF(0, HEADER_HEIGHT, area.width(), tile_height))
        painter.translate(-tile.left(), HEADER_HEIGHT - tile.top())
        paint_scene(painter, scene, geometry, theme, font_scale=font_scale, visible=tile, cache=cache)
        painter.restore()
    painter.end()
    buffer.close()
    write_atomic(path, bytes(data.data()))
    return len(tiles) + 1


def following_tiles(boxes: np.ndarray, width: float, height: float) -> list[tuple[int, int, QRectF]]:
    """Pages that hold every box: bands of ``height`` from the top, and in each band windows of
    ``width`` starting at the leftmost box not yet on a page (row, column, area)."""
    tiles: list[tuple[int, int, QRectF]] = []
    if not len(boxes):
        return tiles
    order = np.argsort(boxes[:, 1], kind="stable")
    remaining = order
    row = 0
    while len(remaining):
        band_top = float(boxes[remaining[0], 1]) - 20
        whole = boxes[remaining, 3] <= band_top + height  # boxes this band shows top to bottom
        in_band = remaining[whole]
        spans = sorted(zip(boxes[in_band, 0].tolist(), boxes[in_band, 2].tolist()))
        column = 0
        while spans:
            left = spans[0][0] - 20
            tiles.append((row, column, QRectF(left, band_top, width, height)))
            # the next page starts at the first box this one does not show whole
            spans = [span for span in spans if span[1] > left + width]
            column += 1
        remaining = remaining[~whole]
        row += 1
    return tiles


def _atlas_header(painter: QPainter, area: QRectF, theme: Theme, text: str) -> None:
    font = QFont("DejaVu Sans")
    font.setPixelSize(16)
    painter.setFont(font)
    painter.setPen(QColor(theme.foreground))
    painter.drawText(QRectF(0, 0, area.width(), HEADER_HEIGHT),
                     Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, text)


def _paint_atlas_map(painter: QPainter, area: QRectF, scene: Scene, geometry: Geometry, theme: Theme,
                     tiles: list[tuple[int, int, QRectF]], title: str, cache: SceneCache) -> None:
    """The first page: the whole graph small, each later page's part framed with its number."""
    painter.fillRect(area, QColor(theme.background))
    _atlas_header(painter, area, theme, f"{title}  ·  {len(scene.nodes):,} nodes on {len(tiles)} pages: "
                                       "the map (each frame is the page of that number)")
    bounds = geometry.bounds()
    room = QRectF(0, HEADER_HEIGHT, area.width(), area.height() - HEADER_HEIGHT)
    scale = min(room.width() / bounds.width(), room.height() / bounds.height())
    painter.save()
    painter.translate(room.center().x() - bounds.center().x() * scale,
                      room.center().y() - bounds.center().y() * scale)
    painter.scale(scale, scale)
    paint_scene(painter, scene, geometry, theme, cache=cache)
    font = QFont("DejaVu Sans")
    font.setPixelSize(max(1, round(14 / scale)))
    painter.setFont(font)
    painter.setPen(QPen(QColor(theme.active_outline), 0))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    for number, (_, _, tile) in enumerate(tiles, start=1):
        painter.drawRect(tile)
        if tile.width() * scale > 24:
            painter.drawText(tile.adjusted(4 / scale, 2 / scale, 0, 0),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, str(number))
    painter.restore()


def write_image(path: str | Path, scene: Scene, geometry: Geometry, theme: Theme, *,
                font_scale: float = 1.0) -> None:
    """Write PNG, SVG or a one-page PDF by the file's suffix, atomically."""
    suffix = Path(path).suffix.lower()
    if suffix == ".png":
        write_atomic(path, render_png(scene, geometry, theme, font_scale=font_scale))
    elif suffix == ".svg":
        write_atomic(path, render_svg(scene, geometry, theme, font_scale=font_scale))
    elif suffix == ".pdf":
        write_atomic(path, render_pdf(scene, geometry, theme, font_scale=font_scale))
    else:
        raise ValueError(f"cannot export to '{suffix or path}': use a .png, .svg or .pdf file name")
