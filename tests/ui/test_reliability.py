"""The app under stress: stuck runs are ended, errors are caught, work survives a kill."""

from __future__ import annotations

import gc
import os
import select
import signal
import subprocess
import sys
import textwrap
import threading
import time
import weakref
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QMessageBox

from explorer.core import Limits
from explorer.core.capture.trace import Pass
from explorer.core.sandbox.worker import EvaluationWorker, WorkerOptions
from explorer.core.storage.session import load_session
from explorer.core.view.stepper import Stepper
from explorer.ui.canvas.scene_painter import SceneCache
from explorer.ui.window import runner as runner_module
from tests.ui.conftest import run_and_wait

STUCK = "import torch\nt = torch.randn(2500, 2500)\nu = torch.linalg.svd(t)\n"
SLOW = "import torch\nt = torch.ones(100, 100)\nfor i in range(100000):\n    t = (t @ t).tanh()\n"
SIMPLE = "import torch\nx = torch.tensor(3.0, requires_grad=True)\ny = x * x\ny.backward()\n"


class Heartbeat:
    """A timer that should tick every 10 ms while the run goes on.

    Tests count the ticks (an outcome), not the gaps between them: a busy machine stretches
    gaps, but a UI thread blocked by the run would tick once or not at all. How long the
    window really waits is measured by benchmarks/latency_bench.py.
    """

    def __init__(self) -> None:
        self.timer = QTimer(interval=10)
        self.timer.timeout.connect(self._on_tick)
        self.last = time.perf_counter()
        self.longest = 0.0
        self.ticks = 0

    def _on_tick(self) -> None:
        now = time.perf_counter()
        self.longest = max(self.longest, now - self.last)
        self.last = now
        self.ticks += 1

    def start(self) -> None:
        self.last = time.perf_counter()
        self.timer.start()


@pytest.fixture
def quick_worker():
    worker = EvaluationWorker(WorkerOptions(grace_seconds=0.5))
    yield worker
    worker.close()


def test_a_stuck_run_is_killed_and_the_window_carries_on(qtbot, window, quick_worker) -> None:
    window.runner.worker = quick_worker
    window.runner.limits = Limits(max_seconds=1.0)
    beat = Heartbeat()
    beat.start()
    run_and_wait(qtbot, window, STUCK)
    assert window.document.error is not None and window.document.error.kind == "limit"
    assert "stopped" in window.status.text()
    assert quick_worker.restarts == 1
    assert beat.ticks >= 10, f"the UI thread handled only {beat.ticks} timer ticks during the run"
    window.runner.limits = Limits()
    run_and_wait(qtbot, window, SIMPLE)
    assert window.document.error is None
    assert window.document.trace.passes[0].grads["x"].item() == 6.0


def test_cancel_ends_a_stuck_run(qtbot, window, quick_worker) -> None:
    window.runner.worker = quick_worker
    window.set_code(STUCK)
    qtbot.waitUntil(lambda: window.cancel_button.isVisible(), timeout=5000)
    qtbot.wait(300)
    with qtbot.waitSignal(window.runFinished, timeout=30_000):
        window.cancel_button.click()
    assert window.document.error is not None and window.document.error.kind == "cancelled"
    assert not window.cancel_button.isVisible()


def test_the_ui_thread_stays_responsive_while_a_program_runs(qtbot, window) -> None:
    window.runner.limits = Limits(max_seconds=1.5, max_elements=10**12)  # stop on time, not size
    beat = Heartbeat()
    beat.start()
    run_and_wait(qtbot, window, SLOW)
    error = window.document.error
    assert error is not None and "longer than" in error.message, error
    assert beat.ticks >= 10, f"the UI thread handled only {beat.ticks} timer ticks during the run"


LOOP = ("x = torch.tensor(0.5, requires_grad=True)\nw = torch.tensor(1.5, requires_grad=True)\n"
        "h = x\nfor i in range(40):\n    h = torch.tanh(h * w) + h\nloss = h * h\nloss.backward()\n")


