"""Record the backward passes of the user's own code, run with full Python (trusted code).

:func:`record` wraps ``torch.Tensor.backward``, ``torch.autograd.backward`` and
``torch.autograd.grad`` for the length of a ``with`` block and records every call with the
same recorder the code box uses. :func:`run_script` runs a script file inside it.
"""

from __future__ import annotations

import contextlib
import inspect
import io
import os
import runpy
import sys
import traceback
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from explorer.core.capture.graph import Naming, walk
from explorer.core.capture.modules import (
    ModuleTracker,
    name_leaves_and_groups,
    next_sequence_number,
    track_modules,
)
from explorer.core.capture.recorder import PassRequest, record_pass, run_summarized, summary_of
from explorer.core.capture.source_lines import label_from_files, source_lines
from explorer.core.capture.trace import LeafVariable, Pass, PassSummary, Trace
from explorer.core.errors import ExplorerError

SECOND_BACKWARD = "Trying to backward through the graph a second time"
NON_LEAF_GRAD = "is not a leaf Tensor is being accessed"
MAX_PASSES = 50  # a pass keeps every gradient the engine made: enough to see a loop, not all of it
_THIS_FILE = os.path.normcase(os.path.abspath(__file__))
# the package's own folder: its frames are never the user's
_EXPLORER_DIR = os.path.normcase(str(Path(os.path.abspath(__file__)).parents[2]))  # explorer/
_TORCH_DIR = os.path.normcase(os.path.dirname(os.path.abspath(torch.__file__)))


@dataclass
class Recording:
    """What a ``with record():`` block captured."""

    passes: list[Pass] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # errors we could explain
    stdout: str = ""
    error: ExplorerError | None = None
    source: str = ""  # the code that ran, shown read-only in the app
    traceback: str = ""  # of the exception that ended the script, as Python prints it
    leaves: list[LeafVariable] = field(default_factory=list)  # named leaves, as the block left them
    unrecorded: int = 0  # backward calls past ``max_passes``, run without recording
    summaries: list[PassSummary] = field(default_factory=list)  # every pass, recorded or not

    def trace(self) -> Trace:
        """The recording as a :class:`Trace`, like a code box run's (the traceback ends stdout)."""
        notes = [f"recorded the first {len(self.passes)} backward passes; {self.unrecorded} more "
                 "ran without being recorded"] if self.unrecorded else []
        kept = f"1-{len(self.passes)}" if self.passes else "none"
        return Trace(stdout=self.stdout + self.traceback, passes=list(self.passes),
                     leaves=list(self.leaves), error=self.error,
                     warnings=self.warnings + self.problems + notes,
                     pass_summaries=list(self.summaries), pass_spec=kept)

    def show(self, *, block: bool = True, title: str = "recorded passes") -> Any:
        """Open the app on every recorded pass."""
        from explorer.core.frontends import open_window

        return open_window(self.trace(), title=title, code=self.source, block=block)


