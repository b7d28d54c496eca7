"""Run a corpus program under real Python and through the code box, and list every difference.

The reference run is trusted code (a test runs its own corpus files): the program runs with
``exec`` inside :func:`explorer.core.capture.trusted.record`, the recorder ``autograd-explorer run``
uses, so every backward call is recorded by the same recorder the code box uses. Both runs
start from the code box's seed and leave torch's global settings as they found them.

The passes compared are the program's own backward calls (including those its functions make
when torch calls them back: an optimizer's closure, a hook). The calls torch's own helpers make
inside ``gradcheck`` or ``torch.autograd.functional.jacobian`` and friends are how those helpers
work, not calls the program wrote: the reference drops them (and counts them).

Warnings are not compared: torch gives some only once per process (``TORCH_WARN_ONCE``), so
whether a run sees them depends on what ran before it.
"""

from __future__ import annotations

import contextlib
import copy
import io
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import torch

from explorer.core.capture.tensors import TensorSummary, snapshot
from explorer.core.capture.trace import LeafVariable, Pass, PassSummary, Step, Trace
from explorer.core.capture.trusted import record, script_error
from explorer.core.errors import ExplorerError
from explorer.core.sandbox.program import RUN_SEED, run_program

PROGRAMS = Path(__file__).parent / "programs"
MAX_PASSES = 100_000  # record every pass: the corpus's longest loop has a few hundred
RTOL, ATOL = 1e-6, 1e-7  # the same ops in the same order: only rounding noise is allowed
_ADDRESS = re.compile(r"0x[0-9a-fA-F]+")
_MAX_SHOWN = 12  # differences listed per program; the first one is the blocker


@dataclass
class PythonRun:
    """What real Python did with a program: output, recorded passes, final namespace, error."""

    stdout: str
    passes: list[Pass]
    namespace: dict[str, Any]
    error: ExplorerError | None = None  # message "Type: text", line = innermost program line
    exception: BaseException | None = None
    library_passes: int = 0  # made inside gradcheck, jacobian...: not the program's own calls


@dataclass
class Comparison:
    """The differences found, in the order a reader should fix them."""

    problems: list[str] = field(default_factory=list)

    def add(self, problem: str) -> None:
        self.problems.append(problem)

    @property
    def matches(self) -> bool:
        return not self.problems

    def report(self) -> str:
        shown = self.problems[:_MAX_SHOWN]
        more = len(self.problems) - len(shown)
        return "\n".join(["- " + problem for problem in shown] + ([f"- ... {more} more"] if more else []))


def corpus_files() -> list[Path]:
    return sorted(PROGRAMS.glob("*.py"))


def header(path: Path) -> tuple[str, str]:
    """The ``# Kind:`` and ``# Pattern:`` lines a corpus program starts with."""
    lines = path.read_text(encoding="utf-8").splitlines()
    kind = lines[0].removeprefix("# Kind:").strip() if lines and lines[0].startswith("# Kind:") else ""
    pattern = lines[1].removeprefix("# Pattern:").strip() if len(lines) > 1 and lines[1].startswith("# Pattern:") else ""
    return kind, pattern


@contextlib.contextmanager
def torch_settings_restored() -> Iterator[None]:
    """Seed like the code box and put back every global torch setting a program may change."""
    dtype, grad, anomaly = torch.get_default_dtype(), torch.is_grad_enabled(), torch.is_anomaly_enabled()
    device_context = getattr(torch._GLOBAL_DEVICE_CONTEXT, "device_context", None)  # per thread
    printing = copy.copy(vars(torch._tensor_str.PRINT_OPTS))
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(RUN_SEED)
        try:
            yield
        finally:
            torch.set_default_dtype(dtype)
            torch.set_grad_enabled(grad)
            torch.autograd.set_detect_anomaly(anomaly)
            if getattr(torch._GLOBAL_DEVICE_CONTEXT, "device_context", None) is not device_context:
                torch.set_default_device(None if device_context is None else device_context.device)
            vars(torch._tensor_str.PRINT_OPTS).update(printing)


