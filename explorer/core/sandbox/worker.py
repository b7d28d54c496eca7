"""Runs programs in a separate process that can be killed, so no program can hang or crash the app.

The sandbox stops a program between operations (limits, cancel). One operation that runs for
minutes inside torch's C++ code cannot be stopped that way; killing its process can. The worker
process is started ahead of time and kept warm, so a run does not pay for importing torch.
Results come back pickled and are read with an unpickler that only builds trace data.

This module imports no torch itself (the worker process does), so a command can start its
worker first and let torch load there while it imports the rest.
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import enum
import gc
import io
import multiprocessing
import os
import pickle
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any, Protocol

from explorer.core.errors import ExplorerError
from explorer.core.sandbox.limits import WALL_ALLOWANCE, Limits

if TYPE_CHECKING:
    from explorer.core.capture.graph import AutogradGraph
    from explorer.core.capture.recording import RecordOptions
    from explorer.core.capture.trace import Trace

_READY = b"ready"
_DONE = b"done"  # the program finished; its pickled trace follows
_POLL_SECONDS = 0.02
_START_TIMEOUT = 120.0  # importing torch on a loaded machine


@dataclass(frozen=True)
class WorkerOptions:
    """How long a run may overstay its time limit, and the memory its process may map."""

    grace_seconds: float = 2.0  # after the time limit or a cancel, before the process is killed
    memory_bytes: int | None = None  # address-space limit of the worker; None: half the RAM, at most 8 GiB
    # Run a small program before the first request, so the imports torch makes on first use are
    # not counted against the user's first run; a one-shot command does without.
    warm_up: bool = True


def default_memory_bytes() -> int:
    """Half the machine's memory, at most 8 GiB: a runaway run fails instead of swapping."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        total = 8 * 2**30
    return max(2 * 2**30, min(8 * 2**30, total // 2))


class Digest(Protocol):
    """What a worker sends back instead of the whole trace: made from it in the worker process.

    A front-end passes one that needs only a little of a big trace (an export's picture), and it
    is pickled by reference: the worker imports its module itself, so the sandbox depends on no
    view of the trace.
    """

    @property
    def result_type(self) -> type:
        """The class of what it makes (the reply is checked to be one)."""

    def __call__(self, trace: Trace) -> Any:
        """Made in the worker, from the program's trace."""

    def failed(self, error: ExplorerError) -> Any:
        """What it makes of a run that ended without a result."""


class EvaluationWorker:
    """A warm process that runs one program at a time and is replaced when it must be killed."""

    def __init__(self, options: WorkerOptions | None = None, *, start: bool = True) -> None:
        self.options = options or WorkerOptions()
        self._context = multiprocessing.get_context("spawn")  # never fork a process with threads
        self._lock = threading.Lock()
        self._process: Any = None
        self._connection: Connection | None = None
        self._cancel: Any = None
        self._where: Any = None  # [line, col] of the statement the worker runs now
        self._ready = False
        self.restarts = 0  # processes killed or lost and replaced, for tests and reports
        if start:
            self.start()

    # ----- process lifetime -------------------------------------------------------------

    def start(self) -> None:
        """Start the process (it imports torch in the background) unless one is running."""
        if self._process is not None and self._process.is_alive():
            return
        parent_end, child_end = self._context.Pipe()
        self._cancel = self._context.Event()
        self._where = self._context.RawArray("i", 2)
        memory = self.options.memory_bytes or default_memory_bytes()
        self._process = self._context.Process(target=_serve, args=(child_end, self._cancel, self._where, memory,
                                                                   self.options.warm_up),
                                              name="explorer-worker", daemon=True)
        self._process.start()
        child_end.close()
        self._connection = parent_end
        self._ready = False

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    def alive(self) -> bool:
        return self._process is not None and self._process.is_alive()

    def close(self) -> None:
        """Stop the process (politely, then by force)."""
        with self._lock:
            self._stop_process(polite=True)

    def _stop_process(self, *, polite: bool) -> None:
        process, connection, serving = self._process, self._connection, self._ready
        self._process, self._connection, self._ready = None, None, False
        if process is None:
            return
        # one still starting (importing torch) would read the request to stop only once started
        if polite and serving and connection is not None:
            try:
                connection.send_bytes(b"")
            except (OSError, ValueError):
                pass
            process.join(1.0)
        if process.is_alive():
            process.kill()
        process.join(5.0)
        if connection is not None:
            connection.close()
        if process.exitcode is not None:  # close() refuses a process that somehow still runs
            process.close()

    def _restart(self) -> None:
        self._stop_process(polite=False)
        self.restarts += 1
        self.start()

    def _wait_ready(self) -> None:
        if self._ready:
            return
        assert self._connection is not None
        if not self._connection.poll(_START_TIMEOUT):
            raise ExplorerError("the evaluation process did not start", kind="runtime")
        message = self._connection.recv_bytes()
        if message != _READY:
            raise ExplorerError("the evaluation process did not start", kind="runtime")
        self._ready = True

    # ----- running ----------------------------------------------------------------------

    def run(self, source: str, *, limits: Limits | None = None,
            overrides: Mapping[str, Any] | None = None,
            cancel: threading.Event | None = None, passes: str | None = None,
            recording: RecordOptions | None = None) -> Trace:
        """Run ``source`` in the worker; like :func:`run_program`, never raises for a bad program.

        ``passes`` is the SPEC of the passes recorded in full (``explorer.core.capture.passes``),
        ``recording`` what they keep (``run_program``'s).
        """
        from explorer.core.capture.trace import Trace

        result = self._request(source, limits, overrides, cancel, passes, recording, None)
        return Trace(error=result) if isinstance(result, ExplorerError) else result

    def digest(self, source: str, digest: Digest, *, limits: Limits | None = None,
               overrides: Mapping[str, Any] | None = None, passes: str | None = None,
               recording: RecordOptions | None = None) -> Any:
        """Run ``source`` in the worker and bring back only what ``digest`` makes of its trace
        there (an export's picture: scenes and the graph's shape, never its tensors)."""
        result = self._request(source, limits, overrides, None, passes, recording, digest)
        return digest.failed(result) if isinstance(result, ExplorerError) else result

    def _request(self, source: str, limits: Limits | None, overrides: Mapping[str, Any] | None,
                 cancel: threading.Event | None, passes: str | None,
                 recording: RecordOptions | None, digest: Digest | None) -> Any:
        """The worker's result (a trace, or its digest when one is asked for), or why there is none."""
        limits = limits or Limits()
        with self._lock:
            try:
                self.start()
                self._wait_ready()
                return self._run_started(source, limits, dict(overrides or {}), cancel, passes,
                                         recording, digest)
            except (EOFError, OSError, ExplorerError) as error:
                self._restart()
                return error if isinstance(error, ExplorerError) else _lost_error(None)

    def _run_started(self, source: str, limits: Limits, overrides: dict[str, Any],
                     cancel: threading.Event | None, passes: str | None = None,
                     recording: RecordOptions | None = None, digest: Digest | None = None) -> Any:
        assert self._connection is not None and self._cancel is not None
        self._cancel.clear()
        request = (source, limits, overrides, passes, recording, digest)
        self._connection.send_bytes(pickle.dumps(request, pickle.HIGHEST_PROTOCOL))
        # the run stops itself at max_seconds of processor time or twice that of wall-clock
        # time; past that (stuck inside one torch call) the process is ended
        deadline = time.monotonic() + limits.max_seconds * WALL_ALLOWANCE + self.options.grace_seconds
        stop_asked: float | None = None
        while not self._connection.poll(_POLL_SECONDS):
            now = time.monotonic()
            if not self._process.is_alive():
                code = self._process.exitcode
                line, col = self._where[:]
                self._restart()
                return _lost_error(code, line, col)
            if cancel is not None and cancel.is_set() and stop_asked is None:
                self._cancel.set()  # the sandbox stops between operations, if it gets there
                stop_asked = now
            if stop_asked is not None and now - stop_asked > self.options.grace_seconds:
                line, col = self._where[:]
                self._restart()
                return ExplorerError(
                    "the run was cancelled (one operation did not stop, so its process was ended)",
                    line, col, kind="cancelled")
            if now > deadline:
                line, col = self._where[:]
                self._restart()
                return _overran_error(limits, line, col)
        return self._receive(limits, digest)

    def _receive(self, limits: Limits, digest: Digest | None) -> Any:
        """Read the finished run's trace: recording and sending it have a deadline too."""
        assert self._connection is not None
        marker = self._connection.recv_bytes()
        if marker != _DONE:
            raise EOFError("unexpected message from the worker")
        if not self._connection.poll(_SEND_SECONDS + limits.max_seconds):
            line, col = self._where[:]
            self._restart()
            return ExplorerError(
                "the run's result took too long to arrive, so its process was ended", line, col,
                kind="limit", advice="record fewer passes or make tensors smaller")
        payload = self._connection.recv_bytes(MAX_RESULT_BYTES)
        if digest is not None:
            return load_result(payload, digest.result_type)
        from explorer.core.capture.trace import Trace

        return load_result(payload, Trace)


@contextlib.contextmanager
def contained_worker(options: WorkerOptions | None = None) -> Iterator[EvaluationWorker]:
    """A worker process for one command (killed when stuck, memory-capped, a crash reported at
    its line), ended with the block. It starts at once, so torch loads in it while the command
    does its own imports: enter this before importing anything that imports torch."""
    worker = EvaluationWorker(options or WorkerOptions(warm_up=False))
    try:
        yield worker
    finally:
        worker.close()


@contextlib.contextmanager
def contained_runs(options: WorkerOptions | None = None) -> Iterator[Callable[..., Trace]]:
    """``run_program`` for a command: each program runs in the process of ``contained_worker``."""
    with contained_worker(options) as worker:
        yield worker.run


_SHARED: list[EvaluationWorker] = []


def shared_worker() -> EvaluationWorker:
    """The process's one warm worker (windows and runners share it; runs queue on its lock)."""
    if not _SHARED:
        _SHARED.append(EvaluationWorker())
        atexit.register(_SHARED[0].close)
    return _SHARED[0]


def _lost_error(exit_code: int | None, line: int = 0, col: int = 0) -> ExplorerError:
    how = f" (exit code {exit_code})" if exit_code is not None else ""
    return ExplorerError(f"the program crashed the evaluation process{how}; a new one was started",
                         line, col, kind="runtime",
                         advice="the app is fine; change the program and run it again")


def _overran_error(limits: Limits, line: int, col: int) -> ExplorerError:
    return ExplorerError(
        f"the program ran longer than {limits.max_seconds:g} s inside one operation, so it was "
        "stopped", line, col, kind="limit", advice="use smaller tensors or fewer elements in that operation")


# ----- the worker process -------------------------------------------------------------------


def _serve(connection: Connection, cancel: Any, where: Any, memory_bytes: int,
           warm_up: bool = True) -> None:
    """The worker's loop: run each request and send its trace back."""
    _limit_memory(memory_bytes)
    import torch

    from explorer.core.sandbox.program import (
        run_program,  # the slow import, done before the first run
    )

    # Code box programs work on small tensors, where a second thread costs more than it gives
    # (and on a busy machine, far more); one thread also makes a run's time its own.
    torch.set_num_threads(1)
    # torch's and our modules stay for the process's life: out of the cyclic collector's scans,
    # which otherwise went over them again and again while a 10,000-node pass was recorded
    gc.freeze()

    # torch imports more (sympy, decompositions) the first time a size is worked out on the meta
    # device: over a second that would count against the first program's time limit
    if warm_up:
        run_program(_WARM_UP)
    try:
        connection.send_bytes(_READY)
    except OSError:  # the app is gone (killed while this process started): nothing to serve
        return
    while True:
        try:
            request = connection.recv_bytes()
        except (EOFError, OSError):
            return
        if not request:
            _exit_now()
        source, limits, overrides, passes, recording, digest = pickle.loads(request)  # from our own parent
        where[0], where[1] = 0, 0
        trace = run_program(source, limits=limits, overrides=overrides, cancel=cancel, where=where,
                            passes=passes, recording=recording)
        connection.send_bytes(_DONE)
        if digest is None:
            connection.send_bytes(_bounded(dump_trace(trace), trace, where))
        else:
            connection.send_bytes(_digest_payload(trace, digest))
        del trace  # freed here, between runs, not while the next one is recorded


def _digest_payload(trace: Trace, digest: Digest) -> bytes:
    """What ``digest`` makes of the trace, pickled; a failure is the digest's own error reply."""
    try:
        return _pickle(digest(trace))
    except Exception as error:  # noqa: BLE001 - any failure is reported, a reply always goes
        return _pickle(digest.failed(ExplorerError(f"{type(error).__name__}: {error}")))


def _exit_now() -> None:
    """End the worker without the interpreter's teardown: unloading torch and freeing the last
    graph took most of a second, and the parent waited for it; nothing here needs saving."""
    import sys

    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


_WARM_UP = "a = torch.randn(200, 200, requires_grad=True)\nb = (a @ a).relu().sum(0)\nb.sum().backward()\n"


def _limit_memory(memory_bytes: int) -> None:
    """A run that allocates without bound gets MemoryError instead of taking the machine's memory."""
    try:
        import resource
    except ImportError:  # not on this platform: the element limits still apply
        return
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        memory_bytes = min(memory_bytes, hard)
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, hard))