class _Recorder:
    """Receives the wrapped calls and records each one as a pass."""

    def __init__(self, recording: Recording, tracker: ModuleTracker,
                 names: dict[str, torch.Tensor], max_passes: int) -> None:
        self.max_passes = max_passes
        self.recording = recording
        self.tracker = tracker
        self.naming = Naming()
        self.names = names
        self.busy = False  # Tensor.backward calls autograd.backward: record it once
        self.built: list[tuple[int, int, int]] = []  # create_graph passes: index, seq range

    def record(self, call: str, run: Callable[[], Any], roots: list[torch.Tensor],
               seeds: list[Any], retain_graph: bool, create_graph: bool,
               inputs: Sequence[Any] = ()) -> Any:
        if self.busy:
            return run()
        if len(self.recording.passes) >= self.max_passes:
            # a training loop of thousands of steps: every pass kept costs memory
            self.recording.unrecorded += 1
            return self._run_unrecorded(run, call, roots, seeds, retain_graph, create_graph)
        named = self._named_leaves()
        filename, line = caller_location()
        request = PassRequest(call, line, roots, seeds, retain_graph, create_graph,
                              note=f"{filename}:{line}")
        result_names = [self.naming.leaf_name(tensor) or f"input{index}"
                        for index, tensor in enumerate(inputs)]
        first = next_sequence_number()
        self.busy = True
        try:
            one_pass, result = record_pass(request, run, naming=self.naming,
                                           index=len(self.recording.summaries),
                                           named_leaves=named, result_names=result_names)
        except RuntimeError as error:
            self._explain(error, roots, filename, line)
            raise
        finally:
            self.busy = False
        if one_pass is not None:
            self._keep(one_pass, named, first)
            self.recording.summaries.append(summary_of(one_pass, roots))
        return result

    def _run_unrecorded(self, run: Callable[[], Any], call: str, roots: list[torch.Tensor],
                        seeds: list[Any], retain_graph: bool, create_graph: bool) -> Any:
        """Run a pass past ``max_passes``, keeping only its summary (loss, nodes, grad norms)."""
        self.busy = True  # the autograd.backward that Tensor.backward calls is the same call
        try:
            if not all(isinstance(root, torch.Tensor) for root in roots):
                return run()  # torch raises its own error
            _, line = caller_location()
            request = PassRequest(call, line, roots, seeds, retain_graph, create_graph)
            named = {name: tensor for name, tensor in {**self.tracker.parameters(), **self.names}.items()
                     if tensor.requires_grad}
            summary, result = run_summarized(request, run, index=len(self.recording.summaries),
                                             named_leaves=named)
            self.recording.summaries.append(summary)
            return result
        finally:
            self.busy = False

    def _keep(self, one_pass: Pass, named: dict[str, torch.Tensor], first: int | None) -> None:
        """Name and group the pass, link it to the pass whose gradient graph it walks, keep it."""
        name_leaves_and_groups(one_pass.graph, named)
        label_from_files(one_pass.graph)  # each node as the user's line that made it
        built_by = self._built_by(one_pass)
        if built_by is not None:
            one_pass.graph.graph["built_by_pass"] = built_by
            one_pass.note += (f"; differentiates the gradient graph that pass {built_by + 1} "
                              "built with create_graph=True")
        end = next_sequence_number()
        if one_pass.create_graph and first is not None and end is not None:
            self.built.append((one_pass.index, first, end))
        self.recording.passes.append(one_pass)

    def _built_by(self, one_pass: Pass) -> int | None:
        """The create_graph pass during whose backward this pass's nodes were made, if any."""
        sequences = [data["seq"] for _, data in one_pass.graph.nodes(data=True)
                     if data.get("seq") is not None]
        for index, first, end in reversed(self.built):
            if any(first <= sequence < end for sequence in sequences):
                return index
        return None

    def _named_leaves(self) -> dict[str, torch.Tensor]:
        named = {**self.tracker.parameters(), **self.names}
        for name, tensor in named.items():
            self.naming.name_tensor(name, tensor)
        return {name: tensor for name, tensor in named.items() if tensor.requires_grad}

    def _explain(self, error: RuntimeError, roots: list[torch.Tensor], filename: str,
                 line: int) -> None:
        if SECOND_BACKWARD not in str(error):
            return
        grad_fns = [root.grad_fn for root in roots if isinstance(root, torch.Tensor)
                    and root.grad_fn is not None]
        nodes = set(walk(grad_fns, self.naming).graph.nodes) if grad_fns else set()
        self.recording.problems.append(explain_second_backward(
            self.recording.passes, nodes, f"{filename}:{line}"))


