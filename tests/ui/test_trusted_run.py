"""Run as Trusted Python in the window: offered only for typed code, asked every time, run in
its own process, marked while shown, and never saved as a permission."""

from __future__ import annotations

import json
import os
import textwrap
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest
import torch
from PySide6.QtWidgets import QMenu, QMessageBox

from explorer.core.capture.graph import ACCUMULATE_GRAD
from explorer.core.storage.session import Session, load_session, save_session
from explorer.ui.trusted import trusted_run
from tests.ui.conftest import run_and_wait

NEEDS_OS = textwrap.dedent("""\
    import os
    import torch

    def f(x):
        return 5 * x ** 3 + 2 * x ** 2

    print("cwd:", os.getcwd())
    x = torch.tensor(2.0, requires_grad=True)
    y = f(x)
    y.backward()
""")
SAFE = "import torch\nx = torch.tensor(3.0, requires_grad=True)\ny = x * x\ny.backward()\n"


@dataclass
class Answers:
    """The confirmations asked (the code each showed), and the answer the user gives."""

    asked: list[str] = field(default_factory=list)
    yes: bool = False

    def ask(self, parent, code: str) -> bool:
        self.asked.append(code)
        return self.yes


@pytest.fixture
def answers(monkeypatch) -> Answers:
    user = Answers()
    monkeypatch.setattr(trusted_run, "ask_confirmation", user.ask)
    return user


def type_and_run(qtbot, window, code: str) -> None:
    """The user types (here: pastes) ``code`` into an empty editor and runs it."""
    window.set_code("", run=False)
    window.editor.insertPlainText(code)  # what a paste or typing does: an undo step
    run_and_wait(qtbot, window)


def offered(window) -> bool:
    feature = window.trusted_run
    assert feature.action.isEnabled() == feature.offer_button.isVisible()
    return feature.action.isEnabled()


def test_offered_after_the_code_box_refuses_code_typed_on_the_keyboard(qtbot, window) -> None:
    window.set_code("", run=False)
    qtbot.keyClicks(window.editor, "import os")
    run_and_wait(qtbot, window)
    assert window.document.error is not None and window.document.error.kind == "refused"
    assert window.document.typed and offered(window)
    assert window.trusted_run.action in window.findChild(QMenu, "runMenu").actions()
    qtbot.keyClicks(window.editor, " ")  # the editor no longer holds the code that was refused
    assert not offered(window)


def test_not_offered_for_code_the_box_runs_or_python_cannot_parse(qtbot, window) -> None:
    type_and_run(qtbot, window, SAFE)
    assert window.document.error is None and not offered(window)
    type_and_run(qtbot, window, "import os\nx = (1,\n")
    assert window.document.error is not None and not offered(window)


def test_not_offered_for_an_opened_file_until_the_user_edits_it(qtbot, window, tmp_path) -> None:
    type_and_run(qtbot, window, "import os\n")
    assert offered(window)  # typed: offered, until the file replaces it
    path = tmp_path / "downloaded.py"
    path.write_text(NEEDS_OS, encoding="utf-8")
    with qtbot.waitSignal(window.runFinished, timeout=30_000):
        assert window.open_path(path)
    assert window.document.error.kind == "refused"
    assert not window.document.typed and not offered(window)
    window.editor.moveCursor(window.editor.textCursor().MoveOperation.End)
    window.editor.insertPlainText("# checked it myself\n")
    run_and_wait(qtbot, window)
    assert window.document.typed and offered(window)


def test_not_offered_for_a_lesson(qtbot, window, monkeypatch) -> None:
    class Lesson:
        title = "A lesson that reaches for os"

        def source(self) -> str:
            return NEEDS_OS

    monkeypatch.setattr("explorer.ui.window.main_window.example", lambda slug: Lesson())
    type_and_run(qtbot, window, "import os\n")
    assert offered(window)
    with qtbot.waitSignal(window.runFinished, timeout=30_000):
        window.load_example("any")
    assert window.document.error.kind == "refused" and not offered(window)


def test_not_offered_for_a_session_or_a_restored_autosave(qtbot, window, tmp_path) -> None:

    type_and_run(qtbot, window, "import os\n")
    assert offered(window)
    session_path = tmp_path / "shared.explorer.json"
    save_session(session_path, Session(code=NEEDS_OS))
    with qtbot.waitSignal(window.runFinished, timeout=30_000):
        assert window.open_path(session_path)
    assert window.document.error.kind == "refused" and not offered(window)

    type_and_run(qtbot, window, "import os\n")
    assert offered(window)
    orphan = tmp_path / "autosave-999999999.explorer.json"
    save_session(orphan, Session(code=NEEDS_OS))
    saver = window.start_autosave(tmp_path)
    box = saver.offer_recovery()
    assert box is not None
    with qtbot.waitSignal(window.runFinished, timeout=30_000):
        box.button(QMessageBox.StandardButton.Yes).click()
    assert window.editor.toPlainText() == NEEDS_OS and window.editor.document().isModified()
    assert window.document.error.kind == "refused" and not offered(window)


