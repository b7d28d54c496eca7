"""The app on the desktop: its icon, the About box, one process for every window, window placement."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from PySide6.QtCore import QCoreApplication, QRectF
from PySide6.QtGui import QColor, QFileOpenEvent, QGuiApplication, QImage, QPainter

from explorer import __version__
from explorer.resources import ICON_SIZES, icon_png
from explorer.ui.window.icon import png_bytes, render_icon

ROOT = Path(__file__).resolve().parents[2]
PROGRAM = "import torch\nx = torch.tensor(3.0, requires_grad=True)\ny = x * x\ny.backward()\n"


def pixels(image: QImage) -> np.ndarray:
    import io

    return np.asarray(Image.open(io.BytesIO(png_bytes(image))).convert("RGBA"), dtype=np.int16)


def test_the_committed_renders_are_made_from_the_master_svg(qapp) -> None:
    master = (ROOT / "assets" / "icon" / "autograd-explorer.svg").read_bytes()
    for size in ICON_SIZES:
        fresh = pixels(render_icon(size, master))
        committed = np.asarray(Image.open(icon_png(size)).convert("RGBA"), dtype=np.int16)
        difference = np.abs(fresh - committed)
        assert difference.mean() < 0.5 and difference.max() <= 24, (
            f"{size} px render is out of date: run tools/render_icon.py")


def test_at_16_pixels_the_highlighted_node_and_the_graph_are_distinct(qapp) -> None:
    image = pixels(render_icon(16))
    amber, node, tile = image[3, 7], image[8, 3], image[14, 8]  # [row, column]
    assert amber[0] > 230 and 180 < amber[1] < 230 and amber[2] < 130  # the active node, amber
    assert min(node[:3]) > 220  # a plain node, near white
    assert tile[2] > tile[0] > tile[1] and tile[0] < 120  # the purple tile
    assert image[0, 0, 3] == 0  # corners clear


def test_the_app_and_its_windows_carry_the_icon(qapp, window) -> None:
    from explorer.ui.window import icon

    installed = icon.install()
    sizes = {size.width() for size in QGuiApplication.windowIcon().availableSizes()}
    assert sizes == set(ICON_SIZES) == {s.width() for s in installed.availableSizes()}
    assert not window.windowIcon().isNull()
    drawn = window.windowIcon().pixmap(16, 16).toImage()
    assert QColor(drawn.pixel(7, 3)).red() > 230  # the amber node, not a platform default


@pytest.fixture
def desktop(qapp, tmp_path: Path, monkeypatch):
    """The app's names, with its settings, data and socket in temporary folders."""
    from explorer.ui.window.app import name_the_app

    runtime = Path(tempfile.mkdtemp(prefix="ae"))  # a short path: socket names have a length limit
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # the app installs its crash reporter
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    names = (QCoreApplication.organizationName(), QCoreApplication.applicationName(),
             QGuiApplication.desktopFileName())
    name_the_app()
    environment = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    yield environment
    QCoreApplication.setOrganizationName(names[0])
    QCoreApplication.setApplicationName(names[1])
    QGuiApplication.setDesktopFileName(names[2])
    for leftover in runtime.iterdir():
        leftover.unlink()
    runtime.rmdir()


@pytest.fixture
def windows(qapp, qtbot, desktop):
    from explorer.ui.window.app import QtWindows

    opened = QtWindows(qapp)
    yield opened
    for window in list(opened.windows):
        window.editor.document().setModified(False)
        window.close()
    qtbot.waitUntil(lambda: not opened.windows, timeout=30_000)  # closed windows are deleted
    opened.setParent(None)


