"""Run a code box program and trace every backward pass it makes."""

from __future__ import annotations

import ast
import contextlib
import dataclasses
import sys
import threading
import warnings
from collections.abc import Callable, Iterator, Mapping, MutableSequence, Sequence
from typing import Any, TypeVar

import torch

from explorer.core.capture.graph import Naming
from explorer.core.capture.labels import label_graph
from explorer.core.capture.modules import track_modules
from explorer.core.capture.passes import PassSelection, PassSpecError
from explorer.core.capture.recorder import PassRequest, record_pass, run_summarized, summary_of
from explorer.core.capture.recording import RecordOptions
from explorer.core.capture.trace import LeafVariable, Pass, PassSummary, Trace
from explorer.core.errors import ExplorerError
from explorer.core.sandbox.language.checker import parse_program
from explorer.core.sandbox.language.evaluator import Evaluator, module_parameters
from explorer.core.sandbox.language.settings import settings_restored
from explorer.core.sandbox.limits import Budget, Limits

# Every run starts from this seed, so re-running after a value edit draws the same random
# tensors; a program's own torch.manual_seed() still takes over from there.
RUN_SEED = 0


class _Tracer:
    """Receives the program's backward calls and records each one as a pass.

    Every pass gets a summary; the selection says which are recorded in full. For ``last`` each
    pass not otherwise chosen is recorded in full until the next one replaces it.
    """

    def __init__(self, naming: Naming, selection: PassSelection | None = None,
                 recording: RecordOptions | None = None) -> None:
        self.naming = naming
        self.selection = selection or PassSelection.parse("all")
        self.recording = recording
        self.passes: list[Pass] = []
        self.summaries: list[PassSummary] = []
        self.provisional: Pass | None = None  # the latest pass, kept in full while it is the last
        self.evaluator: Evaluator | None = None

    def backward(self, call: str, line: int, run: Callable[[], Any], tensors: list[torch.Tensor],
                 seeds: list[Any], retain_graph: bool, create_graph: bool, note: str = "") -> None:
        request = PassRequest(call, line, tensors, seeds, retain_graph, create_graph, note)
        self._record(request, run)

    def grad(self, line: int, run: Callable[[], Any], outputs: list[torch.Tensor],
             seeds: list[Any], inputs: list[torch.Tensor], retain_graph: bool,
             create_graph: bool) -> Any:
        request = PassRequest("autograd.grad", line, outputs, seeds, retain_graph, create_graph)
        names = [self._name_of(tensor) for tensor in inputs]
        return self._record(request, run, names)

    def _record(self, request: PassRequest, run: Callable[[], Any], result_names: Sequence[str] = ()) -> Any:
        for root in request.roots:
            if not isinstance(root, torch.Tensor):
                raise TypeError(f"expected a tensor to differentiate, got {type(root).__name__}")
        if not any(root.grad_fn is not None for root in request.roots):
            return run()  # torch raises its own error: no pass
        index = len(self.summaries)
        chosen = self.selection.wants(index)
        if not chosen and not self.selection.last:
            summary, result = run_summarized(request, run, index=index,
                                             named_leaves=self.named_leaves())
            self.summaries.append(summary)
            return result
        one_pass, result = record_pass(
            request, run, naming=self.naming, index=index,
            named_leaves=self.named_leaves(), result_names=result_names, options=self.recording)
        if one_pass is None:
            return result
        self.summaries.append(summary_of(one_pass, request.roots))
        if self.provisional is not None:  # no longer the last: its summary is all that stays
            self.passes.remove(self.provisional)
            dropped = self.provisional.index
            self.summaries[dropped] = dataclasses.replace(self.summaries[dropped], recorded=False)
        self.provisional = None if chosen else one_pass
        self.passes.append(one_pass)
        return result

    def _name_of(self, tensor: Any) -> str:
        if isinstance(tensor, torch.Tensor):
            name = self.naming.leaf_name(tensor)
            if name is None and self.evaluator is not None:
                name = next((key for key, value in self.evaluator.env.items() if value is tensor), None)
            if name is not None:
                return name
        return f"input{len(self.passes)}"

    def named_leaves(self) -> dict[str, torch.Tensor]:
        """Every named leaf that requires grad; a name's current binding wins."""
        leaves = {name: tensor for name, tensor in self.naming.leaf_names.values()
                  if tensor.requires_grad}
        if self.evaluator is not None:
            for name, value in self.evaluator.env.items():
                if isinstance(value, torch.Tensor) and value.grad_fn is None and value.requires_grad:
                    leaves[name] = value
        return leaves


