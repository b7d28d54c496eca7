"""What an export draws, worked out where the program ran: a summary of a big pass, every node on
request, the step asked for, errors in words; from the worker it comes back without tensors."""

from __future__ import annotations

import pytest

from explorer.core import run_program
from explorer.core.sandbox.worker import EvaluationWorker, WorkerOptions, _pickle
from explorer.core.view.folding import GROUP_KIND, fold, fold_scene
from explorer.core.view.picture import Picture, PictureRequest, picture_of
from explorer.core.view.scene import build_scene
from explorer.core.view.stepper import Stepper
from explorer.core.view.summary import SUMMARY_FROM, repeat_groups
from tests.core.programs import RESIDUAL_LOOP

LOOP = RESIDUAL_LOOP
BIG = LOOP.format(turns=SUMMARY_FROM // 3 + 10)
SMALL = "x = torch.tensor(2.0, requires_grad=True)\ny = x ** 3 + x * x\ny.backward()\n"


def assert_drawable(picture: Picture) -> None:
    """The scenes and the graph to lay out hold the same boxes and arrows, in the graph's order."""
    assert picture.error == "" and picture.scene is not None and picture.widths is not None
    assert [node.id for node in picture.widths.nodes] == [node.id for node in picture.scene.nodes]
    assert set(picture.nodes) == {node.id for node in picture.scene.nodes}
    graph = picture.graph()
    assert list(graph.nodes) == picture.nodes and list(graph.edges(keys=True)) == picture.edges
    arrows = sorted((edge.target, edge.source) for edge in picture.scene.edges)
    assert sorted((node, next_node) for node, next_node, _ in picture.edges) == arrows


def test_a_big_pass_is_pictured_as_its_summary_and_in_full_on_request() -> None:
    trace = run_program(BIG, passes="1")
    size = trace.passes[0].graph.number_of_nodes()
    assert size >= SUMMARY_FROM
    summary = picture_of(trace, PictureRequest())
    assert_drawable(summary)
    assert summary.scene is not None
    # two leaves, the first and last turn (3 nodes each), the repeat block and the sum
    assert len(summary.nodes) == 2 + 3 + 3 + 1 + 1
    block = next(node for node in summary.scene.nodes if node.kind == GROUP_KIND)
    kept = len(summary.nodes) - 1  # all but the block
    assert block.title.startswith("▸ repeat ×") and block.subtitle == f"{size - kept:,} nodes folded"
    full = picture_of(trace, PictureRequest(full=True))
    assert_drawable(full)
    assert len(full.nodes) == size


def test_the_summary_is_the_whole_pass_pictured_then_folded() -> None:
    trace = run_program(BIG, passes="1")
    one_pass = trace.passes[0]
    folded, owner = fold(one_pass.graph, repeat_groups(one_pass.graph))
    stepper = Stepper(one_pass)
    stepper.to_end()
    at_end = fold_scene(build_scene(one_pass, stepper, trace.leaves), folded, owner)
    for step in (None, 0, 7, len(one_pass.steps) - 1):
        summary = picture_of(trace, PictureRequest(step=step))
        assert summary.widths == at_end
        stepper.jump(len(one_pass.steps) if step is None else step)
        assert summary.scene == fold_scene(build_scene(one_pass, stepper, trace.leaves), folded, owner)
        assert summary.nodes == list(folded.nodes) and summary.edges == list(folded.edges(keys=True))


def test_the_picture_shows_the_step_asked_for_with_the_widest_labels_for_layout() -> None:
    trace = run_program(SMALL)
    steps = len(trace.passes[0].steps)
    picture = picture_of(trace, PictureRequest(step=1))
    assert_drawable(picture)
    assert picture.scene is not None and picture.widths is not None
    assert picture.scene.header.startswith(f"Step 1 / {steps}:")
    assert picture.widths.header.startswith(f"Step {steps} / {steps}:")
    at_end = picture_of(trace, PictureRequest())
    assert at_end.scene == at_end.widths


@pytest.mark.parametrize(("source", "request_", "message"), [
    ("x = 1\nimport os\n", PictureRequest(filename="bad.py"), "bad.py:2:1: "),
    (SMALL, PictureRequest(pass_number=2, filename="one.py"), "one.py has 1 backward pass(es); there is no pass 2"),
    (SMALL, PictureRequest(step=99), "--step must be 0.."),
])
def test_no_picture_says_why(source: str, request_: PictureRequest, message: str) -> None:
    picture = picture_of(run_program(source), request_)
    assert picture.scene is None and message in picture.error


@pytest.fixture(scope="module")
def worker():
    started = EvaluationWorker(WorkerOptions(warm_up=False))
    yield started
    started.close()


def test_the_worker_sends_the_picture_made_here_and_no_tensor(worker) -> None:
    there = worker.digest(BIG, PictureRequest(), passes="1")
    here = picture_of(run_program(BIG, passes="1"), PictureRequest())
    assert there.scene is not None and here.scene is not None
    # node ids hold per-process sequence numbers: compare what the boxes say, in order
    def boxes(picture: Picture) -> list[tuple]:
        assert picture.scene is not None
        return [(node.title, node.torch_line, node.subtitle, node.state, node.kind)
                for node in picture.scene.nodes]

    assert boxes(there) == boxes(here)
    assert [edge.grad_text for edge in there.scene.edges] == [edge.grad_text for edge in here.scene.edges]
    assert b"tensor_from_bytes" not in _pickle(there)  # trace data stays in the worker


def test_a_failing_program_gives_the_worker_picture_its_place(worker) -> None:
    picture = worker.digest("x = torch.ones(2)\ny = x.log(\n", PictureRequest(filename="oops.py"))
    assert picture.scene is None and picture.error.startswith("oops.py:2:")


def test_a_worker_that_served_ends_at_once_when_asked_and_one_still_starting_is_stopped(monkeypatch) -> None:
    served = EvaluationWorker(WorkerOptions(warm_up=False))
    assert served.run(SMALL).error is None
    process = served._process
    monkeypatch.setattr(process, "close", lambda: None)  # keep its exit code readable
    served.close()  # it reads the request to stop, and ends without tearing torch down
    assert process.exitcode == 0
    starting = EvaluationWorker(WorkerOptions(warm_up=False))
    process = starting._process
    monkeypatch.setattr(process, "close", lambda: None)
    starting.close()  # still importing torch: it would read no request, so it is killed
    assert process.exitcode is not None and process.exitcode < 0
