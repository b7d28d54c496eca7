"""UI tests: offscreen Qt (set in tests/conftest.py), settings in a temporary file."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings


@pytest.fixture(autouse=True)
def no_blocking_dialogs(monkeypatch):
    """A modal dialog offscreen would wait forever: answer them as a user who discards."""
    from PySide6.QtWidgets import QMessageBox

    answers = []

    def answer(*args, **kwargs):
        answers.append(args[2] if len(args) > 2 else "")
        return QMessageBox.StandardButton.Discard

    monkeypatch.setattr(QMessageBox, "question", staticmethod(answer))
    monkeypatch.setattr(QMessageBox, "information", staticmethod(answer))
    return answers


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def window(qtbot, settings):
    from explorer.ui.window.main_window import QtMainWindow

    main = QtMainWindow(settings)
    qtbot.addWidget(main)
    main.resize(1366, 768)
    main.show()
    qtbot.waitExposed(main)
    yield main
    main.plots.stop()  # no curve is still being sampled when the next test starts
    main.runner.cancel()
    main.runner.wait(10_000)
    main.editor.document().setModified(False)


def run_and_wait(qtbot, window, code: str | None = None) -> None:
    """Put ``code`` in the editor (if given), run it, and wait for the result on screen."""
    with qtbot.waitSignal(window.runFinished, timeout=30_000):
        if code is None:
            window.run_code()
        else:
            window.set_code(code)


@pytest.fixture(autouse=True)
def _no_curve_sampled_across_tests():
    """A window a test dropped may still be sampling a curve: let it end before the next test."""
    yield
    from explorer.ui.panels.plots import wait_for_sampling

    wait_for_sampling()