def run_program(
    source: str,
    *,
    limits: Limits | None = None,
    overrides: Mapping[str, Any] | None = None,
    cancel: threading.Event | None = None,
    where: MutableSequence[int] | None = None,
    passes: str | PassSelection | None = None,
    recording: RecordOptions | None = None,
) -> Trace:
    """Check and run ``source``; return its trace, with ``error`` set if it was refused or failed.

    ``passes`` says which passes are recorded in full (a SPEC, see ``explorer.core.capture.passes``;
    default :data:`~explorer.core.capture.passes.DEFAULT_PASSES`); every pass gets a summary in ``pass_summaries``.
    ``recording`` says what those keep besides graph and gradients (default: everything; a
    picture needs no saved tensors).

    Passes recorded before a runtime error are kept. Torch's global grad mode and random
    state are restored afterwards, so a run leaves no trace on the process.

    The program runs, and its graphs are freed, on a thread with a large stack: torch frees a
    graph whose nodes were seen from Python recursively, and a 100,000-step loop makes a
    graph deep enough to overflow the usual 8 MB stack.

    ``where`` receives the line and column of each statement as it starts: another process
    reads it to say where a run it had to kill was stuck.
    """
    try:
        selection = passes if isinstance(passes, PassSelection) else PassSelection.parse(passes)
    except PassSpecError as error:
        return Trace(error=ExplorerError(f"which passes to record: {error}"))
    return on_big_stack(lambda: _run_program(source, limits, overrides, cancel, where, selection, recording))


BIG_STACK = 1024 * 2**20  # reserved address space; only the pages a deep free touches are used
T = TypeVar("T")


def on_big_stack(work: Callable[[], T]) -> T:
    """Run ``work`` on a thread with a large stack and wait for it; its exceptions are raised here."""
    outcome: list[Any] = []

    def body() -> None:
        try:
            outcome.append((True, work()))
        except BaseException as error:  # noqa: BLE001 - handed back to the calling thread
            outcome.append((False, error))

    previous = threading.stack_size(BIG_STACK)
    try:
        thread = threading.Thread(target=body, name="explorer-big-stack", daemon=True)
        thread.start()
    finally:
        threading.stack_size(previous)
    thread.join()
    succeeded, value = outcome[0]
    if not succeeded:
        raise value
    return value


def _run_program(source: str, limits: Limits | None, overrides: Mapping[str, Any] | None,
                 cancel: threading.Event | None, where: MutableSequence[int] | None,
                 selection: PassSelection | None = None, recording: RecordOptions | None = None) -> Trace:
    limits = limits or Limits()
    selection = selection or PassSelection.parse(None)
    trace = Trace(pass_spec=selection.spec)
    try:
        tree = parse_program(source, limits)
    except ExplorerError as error:
        trace.error = error
        return trace
    naming = Naming(check_finite=recording is None or recording.forward_checks)
    tracer = _Tracer(naming, selection, recording)
    evaluator = Evaluator(Budget(limits, cancel), tracer, naming, dict(overrides or {}))
    tracer.evaluator = evaluator
    evaluator.where = where
    try:
        _evaluate(tree, evaluator, tracer, trace)
        _locate_at_end(trace, tree)
        _summarize(trace, evaluator, tracer, naming, source, tree)
    finally:
        _drop_tensors(evaluator, tracer, naming)
    return trace


def _summarize(trace: Trace, evaluator: Evaluator, tracer: _Tracer, naming: Naming, source: str,
               tree: ast.Module) -> None:
    """Fill the trace from the finished run; a failure here is an error at the program's end."""
    try:
        trace.stdout = "".join(evaluator.output)
        trace.passes = tracer.passes
        for one_pass in trace.passes:
            label_graph(one_pass.graph, source)  # each node as the program wrote it
        trace.pass_summaries = tracer.summaries
        trace.leaves = [LeafVariable.of(name, tensor)
                        for name, tensor in _named_leaf_tensors(evaluator, naming).items()]
        trace.overrides_applied = sorted(evaluator.applied_overrides)
    except (Exception, MemoryError) as error:  # noqa: BLE001 - reported, never a traceback
        if trace.error is None:
            trace.error = ExplorerError(f"{type(error).__name__}: {error}".strip(": "),
                                        kind="runtime")
            _locate_at_end(trace, tree)


def _locate_at_end(trace: Trace, tree: ast.Module) -> None:
    """An error with no line of its own (the implicit pass, the work after the last line)
    belongs to the program's last statement: never line 0."""
    error = trace.error
    if error is not None and not error.line and tree.body:
        last = tree.body[-1]
        error.line, error.col = last.lineno, last.col_offset


