"""Running typed code as trusted Python: when it is offered, the document's flags, the process.

Every trusted run here is real: a new Python process runs the code with full Python; what it
printed and the gradients it recorded are checked against this process and torch itself.
"""

from __future__ import annotations

import os
import textwrap
import threading
from pathlib import Path

import pytest
import torch

from explorer.core.capture.graph import ACCUMULATE_GRAD
from explorer.core.capture.trace import Trace
from explorer.core.errors import ExplorerError
from explorer.core.sandbox.program import run_program
from explorer.core.sandbox.trusted_run import SHOWN_NAME, TrustedProcessRunner, trusted_run_offered
from explorer.core.storage.document import Document

NEEDS_OS = textwrap.dedent("""\
    import os
    import torch

    def f(x):
        return 5 * x ** 3 + 2 * x ** 2

    print("cwd:", os.getcwd())
    x = torch.tensor(2.0, requires_grad=True)
    y = f(x)
    y.backward()
    print(x.grad.item())
""")
REFUSED = ExplorerError("`import os` is not allowed", 1, 0, kind="refused")


@pytest.mark.parametrize(("error", "code", "typed", "offered"), [
    (REFUSED, NEEDS_OS, True, True),
    (ExplorerError("more than 100,000 loop iterations", 3, 4, kind="limit"), NEEDS_OS, True, True),
    (REFUSED, NEEDS_OS, False, False),  # loaded from a file, lesson, session or autosave
    (None, NEEDS_OS, True, False),  # the code box ran it: nothing to get out of
    (ExplorerError("name 'z' is not defined", 2, 0, kind="runtime"), NEEDS_OS, True, False),
    (ExplorerError("invalid syntax", 1, 4, kind="syntax"), "x = (1,\n", True, False),
    (REFUSED, "import os\nx = (1,\n", True, False),  # refused, but not Python either
    (REFUSED, "   \n", True, False),
])
def test_offered_only_for_typed_code_the_code_box_refused_and_python_parses(
        error: ExplorerError | None, code: str, typed: bool, offered: bool) -> None:
    assert trusted_run_offered(error, code, typed) is offered


def test_the_premise_the_code_box_refuses_the_program() -> None:
    trace = run_program(NEEDS_OS)
    assert trace.error is not None and trace.error.kind == "refused" and trace.error.line == 1


def test_typed_follows_loads_and_the_users_edits_with_one_event_per_change() -> None:
    document = Document()
    changes: list[bool] = []
    document.typed_changed.connect(lambda: changes.append(document.typed))
    assert document.typed is False  # nothing typed yet
    document.code_typed()
    document.code_typed()
    document.code_loaded()
    document.code_loaded()
    document.code_typed()
    assert changes == [True, False, True]


def test_the_trusted_mark_belongs_to_the_trace_on_screen() -> None:
    document = Document()
    trusted = run_program("import torch\nx = torch.tensor(1.0, requires_grad=True)\n(x * 3).backward()\n")
    document.accept_run("code", trusted, trusted=True)
    assert document.trusted and document.trace is trusted
    refused = Trace(error=REFUSED)
    document.accept_run("code", refused)  # a refusal keeps the trusted graph on screen, stale
    assert document.trusted and document.stale and document.trace is trusted
    sandboxed = run_program("import torch\nx = torch.tensor(2.0, requires_grad=True)\n(x * x).backward()\n")
    document.accept_run("other code", sandboxed)
    assert not document.trusted and document.trace is sandboxed


def _leaf_grads(trace: Trace) -> list[torch.Tensor]:
    one_pass = trace.passes[0]
    return [one_pass.grads_after[node] for node, data in one_pass.graph.nodes(data=True)
            if data["name"] == ACCUMULATE_GRAD]


def test_a_refused_program_runs_as_python_in_its_own_process() -> None:
    trace = TrustedProcessRunner().run(NEEDS_OS)
    assert trace.error is None
    x = torch.tensor(2.0, requires_grad=True)
    (expected,) = torch.autograd.grad(5 * x ** 3 + 2 * x ** 2, x)
    # the child process inherits this working directory: os really ran there
    assert trace.stdout == f"cwd: {os.getcwd()}\n{expected.item()}\n"
    assert len(trace.passes) == 1 and trace.passes[0].line == 10
    (grad,) = _leaf_grads(trace)
    torch.testing.assert_close(grad, expected)
    assert trace.passes[0].note == f"{SHOWN_NAME}:10"  # no temporary path in what is shown


def test_an_exception_keeps_the_passes_before_it_with_its_line_and_traceback() -> None:
    code = ("import torch\nx = torch.tensor(3.0, requires_grad=True)\n(x * x).backward()\n"
            "raise ValueError('boom')\n")
    trace = TrustedProcessRunner().run(code)
    assert trace.error is not None and trace.error.line == 4
    assert trace.error.message == "ValueError: boom"
    assert trace.stdout.endswith("ValueError: boom\n") and f'File "{SHOWN_NAME}", line 4' in trace.stdout
    (grad,) = _leaf_grads(trace)
    torch.testing.assert_close(grad, torch.tensor(6.0))


def test_code_that_ends_its_process_is_reported_and_nothing_else_happens() -> None:
    trace = TrustedProcessRunner().run("import os\nprint('bye')\nos._exit(3)\n")
    assert trace.error is not None and "exit code 3" in trace.error.message
    assert trace.passes == []


def test_cancel_ends_the_process(tmp_path: Path) -> None:
    started, finished = tmp_path / "started", tmp_path / "finished"
    code = textwrap.dedent(f"""\
        import pathlib, time
        pathlib.Path({str(started)!r}).write_text("yes")
        while True:
            time.sleep(0.05)
        pathlib.Path({str(finished)!r}).write_text("never")
    """)
    cancel = threading.Event()
    watcher = threading.Thread(target=_set_when_exists, args=(started, cancel), daemon=True)
    watcher.start()
    trace = TrustedProcessRunner().run(code, cancel=cancel)
    assert trace.error is not None and trace.error.kind == "cancelled"
    assert started.exists() and not finished.exists()


def _set_when_exists(path: Path, event: threading.Event) -> None:
    while not path.exists():
        threading.Event().wait(0.05)
    event.set()
