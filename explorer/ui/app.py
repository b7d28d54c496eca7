"""Start the desktop app."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import QApplication

STARTED = time.perf_counter()


def run_app(path: Path | None = None, *, quit_after_ms: int | None = None) -> int:
    """Open the main window (on ``path`` or the welcome example) and run the event loop."""
    QCoreApplication.setOrganizationName("AutogradExplorer")
    QCoreApplication.setApplicationName("Autograd Explorer")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    from explorer.ui.main_window import start_window

    window = start_window(path)
    from explorer.ui import autosave, crash

    crash.install(window)  # unhandled errors: logged, shown, and the app carries on
    autosave.install(window)  # unsaved work survives a crash; offers to restore it
    window.show()
    if path is None and quit_after_ms is None:
        from explorer.ui.classroom import show_start_page

        show_start_page(window)
    if quit_after_ms is not None:
        def report_and_quit() -> None:
            print(f"window shown after {window_shown_at - STARTED:.2f} s; first run finished after "
                  f"{time.perf_counter() - STARTED:.2f} s (counted from the app's import; "
                  f"shown at unix time {shown_wall_clock:.3f})", flush=True)
            window.close()
            app.quit()

        window_shown_at = time.perf_counter()
        shown_wall_clock = time.time()
        window.runFinished.connect(lambda: QTimer.singleShot(quit_after_ms, report_and_quit))
    return app.exec()