def test_a_result_is_prepared_off_the_ui_thread(qtbot, window, monkeypatch) -> None:
    """Stepper, scene, drawing arrays and the views' numbers of a new trace: none on the UI thread."""
    made_on_ui: list[str] = []

    def watch(owner: type, name: str) -> None:
        original = getattr(owner, name)

        def watched(*args, **kwargs):
            if threading.current_thread() is threading.main_thread():
                made_on_ui.append(f"{owner.__name__}.{name}")
            return original(*args, **kwargs)

        monkeypatch.setattr(owner, name, watched)

    watch(Stepper, "__init__")
    watch(SceneCache, "__init__")
    original_cached = Pass.cached

    def cached(one_pass, key, compute):
        if key not in one_pass.extras and threading.current_thread() is threading.main_thread():
            made_on_ui.append(f"Pass.cached({key!r})")
        return original_cached(one_pass, key, compute)

    monkeypatch.setattr(Pass, "cached", cached)
    run_and_wait(qtbot, window, LOOP)
    qtbot.wait(300)  # the window draws the result, the panels fill
    assert window.document.stepper is not None and window.canvas.item.cache is not None
    assert window.diagnostics.panel.chart is not None
    assert made_on_ui == []
    window.document.step("previous")  # stepping is the UI's own work, and still works
    assert window.document.stepper.position == window.document.stepper.count - 1


def test_layout_progress_is_shown_and_cancel_keeps_the_picture_on_screen(qtbot, window) -> None:
    run_and_wait(qtbot, window, LOOP)
    shown, centres = window.document.trace, dict(window.controller.geometry.centres)
    reports: list[tuple[str, float, int]] = []

    def on_progress(stage: str, fraction: float, nodes: int) -> None:
        reports.append((stage, fraction, nodes))
        if stage not in ("running", "preparing") and len(reports) == 3:
            window.cancel_run()  # from inside the layout, as the Cancel button would

    window.runner.progressed.connect(on_progress)
    run_and_wait(qtbot, window, LOOP.replace("range(40)", "range(400)"))
    window.runner.progressed.disconnect(on_progress)
    layout_reports = [report for report in reports if report[0] not in ("running", "preparing")]
    assert reports[0][0] == "running" and len(layout_reports) >= 2
    assert all(nodes > 1000 for _, _, nodes in layout_reports)
    assert [f for _, f, _ in layout_reports] == sorted(f for _, f, _ in layout_reports)
    assert window.document.trace is shown and window.controller.geometry.centres == centres
    assert window.document.stale and window.document.error.kind == "cancelled"
    assert "cancelled" in window.status.text()
    run_and_wait(qtbot, window)  # and the same program, not cancelled, comes through
    assert window.document.trace is not shown and not window.document.stale
    assert window.document.current_pass.graph.number_of_nodes() > 1000


def test_a_big_result_is_frozen_out_of_the_collector_and_freed_when_replaced(
        qtbot, window, monkeypatch) -> None:
    monkeypatch.setattr(runner_module, "BIG_RESULT", 50)  # nodes: the loop has more
    before = gc.get_freeze_count()
    run_and_wait(qtbot, window, LOOP)
    assert gc.get_freeze_count() > before  # frozen: no full collection will scan it
    graph = weakref.ref(window.document.trace.passes[0].graph)
    run_and_wait(qtbot, window, "x = torch.tensor(1.0, requires_grad=True)\n(x * 2).backward()\n")
    qtbot.wait(50)
    assert graph() is None  # freed by reference counting: no cycle was frozen with it


@pytest.mark.qt_no_exception_capture
def test_an_unhandled_error_is_logged_shown_and_survived(qtbot, window, tmp_path: Path) -> None:
    from explorer.ui.window import crash

    saved_hook = sys.excepthook
    try:
        reporter = crash.install(window, tmp_path)

        def broken_slot() -> None:
            raise ValueError("a bug in a slot")

        QTimer.singleShot(0, broken_slot)
        qtbot.waitUntil(lambda: reporter.dialog is not None and reporter.dialog.isVisible(), timeout=5000)
        log = (tmp_path / crash.LOG_NAME).read_text(encoding="utf-8")
        assert "ValueError: a bug in a slot" in log and "broken_slot" in log
        assert "a bug in a slot" in reporter.dialog.detailedText()
        QTimer.singleShot(0, broken_slot)  # a second error reuses the open dialog
        qtbot.waitUntil(lambda: reporter.count == 2, timeout=5000)
        assert log.count("---") == 1 and (tmp_path / crash.LOG_NAME).read_text().count("---") == 2
        run_and_wait(qtbot, window, SIMPLE)  # the app carries on
        assert window.document.error is None
        reporter.dialog.close()
    finally:
        sys.excepthook = saved_hook


def test_autosave_keeps_unsaved_work_and_drops_it_once_saved(qtbot, window, tmp_path: Path) -> None:

    saver = window.start_autosave(tmp_path)
    run_and_wait(qtbot, window, SIMPLE)
    with qtbot.waitSignal(saver.saved, timeout=10_000):
        window.editor.insertPlainText("# typed, not saved\n")
    session = load_session(saver.path)
    assert "# typed, not saved" in session.code
    assert window.save_to(tmp_path / "kept.py")
    qtbot.waitUntil(lambda: not saver.path.exists(), timeout=10_000)