def run_in_python(path: Path) -> PythonRun:
    """Run the file as ``__main__`` with full Python, recording every backward call."""
    return run_source_in_python(path.read_text(encoding="utf-8"), path)


def run_source_in_python(source: str, path: Path) -> PythonRun:
    """Run ``source`` as if it were the file ``path`` (which need not exist)."""
    filename = str(path.resolve())
    namespace: dict[str, Any] = {"__name__": "__main__", "__file__": filename}
    stdout = io.StringIO()
    error: ExplorerError | None = None
    exception: BaseException | None = None
    with torch_settings_restored(), record(max_passes=MAX_PASSES) as recording, \
            _library_calls_marked(recording.passes) as inside:
        with contextlib.redirect_stdout(stdout):
            try:
                exec(compile(source, filename, "exec"), namespace)  # noqa: S102 - the test's own program
            except Exception as raised:  # noqa: BLE001 - a corpus program may fail on purpose
                error, exception = script_error(raised, path.resolve()), raised
    own = [one for index, one in enumerate(recording.passes) if index not in inside]
    return PythonRun(stdout.getvalue(), own, namespace, error, exception,
                     library_passes=len(inside))


# torch helpers that run backward passes of their own to do their work
_LIBRARY_HELPERS = [
    (torch.autograd, "gradcheck"), (torch.autograd, "gradgradcheck"),
    *((torch.autograd.functional, name) for name in ("jacobian", "hessian", "vjp", "jvp", "hvp", "vhp")),
]


@contextlib.contextmanager
def _library_calls_marked(passes: list[Pass]) -> Iterator[set[int]]:
    """Wrap torch's differentiating helpers; yield the indices of passes recorded inside them."""
    inside: set[int] = set()

    def marked(function: Any) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            first = len(passes)
            try:
                return function(*args, **kwargs)
            finally:
                inside.update(range(first, len(passes)))
        return call

    originals = [(owner, name, getattr(owner, name)) for owner, name in _LIBRARY_HELPERS]
    try:
        for owner, name, function in originals:
            setattr(owner, name, marked(function))
        yield inside
    finally:
        for owner, name, function in originals:
            setattr(owner, name, function)


def run_in_code_box(path: Path) -> Trace:
    """The code box's run with every pass recorded in full (the app's default keeps a few)."""
    return run_source_in_code_box(path.read_text(encoding="utf-8"))


def run_source_in_code_box(source: str) -> Trace:
    with torch_settings_restored():
        return run_program(source, passes="all")


def compare(python: PythonRun, trace: Trace) -> Comparison:
    """Every way the code box's run differs from Python's, most basic first."""
    found = Comparison()
    if not _compare_errors(python, trace, found):
        return found  # a refused or failed run: nothing after the error can be compared
    _compare_stdout(python.stdout, trace.stdout, found)
    _compare_passes(python.passes, trace.passes, found)
    _compare_summaries(python.passes, trace, found)
    _compare_leaves(python, trace, found)
    return found


def trace_of_python_run(python: PythonRun) -> Trace:
    """What a code box that agrees with this Python run in everything would return."""
    leaves = [LeafVariable.of(name, tensor) for name, tensor in python_leaves(python).items()]
    leaves += [LeafVariable.of(name, parameter)
               for name, (_, parameter) in python_parameters(python).items()]
    summaries = [
        PassSummary(index, one.call, one.line,
                    _scalar(one.outputs[0]) if len(one.outputs) == 1 else None,
                    tuple(one.graph.nodes[step.node]["name"] for step in one.steps), {}, True)
        for index, one in enumerate(python.passes)
    ]
    return Trace(stdout=python.stdout, passes=list(python.passes), leaves=leaves,
                 error=python.error, pass_summaries=summaries)