def test_a_second_launch_with_a_file_opens_it_in_a_new_window_of_the_first(qtbot, desktop, windows,
                                                                            tmp_path: Path) -> None:
    from explorer.ui.window.single_instance import QtInstanceServer, instance_name

    server = QtInstanceServer(instance_name())
    assert server.listen()
    server.pathsReceived.connect(windows.open_files)
    first = windows.open(None)
    program = tmp_path / "cube.py"
    program.write_text(PROGRAM, encoding="utf-8")
    second = subprocess.Popen([sys.executable, "-m", "explorer", str(program)], env=desktop,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        qtbot.waitUntil(lambda: len(windows.windows) == 2, timeout=90_000)
        out, err = second.communicate(timeout=90)
    finally:
        second.kill()
        server.close()
    assert second.returncode == 0, err
    opened = windows.windows[1]
    assert opened is not first and opened.isVisible()
    assert opened.path == program.resolve() and opened.editor.toPlainText() == PROGRAM
    assert first.path is None  # the first window still shows what it showed


def test_a_stale_socket_is_taken_over_and_a_live_one_is_not(qapp, desktop) -> None:
    from explorer.ui.window.single_instance import QtInstanceServer, answers, claim, instance_name

    name = instance_name()
    dead = socket.socket(socket.AF_UNIX)
    dead.bind(name)  # what an app killed without cleaning up leaves: a socket file, nobody behind it
    dead.close()
    assert Path(name).exists() and not answers(name)
    server = QtInstanceServer(name)
    try:
        assert server.listen()
        assert answers(name)
        later = claim([])  # a launch without files while one runs: it runs apart, without a server
        assert later.handed_over is False and later.server is None
    finally:
        server.close()


def test_each_window_has_its_own_autosave_and_closing_one_removes_it(qtbot, windows, tmp_path: Path) -> None:
    first = windows.open(None)
    second = windows.open(None)
    assert first.autosave.path != second.autosave.path
    assert first.autosave.path.parent == second.autosave.path.parent
    with qtbot.waitSignal(second.autosave.saved, timeout=20_000):
        second.editor.insertPlainText("# unsaved in the second window\n")
    saved = second.autosave.path
    assert saved.exists()
    second.close()  # the user discards (tests answer Discard)
    qtbot.waitUntil(lambda: len(windows.windows) == 1, timeout=20_000)
    assert not saved.exists() and windows.windows == [first]


def test_a_file_the_system_hands_over_opens_a_window(qapp, qtbot, windows, tmp_path: Path) -> None:
    program = tmp_path / "square.py"
    program.write_text(PROGRAM, encoding="utf-8")
    qapp.installEventFilter(windows)
    try:
        QCoreApplication.sendEvent(qapp, QFileOpenEvent(str(program)))
    finally:
        qapp.removeEventFilter(windows)
    assert [window.path for window in windows.windows] == [program]


def test_the_about_box_shows_versions_and_where_things_live(qtbot, desktop, window) -> None:
    from explorer.ui.window.autosave import autosave_directory

    box = window.show_about()
    try:
        text = box.text()
        assert __version__ in text and torch.__version__ in text
        assert window.settings.fileName() in text and str(autosave_directory()) in text
        assert not box.iconPixmap().isNull()
        assert QColor(box.iconPixmap().toImage().pixel(30, 15)).red() > 230  # our icon's amber node
    finally:
        box.close()


def test_a_window_saved_on_a_screen_that_is_gone_reopens_inside_this_one(window, settings) -> None:
    from explorer.ui.window import window_placement

    settings.setValue("placement/frame", [5000, 4000, 900, 500])
    settings.setValue("placement/margins", [0, 0, 0, 0])
    settings.setValue("placement/screen", "a projector unplugged since")
    assert window_placement.restore(window, settings)
    area = QGuiApplication.primaryScreen().availableGeometry()
    assert area.contains(window.pos()) and window.width() <= area.width()
    window_placement.remember(window, settings)
    frame = [int(value) for value in settings.value("placement/frame")]
    assert area.contains(frame[0], frame[1])
    assert settings.value("placement/screen") == window.screen().name()


def test_handout_pages_carry_the_icon_in_their_header(qapp) -> None:
    from explorer.ui.classroom.handouts import HEADER_SHARE, _paint_header
    from explorer.ui.window.theme import THEMES

    image = QImage(1000, 700, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    rest = _paint_header(painter, QRectF(0, 0, 1000, 700), THEMES["light"], 3)
    painter.end()
    assert rest.top() == pytest.approx(700 * HEADER_SHARE) and rest.height() < 700
    side = 700 * HEADER_SHARE * 0.8
    amber = QColor(image.pixel(round(side / 2), round(side / 4)))  # the highlighted node
    assert amber.red() > 230 and amber.blue() < 130


def test_the_gui_launcher_runs_without_standard_streams(monkeypatch) -> None:
    from explorer.cli import main_gui

    monkeypatch.setattr(sys, "stdout", None)  # what pythonw gives a windowed launcher
    monkeypatch.setattr(sys, "stderr", None)
    with pytest.raises(SystemExit) as finished:
        main_gui(["--version"])
    assert finished.value.code == 0
