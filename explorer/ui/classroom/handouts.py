"""Handouts: every step of a pass as a PDF page, PNG frames or an animated GIF.

Each page or frame shows the graph at that step (the app's own painter, layout and colours)
above the step's narration, so a printed handout reads like stepping through in the app.
"""

from __future__ import annotations

import html
import io
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QAction,
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QTextDocument,
)
from PySide6.QtWidgets import QFileDialog, QMessageBox

from explorer.core.capture.trace import Trace
from explorer.core.storage.files import write_atomic
from explorer.core.view.narration import Narration, narrate
from explorer.core.view.scene import Scene, build_scene
from explorer.core.view.stepper import Stepper
from explorer.ui.canvas.placement import final_scene, layout_geometry
from explorer.ui.canvas.scene_painter import Geometry, paint_scene
from explorer.ui.panels.narration import lesson_for_code
from explorer.ui.window.icon import paint_icon
from explorer.ui.window.theme import THEMES, Theme

if TYPE_CHECKING:
    from explorer.ui.window.facade import WindowFacade

PDF_DPI = 150
FRAME_SIZE = (1600, 1000)
GRAPH_SHARE = 0.6  # of a page's height (or width), for the graph; the narration gets the rest
GIF_FRAME_MS = 1800
HEADER_SHARE = 0.06  # of a PDF page's height: the app's icon and name above each step


def step_pages(trace: Trace, pass_index: int, font_scale: float = 1.0,
               geometry: Geometry | None = None) -> Iterator[tuple[Scene, Narration, Geometry]]:
    """For each step 1..N of the pass: the scene, its narration, and one shared geometry
    (``geometry``, the picture on screen, when given: its layout style and moved nodes)."""
    one_pass = trace.passes[pass_index]
    if geometry is None:
        _, geometry = layout_geometry(one_pass, final_scene(trace, one_pass), None, font_scale)
    stepper = Stepper(one_pass)
    stepper.reset()
    while stepper.next():
        yield build_scene(one_pass, stepper, trace.leaves), narrate(one_pass, stepper), geometry


NARRATION_POINTS = 11.0  # narration on paper: never below MIN_POINTS, however long the step's text
MIN_POINTS = 10.0
CODE_POINTS = 10.0


def print_theme() -> Theme:
    """Handouts print on white in the light theme's colours, whatever the window shows."""
    return replace(THEMES["light"], background="#ffffff", panel="#ffffff")


def _pixels(painter: QPainter, points: float) -> float:
    """Pixels of the painter's device for a size in points (1/72 inch)."""
    return points * painter.device().logicalDpiY() / 72.0


def paint_page(painter: QPainter, page: QRectF, scene: Scene, narration: Narration,
               geometry: Geometry, theme: Theme, font_scale: float = 1.0) -> None:
    """The graph (fitted) beside or above the narration, whichever wastes less of the page."""
    painter.fillRect(page, QColor(theme.background))
    bounds = geometry.bounds()
    graph_area, text_area = _split(page, tall=bounds.height() > bounds.width())
    scale = min(graph_area.width() / bounds.width(), graph_area.height() / bounds.height())
    painter.save()
    painter.translate(graph_area.center().x() - bounds.center().x() * scale,
                      graph_area.center().y() - bounds.center().y() * scale)
    painter.scale(scale, scale)
    paint_scene(painter, scene, geometry, theme, font_scale=font_scale)
    painter.restore()
    _paint_text(painter, text_area, narration, theme)


def _split(page: QRectF, *, tall: bool) -> tuple[QRectF, QRectF]:
    """A tall graph goes left of the text; a wide one above it."""
    if tall:
        width = page.width() * GRAPH_SHARE
        return (QRectF(page.left(), page.top(), width, page.height()),
                QRectF(page.left() + width, page.top(), page.width() - width, page.height()))
    height = page.height() * GRAPH_SHARE
    return (QRectF(page.left(), page.top(), page.width(), height),
            QRectF(page.left(), page.top() + height, page.width(), page.height() - height))


def _paint_text(painter: QPainter, area: QRectF, narration: Narration, theme: Theme) -> None:
    """The step's narration at 11 pt, smaller only as far as 10 pt when it would not fit."""
    body = "".join(f"<p>{html.escape(text)}</p>" for text in narration.paragraphs)
    points = NARRATION_POINTS
    while True:
        pixel_size = _pixels(painter, points)
        document = QTextDocument()
        font = QFont("DejaVu Sans")
        font.setPixelSize(round(pixel_size))
        document.setDefaultFont(font)
        document.setTextWidth(area.width())
        document.setHtml(f"<div style='color:{theme.foreground}'><p style='font-size:"
                         f"{round(pixel_size * 1.3)}px'><b>{html.escape(narration.title)}</b></p>{body}</div>")
        if document.size().height() <= area.height() or points <= MIN_POINTS:
            break
        points = max(MIN_POINTS, points - 0.5)
    painter.save()
    painter.translate(area.topLeft())
    document.drawContents(painter, QRectF(0, 0, area.width(), area.height()))
    painter.restore()


