"""Help → About: the version, the torch it runs on, and where settings and autosaves live."""

from __future__ import annotations

import html
import platform

import torch
from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from explorer.ui.window.autosave import autosave_directory
from explorer.ui.window.crash import LOG_NAME, data_directory
from explorer.ui.window.icon import app_icon
from explorer.version import __version__

ICON_PIXELS = 64


def about_text(settings: QSettings) -> str:
    """The box's text (rich text): what the app is, the versions, and the folders it uses."""
    places = [("Settings", settings.fileName()), ("Autosaves", str(autosave_directory())),
              ("Crash log", str(data_directory() / LOG_NAME))]
    rows = "".join(f"<tr><td><b>{name}</b></td><td>{html.escape(where)}</td></tr>" for name, where in places)
    return (f"<h3>Autograd Explorer {__version__}</h3>"
            "<p>See the graph PyTorch's autograd builds for your code, and step through backward "
            "one node at a time, in the order the real engine runs it.</p>"
            f"<p>PyTorch {html.escape(torch.__version__)} · Python {platform.python_version()} · "
            f"PySide6 {pyside_version}</p>"
            f"<table cellspacing=4>{rows}</table>")


def show_about(parent: QWidget, settings: QSettings) -> QMessageBox:
    """Open the About box (without blocking) and return it."""
    box = QMessageBox(parent)
    box.setObjectName("aboutBox")
    box.setWindowTitle("About Autograd Explorer")
    box.setIconPixmap(app_icon().pixmap(ICON_PIXELS, ICON_PIXELS))
    box.setTextFormat(Qt.TextFormat.RichText)
    box.setText(about_text(settings))
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)  # paths can be copied
    box.setStandardButtons(QMessageBox.StandardButton.Close)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box
