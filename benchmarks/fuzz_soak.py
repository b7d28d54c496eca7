"""Run the CI fuzz tests with many more examples (``EXPLORER_FUZZ_SCALE``) and report the count.

    python benchmarks/fuzz_soak.py --scale 20     # about 86,000 examples instead of 4,300
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CI_EXAMPLES = 1200 + 800 + 1300 + 1000  # the max_examples of the four fuzz tests


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=20.0, help="times the CI example counts")
    parser.add_argument("--smoke", action="store_true", help="tiny inputs, a few seconds: checks the script runs")
    options = parser.parse_args()
    if options.smoke:
        options.scale = 0.001  # one example of each fuzz test
    environment = {**os.environ, "EXPLORER_FUZZ_SCALE": str(options.scale)}
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-n", "0", "-p", "no:cacheprovider", "-o", "faulthandler_timeout=0",
                             "-W", "ignore::SyntaxWarning", "tests/core/test_fuzz.py"],
                            cwd=ROOT, env=environment)
    examples = int(CI_EXAMPLES * options.scale)
    print(f"fuzz soak: about {examples:,} examples (scale {options.scale:g}) in "
          f"{time.monotonic() - started:.0f} s; pytest exit code {result.returncode}")
    return result.returncode


if __name__ == "__main__":
    raise SystemExit(main())