def write_pdf(path: str | Path, trace: Trace, pass_index: int, theme: Theme | None = None, *,
              font_scale: float = 1.0, geometry: Geometry | None = None, code: str = "",
              title: str = "", about: str = "") -> int:
    """A title page (``title``, ``about``, the pass) with the code listing, then one landscape
    A4 page per step of the pass, on white; returns the number of pages.

    ``theme`` is ignored: paper is white in the light theme's colours (``print_theme``)."""
    theme = print_theme()
    buffer_data = QByteArray()
    buffer = QBuffer(buffer_data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setResolution(PDF_DPI)
    writer.setTitle("Autograd Explorer handout")
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Landscape,
                                     QMarginsF(12, 12, 12, 12), QPageLayout.Unit.Millimeter))
    painter = QPainter(writer)
    pages = _paint_front(painter, writer, trace, pass_index, theme, code, title, about)
    for number, (scene, narration, shared) in enumerate(step_pages(trace, pass_index, font_scale, geometry),
                                                         start=1):
        writer.newPage()
        page = _paint_header(painter, QRectF(painter.viewport()), theme, number)
        paint_page(painter, page, scene, narration, shared, theme, font_scale)
        pages += 1
    painter.end()
    buffer.close()
    write_atomic(path, bytes(buffer_data.data()))
    return pages


def _paint_front(painter: QPainter, writer: QPdfWriter, trace: Trace, pass_index: int, theme: Theme,
                 code: str, title: str, about: str) -> int:
    """The title page and the code listing (continued on more pages if long); their count."""
    page = QRectF(painter.viewport())
    painter.fillRect(page, QColor(theme.background))
    side = page.height() * 0.12
    paint_icon(painter, QRectF(page.left(), page.top(), side, side))
    one_pass = trace.passes[pass_index]
    steps = len(one_pass.steps)
    where = f"line {one_pass.line}" if one_pass.line else "implicit"
    heading = QTextDocument()
    font = QFont("DejaVu Sans")
    font.setPixelSize(round(_pixels(painter, NARRATION_POINTS)))
    heading.setDefaultFont(font)
    heading.setTextWidth(page.width() - side * 1.3)
    big = round(_pixels(painter, 22))
    heading.setHtml(
        f"<div style='color:{theme.foreground}'><p style='font-size:{big}px'><b>"
        f"{html.escape(title or 'Autograd Explorer handout')}</b></p>"
        + (f"<p>{html.escape(about)}</p>" if about else "")
        + f"<p style='color:{theme.muted}'>Backward pass {one_pass.index + 1} ({html.escape(one_pass.call)}, "
        f"{where}): {steps} step{'s' if steps != 1 else ''}, one per page after the code. Made with "
        f"Autograd Explorer on {date.today().isoformat()}.</p></div>")
    painter.save()
    painter.translate(page.left() + side * 1.3, page.top())
    heading.drawContents(painter, QRectF(0, 0, page.width() - side * 1.3, page.height()))
    painter.restore()
    top = page.top() + max(side, heading.size().height()) + _pixels(painter, 8)
    return _paint_code(painter, writer, page, top, code, theme)


def _paint_code(painter: QPainter, writer: QPdfWriter, page: QRectF, top: float, code: str,
                theme: Theme) -> int:
    """The program, numbered line by line at 10 pt, from ``top`` on; pages it took."""
    font = QFont("DejaVu Sans Mono")
    font.setStyleHint(QFont.StyleHint.Monospace)
    font.setPixelSize(round(_pixels(painter, CODE_POINTS)))
    painter.setFont(font)
    height = QFontMetricsF(font).lineSpacing()
    lines = code.rstrip("\n").split("\n") if code.strip() else []
    digits = len(str(max(1, len(lines))))
    pages, y = 1, top
    for number, line in enumerate(lines, start=1):
        if y + height > page.bottom():
            writer.newPage()
            painter.fillRect(page, QColor(theme.background))
            pages, y = pages + 1, page.top()
        painter.setPen(QColor(theme.muted))
        painter.drawText(QPointF(page.left(), y + height * 0.8), f"{number:>{digits}}")
        painter.setPen(QColor(theme.foreground))
        painter.drawText(QPointF(page.left() + height * (digits + 1), y + height * 0.8), line.expandtabs(4))
        y += height
    return pages


