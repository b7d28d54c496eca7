"""A 2000-step training loop, as plain Python and through ``autograd-explorer trace``.

Run: python benchmarks/training_loop_bench.py [--steps 2000] [--passes SPEC] [--repeats 1]

The program is the cubic fit of sin(x) that the official PyTorch tutorials teach ("Tensors and
autograd"), written in our own words. Each side runs in its own process and is measured whole
(start-up, imports, the loop, writing the trace): wall and CPU seconds, the child's peak resident memory
(ru_maxrss), the trace file's size, and whether both printed the same. Goals: ours at most 3x
plain Python's whole-process time, under 1 GB, a trace under 50 MB, identical output.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

TUTORIAL = '''\
import torch
import math

dtype = torch.float
device = torch.device("cpu")

# samples of sin(x) on [-pi, pi], fitted by a cubic
x = torch.linspace(-math.pi, math.pi, 2000, device=device, dtype=dtype)
y = torch.sin(x)

# the four coefficients of a + b x + c x^2 + d x^3, learned
a = torch.randn((), device=device, dtype=dtype, requires_grad=True)
b = torch.randn((), device=device, dtype=dtype, requires_grad=True)
c = torch.randn((), device=device, dtype=dtype, requires_grad=True)
d = torch.randn((), device=device, dtype=dtype, requires_grad=True)

learning_rate = 1e-6
for t in range(STEPS):
    y_pred = a + b * x + c * x ** 2 + d * x ** 3
    loss = (y_pred - y).pow(2).sum()
    if t % 100 == 99:
        print(t, loss.item())

    loss.backward()

    # plain gradient descent, outside the graph
    with torch.no_grad():
        a -= learning_rate * a.grad
        b -= learning_rate * b.grad
        c -= learning_rate * c.grad
        d -= learning_rate * d.grad
        a.grad = None
        b.grad = None
        c.grad = None
        d.grad = None

print(f'Result: y = {a.item()} + {b.item()} x + {c.item()} x^2 + {d.item()} x^3')
'''

# The code box seeds every run with RUN_SEED (0); plain Python gets the same seed first, so
# both draw the same weights and print the same numbers.
SEEDED = "torch.manual_seed(0)\n"


@dataclass
class Measured:
    wall: float
    cpu: float
    peak_mb: float
    stdout: str
    returncode: int
    stderr: str


def measure(command: list[str]) -> Measured:
    """Run ``command`` to its end; its own CPU time and memory high-water mark, from rusage."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    # ru_maxrss of children is the largest of any child so far: measure each side in a fresh
    # interpreter (see main) so that it is this child's own
    return Measured(wall, cpu, after.ru_maxrss / 1024, done.stdout, done.returncode, done.stderr)


def without_device(source: str) -> str:
    """The tutorial without its dtype and device lines (for a code box that lacks torch.device)."""
    for line in ('dtype = torch.float\n', 'device = torch.device("cpu")\n'):
        source = source.replace(line, "")
    return source.replace(", device=device, dtype=dtype", "")


def one_side(side: str, steps: int, passes: str | None, folder: Path, plain: bool) -> None:
    """Measure one side in this process (started fresh by main) and print a result line."""
    program = folder / "polynomial.py"
    trace = folder / "trace.json"
    source = TUTORIAL.replace("STEPS", str(steps))
    if plain:
        source = without_device(source)
    if side == "python":
        program.write_text(source.replace("import math\n", "import math\n" + SEEDED, 1))
        result = measure([sys.executable, str(program)])
        size = 0
    else:
        program.write_text(source)
        command = [sys.executable, "-m", "explorer", "trace", str(program), "-o", str(trace)]
        if passes is not None:
            command += ["--passes", passes]
        result = measure(command)
        size = trace.stat().st_size if trace.exists() else 0
        if result.returncode == 0:  # what the program printed, as the trace holds it
            import json

            result.stdout = json.loads(trace.read_text())["stdout"]
    (folder / f"{side}.out").write_text(result.stdout)
    print(f"{result.wall} {result.cpu} {result.peak_mb} {size} {result.returncode} "
          f"{result.stderr.strip()[:300]!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--passes", default=None, help="--passes SPEC for the trace (default: its own)")
    parser.add_argument("--repeats", type=int, default=1, help="runs of each side; the median is shown")
    parser.add_argument("--without-device", action="store_true",
                        help="drop the tutorial's dtype/device lines (both sides)")
    parser.add_argument("--side", choices=("python", "explorer"), help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    parser.add_argument("--smoke", action="store_true", help="tiny inputs, a few seconds: checks the script runs")
    options = parser.parse_args()
    if options.smoke:
        options.steps, options.repeats = 3, 1
    if options.side:
        one_side(options.side, options.steps, options.passes, Path(options.folder), options.without_device)
        return
    rows: dict[str, list[list[float]]] = {"python": [], "explorer": []}
    outputs: dict[str, str] = {}
    failures: list[str] = []
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(options.repeats):
            for side in ("python", "explorer"):
                # a fresh measuring process per side: RUSAGE_CHILDREN's peak is then that child's
                command = [sys.executable, __file__, "--side", side, "--folder", folder,
                           "--steps", str(options.steps)]
                if options.passes is not None:
                    command += ["--passes", options.passes]
                if options.without_device:
                    command.append("--without-device")
                line = subprocess.run(command, capture_output=True, text=True, check=True,
                                      cwd=Path(__file__).resolve().parent.parent).stdout.split(" ", 5)
                wall, cpu, peak, size, code = (float(item) for item in line[:5])
                rows[side].append([wall, cpu, peak, size])
                outputs[side] = Path(folder, f"{side}.out").read_text()
                if code != 0:
                    failures.append(f"{side} exited {int(code)}: {line[5].strip()}")
    _table(rows, outputs, options)
    for failure in failures:
        print(failure)
    if failures:
        raise SystemExit(1)


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def _table(rows: dict[str, list[list[float]]], outputs: dict[str, str],
           options: argparse.Namespace) -> None:
    python = [_median([row[i] for row in rows["python"]]) for i in range(4)]
    ours = [_median([row[i] for row in rows["explorer"]]) for i in range(4)]
    same = outputs["python"] == outputs["explorer"] and bool(outputs["python"])
    variant = " (without the dtype/device lines)" if options.without_device else ""
    print(f"training loop{variant}: {options.steps} steps, trace --passes {options.passes or '(default)'}, "
          f"median of {options.repeats}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'':24s}{'plain Python':>14s}{'explorer trace':>16s}{'ratio':>8s}{'goal':>12s}")
    print(f"{'whole process, wall s':24s}{python[0]:14.2f}{ours[0]:16.2f}{ours[0] / python[0]:8.2f}{'<= 3x':>12s}")
    print(f"{'whole process, CPU s':24s}{python[1]:14.2f}{ours[1]:16.2f}{ours[1] / python[1]:8.2f}{'<= 3x':>12s}")
    print(f"{'peak memory, MB':24s}{python[2]:14.0f}{ours[2]:16.0f}{ours[2] / python[2]:8.2f}{'< 1024':>12s}")
    print(f"{'trace file, MB':24s}{'-':>14s}{ours[3] / 2**20:16.1f}{'':8s}{'< 50':>12s}")
    print(f"{'printed output':24s}{'':14s}{'identical' if same else 'DIFFERENT':>16s}{'':8s}{'identical':>12s}")


if __name__ == "__main__":
    main()