def advisories(python: PythonRun, trace: Trace) -> list[str]:
    """Differences the tests do not fail on, for the report: nodes' nn.Module tags.

    The trusted recorder tags each node with the module whose call made it, relative to the
    outermost module (``linear_relu_stack.4``); the code box may prefix the variable's name.
    """
    missing, total, example = 0, 0, ""
    for theirs, ours in zip(python.passes, [one for one in trace.passes if not one.implicit]):
        mapping = _match_graphs(theirs, ours, "", Comparison())
        for node, other in (mapping or {}).items():
            module = theirs.graph.nodes[node].get("module")
            if not module:
                continue
            total += 1
            tag = ours.graph.nodes[other].get("module") or ""
            if tag != module and not tag.endswith("." + module):
                missing += 1
                name = theirs.graph.nodes[node]["name"]
                example = example or f"{name}: Python {module!r}, code box {tag or None!r}"
    if not missing:
        return []
    return [f"module tags: {missing} of {total} nodes differ from Python's ({example})"]


# ----------------------------------------------------------------------------- errors and output

def _compare_errors(python: PythonRun, trace: Trace, found: Comparison) -> bool:
    """Record an error mismatch; False when the runs cannot be compared any further."""
    ours, theirs = trace.error, python.error
    if theirs is None:
        if ours is not None:
            found.add(f"code box error ({ours.kind}) at line {ours.line}: {ours.message}")
            return False
        return True
    if ours is None:
        found.add(f"Python fails at line {theirs.line} with {theirs.message!r}; "
                  "the code box ran to the end")
        return True
    expected = _normalized(theirs.message)
    if expected not in _normalized(ours.message) or ours.kind != "runtime":
        found.add(f"Python fails with {theirs.message!r}; the code box with {ours.message!r} "
                  f"({ours.kind})")
        return ours.kind == "runtime"
    if ours.line != theirs.line:
        found.add(f"both fail with {theirs.message!r}, Python at line {theirs.line}, "
                  f"the code box at line {ours.line}")
    return True


def _normalized(text: str) -> str:
    return " ".join(text.split())


def _compare_stdout(expected: str, actual: str, found: Comparison) -> None:
    expected, actual = _ADDRESS.sub("0x…", expected), _ADDRESS.sub("0x…", actual)
    if expected == actual:
        return
    wanted, got = expected.splitlines(), actual.splitlines()
    for number, (line, other) in enumerate(zip(wanted, got), start=1):
        if line != other:
            found.add(f"printed output line {number}: Python {line!r}, code box {other!r}")
            return
    if len(wanted) == len(got):
        found.add("printed output differs only in line endings or trailing whitespace")
        return
    shorter, longer = ("code box", wanted) if len(got) < len(wanted) else ("Python", got)
    found.add(f"printed output: {len(wanted)} lines in Python, {len(got)} in the code box; "
              f"the {shorter} output stops before {longer[min(len(wanted), len(got))]!r}")


# ----------------------------------------------------------------------------- passes

def _compare_passes(expected: list[Pass], actual: list[Pass], found: Comparison) -> None:
    # a program that failed before any backward() gets a picture of the graph it built (an
    # implicit pass that changes no leaf); one that ran to its end must not need one here
    implicit = [one for one in actual if one.implicit and "stopped at line" not in one.note]
    if implicit:
        found.add(f"the code box traced an implicit pass ({implicit[0].note}); Python ran "
                  f"{len(expected)} backward calls")
    explicit = [one for one in actual if not one.implicit]
    if len(expected) != len(explicit):
        found.add(f"{len(expected)} backward passes in Python, {len(explicit)} in the code box"
                  + _first_lines(expected, explicit))
    for number, (theirs, ours) in enumerate(zip(expected, explicit), start=1):
        _compare_pass(number, theirs, ours, found)


