"""``explorer.show()`` runs in the user's own Python process: it must leave it as it found it."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    import gc, os, sys
    import torch
    import explorer
    from explorer.core.sandbox import worker
    from explorer.ui.window.trusted_window import start_trace_window
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    x = torch.tensor(2.0, requires_grad=True)
    traced = explorer.trace(x ** 3)
    before = (gc.isenabled(), gc.get_threshold(), gc.get_freeze_count())
    window = start_trace_window(traced, title="check")
    for _ in range(20):
        app.processEvents()
    after = (gc.isenabled(), gc.get_threshold(), gc.get_freeze_count())
    print("collector", before == after, before, after)
    print("worker", len(worker._SHARED))
""")


def test_showing_a_trace_leaves_the_collector_and_processes_alone(tmp_path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path),
           "HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                          env=env, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    lines = dict(line.split(" ", 1) for line in done.stdout.splitlines() if " " in line)
    assert lines["collector"].startswith("True"), lines["collector"]
    assert lines["worker"] == "0", "a worker process was started that nothing uses"
