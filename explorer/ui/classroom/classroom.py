"""The classroom features, installed into the window with one call: gallery, narration, plots,
presentation mode and handouts (each lives in its own module and adds its own menus and docks).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from explorer.ui.classroom import gallery, handouts, presentation
from explorer.ui.panels import narration, plots

if TYPE_CHECKING:
    from explorer.ui.window.main_window import QtMainWindow


def install(window: QtMainWindow) -> None:
    """Add every classroom feature to ``window``."""
    gallery.install(window)
    narration.install(window)
    plots.install(window)
    handouts.install(window)
    presentation.install(window)
    # A theme change repaints the narration and plots in the new colours.
    window.theme_group.triggered.connect(lambda _action: presentation.theme_changed(window))
    presentation.theme_changed(window)


def show_start_page(window: QtMainWindow) -> None:
    """Open the lesson gallery at start, unless the user turned that off."""
    value = window.settings.value(gallery.START_PAGE_KEY, True)
    if str(value).lower() not in ("false", "0"):
        gallery.show_gallery(window)