def explain_second_backward(passes: Sequence[Pass], nodes: set[str], where: str) -> str:
    """Say which earlier pass freed the saved tensors the failing call needed."""
    for earlier in reversed(passes):
        # AccumulateGrad nodes live as long as their leaf, so only function nodes say "same graph"
        shared = {node for node in nodes & set(earlier.graph.nodes)
                  if earlier.graph.nodes[node]["kind"] == "function"}
        if shared and not earlier.retain_graph:
            return (f"{where}: backward through the graph a second time. Pass {earlier.index + 1} "
                    f"({earlier.note or earlier.call}) already ran backward through {len(shared)} of "
                    "the same nodes without retain_graph=True, so their saved tensors were freed. "
                    "Pass retain_graph=True to that first call, or run the forward again before "
                    "the second backward (in a loop: compute the loss inside the loop).")
    return (f"{where}: backward through the graph a second time: an earlier backward outside "
            "the recording freed this graph's saved tensors; pass retain_graph=True to it, or "
            "recompute the forward.")


def caller_location() -> tuple[str, int]:
    """File and line of the user's code that made the call (skipping torch and explorer)."""
    frame = sys._getframe(1)
    while frame is not None:
        filename = os.path.normcase(os.path.abspath(frame.f_code.co_filename))
        if not filename.startswith((_EXPLORER_DIR + os.sep, _TORCH_DIR + os.sep)):
            return frame.f_code.co_filename, frame.f_lineno
        frame = frame.f_back  # type: ignore[assignment]
    return "<unknown>", 0


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, torch.Tensor):
        return [value]
    if isinstance(value, dict):
        return list(value.values())
    return list(value)


def _wrappers(recorder: _Recorder) -> dict[tuple[Any, str], Callable[..., Any]]:
    """The three wrapped entry points, keyed by (owner, attribute)."""
    tensor_backward = torch.Tensor.backward
    autograd_backward = torch.autograd.backward
    autograd_grad = torch.autograd.grad
    backward_signature = inspect.signature(autograd_backward)
    grad_signature = inspect.signature(autograd_grad)

    def backward(self: torch.Tensor, gradient: Any = None, retain_graph: bool | None = None,
                 create_graph: bool = False, inputs: Any = None) -> None:
        def run() -> Any:
            return tensor_backward(self, gradient, retain_graph, create_graph, inputs)
        keep = create_graph if retain_graph is None else retain_graph
        recorder.record("backward", run, [self], [gradient], keep, create_graph)

    def wrapped_backward(*args: Any, **kwargs: Any) -> None:
        values, roots, seeds, keep = _call_parts(backward_signature, args, kwargs,
                                                 "tensors", "grad_tensors")
        recorder.record("autograd.backward", lambda: autograd_backward(*args, **kwargs),
                        roots, seeds, keep, bool(values["create_graph"]))

    def wrapped_grad(*args: Any, **kwargs: Any) -> Any:
        values, roots, seeds, keep = _call_parts(grad_signature, args, kwargs,
                                                 "outputs", "grad_outputs")
        return recorder.record("autograd.grad", lambda: autograd_grad(*args, **kwargs), roots,
                               seeds, keep, bool(values["create_graph"]),
                               _as_list(values["inputs"]))

    return {(torch.Tensor, "backward"): backward, (torch.autograd, "backward"): wrapped_backward,
            (torch.autograd, "grad"): wrapped_grad}


@contextlib.contextmanager
def record(model: torch.nn.Module | None = None, names: dict[str, torch.Tensor] | None = None,
           max_passes: int = MAX_PASSES) -> Iterator[Recording]:
    """Record every backward call made inside the block; restore torch however it ends.

    With ``model``, parameters get their ``named_parameters()`` names and nodes their module;
    without, every outermost module called inside the block names its own. Calls past
    ``max_passes`` run unrecorded (and are counted).
    """
    recording = Recording()
    with track_modules(model) as tracker, source_lines(), \
            _wrapped(_Recorder(recording, tracker, dict(names or {}), max_passes)):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                yield recording
            finally:
                recording.warnings.extend(_unique(str(item.message) for item in caught))
                named = {**tracker.parameters(), **(names or {})}
                recording.leaves = [LeafVariable.of(name, tensor) for name, tensor in named.items()]


