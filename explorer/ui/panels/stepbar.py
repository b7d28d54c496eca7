"""The step controls: reset, back, step, end, play with a speed, a slider, and the pass selector."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QColor, QIcon, QKeySequence, QPainter, QPixmap
from PySide6.QtWidgets import QComboBox, QLabel, QSlider, QStyle, QToolBar, QWidget

from explorer.core.view.stepper import StepMove
from explorer.ui.actions import make_action
from explorer.ui.window.theme import LIGHT

SPEEDS = {"0.5×": 1600, "1×": 800, "2×": 400, "4×": 200, "8×": 100}


class QtStepBar(QToolBar):
    """Emits what the user asked for; the window tells the document, which moves the stepper."""

    stepRequested = Signal(StepMove, int)  # the move, and the position a jump goes to
    passSelected = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Step through backward", parent)
        self.setObjectName("stepBar")
        self.setMovable(False)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.reset_action = self._action("Reset", "Home", StepMove.RESET, "Back to step 0 (Home)")
        self.back_action = self._action("Back", "Left", StepMove.PREVIOUS, "Undo the last step (Left)")
        self.step_action = self._action("Step", "Right", StepMove.NEXT, "Run the next node (Right)")
        self.end_action = self._action("End", "End", StepMove.END, "Run the whole pass (End)")
        self.play_action = QAction("Play", self)
        self.play_action.setShortcut(QKeySequence("Space"))
        self.play_action.setToolTip("Play or pause the pass (Space)")
        self.play_action.setCheckable(True)
        self.play_action.toggled.connect(self._on_play_toggled)
        self.addAction(self.play_action)
        self.speed = QComboBox()
        self.speed.setToolTip("Playback speed")
        self.speed.addItems(list(SPEEDS))
        self.speed.setCurrentText("1×")
        self.speed.currentTextChanged.connect(self._on_speed_changed)
        self.addWidget(self.speed)
        self.addSeparator()
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setObjectName("stepSlider")
        self.slider.setMinimumWidth(160)
        self.slider.setToolTip("Drag through the pass")
        self.slider.valueChanged.connect(lambda value: self.stepRequested.emit(StepMove.JUMP, value))
        self.addWidget(self.slider)
        self.label = QLabel("No backward pass")
        self.label.setObjectName("stepLabel")
        self.label.setMinimumWidth(260)
        self.addWidget(self.label)
        self.addSeparator()
        self.passes = QComboBox()
        self.passes.setObjectName("passSelector")
        self.passes.setToolTip("Each backward() or autograd.grad() call is one pass")
        self.passes.setMinimumWidth(220)
        # the whole label ("Pass 3 of 200: backward (line 17)"): the slider gives up the room
        self.passes.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.passes.currentIndexChanged.connect(self._on_pass_changed)
        self.addWidget(self.passes)
        self.timer = QTimer(self, interval=SPEEDS["1×"])
        self.timer.timeout.connect(lambda: self.stepRequested.emit(StepMove.NEXT, 0))
        self._filling = False
        self.set_icon_colour(QColor(LIGHT.foreground))  # until the window applies its theme

    def set_icon_colour(self, colour: QColor) -> None:
        """Draw the media glyphs in the theme's text colour: the style's own are dark on dark."""
        glyph = self.style().standardIcon
        for action, pixmap in ((self.reset_action, QStyle.StandardPixmap.SP_MediaSkipBackward),
                               (self.back_action, QStyle.StandardPixmap.SP_MediaSeekBackward),
                               (self.step_action, QStyle.StandardPixmap.SP_MediaSeekForward),
                               (self.end_action, QStyle.StandardPixmap.SP_MediaSkipForward)):
            action.setIcon(tinted(glyph(pixmap), colour))
        self.play_icon = tinted(glyph(QStyle.StandardPixmap.SP_MediaPlay), colour)
        self.pause_icon = tinted(glyph(QStyle.StandardPixmap.SP_MediaPause), colour)
        self.play_action.setIcon(self.pause_icon if self.play_action.isChecked() else self.play_icon)

    def _action(self, text: str, key: str, how: StepMove, tip: str) -> QAction:
        action = make_action(self, text, lambda: self.stepRequested.emit(how, 0), key, tip)
        self.addAction(action)
        return action

    def show_position(self, position: int, count: int, header: str) -> None:
        self.slider.blockSignals(True)
        self.slider.setRange(0, count)
        self.slider.setValue(position)
        self.slider.blockSignals(False)
        self.label.setText(header)
        self.back_action.setEnabled(position > 0)
        self.reset_action.setEnabled(position > 0)
        self.step_action.setEnabled(position < count)
        self.end_action.setEnabled(position < count)
        if position >= count and self.play_action.isChecked():
            self.play_action.setChecked(False)

    def show_passes(self, labels: list[str], current: int) -> None:
        self._filling = True
        self.passes.clear()
        self.passes.addItems(labels or ["no backward pass"])
        self.passes.setCurrentIndex(min(current, max(len(labels) - 1, 0)))
        self.passes.setEnabled(len(labels) > 1)
        self._filling = False

    def _on_pass_changed(self, index: int) -> None:
        if not self._filling and index >= 0:
            self.passSelected.emit(index)

    def _on_play_toggled(self, playing: bool) -> None:
        self.play_action.setText("Pause" if playing else "Play")
        self.play_action.setIcon(self.pause_icon if playing else self.play_icon)
        if playing:
            if not self.step_action.isEnabled():
                self.stepRequested.emit(StepMove.RESET, 0)
            self.timer.start()
        else:
            self.timer.stop()

    def _on_speed_changed(self, text: str) -> None:
        self.timer.setInterval(SPEEDS[text])


def tinted(icon: QIcon, colour: QColor, size: int = 32) -> QIcon:
    """The icon's shape filled with one colour (its alpha kept)."""
    pixmap = icon.pixmap(size, size)
    painted = QPixmap(pixmap.size())
    painted.fill(QColor(0, 0, 0, 0))
    painter = QPainter(painted)
    painter.drawPixmap(0, 0, pixmap)
    painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceIn)
    painter.fillRect(painted.rect(), colour)
    painter.end()
    return QIcon(painted)
