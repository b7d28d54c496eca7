"""The honest way out: run code the user typed as trusted Python, in a process of its own.

When the code box refuses a program that is fine Python, the app may offer to run it with full
Python instead, the way ``autograd-explorer run`` runs a script (:func:`run_script`). That is
only ever offered for code the user typed (:func:`trusted_run_offered`) and asked for each
time; the code runs in a fresh process, so it can neither block nor crash the app, and its
trace comes back through the worker's pickle format, read by the unpickler that builds only
trace data.
"""

from __future__ import annotations

import ast
import multiprocessing
import os
import sys
import tempfile
import threading
from collections.abc import Mapping
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from explorer.core.capture.trace import Trace
from explorer.core.errors import ExplorerError
from explorer.core.sandbox.limits import Limits

OFFERED_FOR = ("refused", "limit")  # the code box turned the program away, not Python
SCRIPT_NAME = "typed_code.py"
SHOWN_NAME = "typed code"  # how tracebacks and pass notes name the code instead of a temp path
_POLL_SECONDS = 0.05
NOTICE = ("autograd-explorer: running the code typed in the window as trusted Python, with full "
          "access to this machine (asked for and confirmed in the app)")


def trusted_run_offered(error: ExplorerError | None, code: str, typed: bool) -> bool:
    """Whether to offer running ``code`` as trusted Python after ``error``.

    Only for code the user typed, that the code box refused or stopped at a limit, and that
    Python itself can parse (only parsed, never compiled or run here).
    """
    if not typed or error is None or error.kind not in OFFERED_FOR or not code.strip():
        return False
    try:
        ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


class TrustedProcessRunner:
    """Runs a program as trusted Python in a new process per run; a cancel kills that process.

    ``run`` has the signature of :meth:`EvaluationWorker.run`, so the window's runner can wait
    on it off the UI thread and lay out its result as it does for the code box.
    """

    def __init__(self, max_passes: int | None = None) -> None:
        from explorer.core.capture.trusted import MAX_PASSES

        self.max_passes = max_passes or MAX_PASSES
        self._context = multiprocessing.get_context("spawn")  # never fork a process with threads

    def run(self, source: str, *, limits: Limits | None = None,
            overrides: Mapping[str, Any] | None = None,
            cancel: threading.Event | None = None, **code_box_options: Any) -> Trace:
        """Run ``source`` with full Python and return its trace; never raises for bad code.

        ``limits``, ``overrides`` and other code box options (``passes``...) do not apply:
        trusted code runs as Python would run it, until it ends or is cancelled.
        """
        with tempfile.TemporaryDirectory(prefix="explorer-trusted-") as folder:
            path = Path(folder) / SCRIPT_NAME
            path.write_text(source, encoding="utf-8")
            receiving, sending = self._context.Pipe(duplex=False)
            process = self._context.Process(target=_run_in_child, args=(sending, str(path), self.max_passes),
                                            name="explorer-trusted-run", daemon=True)
            process.start()
            sending.close()
            try:
                return _wait_for_trace(process, receiving, cancel)
            finally:
                receiving.close()
                if process.is_alive():
                    process.kill()
                process.join(5.0)


def _wait_for_trace(process: Any, connection: Connection, cancel: threading.Event | None) -> Trace:
    from explorer.core.sandbox.worker import load_trace

    while not connection.poll(_POLL_SECONDS):
        if cancel is not None and cancel.is_set():
            process.kill()
            return Trace(error=ExplorerError("the trusted Python run was stopped", kind="cancelled"))
        if not process.is_alive() and not connection.poll(0):
            process.join(1.0)
            return Trace(error=_ended_error(process.exitcode))
    try:
        payload = connection.recv_bytes()
    except (EOFError, OSError):
        process.join(1.0)
        return Trace(error=_ended_error(process.exitcode))
    return load_trace(payload)


def _ended_error(exit_code: int | None) -> ExplorerError:
    how = f" (exit code {exit_code})" if exit_code is not None else ""
    return ExplorerError(f"the code ended its Python process{how} before it finished, so nothing "
                         "was recorded", kind="runtime",
                         advice="the app is fine: it ran in a process of its own")


def _run_in_child(connection: Connection, path: str, max_passes: int) -> None:
    """In the new process: run the script as ``autograd-explorer run`` does, send its trace."""
    if sys.stdout is None:  # an app started without a console: prints are still kept
        sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - lives as the process
    if sys.stderr is not None:
        print(NOTICE, file=sys.stderr, flush=True)
    from explorer.core.capture.trusted import run_script
    from explorer.core.sandbox.worker import dump_trace

    trace = run_script(Path(path), max_passes=max_passes).trace()
    connection.send_bytes(dump_trace(_named_plainly(trace, path)))
    connection.close()


def _named_plainly(trace: Trace, path: str) -> Trace:
    """The temporary file's path replaced by ``typed code`` in what the window shows."""
    trace.stdout = trace.stdout.replace(path, SHOWN_NAME)
    trace.warnings = [text.replace(path, SHOWN_NAME) for text in trace.warnings]
    for one_pass in trace.passes:
        one_pass.note = one_pass.note.replace(path, SHOWN_NAME)
    if trace.error is not None:
        trace.error.message = trace.error.message.replace(path, SHOWN_NAME)
    return trace