def _evaluate(tree: ast.Module, evaluator: Evaluator, tracer: _Tracer, trace: Trace) -> None:
    """Run the program, keeping its error (if any) in ``trace``."""
    grad_mode = torch.is_grad_enabled()
    with torch.random.fork_rng(devices=[]), warnings.catch_warnings(), settings_restored():
        warnings.simplefilter("always")
        warnings.showwarning = _warning_recorder(evaluator, trace.warnings)
        torch.manual_seed(RUN_SEED)
        try:
            with _deep_recursion(), track_modules(None) as tracker:
                evaluator.module_tracker = tracker  # nodes made in a module's call get its path
                evaluator.run(tree)
                if not tracer.summaries:
                    _implicit_pass(evaluator, tracer)
        except ExplorerError as error:
            error.original = None  # the Python exception behind it stays inside the run
            trace.error = error
            _graph_before_error(evaluator, tracer, error)
        except RecursionError:
            trace.error = ExplorerError("the program is nested too deeply", kind="limit")
        except MemoryError:
            trace.error = ExplorerError("the program ran out of memory", kind="limit")
        finally:
            torch.set_grad_enabled(grad_mode)


# Each call of a program's function takes about eight Python frames of the evaluator; this lets
# recursion reach Limits.max_call_depth on the big stack the program runs on.
_RECURSION_LIMIT = 12_000


@contextlib.contextmanager
def _deep_recursion() -> Iterator[None]:
    previous = sys.getrecursionlimit()
    sys.setrecursionlimit(max(previous, _RECURSION_LIMIT))
    try:
        yield
    finally:
        sys.setrecursionlimit(previous)


def _drop_tensors(evaluator: Evaluator, tracer: _Tracer, naming: Naming) -> None:
    """Free the program's tensors, and so its graphs, here on the big stack.

    The evaluator sits in reference cycles (its statement table holds its own methods), so
    left alone its variables would be freed by the cycle collector on whichever thread
    collects next: one with a small stack, where freeing a deep graph crashes the process.
    """
    evaluator.env.clear()
    naming.leaf_names.clear()
    tracer.evaluator = None


def _warning_recorder(evaluator: Evaluator, found: list[str]) -> Callable[..., None]:
    """Keep warnings torch gives while the program runs, with the program's line."""

    def record(message: Warning | str, category: type[Warning], *_args: Any, **_kwargs: Any) -> None:
        text = f"line {evaluator.line}: {category.__name__}: {message}"
        if text not in found:
            found.append(text)

    return record


def _named_leaf_tensors(evaluator: Evaluator, naming: Naming) -> dict[str, torch.Tensor]:
    leaves = {name: tensor for name, tensor in naming.leaf_names.values()}
    for name, value in evaluator.env.items():
        if isinstance(value, torch.Tensor) and value.grad_fn is None:
            leaves[name] = value
        elif isinstance(value, torch.nn.Module):
            leaves.update(module_parameters(name, value))
    return leaves


def _graph_before_error(evaluator: Evaluator, tracer: _Tracer, error: ExplorerError) -> None:
    """A program that failed before any backward call still shows the graph it had built: an
    implicit pass from its last tensor with a graph (a lesson that fails on purpose is seen up
    to its error, not as the previous program's graph)."""
    if tracer.summaries or error.kind in ("limit", "cancelled"):
        return
    # the picture must not change what the program left: every leaf keeps the .grad it had
    leaves = list(_named_leaf_tensors(evaluator, tracer.naming).values())
    grads = [leaf.grad for leaf in leaves]
    try:
        _implicit_pass(evaluator, tracer, stopped_at=error.line)
    except (ExplorerError, RuntimeError):
        pass  # the error stands; there is just no picture
    finally:
        for leaf, grad in zip(leaves, grads):
            leaf.grad = grad


def _implicit_pass(evaluator: Evaluator, tracer: _Tracer, stopped_at: int | None = None) -> None:
    """With no backward call, trace one from the last assigned tensor that has a graph
    (``stopped_at``: the line where the program failed before calling backward)."""
    name, root = _last_graph_tensor(evaluator)
    if root is None:
        return
    scalar = root.numel() == 1
    seed = None if scalar else torch.ones_like(root)
    why = (f"the program stopped at line {stopped_at} before any backward(): the graph built up to "
           "there, " if stopped_at else "the program calls no backward(): ")
    if scalar:
        note = f"{why}traced {name}.backward()"
    else:
        note = (f"{why}traced {name}.backward(gradient=torch.ones_like({name})) since {name} is "
                "not a scalar")
    tracer.backward(
        "implicit", 0,
        lambda: torch.autograd.backward([root], None if scalar else [seed], retain_graph=True),
        [root], [seed], True, False, note)


def _last_graph_tensor(evaluator: Evaluator) -> tuple[str, torch.Tensor | None]:
    candidates = []
    if evaluator.last_graph_name is not None:
        candidates.append(evaluator.last_graph_name)
    candidates.extend(reversed(list(evaluator.env)))
    for name in candidates:
        value = evaluator.env.get(name)
        if isinstance(value, torch.Tensor) and value.grad_fn is not None:
            return name, value
    return "", None