_SEND_SECONDS = 30.0  # recording is done: pickling and sending the result
MAX_RESULT_BYTES = 768 * 2**20  # a result larger than this is not sent to the app


def _bounded(payload: bytes, trace: Trace, where: Any) -> bytes:
    """The result, or an error in its place when it is too large for the app to take in."""
    if len(payload) <= MAX_RESULT_BYTES:
        return payload
    from explorer.core.capture.trace import Trace
    return _pickle(Trace(stdout=trace.stdout[:100_000], error=ExplorerError(
        f"the run's result is {len(payload) // 2**20:,} MB, too large to show", where[0], where[1],
        kind="limit", advice="record fewer passes (--passes) or make tensors smaller")))


def dump_trace(trace: Trace) -> bytes:
    """Pickle a trace; a trace that cannot be pickled becomes its error, so a reply always goes."""
    try:
        return _pickle(trace)
    except Exception as error:  # noqa: BLE001 - any failure is reported as the run's error
        from explorer.core.capture.trace import Trace

        return _pickle(Trace(stdout=trace.stdout, error=ExplorerError(
            f"the result could not be sent back to the app: {type(error).__name__}: {error}")))


def _pickle(value: Any) -> bytes:
    stream = io.BytesIO()
    _TracePickler(stream, pickle.HIGHEST_PROTOCOL).dump(value)
    return stream.getvalue()


