"""The lesson gallery: a start page of cards (title and one-line idea) and the Examples menu."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QMouseEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFrame,
    QGridLayout,
    QLabel,
    QMenu,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from explorer.examples import Example, by_section
from explorer.ui.window.theme import Theme

if TYPE_CHECKING:
    from explorer.ui.window.facade import WindowFacade

COLUMNS = 3
START_PAGE_KEY = "classroom/showGalleryAtStart"


class QtLessonCard(QFrame):
    """One lesson: its title and idea; a click opens it."""

    clicked = Signal(str)

    def __init__(self, lesson: Example, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.slug = lesson.slug
        self.setObjectName(f"card_{lesson.slug}")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip(lesson.explanation)
        self.setStyleSheet(
            f"QFrame#card_{lesson.slug} {{ background: {theme.panel}; border: 1px solid {theme.border};"
            f" border-radius: 8px; }} QFrame#card_{lesson.slug}:hover {{ border: 2px solid "
            f"{theme.root_outline}; }}")
        layout = QVBoxLayout(self)
        title = QLabel(f"<b>{lesson.title}</b>")
        title.setWordWrap(True)
        # Style-sheet widgets keep the palette they were polished with: name the colour.
        title.setStyleSheet(f"color: {theme.foreground};")
        idea = QLabel(lesson.idea)
        idea.setWordWrap(True)
        idea.setStyleSheet(f"color: {theme.muted};")
        layout.addWidget(title)
        layout.addWidget(idea)
        layout.addStretch(1)
        self.setMinimumHeight(96)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit(self.slug)


class QtGalleryPage(QScrollArea):
    """Every lesson as a card, grouped by section in teaching order."""

    lessonChosen = Signal(str)

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("galleryPage")
        self.setWidgetResizable(True)
        self.cards: dict[str, QtLessonCard] = {}
        content = QWidget()
        column = QVBoxLayout(content)
        column.addWidget(QLabel("<h2>Lessons</h2><p>Each lesson is a small program: open it, "
                                "step through backward, and read the narration.</p>"))
        for section, lessons in by_section():
            column.addWidget(QLabel(f"<h3>{section}</h3>"))
            column.addLayout(self._grid(lessons, theme))
        column.addStretch(1)
        self.setWidget(content)

    def _grid(self, lessons: list[Example], theme: Theme) -> QGridLayout:
        grid = QGridLayout()
        for index, lesson in enumerate(lessons):
            card = QtLessonCard(lesson, theme)
            card.clicked.connect(self.lessonChosen)
            self.cards[lesson.slug] = card
            grid.addWidget(card, index // COLUMNS, index % COLUMNS)
        for column in range(COLUMNS):
            grid.setColumnStretch(column, 1)
        return grid


class QtGalleryDialog(QDialog):
    """The start page as a window of its own: choosing a card opens the lesson and closes it."""

    def __init__(self, window: WindowFacade) -> None:
        super().__init__(window.widget)
        self.setObjectName("galleryDialog")
        self.setWindowTitle("Lesson gallery")
        self.theme_name = window.theme.name
        self.page = QtGalleryPage(window.theme)
        self.page.lessonChosen.connect(self._on_lesson_chosen)
        self.chosen: str | None = None
        self.window_ref = window
        self.at_start = QCheckBox("Show this gallery when the app starts")
        self.at_start.setObjectName("galleryAtStart")
        self.at_start.setChecked(str(window.settings.value(START_PAGE_KEY, True)).lower() not in ("false", "0"))
        self.at_start.toggled.connect(lambda on: window.settings.setValue(START_PAGE_KEY, on))
        layout = QVBoxLayout(self)
        layout.addWidget(self.page)
        layout.addWidget(self.at_start)
        self.resize(980, 720)

    def _on_lesson_chosen(self, slug: str) -> None:
        self.chosen = slug
        self.window_ref.load_example(slug)
        self.accept()


class Gallery:
    """The lesson gallery (Ctrl+Shift+G) and the Examples menu, by section."""

    def __init__(self, window: WindowFacade) -> None:
        self.window = window
        self.dialog: QtGalleryDialog | None = None
        self.action = QAction("Lesson &gallery…", window.widget)
        self.action.setObjectName("galleryAction")
        self.action.setShortcut(QKeySequence("Ctrl+Shift+G"))
        self.action.setStatusTip("All lessons as cards: pick one to open it")
        self.action.triggered.connect(self.show)
        self._fill_menu(window.menu("E&xamples"))

    def _fill_menu(self, menu: QMenu) -> None:
        menu.clear()
        menu.addAction(self.action)
        for section, lessons in by_section():
            menu.addSection(section)
            for lesson in lessons:
                action = menu.addAction(lesson.title)
                action.setStatusTip(lesson.idea)
                action.setToolTip(lesson.idea)
                action.triggered.connect(lambda checked=False, slug=lesson.slug: self.window.load_example(slug))

    def show(self) -> QtGalleryDialog:
        """Open the gallery (non-modal, so the window stays usable behind it)."""
        window, dialog = self.window, self.dialog
        if dialog is None or dialog.theme_name != window.theme.name:
            if dialog is not None:
                dialog.deleteLater()  # its cards wear the old theme's colours
            dialog = self.dialog = QtGalleryDialog(window)
        was_open = dialog.isVisible()
        dialog.show()
        if was_open:  # already open behind the window: bring it forward (a new one comes up on top)
            dialog.raise_()
        return dialog

    def show_at_start(self) -> None:
        """Open the gallery at start, unless the user turned that off."""
        value = self.window.settings.value(START_PAGE_KEY, True)
        if str(value).lower() not in ("false", "0"):
            self.show()

    def close(self) -> None:
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.close()