def _compare_summaries(expected: list[Pass], trace: Trace, found: Comparison) -> None:
    """The pass timeline: one summary per pass, with the engine's order and the loss."""
    summaries = [summary for summary in trace.pass_summaries if summary.call != "implicit"]
    if len(summaries) != len(expected):
        found.add(f"{len(expected)} backward passes in Python, {len(summaries)} pass summaries "
                  "in the code box")
        return
    for number, (theirs, summary) in enumerate(zip(expected, summaries), start=1):
        order = tuple(theirs.graph.nodes[step.node]["name"] for step in theirs.steps)
        if tuple(summary.order) != order:
            found.add(f"pass {number} (line {theirs.line}) summary: engine order {_short_order(order)} "
                      f"in Python, {_short_order(summary.order)} in the code box")
        loss = _scalar(theirs.outputs[0]) if len(theirs.outputs) == 1 else None
        if loss is not None and (summary.loss is None or not math.isclose(
                summary.loss, loss, rel_tol=RTOL, abs_tol=ATOL)) and not (
                math.isnan(loss) and summary.loss is not None and math.isnan(summary.loss)):
            found.add(f"pass {number} (line {theirs.line}) summary: loss {loss!r} in Python, "
                      f"{summary.loss!r} in the code box")


def _scalar(value: Any) -> float | None:
    if isinstance(value, torch.Tensor) and value.numel() == 1 and not value.is_complex():
        return float(value.reshape(()).item())
    return None


def _short_order(order: Any) -> str:
    names = list(order)
    return str(names) if len(names) <= 6 else f"[{', '.join(names[:3])}, ... {names[-1]}] ({len(names)} nodes)"


def _first_lines(expected: list[Pass], actual: list[Pass]) -> str:
    wanted = [one.line for one in expected]
    got = [one.line for one in actual]
    for index, (line, other) in enumerate(zip(wanted, got)):
        if line != other:
            return f" (pass {index + 1}: Python's comes from line {line}, the code box's from line {other})"
    return f" (lines: Python {_short(wanted)}, code box {_short(got)})"


def _short(lines: list[int]) -> str:
    return str(lines) if len(lines) <= 8 else f"{lines[:4]} ... {lines[-2:]}"


def _compare_pass(number: int, theirs: Pass, ours: Pass, found: Comparison) -> None:
    where = f"pass {number} (line {theirs.line})"
    for label, wanted, got in [("call", theirs.call, ours.call), ("line", theirs.line, ours.line),
                               ("retain_graph", theirs.retain_graph, ours.retain_graph),
                               ("create_graph", theirs.create_graph, ours.create_graph)]:
        if wanted != got:
            found.add(f"{where}: {label} is {wanted!r} in Python, {got!r} in the code box")
    mapping = _match_graphs(theirs, ours, where, found)
    if mapping is None:
        return
    _compare_steps(theirs, ours, mapping, where, found)
    _compare_tensor_lists(f"{where}: seed", theirs.seeds, ours.seeds, found)
    _compare_tensor_lists(f"{where}: root value", theirs.outputs, ours.outputs, found)
    for label, wanted_grads, got_grads in [(".grad before", theirs.grads_before, ours.grads_before),
                                           (".grad after", theirs.grads_after, ours.grads_after)]:
        for node, wanted in wanted_grads.items():
            leaf = _node_label(theirs.graph, node)
            got = got_grads.get(mapping[node], "missing")
            if isinstance(got, str):
                found.add(f"{where}: no {label} kept for {leaf}")
            else:
                _compare_tensor(f"{where}: {label} of {leaf}", wanted, got, found)
    _compare_tensor_lists(f"{where}: autograd.grad result", list(theirs.results.values()),
                          list(ours.results.values()), found)


def _node_label(graph: nx.MultiDiGraph, node: str) -> str:
    data = graph.nodes[node]
    variable = data.get("variable")
    return f"{data['name']} ({variable})" if variable else data["name"]