@contextlib.contextmanager
def _wrapped(recorder: _Recorder) -> Iterator[None]:
    replaced = _wrappers(recorder)
    originals = {key: getattr(*key) for key in replaced}
    try:
        for (owner, attribute), function in replaced.items():
            setattr(owner, attribute, function)
        yield
    finally:
        for (owner, attribute), function in originals.items():
            setattr(owner, attribute, function)


def _unique(texts: Iterator[str] | Any) -> list[str]:
    return list(dict.fromkeys(texts))


class _Tee(io.TextIOBase):
    """Writes go to the real stream and are kept, so the app can show them too."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.kept = io.StringIO()

    def write(self, text: str) -> int:
        self.kept.write(text)
        return self.stream.write(text)

    def flush(self) -> None:
        self.stream.flush()


def run_script(path: Path, arguments: Sequence[str] = (), max_passes: int = MAX_PASSES) -> Recording:
    """Run the user's own script with full Python as ``__main__`` and record its passes.

    An exception in the script becomes ``error`` (with its traceback); passes recorded
    before it are kept. ``sys.argv`` and ``sys.stdout`` are restored afterwards.
    """
    saved_argv, saved_stdout, saved_path = sys.argv, sys.stdout, list(sys.path)
    tee = _Tee(sys.stdout)
    sys.argv = [str(path), *arguments]
    sys.path.insert(0, str(path.resolve().parent))
    sys.stdout = tee  # type: ignore[assignment]
    with record(max_passes=max_passes) as recording:
        try:
            runpy.run_path(str(path), run_name="__main__")
        except SystemExit as stop:
            if stop.code not in (None, 0):
                recording.error = ExplorerError(f"the script exited with status {stop.code}")
        except Exception as error:  # noqa: BLE001 - the user's code may raise anything
            recording.error = script_error(error, path)
            recording.traceback = user_traceback(error)
        finally:
            sys.argv, sys.stdout, sys.path[:] = saved_argv, saved_stdout, saved_path
    recording.stdout = tee.kept.getvalue()
    recording.source = path.read_text(encoding="utf-8", errors="replace")
    return recording


def script_error(error: BaseException, path: Path) -> ExplorerError:
    """The exception as the app shows it: message, the script's line, the full traceback."""
    frames = traceback.extract_tb(error.__traceback__)
    script = os.path.abspath(path)
    lines = [frame.lineno or 0 for frame in frames if os.path.abspath(frame.filename) == script]
    message = f"{type(error).__name__}: {error}"
    advice = ""
    if SECOND_BACKWARD in str(error):
        advice = "see the diagnostics: an earlier pass freed this graph's saved tensors"
    return ExplorerError(message, line=lines[-1] if lines else 0, advice=advice)


def user_traceback(error: BaseException) -> str:
    """The traceback as Python prints it, without the frames of runpy and of our wrappers."""
    summary = traceback.TracebackException.from_exception(error)
    kept = [frame for frame in summary.stack
            if not os.path.normcase(os.path.abspath(frame.filename)).startswith(_EXPLORER_DIR + os.sep)
            and "runpy" not in frame.filename]
    summary.stack = traceback.StackSummary.from_list(kept)
    return "".join(summary.format())


def _call_parts(signature: inspect.Signature, args: tuple[Any, ...], kwargs: dict[str, Any],
                roots_name: str, seeds_name: str) -> tuple[dict[str, Any], list[Any], list[Any], bool]:
    """A backward call's arguments, its roots and seeds, and whether it keeps the graph."""
    bound = signature.bind(*args, **kwargs)
    bound.apply_defaults()
    values = dict(bound.arguments)
    roots = _as_list(values[roots_name])
    seeds = _as_list(values[seeds_name]) or [None] * len(roots)
    keep = values["create_graph"] if values["retain_graph"] is None else values["retain_graph"]
    return values, roots, seeds, bool(keep)
