"""Work that must not hold the UI thread, waited for while the window keeps answering."""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QEventLoop, QTimer

T = TypeVar("T")
_POOL = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="explorer-io")


def wait_in_background(work: Callable[[], T]) -> T:
    """Run ``work`` on a pool thread and return its result (or raise its error); the UI thread
    goes on handling events meanwhile (reading and checking a session file, for example)."""
    future = _POOL.submit(work)
    if not future.done():
        loop = QEventLoop()
        timer = QTimer(interval=10)
        timer.timeout.connect(lambda: loop.quit() if future.done() else None)
        timer.start()
        loop.exec()
        timer.stop()
    return future.result()