def _match_graphs(theirs: Pass, ours: Pass, where: str, found: Comparison) -> dict[str, str] | None:
    """Walk both graphs side by side from their roots: Python's node id -> the code box's."""
    if len(theirs.roots) != len(ours.roots):
        found.add(f"{where}: {len(theirs.roots)} roots in Python, {len(ours.roots)} in the code box")
        return None
    mapping: dict[str, str] = {}
    pending = list(zip(theirs.roots, ours.roots))
    while pending:
        mine, other = pending.pop()
        if mine in mapping:
            if mapping[mine] != other:
                found.add(f"{where}: the graph is shaped differently at {_node_label(theirs.graph, mine)}")
                return None
            continue
        mapping[mine] = other
        name, other_name = theirs.graph.nodes[mine]["name"], ours.graph.nodes[other]["name"]
        if name != other_name:
            found.add(f"{where}: graph node {name} in Python is {other_name} in the code box")
            return None
        _compare_node_data(f"{where}: {name}", theirs.graph.nodes[mine], ours.graph.nodes[other],
                           found)
        wanted, got = _next_by_slot(theirs.graph, mine), _next_by_slot(ours.graph, other)
        if sorted(wanted) != sorted(got):
            found.add(f"{where}: {name} feeds slots {sorted(wanted)} in Python, {sorted(got)} "
                      "in the code box")
            return None
        pending.extend((wanted[slot], got[slot]) for slot in wanted)
    if theirs.graph.number_of_nodes() != ours.graph.number_of_nodes():
        found.add(f"{where}: {theirs.graph.number_of_nodes()} graph nodes in Python, "
                  f"{ours.graph.number_of_nodes()} in the code box")
    return mapping


def _compare_node_data(what: str, mine: dict[str, Any], other: dict[str, Any],
                       found: Comparison) -> None:
    """What the node saved for backward (or that it was freed), and its input shapes."""
    if mine.get("freed_after") != other.get("freed_after"):
        found.add(f"{what}: freed after the pass is {mine.get('freed_after')} in Python, "
                  f"{other.get('freed_after')} in the code box")
    if tuple(mine["shapes"]) != tuple(other["shapes"]):
        found.add(f"{what}: input shapes {mine['shapes']} in Python, {other['shapes']} in the code box")
    saved, other_saved = mine.get("saved", {}), other.get("saved", {})
    if sorted(saved) != sorted(other_saved):
        found.add(f"{what}: saved {sorted(saved)} in Python, {sorted(other_saved)} in the code box")
        return
    for key, value in saved.items():
        if _is_workspace(mine["name"], value):
            # scratch memory of a fused kernel (mkldnn RNN): its bytes differ from run to run
            # even in plain Python; only its shape and dtype are the program's
            value, other_value = _describe(value), _describe(other_saved[key])
            if value != other_value:
                found.add(f"{what}: saved {key}: Python {value}, code box {other_value}")
            continue
        problem = _saved_difference(value, other_saved[key])
        if problem:
            found.add(f"{what}: saved {key}: {problem}")


def _is_workspace(node_name: str, value: Any) -> bool:
    return node_name.startswith("Mkldnn") and isinstance(value, (torch.Tensor, TensorSummary)) \
        and value.dtype == torch.uint8


def _saved_difference(wanted: Any, got: Any) -> str:
    if isinstance(wanted, (torch.Tensor, TensorSummary)) or isinstance(got, (torch.Tensor, TensorSummary)):
        return tensor_difference(wanted, got)
    if isinstance(wanted, list) and isinstance(got, list) and len(wanted) == len(got):
        return next((problem for problem in map(_saved_difference, wanted, got) if problem), "")
    if isinstance(wanted, str) and isinstance(got, str):
        wanted, got = _ADDRESS.sub("0x…", wanted), _ADDRESS.sub("0x…", got)
    if isinstance(wanted, float) and isinstance(got, float) and math.isnan(wanted) and math.isnan(got):
        return ""
    return "" if wanted == got and type(wanted) is type(got) else f"Python {wanted!r}, code box {got!r}"