_GRAPH_PIECE = 2_000  # nodes per separately pickled piece of a graph


class _TracePickler(pickle.Pickler):
    """Tensors go as dtype, shape and raw bytes: torch's own pickling would need torch.load.

    A graph goes in pieces (see :func:`graph_from_pieces`).
    """

    def reducer_override(self, obj: Any) -> Any:
        import torch

        from explorer.core.capture.graph import AutogradGraph

        if isinstance(obj, AutogradGraph):
            return _graph_in_pieces(obj)
        if not isinstance(obj, torch.Tensor):
            return NotImplemented
        values = obj.detach()
        dtype = str(values.dtype).removeprefix("torch.")
        if values.device.type != "cpu":
            return tensor_from_bytes, (dtype, tuple(values.shape), None, values.requires_grad)
        flat = values.contiguous().reshape(-1)
        if flat.numel() and flat.stride(0) != 1:  # one element may keep stride 0 (an expanded scalar)
            flat = flat.new_empty(flat.shape).copy_(flat)
        raw = flat.view(torch.uint8).numpy().tobytes()
        return tensor_from_bytes, (dtype, tuple(values.shape), raw, values.requires_grad)


def _pieces(items: list) -> list[bytes]:
    return [_pickle(items[start:start + _GRAPH_PIECE]) for start in range(0, len(items), _GRAPH_PIECE)]