def test_asks_every_time_and_a_no_runs_nothing(qtbot, window, answers) -> None:
    type_and_run(qtbot, window, NEEDS_OS)
    window.trusted_run.offer_button.click()
    window.trusted_run.action.trigger()
    assert answers.asked == [NEEDS_OS, NEEDS_OS]
    assert not window.trusted_run.runner.busy and not window.document.trusted
    assert offered(window)  # still there for the next time: the answer is not remembered


def test_the_question_says_plainly_what_running_it_means(window) -> None:
    box = trusted_run.confirmation_box(window, NEEDS_OS)
    words = f"{box.text()} {box.informativeText()}"
    assert "full Python access on this machine" in words and "asked again every time" in words
    assert box.detailedText() == NEEDS_OS
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
    assert box.escapeButton() is box.button(QMessageBox.StandardButton.Cancel)
    assert box.checkBox() is None  # no "don't ask again"


def test_a_confirmed_run_shows_its_graph_marked_and_saves_no_trust(qtbot, window, answers,
                                                                   tmp_path) -> None:
    type_and_run(qtbot, window, NEEDS_OS)
    before = window.current_session()
    feature = window.trusted_run
    answers.yes = True
    with qtbot.waitSignal(feature.runner.finished, timeout=120_000):
        request = feature.run_trusted()
        assert request is not None and feature.runner.busy  # the UI thread is not waiting on it
        assert feature.stop_button.isVisible() and not offered(window)
    trace = window.document.trace
    assert answers.asked == [NEEDS_OS] and window.document.trusted and trace.error is None
    assert trace.stdout == f"cwd: {os.getcwd()}\n"  # os really ran, in this directory
    x = torch.tensor(2.0, requires_grad=True)
    (expected,) = torch.autograd.grad(5 * x ** 3 + 2 * x ** 2, x)
    one_pass = trace.passes[0]
    (leaf,) = [node for node, data in one_pass.graph.nodes(data=True) if data["name"] == ACCUMULATE_GRAD]
    torch.testing.assert_close(one_pass.grads_after[leaf], expected)
    scene = window.controller.current_scene()
    assert scene is not None and {node.id for node in scene.nodes} == set(one_pass.graph.nodes)
    assert feature.banner.isVisible() and "not sandboxed" in feature.banner.label.text()
    assert window.windowTitle().endswith(trusted_run.TITLE_SUFFIX)
    window.editor.document().setModified(True)  # the title is made again: the mark stays
    assert window.windowTitle().endswith(trusted_run.TITLE_SUFFIX)

    saved = tmp_path / "after.explorer.json"
    assert window.save_to(saved)
    text = saved.read_text(encoding="utf-8")
    assert "trust" not in text.lower()
    assert set(json.loads(text)) == set(json.loads(_session_text(tmp_path, before)))
    # the session before the trusted run, but for the step now shown: nothing else changed
    expected_session = replace(before, step=window.document.stepper.position)
    assert load_session(saved) == expected_session
    assert window.current_session() == expected_session  # what the autosave writes, too

    run_and_wait(qtbot, window, SAFE)  # the code box shows a graph again: the mark goes
    assert not window.document.trusted and not feature.banner.isVisible()
    assert not window.windowTitle().endswith(trusted_run.TITLE_SUFFIX)
    with qtbot.waitSignal(window.runFinished, timeout=30_000):
        assert window.open_path(saved)
    assert not window.document.trusted and not offered(window)


def _session_text(tmp_path: Path, session: Session) -> str:
    path = tmp_path / "before.explorer.json"
    save_session(path, session)
    return path.read_text(encoding="utf-8")


def test_stop_ends_a_trusted_run_and_keeps_the_window_as_it_was(qtbot, window, answers,
                                                                tmp_path) -> None:
    started = tmp_path / "started"
    code = ("import pathlib, time\n"
            f"pathlib.Path({str(started)!r}).write_text('yes')\n"
            "while True:\n    time.sleep(0.05)\n")
    type_and_run(qtbot, window, code)
    answers.yes = True
    feature = window.trusted_run
    with qtbot.waitSignal(feature.runner.finished, timeout=120_000):
        assert feature.run_trusted() is not None
        qtbot.waitUntil(started.exists, timeout=90_000)
        feature.stop_button.click()
    assert not window.document.trusted and "stopped" in window.status.text()
    assert not feature.stop_button.isVisible() and offered(window)
