"""The app's icon in Qt: rendered from the SVG master, and set on the application."""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, Qt
from PySide6.QtGui import QIcon, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication

from explorer.resources import ICON_SIZES, icon_png, icon_svg


def render_icon(size: int, svg: bytes | None = None) -> QImage:
    """The icon (``svg``, or the shipped master) drawn at ``size`` x ``size`` pixels."""
    renderer = QSvgRenderer(QByteArray(svg if svg is not None else icon_svg().read_bytes()))
    if not renderer.isValid():
        raise ValueError("the icon's SVG could not be read")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return image.convertToFormat(QImage.Format.Format_ARGB32)


def paint_icon(painter: QPainter, area: QRectF) -> None:
    """Draw the icon into ``area`` as vectors (sharp in a PDF at any zoom)."""
    QSvgRenderer(QByteArray(icon_svg().read_bytes())).render(painter, area)


def png_bytes(image: QImage) -> bytes:
    """``image`` encoded as PNG."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")  # type: ignore[call-overload]  # PySide takes the str at runtime
    return bytes(data.data())


def app_icon() -> QIcon:
    """Every shipped render in one QIcon: each size drawn for its size, never scaled."""
    icon = QIcon()
    for size in ICON_SIZES:
        icon.addFile(str(icon_png(size)))
    return icon


def install() -> QIcon:
    """The icon of every window of the application (title bar, taskbar, dialogs)."""
    icon = app_icon()
    QApplication.setWindowIcon(icon)
    return icon