def _graph_in_pieces(graph: AutogradGraph) -> tuple:
    # networkx's own dicts, so the graph comes back exactly: same order of nodes, successors
    # and predecessors (the layout follows it), one edge-data dict shared by both directions
    predecessors = [(node, list(sources)) for node, sources in graph._pred.items()]
    return graph_from_pieces, (_pieces(list(graph._node.items())), _pieces(list(graph._succ.items())),
                               _pieces(predecessors), dict(graph.graph))


def graph_from_pieces(nodes: list[bytes], successors: list[bytes], predecessors: list[bytes],
                      attributes: dict) -> AutogradGraph:
    """Rebuild a graph piece by piece.

    Unpickling a 100,000-node graph in one go holds the GIL for a fifth of a second, during
    which the window cannot draw; between pieces the UI thread gets its turn.
    """
    from explorer.core.capture.graph import AutogradGraph

    graph = AutogradGraph()
    graph.graph.update(attributes)
    for piece in nodes:
        graph._node.update(_load_piece(piece))
    for piece in successors:
        graph._succ.update(_load_piece(piece))  # _adj is the same dict
    for piece in predecessors:
        for node, sources in _load_piece(piece):
            graph._pred[node] = {source: graph._succ[source][node] for source in sources}
    for node in graph._node:  # every node has both adjacency entries, as add_node makes them
        graph._succ.setdefault(node, {})
        graph._pred.setdefault(node, {})
    return graph