def _next_by_slot(graph: nx.MultiDiGraph, node: str) -> dict[int, str]:
    return {data["slot"]: target for _, target, data in graph.out_edges(node, data=True)}


def _compare_steps(theirs: Pass, ours: Pass, mapping: dict[str, str], where: str,
                   found: Comparison) -> None:
    if len(theirs.steps) != len(ours.steps):
        found.add(f"{where}: the engine ran {len(theirs.steps)} nodes in Python, "
                  f"{len(ours.steps)} in the code box")
    for number, (mine, other) in enumerate(zip(theirs.steps, ours.steps), start=1):
        label = _node_label(theirs.graph, mine.node)
        if mapping.get(mine.node) != other.node:
            found.add(f"{where}: step {number} runs {label} in Python, "
                      f"{_node_label(ours.graph, other.node)} in the code box")
            return
        _compare_tensor_lists(f"{where}: step {number} {label} gradient in",
                              list(mine.grad_outputs), list(other.grad_outputs), found)
        _compare_tensor_lists(f"{where}: step {number} {label} gradient out",
                              list(mine.grad_inputs), list(other.grad_inputs), found)
        _compare_hook_changes(f"{where}: step {number} {label}", mine, other, found)


def _compare_hook_changes(what: str, mine: Step, other: Step, found: Comparison) -> None:
    """The gradients a user's hook replaced: where, and what they were before."""
    wanted = [(change.grad, change.slot) for change in mine.changed_by_hook]
    got = [(change.grad, change.slot) for change in other.changed_by_hook]
    if wanted != got:
        found.add(f"{what}: hooks changed {wanted or 'nothing'} in Python, {got or 'nothing'} "
                  "in the code box")
        return
    for change, other_change in zip(mine.changed_by_hook, other.changed_by_hook):
        _compare_tensor(f"{what}: {change.grad}[{change.slot}] before the hook", change.before,
                        other_change.before, found)


# ----------------------------------------------------------------------------- tensors

def _compare_tensor_lists(what: str, wanted: list[Any], got: list[Any], found: Comparison) -> None:
    if len(wanted) != len(got):
        found.add(f"{what}: {len(wanted)} values in Python, {len(got)} in the code box")
        return
    for index, (mine, other) in enumerate(zip(wanted, got)):
        _compare_tensor(f"{what} [{index}]" if len(wanted) > 1 else what, mine, other, found)


def _compare_tensor(what: str, wanted: Any, got: Any, found: Comparison) -> None:
    problem = tensor_difference(wanted, got)
    if problem:
        found.add(f"{what}: {problem}")


def tensor_difference(wanted: Any, got: Any) -> str:
    """Why two recorded values differ ('' when they agree to rounding)."""
    if wanted is None or got is None:
        return "" if wanted is got else f"Python {_describe(wanted)}, code box {_describe(got)}"
    if isinstance(wanted, TensorSummary) or isinstance(got, TensorSummary):
        return _summary_difference(wanted, got)
    if wanted.shape != got.shape or wanted.dtype != got.dtype:
        return f"Python {_describe(wanted)}, code box {_describe(got)}"
    if wanted.layout != torch.strided or got.layout != torch.strided:
        wanted, got = wanted.to_dense(), got.to_dense()
    wanted, got = wanted.detach(), got.detach()
    close = torch.isclose(got, wanted, rtol=RTOL, atol=ATOL, equal_nan=True)
    if bool(close.all()):
        return ""
    if wanted.numel() <= 4:
        return f"Python {_values(wanted)}, code box {_values(got)}"
    first = tuple(int(i) for i in (~close).nonzero()[0])
    return (f"{int((~close).sum())} of {wanted.numel()} values differ, first at {list(first)}: "
            f"Python {_number(wanted[first])}, code box {_number(got[first])}")