def _paint_header(painter: QPainter, page: QRectF, theme: Theme, number: int) -> QRectF:
    """The app's icon and name across the top of a PDF page; returns the rest of the page."""
    painter.fillRect(page, QColor(theme.background))
    side = page.height() * HEADER_SHARE * 0.8
    paint_icon(painter, QRectF(page.left(), page.top(), side, side))
    font = QFont("DejaVu Sans")
    font.setPixelSize(max(8, round(side * 0.45)))
    painter.setFont(font)
    painter.setPen(QColor(theme.muted))
    painter.drawText(QRectF(page.left() + side * 1.3, page.top(), page.width() - side * 1.3, side),
                     Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                     f"Autograd Explorer · step {number}")
    return page.adjusted(0, page.height() * HEADER_SHARE, 0, 0)


def render_frames(trace: Trace, pass_index: int, theme: Theme, *, font_scale: float = 1.0,
                  size: tuple[int, int] = FRAME_SIZE, geometry: Geometry | None = None) -> list[QImage]:
    """One image per step: the graph above the narration."""
    frames = []
    for scene, narration, shared in step_pages(trace, pass_index, font_scale, geometry):
        image = QImage(size[0], size[1], QImage.Format.Format_RGB32)
        image.fill(QColor(theme.background))
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        paint_page(painter, QRectF(0, 0, *size).adjusted(24, 16, -24, -16), scene, narration, shared,
                   theme, font_scale)
        painter.end()
        frames.append(image)
    return frames


def write_png_frames(folder: str | Path, frames: list[QImage], stem: str = "step") -> list[Path]:
    """``step_01.png``, ``step_02.png``... in ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    digits = max(2, len(str(len(frames))))
    paths = []
    for number, frame in enumerate(frames, start=1):
        path = folder / f"{stem}_{number:0{digits}d}.png"
        write_atomic(path, _png_bytes(frame))
        paths.append(path)
    return paths


def write_gif(path: str | Path, frames: list[QImage], frame_ms: int = GIF_FRAME_MS) -> None:
    """An animated GIF that loops through the steps."""
    from PIL import Image

    images = [Image.open(io.BytesIO(_png_bytes(frame))).convert("RGB") for frame in frames]
    if not images:
        raise ValueError("the pass has no steps to animate")
    output = io.BytesIO()
    images[0].save(output, format="GIF", save_all=True, append_images=images[1:],
                   duration=frame_ms, loop=0)
    write_atomic(path, output.getvalue())


def _png_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")  # type: ignore[call-overload]  # PySide takes the str at runtime
    return bytes(data.data())


# ----- in the window ---------------------------------------------------------------------------

def export_handout(window: WindowFacade, path: Path) -> bool:
    """Write a PDF, GIF or folder of PNG frames (chosen by the suffix) for the current pass."""
    trace = window.document.trace
    if trace is None or window.document.current_pass is None:
        QMessageBox.information(window.widget, "Handout", "There is no backward pass to export yet.")
        return False
    index = min(window.document.pass_index, len(trace.passes) - 1)
    suffix = path.suffix.lower()
    # the picture on screen (layout style, moved nodes), unless groups are folded in it
    shown = window.controller.geometry if window.controller.view_graph is None else None
    lesson = lesson_for_code(window.document.code)
    title = lesson.title if lesson is not None else (window.path.name if window.path else "Autograd Explorer handout")
    about = lesson.explanation if lesson is not None else ""
    try:
        if suffix == ".pdf":
            write_pdf(path, trace, index, geometry=shown, code=window.document.code, title=title, about=about)
        elif suffix == ".gif":
            write_gif(path, render_frames(trace, index, window.theme, geometry=shown))
        else:
            write_png_frames(path.with_suffix(""), render_frames(trace, index, window.theme, geometry=shown),
                             path.stem)
    except (OSError, ValueError) as error:
        QMessageBox.warning(window.widget, "Handout", f"Could not export {path.name}:\n{error}")
        return False
    window.show_status(f"Exported handout {path}")
    return True


def _export_dialog(window: WindowFacade) -> None:
    start = Path(str(window.settings.value("lastFolder", str(Path.home())))) / "handout.pdf"
    path, _ = QFileDialog.getSaveFileName(
        window.widget, "Export handout", str(start),
        "PDF, one step per page (*.pdf);;Animated GIF (*.gif);;PNG frames in a folder (*.png)")
    if path:
        export_handout(window, Path(path))


class Handouts:
    """File → Export Handout… (PDF, GIF or PNG frames)."""

    def __init__(self, window: WindowFacade) -> None:
        self.action = QAction("Export &Handout (PDF, GIF, PNG frames)…", window.widget)
        self.action.setObjectName("handoutAction")
        self.action.setStatusTip("Every step of the pass: graph and narration, one per page or frame")
        self.action.triggered.connect(lambda: _export_dialog(window))
        window.add_export_action(self.action)
