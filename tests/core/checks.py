"""Check a whole trace against what real PyTorch does with the same program."""

from __future__ import annotations

import traceback

from explorer.core import Trace, run_program
from tests.core.reference import assert_same, run_reference


def error_line(error: BaseException) -> int:
    frames = [frame for frame in traceback.extract_tb(error.__traceback__)
              if frame.filename == "<reference>"]
    return frames[-1].lineno if frames else 0


def assert_matches_torch(source: str) -> Trace:
    """Output, errors and every pass's gradients equal real PyTorch running ``source``."""
    trace = run_program(source)
    reference = run_reference(source)
    assert trace.stdout == reference.stdout, (trace.error, trace.stdout, reference.stdout)
    if reference.error is not None:
        assert trace.error is not None, "torch raised but the code box did not"
        assert str(reference.error) in trace.error.message
        assert trace.error.line == error_line(reference.error)
    else:
        assert trace.error is None, trace.error
    lines = source.splitlines(keepends=True)
    for one_pass in trace.passes:
        if one_pass.implicit:
            continue
        prefix = run_reference("".join(lines[: one_pass.line]))
        assert prefix.error is None
        for name, grad in one_pass.grads.items():
            assert_same(grad, prefix.namespace[name].grad)
    return trace