def _summary_difference(wanted: Any, got: Any) -> str:
    if not (isinstance(wanted, TensorSummary) and isinstance(got, TensorSummary)):
        return f"Python {_describe(wanted)}, code box {_describe(got)}"
    mine = (wanted.min, wanted.max, wanted.mean, wanted.norm)
    other = (got.min, got.max, got.mean, got.norm)
    if wanted.shape != got.shape or wanted.dtype != got.dtype or not torch.allclose(
            torch.tensor(mine), torch.tensor(other), rtol=RTOL, atol=ATOL, equal_nan=True):
        return f"Python summary {wanted}, code box summary {got}"
    return ""


def _describe(value: Any) -> str:
    if value is None:
        return "None"
    if isinstance(value, (torch.Tensor, TensorSummary)):
        return f"{str(value.dtype).removeprefix('torch.')}{list(value.shape)}"
    return type(value).__name__


def _values(tensor: torch.Tensor) -> str:
    return "[" + ", ".join(_number(value) for value in tensor.reshape(-1)) + "]"


def _number(value: torch.Tensor) -> str:
    return f"{complex(value):.6g}" if value.is_complex() else f"{float(value):.6g}"


# ----------------------------------------------------------------------------- leaves

def python_leaves(python: PythonRun) -> dict[str, torch.Tensor]:
    """Every global name bound to a leaf tensor at the end of the Python run."""
    return {name: value for name, value in python.namespace.items()
            if isinstance(value, torch.Tensor) and value.grad_fn is None
            and not name.startswith("__")}


def python_parameters(python: PythonRun) -> dict[str, tuple[str, torch.Tensor]]:
    """``model.fc1.weight`` -> (``fc1.weight``, parameter) for every global module's parameters."""
    found: dict[str, tuple[str, torch.Tensor]] = {}
    for name, value in python.namespace.items():
        if isinstance(value, torch.nn.Module) and not name.startswith("__"):
            for inner, parameter in value.named_parameters():
                found[f"{name}.{inner}"] = (inner, parameter)
    return found


def _compare_leaves(python: PythonRun, trace: Trace, found: Comparison) -> None:
    ours = {leaf.name: leaf for leaf in trace.leaves}
    for name, tensor in python_leaves(python).items():
        leaf = ours.get(name)
        if leaf is None:
            found.add(f"leaf `{name}` is not among the code box's variables")
            continue
        _compare_leaf(name, tensor, leaf, found)
    for names, parameter in _parameter_names(python):
        listed = [name for name in names if name in ours]
        if not listed:
            found.add(f"parameter `{names[0]}` is not among the code box's variables (as "
                      + " or ".join(f"`{name}`" for name in names) + ")")
            continue
        for name in listed:
            _compare_leaf(name, parameter, ours[name], found)


def _parameter_names(python: PythonRun) -> list[tuple[list[str], torch.Tensor]]:
    """Each global module parameter once, with every name the code box may list it under.

    Its path from each global module that holds it (``model.0.weight``, ``layer.weight``), and
    the name the trusted recorder gives it (``0.weight``) when no other parameter has that name.
    """
    parameters = python_parameters(python)
    relative = [inner for inner, _ in parameters.values()]
    by_tensor: dict[int, tuple[list[str], torch.Tensor]] = {}
    for name, (inner, parameter) in parameters.items():
        names, _ = by_tensor.setdefault(id(parameter), ([], parameter))
        names.append(name)
        if relative.count(inner) == 1:
            names.append(inner)
    return list(by_tensor.values())


def _compare_leaf(name: str, tensor: torch.Tensor, leaf: LeafVariable, found: Comparison) -> None:
    if leaf.requires_grad != tensor.requires_grad:
        found.add(f"leaf `{name}`: requires_grad {tensor.requires_grad} in Python, "
                  f"{leaf.requires_grad} in the code box")
    _compare_tensor(f"leaf `{name}` value", snapshot(tensor), leaf.value, found)
    _compare_tensor(f"leaf `{name}` .grad", None if tensor.grad is None else snapshot(tensor.grad),
                    leaf.grad, found)