def _load_piece(piece: bytes) -> list:
    if not isinstance(piece, bytes):
        raise pickle.UnpicklingError("a graph piece must be bytes")
    rows = _TraceUnpickler(io.BytesIO(piece)).load()
    if not isinstance(rows, list) or not all(isinstance(row, tuple) and len(row) == 2 for row in rows):
        raise pickle.UnpicklingError("a graph piece must be a list of pairs")
    return rows


def tensor_from_bytes(dtype_name: str, shape: tuple[int, ...], raw: bytes | None,
                      requires_grad: bool) -> Any:
    """Rebuild a tensor pickled by :class:`_TracePickler` (``raw`` None: a meta tensor)."""
    import torch

    dtype = getattr(torch, dtype_name)
    if not isinstance(dtype, torch.dtype):
        raise pickle.UnpicklingError(f"{dtype_name} is not a dtype")
    if raw is None:
        return torch.empty(shape, dtype=dtype, device="meta")
    flat = torch.frombuffer(bytearray(raw), dtype=torch.uint8) if raw else torch.empty(0, dtype=torch.uint8)
    return flat.view(dtype).reshape(shape).requires_grad_(requires_grad)


# What a trace pickle may name besides explorer's own data classes. Anything else (os.system,
# builtins.eval, torch.load...) is refused, so even a worker that was taken over could not make
# the app run code by sending a crafted pickle.
_ALLOWED_GLOBALS: dict[str, frozenset[str]] = {
    "explorer.core.sandbox.worker": frozenset({"tensor_from_bytes", "graph_from_pieces"}),
    "explorer.core.capture.saved": frozenset({"Freed"}),
    "torch": frozenset({"Size", "device", "float32", "float64", "float16", "bfloat16", "int64",
                        "int32", "int16", "int8", "uint8", "bool", "complex64", "complex128"}),
    "collections": frozenset({"OrderedDict", "defaultdict"}),
    "builtins": frozenset({"set", "frozenset", "slice", "complex", "range"}),
}


class _TraceUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if name in _ALLOWED_GLOBALS.get(module, frozenset()):
            return super().find_class(module, name)
        if module.startswith("explorer.core.") and not name.startswith("_"):
            found = super().find_class(module, name)
            # explorer's data classes only: never a function such as write_atomic
            if isinstance(found, type) and (dataclasses.is_dataclass(found) or issubclass(found, enum.Enum)):
                return found
        raise pickle.UnpicklingError(f"a trace may not contain {module}.{name}")


def load_trace(payload: bytes) -> Trace:
    """Read a trace pickled by :func:`dump_trace`, refusing anything that is not trace data."""
    from explorer.core.capture.trace import Trace

    result = load_result(payload, Trace)
    return Trace(error=result) if isinstance(result, ExplorerError) else result


def load_result(payload: bytes, expected: type) -> Any:
    """Read a worker's reply (a ``Trace``, or a ``Picture``), refusing anything that is not
    trace data; a bad reply becomes an ``ExplorerError``, never raised."""
    try:
        result = _TraceUnpickler(io.BytesIO(payload)).load()
    except Exception as error:  # noqa: BLE001 - a bad reply is reported, never raised
        return ExplorerError(f"the result of the run could not be read: {error}")
    if not isinstance(result, expected):
        return ExplorerError(f"the result of the run was not a {expected.__name__.lower()}")
    return result
