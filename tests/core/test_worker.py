"""The worker process: runs programs like run_program, is killed when stuck, and comes back."""

from __future__ import annotations

import os
import pickle
import signal
import threading

import pytest
import torch

from explorer.core import Limits, run_program
from explorer.core.sandbox import worker as worker_module
from explorer.core.sandbox.worker import EvaluationWorker, WorkerOptions, dump_trace, load_trace
from explorer.examples import all_examples

# One operation of several seconds: the sandbox cannot stop it, only killing its process can.
STUCK = "t = 2500\nu = torch.linalg.svd(torch.randn(t, t))\n"
SIMPLE = "x = torch.tensor(2.0, requires_grad=True)\ny = x * x\ny.backward()\nprint(x.grad.item())\n"


@pytest.fixture(scope="module")
def worker():
    started = EvaluationWorker(WorkerOptions(grace_seconds=0.5))
    yield started
    started.close()


@pytest.mark.parametrize("slug", [item.slug for item in all_examples()])
def test_every_example_trace_survives_the_trip(slug: str) -> None:
    source = next(item for item in all_examples() if item.slug == slug).source()
    trace = run_program(source)
    back = load_trace(dump_trace(trace))
    assert back.to_json() == trace.to_json()
    for before, after in zip(trace.passes, back.passes):
        assert sorted(before.graph.edges(keys=True)) == sorted(after.graph.edges(keys=True))


def test_worker_gives_the_same_trace_as_run_program(worker) -> None:
    trace = worker.run(SIMPLE)
    assert trace.error is None and trace.stdout == "4.0\n"
    local = run_program(SIMPLE)
    # node sequence numbers count per process, so compare everything else
    assert [step.node for step in trace.passes[0].steps] == [step.node for step in local.passes[0].steps]
    assert sorted(trace.passes[0].graph.edges) == sorted(local.passes[0].graph.edges)
    assert torch.equal(trace.passes[0].grads["x"], local.passes[0].grads["x"])


def test_errors_keep_their_place(worker) -> None:
    trace = worker.run("x = 1\nimport os\n")
    assert trace.error is not None and trace.error.line == 2 and trace.error.kind == "refused"


def test_stuck_operation_is_killed_and_the_next_run_works(worker) -> None:
    restarts = worker.restarts
    trace = worker.run(STUCK, limits=Limits(max_seconds=1.0))
    assert trace.error is not None and trace.error.kind == "limit"
    assert "stopped" in trace.error.message
    assert (trace.error.line, trace.error.col) == (2, 0)  # where it was stuck, though killed
    assert worker.restarts == restarts + 1
    assert worker.run(SIMPLE).stdout == "4.0\n"


def test_cancel_of_a_stuck_operation_kills_it(worker) -> None:
    cancel = threading.Event()
    threading.Timer(0.3, cancel.set).start()
    trace = worker.run(STUCK, limits=Limits(max_seconds=60), cancel=cancel)
    assert trace.error is not None and trace.error.kind == "cancelled"
    assert trace.error.line == 2
    assert worker.run(SIMPLE).error is None


def test_cancel_between_operations_needs_no_kill(worker) -> None:
    cancel = threading.Event()
    threading.Timer(0.3, cancel.set).start()
    restarts = worker.restarts
    trace = worker.run("for i in range(100000):\n    t = torch.ones(10).sum()\n",
                       limits=Limits(max_seconds=60), cancel=cancel)
    # cancelled between two operations: in the loop head or its body, whichever ran then
    assert trace.error is not None and trace.error.kind == "cancelled" and trace.error.line in (1, 2)
    assert worker.restarts == restarts


def test_a_worker_that_dies_is_reported_and_replaced(worker) -> None:
    worker.run(SIMPLE)
    pid = worker.pid
    assert pid is not None
    threading.Timer(0.3, os.kill, (pid, signal.SIGKILL)).start()
    trace = worker.run(STUCK, limits=Limits(max_seconds=60))
    assert trace.error is not None and "crashed" in trace.error.message
    assert worker.pid != pid
    assert worker.run(SIMPLE).stdout == "4.0\n"


def test_memory_is_capped_in_the_worker() -> None:
    small = EvaluationWorker(WorkerOptions(memory_bytes=3 * 2**30))
    try:
        # within the element limit, yet 3 GiB of address space cannot hold its 4.8 GB
        trace = small.run("a = torch.ones(600_000_000, dtype=torch.float64)\n",
                          limits=Limits(max_elements=10**9))
        assert trace.error is not None and "memory" in trace.error.message
        assert small.run(SIMPLE).error is None
    finally:
        small.close()


class _Boom:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


def test_a_crafted_reply_is_refused() -> None:
    trace = load_trace(pickle.dumps(_Boom()))
    assert trace.error is not None and "may not contain" in trace.error.message
    import torch.storage  # noqa: F401 - torch's own tensor pickles go through torch.load: refused

    assert load_trace(pickle.dumps(torch.ones(2))).error is not None


class _HostileGraph:
    """A reply whose graph piece hides a forbidden global."""

    def __reduce__(self):
        return (worker_module.graph_from_pieces, ([pickle.dumps([("n", _Boom())])], [], [], {}))


def test_a_graph_piece_goes_through_the_same_refusal() -> None:
    trace = load_trace(pickle.dumps(_HostileGraph()))
    assert trace.error is not None and "may not contain" in trace.error.message


def test_a_graph_sent_in_many_pieces_comes_back_exactly(monkeypatch) -> None:
    monkeypatch.setattr(worker_module, "_GRAPH_PIECE", 7)
    trace = run_program(_residual(40))
    graph = trace.passes[0].graph
    assert graph.number_of_nodes() > 5 * 7
    back_trace = load_trace(dump_trace(trace))
    assert back_trace.to_json() == trace.to_json()  # every node's and edge's data
    back = back_trace.passes[0].graph
    assert type(back) is type(graph)
    assert list(back.nodes) == list(graph.nodes)
    assert list(back.edges(keys=True)) == list(graph.edges(keys=True))
    # the layout reads predecessors in their order: it must survive too
    assert all(list(back.pred[node]) == list(graph.pred[node]) for node in graph)
    for source, target, key in back.edges(keys=True):  # one data dict seen from both ends
        back.succ[source][target][key]["probe"] = (source, target, key)
        assert back.pred[target][source][key]["probe"] == (source, target, key)


def _residual(turns: int) -> str:
    return ("x = torch.randn(3, requires_grad=True)\nh = x\n"
            f"for i in range({turns}):\n    h = h + torch.tanh(h)\nh.sum().backward()\n")


def test_in_process_api_still_works() -> None:
    assert run_program(SIMPLE).stdout == "4.0\n"
