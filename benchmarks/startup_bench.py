"""Start-up of the desktop app: process start → first paint → window ready → graph drawn.

Run: python benchmarks/startup_bench.py [--runs 5] [--program FILE]

Each run starts ``autograd-explorer --quit-after 200 PROGRAM`` as a new process (offscreen
unless DISPLAY is set) with its settings in a fresh folder, and reads the unix times the app
prints: when the window shell first painted, when the main window was shown (torch and the app
loaded behind the shell), and when the graph of the first run was first drawn. Times count from
just before the process was started. Goal: the first paint within 1 s on a quiet machine.
The load average is printed with the table: on a busy machine every column grows.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROGRAM = """\
import torch
x = torch.tensor(2.0, requires_grad=True)
y = 5 * x**3 + 2 * x**2 + 4 * x + 8
y.backward()
"""
_TIMES = re.compile(r"first paint at unix time ([\d.]+), window shown at unix time ([\d.]+), "
                    r"graph drawn at unix time ([\d.]+)")


def one_run(program: Path) -> tuple[float, float, float] | str:
    """Seconds from process start to first paint, window shown and graph drawn (or the error)."""
    with tempfile.TemporaryDirectory() as home:
        environment = dict(os.environ, XDG_CONFIG_HOME=home, XDG_DATA_HOME=home, HOME=home)
        if not environment.get("DISPLAY"):
            environment["QT_QPA_PLATFORM"] = "offscreen"
        command = [sys.executable, "-m", "explorer", "--quit-after", "200", str(program)]
        started = time.time()
        finished = subprocess.run(command, capture_output=True, text=True, env=environment, timeout=300,
                                  check=False)
    found = _TIMES.search(finished.stdout)
    if finished.returncode != 0 or found is None:
        return f"exit {finished.returncode}: {(finished.stderr or finished.stdout)[-300:]}"
    paint, shown, drawn = (float(value) - started for value in found.groups())
    return paint, shown, drawn


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--program", type=Path, default=None, help="the program to open")
    parser.add_argument("--smoke", action="store_true", help="tiny inputs, a few seconds: checks the script runs")
    options = parser.parse_args()
    if options.smoke:
        options.runs = 1
    with tempfile.TemporaryDirectory() as folder:
        program = options.program or Path(folder) / "polynomial.py"
        if options.program is None:
            program.write_text(PROGRAM)
        print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}; "
              f"{'DISPLAY ' + os.environ['DISPLAY'] if os.environ.get('DISPLAY') else 'offscreen'}")
        header = f"{'run':>4} | {'first paint':>11} | {'window ready':>12} | {'graph drawn':>11}"
        print(header)
        print("-" * len(header))
        rows = []
        for number in range(1, options.runs + 1):
            result = one_run(program)
            if isinstance(result, str):
                print(f"{number:>4} | failed: {result}")
                continue
            rows.append(result)
            print(f"{number:>4} | {result[0]:>9.2f} s | {result[1]:>10.2f} s | {result[2]:>9.2f} s", flush=True)
        if rows:
            medians = [statistics.median(column) for column in zip(*rows)]
            print(f"{'med':>4} | {medians[0]:>9.2f} s | {medians[1]:>10.2f} s | {medians[2]:>9.2f} s")
        print(f"load average after: {os.getloadavg()[0]:.2f}")
    if len(rows) < options.runs:
        raise SystemExit(1)  # a run failed (shown in the table)


if __name__ == "__main__":
    main()
