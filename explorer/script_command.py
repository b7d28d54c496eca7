"""``autograd-explorer run script.py``: run the user's own script, record its passes, show them."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from explorer.core.capture.trusted import Recording

EXIT_OK = 0
EXIT_ERROR = 2
EXIT_SCRIPT_FAILED = 1

TRUSTED_NOTICE = ("autograd-explorer run: running {script} as YOUR OWN trusted code, with full "
                  "Python (it can do anything a Python program can); recording every backward pass")


def run_script_command(options: argparse.Namespace) -> int:
    """Run the script, report what was recorded, and open the app unless ``--no-window``."""
    path = Path(options.script)
    if not path.is_file():
        print(f"autograd-explorer: no such file: {path}", file=sys.stderr)
        return EXIT_ERROR
    print(TRUSTED_NOTICE.format(script=path), file=sys.stderr, flush=True)
    from explorer.core.capture.trusted import run_script

    recording = run_script(path, list(options.script_args), max_passes=options.max_passes)
    if recording.traceback:
        sys.stderr.write(recording.traceback)
    for problem in recording.problems:
        print(f"autograd-explorer: {problem}", file=sys.stderr)
    print(f"autograd-explorer: recorded {len(recording.passes)} backward pass(es)"
          + (" before the exception" if recording.error is not None else "")
          + (f"; {recording.unrecorded} more ran unrecorded (--max-passes)"
             if recording.unrecorded else ""), file=sys.stderr)
    if options.output and not _write_trace(recording, options.output):
        return EXIT_ERROR
    if not options.no_window:
        _show(recording, path)
    return EXIT_SCRIPT_FAILED if recording.error is not None else EXIT_OK


def _write_trace(recording: Recording, output: str) -> bool:
    from explorer.core.storage.files import write_atomic

    try:
        write_atomic(output, json.dumps(recording.trace().to_json(),
                                        indent=1, allow_nan=False) + "\n")
    except OSError as error:
        print(f"autograd-explorer: cannot write {output}: {error}", file=sys.stderr)
        return False
    return True


def _show(recording: Recording, path: Path) -> None:
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        print("autograd-explorer: no display to open the app on (use --no-window or -o)",
              file=sys.stderr)
        return
    recording.show(block=True, title=path.name)
