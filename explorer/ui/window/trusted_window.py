"""Open the main window on a ready-made trace of trusted code (the user's own script or tensors)."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QSettings, QTimer
from PySide6.QtWidgets import QApplication

from explorer.core.capture.trace import Trace
from explorer.core.view.scene import build_scene
from explorer.core.view.stepper import Stepper
from explorer.ui.canvas.placement import final_scene, layout_geometry
from explorer.ui.files.export import write_image
from explorer.ui.trusted.trusted_run import status_text
from explorer.ui.window.main_window import QtMainWindow
from explorer.ui.window.theme import THEMES

TRUSTED_DOCK_TITLE = "Code (trusted: ran with full Python, read-only)"
_OPEN: list[QtMainWindow] = []  # windows shown without blocking must outlive the call


def start_trace_window(trace: Trace, *, title: str, code: str = "",
                       settings: QSettings | None = None) -> QtMainWindow:
    """A main window showing ``trace``; the code box is read-only and cannot re-run it."""
    with _main_script_hidden():
        window = QtMainWindow(settings)
    # trusted code ran once, outside the sandbox: nothing here may re-run it
    window.trusted = True
    window.editor.runRequested.disconnect(window.run_code)
    window.variables.valueEdited.disconnect(window.document.set_override)
    window.plots.function_plot.valueDragged.disconnect(window.document.set_override)
    for action in (window.run_action, window.live_action, window.new_action):
        action.setEnabled(False)
    window.editor.setPlainText(code)
    window.editor.setReadOnly(True)
    window.editor.document().setModified(False)
    window.editor_dock.setWindowTitle(TRUSTED_DOCK_TITLE)
    window.document.accept_run(code, trace)
    window.editor.show_error(trace.error)
    window.console.show_run(trace, False)
    window.status.setText(status_text(trace, "Trusted code", "the script"))
    window.setWindowTitle(f"{title} (trusted code) — Autograd Explorer")
    QTimer.singleShot(0, window.canvas.view_widget.setFocus)
    return window


@contextlib.contextmanager
def _main_script_hidden() -> Iterator[None]:
    """Hide the user's ``__main__`` file while the window starts its code box worker process.

    The worker is spawned, and spawning re-runs the main script in the child unless it has no
    file: a user's script that calls ``explorer.show()`` without an ``if __name__ ==
    "__main__"`` guard would otherwise run again (and try to open a window) in the child.
    """
    main = sys.modules.get("__main__")
    if main is None:
        yield
        return
    saved: dict[str, Any] = {key: main.__dict__[key] for key in ("__file__", "__spec__")
                             if key in main.__dict__}
    main.__dict__.pop("__file__", None)
    main.__spec__ = None  # spawn reads it; None means "no module to import"
    try:
        yield
    finally:
        main.__dict__.update(saved)



def _ensure_app() -> QApplication:
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    QCoreApplication.setOrganizationName("AutogradExplorer")
    QCoreApplication.setApplicationName("Autograd Explorer")
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    from explorer.ui.window import icon

    icon.install()  # the app's icon in the title bar and taskbar, here too
    return app


def ipython_runs_qt_loop() -> bool:
    """Whether IPython integrates a Qt event loop (``%gui qt``): then showing must not block."""
    shell_module = sys.modules.get("IPython")
    if shell_module is None:
        return False
    get_ipython = getattr(shell_module, "get_ipython", None)
    shell = get_ipython() if callable(get_ipython) else None
    loop = getattr(shell, "active_eventloop", None) if shell is not None else None
    return bool(loop) and str(loop).startswith("qt")


def open_trace_window(trace: Trace, *, title: str, code: str = "", block: bool = True) -> Any:
    """Show a window on ``trace``; run the event loop until it closes unless IPython runs one."""
    app = _ensure_app()
    window = start_trace_window(trace, title=title, code=code)
    window.show()
    if block and not ipython_runs_qt_loop():
        app.exec()
        return window
    _OPEN.append(window)
    window.destroyed.connect(lambda *_: _OPEN.remove(window) if window in _OPEN else None)
    return window


def write_trace_image(trace: Trace, target: Path, theme: str = "light") -> None:
    """Draw the first pass of ``trace``, at its end, to a PNG or SVG file as the app would."""
    _ensure_app()
    one_pass = trace.passes[0]
    _, geometry = layout_geometry(one_pass, final_scene(trace, one_pass))
    stepper = Stepper(one_pass)
    stepper.to_end()
    write_image(target, build_scene(one_pass, stepper, trace.leaves), geometry, THEMES[theme])