# ----- a real kill: the app process gets SIGKILL, the next launch offers its work back -------

_LAUNCH = textwrap.dedent("""
    import sys
    from PySide6.QtCore import QCoreApplication, QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox
    QCoreApplication.setOrganizationName("AutogradExplorer")
    QCoreApplication.setApplicationName("Autograd Explorer")
    app = QApplication(sys.argv[:1])
    from explorer.ui.window import autosave
    from explorer.ui.window import crash
    from explorer.ui.window.main_window import start_window
    window = start_window(None)
    crash.install(window)
    saver = window.start_autosave()
    window.show()
""")

_VICTIM = _LAUNCH + textwrap.dedent("""
    saver.saved.connect(lambda path: print("SAVED", path, flush=True))
    QTimer.singleShot(300, lambda: window.editor.insertPlainText("w = 12345  # unsaved work\\n"))
    app.exec()
""")

_NEXT_LAUNCH = _LAUNCH + textwrap.dedent("""
    def restore(box):
        print("OFFERED", box.text().replace("\\n", " "), flush=True)
        window.runFinished.connect(report)
        box.button(QMessageBox.StandardButton.Yes).click()
    def report():
        print("CODE", repr(window.editor.toPlainText()), flush=True)
        window.editor.document().setModified(False)  # or quitting asks whether to discard it
        app.quit()
    saver.recoveryOffered.connect(restore)
    QTimer.singleShot(60_000, app.quit)
    app.exec()
""")


def _app_environment(tmp_path: Path) -> dict[str, str]:
    root = Path(__file__).resolve().parents[2]
    return {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_DATA_HOME": str(tmp_path / "data"),
            "XDG_CONFIG_HOME": str(tmp_path / "config"), "PYTHONPATH": str(root)}


def _read_line_starting(process: subprocess.Popen, prefix: str, seconds: float) -> str:
    deadline = time.monotonic() + seconds
    assert process.stdout is not None
    while time.monotonic() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], 0.5)
        if ready:
            line = process.stdout.readline()
            if line.startswith(prefix):
                return line.strip()
            if not line and process.poll() is not None:
                break
    raise AssertionError(f"no {prefix!r} line from the app")


def test_work_survives_sigkill_and_the_next_launch_restores_it(tmp_path: Path) -> None:
    environment = _app_environment(tmp_path)
    victim = subprocess.Popen([sys.executable, "-c", _VICTIM], env=environment, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        saved = _read_line_starting(victim, "SAVED", 90)
    finally:
        victim.send_signal(signal.SIGKILL)  # no chance to clean up: as in a crash
        victim.wait(10)
    autosave_file = Path(saved.split(" ", 1)[1])
    assert autosave_file.exists() and "12345" in autosave_file.read_text(encoding="utf-8")
    next_launch = subprocess.run([sys.executable, "-c", _NEXT_LAUNCH], env=environment, text=True,
                                 capture_output=True, timeout=120)
    assert "OFFERED" in next_launch.stdout and "did not close properly" in next_launch.stdout
    assert "w = 12345  # unsaved work" in next_launch.stdout
    assert next_launch.returncode == 0
    assert not autosave_file.exists()


def test_a_clean_quit_leaves_no_autosave(qtbot, window, tmp_path: Path) -> None:
    from explorer.ui.window import autosave

    saver = window.start_autosave(tmp_path)
    with qtbot.waitSignal(saver.saved, timeout=10_000):
        window.editor.insertPlainText("# typed\n")
    saver.discard()  # what QApplication.aboutToQuit runs
    assert list(tmp_path.glob("autosave-*")) == []
    assert autosave.orphaned_autosaves(tmp_path) == []
    window.editor.document().setModified(False)  # closing must not ask about the typed line


def test_no_offer_while_the_other_app_still_runs(qtbot, window, tmp_path: Path) -> None:

    alive = tmp_path / f"autosave-{os.getppid()}.explorer.json"
    alive.write_text('{"schema": "explorer.session/1", "code": "x = 1"}', encoding="utf-8")
    dead = tmp_path / "autosave-999999999.explorer.json"
    dead.write_text('{"schema": "explorer.session/1", "code": 5}', encoding="utf-8")  # corrupt
    saver = window.start_autosave(tmp_path)
    assert saver.offer_recovery() is None  # the corrupt one is dropped, the live one kept
    assert alive.exists() and not dead.exists()
    assert window.findChild(QMessageBox, "recoveryDialog") is None  # nothing was offered
