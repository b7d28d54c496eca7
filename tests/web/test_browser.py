"""The page in a real browser (headless Chromium): it steps as the core's stepper does, shows
the core's scene, narration, colours and folding, needs no network, and stays quick at 10,000
nodes. The core itself is checked against torch in tests/core; here the page is checked
against the core, and its final gradients against torch."""

from __future__ import annotations

import html
import io
import math
import statistics
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

import explorer
from explorer.core.capture.tensors import json_number
from explorer.core.capture.trace import Pass, Trace
from explorer.core.view.folding import automatic_groups, fold, fold_scene
from explorer.core.view.narration import narrate
from explorer.core.view.scene import build_scene, node_tooltip, step_header
from explorer.core.view.search import find_nodes
from explorer.core.view.stepper import NodeState, Stepper
from explorer.core.view.themes import THEMES
from explorer.examples import example
from explorer.web import notebook_html, page
from explorer.web.export import export_lessons
from explorer.web.view import outermost
from tests.web.conftest import OpenedPage, make_page

POLYNOMIAL = example("polynomial").source()


def core_scene(trace: Trace, one_pass: Pass, position: int) -> dict:
    """What the core says the picture shows at ``position``, shaped like the page's answer."""
    stepper = Stepper(one_pass)
    stepper.jump(position)
    scene = build_scene(one_pass, stepper, trace.leaves)
    return {"header": step_header(one_pass, stepper),
            "boxes": [{"id": node.id, "title": node.title, "torch_line": node.torch_line,
                       "subtitle": node.subtitle, "running_sum": node.running_sum,
                       "state": node.state.value, "is_root": node.is_root,
                       "tooltip": node_tooltip(stepper, node.id)} for node in scene.nodes],
            "edges": [(edge.delivered, edge.grad_text, edge.shape, edge.magnitude) for edge in scene.edges]}


def assert_page_shows_core_scene(opened: OpenedPage, trace: Trace, one_pass: Pass, position: int) -> None:
    shown = opened.scene(position)
    expected = core_scene(trace, one_pass, position)
    assert shown["header"] == expected["header"]
    fields = ("id", "title", "torch_line", "subtitle", "running_sum", "state", "is_root", "tooltip")
    assert [{key: box[key] for key in fields} for box in shown["boxes"]] == expected["boxes"]
    theme = THEMES["light"]
    assert [edge["edge"] for edge in shown["edges"]] == list(range(len(expected["edges"])))
    for edge, (delivered, grad_text, shape, magnitude) in zip(shown["edges"], expected["edges"]):
        assert (edge["delivered"], edge["grad_text"], edge["shape"]) == (delivered, grad_text, shape)
        assert edge["colour"] == (theme.gradient_colour(magnitude) if delivered else theme.edge_idle)


def narration_text(one_pass: Pass, position: int) -> str:
    stepper = Stepper(one_pass)
    stepper.jump(position)
    story = narrate(one_pass, stepper)
    return "".join((story.title, *story.paragraphs))


def test_keys_step_through_backward_in_the_engines_order(tmp_path: Path, open_page) -> None:
    trace, path = make_page(tmp_path, POLYNOMIAL)
    one_pass = trace.passes[0]
    opened = open_page(path)
    page_ = opened.page
    assert opened.snapshot()["position"] == 0  # a lesson opens at its start
    assert page_.text_content("#header") == "Step 0 / 9: ready"
    stepper = Stepper(one_pass)
    for position in range(1, 4):
        page_.keyboard.press("ArrowRight")
        stepper.next()
        state = opened.snapshot()
        assert state["position"] == position
        assert state["active"] == stepper.active_node
        scene = build_scene(one_pass, stepper, trace.leaves)
        active = next(node for node in scene.nodes if node.id == stepper.active_node)
        assert state["activeTitle"] == active.title
        assert page_.text_content("#header") == step_header(one_pass, stepper)
        assert page_.text_content("#narration") == narration_text(one_pass, position)
    page_.keyboard.press("End")
    assert opened.snapshot()["position"] == 9
    assert page_.text_content("#narration") == narration_text(one_pass, 9)
    page_.keyboard.press("ArrowLeft")
    assert opened.snapshot()["position"] == 8
    page_.keyboard.press("Home")
    assert opened.snapshot()["position"] == 0
    assert page_.text_content("#narration") == narration_text(one_pass, 0)
    assert page_.input_value("#slider") == "0"


def test_the_last_step_shows_the_gradient_torch_computes(tmp_path: Path, open_page) -> None:
    trace, path = make_page(tmp_path, POLYNOMIAL)
    x = torch.tensor(2.0, requires_grad=True)
    (5 * x ** 3 + 2 * x ** 2 + 4 * x + 8).backward()
    opened = open_page(path)
    opened.page.keyboard.press("End")
    leaves = opened.page.inner_text("#leaves")
    assert f"grad = {float(x.grad):g}" in leaves  # 72, from torch's own backward
    running = [box["running_sum"] for box in opened.scene(9)["boxes"] if box["title"].startswith("x =")]
    assert running == ["4 + 8 + 60 = 72"]


PROGRAMS = ["polynomial", "used_twice", "linear_layer", "mlp_four_points", "second_derivative",
            "accumulate_and_zero", "mean_of_vector", "softmax_cross_entropy"]


@pytest.mark.parametrize("slug", PROGRAMS)
def test_every_position_shows_the_core_scene(slug: str, tmp_path: Path, open_page) -> None:
    trace, path = make_page(tmp_path, example(slug).source(), slug)
    opened = open_page(path)
    for index, one_pass in enumerate(trace.passes):
        opened.run("(index) => window.explorerPage.showPass(index, 0)", index)
        for position in range(len(one_pass.steps) + 1):
            assert_page_shows_core_scene(opened, trace, one_pass, position)


LOOP = """\
import torch
x = torch.tensor(0.5, requires_grad=True)
w = torch.tensor(1.5, requires_grad=True)
h = x
for turn in range(4):
    h = torch.tanh(h * w) + x
h.backward()
"""


def test_running_sums_of_a_loop_are_the_cores(tmp_path: Path, open_page) -> None:
    """x and w are used in every turn: their sums grow term by term, as in the core."""
    trace, path = make_page(tmp_path, LOOP, "loop")
    opened = open_page(path)
    one_pass = trace.passes[0]
    for position in range(len(one_pass.steps) + 1):
        assert_page_shows_core_scene(opened, trace, one_pass, position)


def test_folded_groups_show_the_cores_folded_scene(tmp_path: Path, open_page) -> None:
    trace, path = make_page(tmp_path, LOOP, "loop")
    one_pass = trace.passes[0]
    groups = outermost(automatic_groups(one_pass.graph))
    folded, owner = fold(one_pass.graph, groups)
    opened = open_page(path)
    opened.run("window.explorerPage.setFolded(true)")
    assert opened.snapshot()["folded"] is True
    for position in range(len(one_pass.steps) + 1):
        stepper = Stepper(one_pass)
        stepper.jump(position)
        expected = fold_scene(build_scene(one_pass, stepper, trace.leaves), folded, owner)
        shown = {box["id"]: box for box in opened.scene(position)["boxes"]}
        assert set(shown) == {node.id for node in expected.nodes}
        for node in expected.nodes:
            box = shown[node.id]
            assert (box["title"], box["subtitle"], box["running_sum"], box["state"]) == (
                node.title, node.subtitle, node.running_sum, node.state.value)


def test_numbers_and_colours_are_written_as_the_core_writes_them(tmp_path: Path, open_page) -> None:
    _, path = make_page(tmp_path, POLYNOMIAL)
    opened = open_page(path)
    numbers = [0.0, -0.0, 1.0, -2.5, 72.0, 1 / 3, 2 / 3, 1e-5, 1.23456e-5, 0.0001234, 123456.0,
               1234567.0, 9.99995e7, -4.2e-12, 3.3e21, math.pi, float("nan"), float("inf"),
               float("-inf"), 7.72192e-11, 0.5, 100.0, 1e16]
    written = opened.run(  # non-finite numbers cross as the trace writes them: "NaN", "Infinity"
        "(numbers) => numbers.map(Number).map((n) => [window.explorerTools.formatG(n, 4), "
        "window.explorerTools.formatG(n, 6)])", [json_number(number) for number in numbers])
    assert written == [[f"{number:.4g}", f"{number:.6g}"] for number in numbers]
    magnitudes = [None, 0.0, float("inf"), float("nan")] + [10 ** (k / 9) for k in range(-45, 46)]
    for name, theme in THEMES.items():
        colours = opened.run(
            "([name, values]) => values.map((m) => window.explorerTools.gradientColour("
            "window.explorerPage.data.themes[name], m === null ? null : Number(m)))",
            [name, [None if m is None else json_number(m) for m in magnitudes]])
        assert colours == [theme.gradient_colour(m) for m in magnitudes]


def test_search_finds_the_nodes_the_core_finds(tmp_path: Path, open_page) -> None:
    trace, path = make_page(tmp_path, example("mlp_four_points").source(), "mlp")
    graph = trace.passes[0].graph
    opened = open_page(path)
    ids = list(graph.nodes)
    for query in ("mm", "W1", "Accumulate", "tanh", "backward0", "nothing like it", " b2 "):
        found = opened.run("(q) => window.explorerPage.model.find(q)", query)
        assert [ids[index] for index in found] == find_nodes(graph, query)
    opened.page.fill("#search", "AccumulateGrad")
    opened.page.press("#search", "Enter")
    assert opened.page.text_content("#matches") == f"1 of {len(find_nodes(graph, 'AccumulateGrad'))}"


def test_the_page_asks_nothing_of_the_network(tmp_path: Path, open_page) -> None:
    _, path = make_page(tmp_path, POLYNOMIAL)
    opened = open_page(path)
    opened.page.keyboard.press("End")
    opened.page.mouse.wheel(0, -300)
    assert opened.requests == [path.resolve().as_uri()]


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def _count(pixels: np.ndarray, colour: str) -> int:
    return int((pixels == _rgb(colour)).all(axis=-1).sum())


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_screenshots_show_the_theme_and_the_active_node(theme: str, tmp_path: Path, open_page) -> None:
    _, path = make_page(tmp_path, POLYNOMIAL, theme=theme)
    opened = open_page(path)
    colours = THEMES[theme]
    opened.page.keyboard.press("ArrowRight")
    opened.page.keyboard.press("ArrowRight")
    canvas = opened.page.locator("#canvas")
    shot = canvas.screenshot(path=str(tmp_path / f"step2-{theme}.png"))
    pixels = _pixels(shot)
    assert tuple(pixels[0, 0]) == _rgb(colours.background)
    active = _count(pixels, colours.node_fill[NodeState.ACTIVE])
    waiting = _count(pixels, colours.node_fill[NodeState.WAITING])
    assert active > 2000 and waiting > 2000  # the active box, and the boxes still to run
    opened.page.keyboard.press("End")
    pixels = _pixels(canvas.screenshot(path=str(tmp_path / f"end-{theme}.png")))
    assert _count(pixels, colours.node_fill[NodeState.WAITING]) == 0
    assert _count(pixels, colours.node_fill[NodeState.DONE]) > 2000


def test_the_first_picture_stays_without_any_key_pressed(tmp_path: Path, open_page) -> None:
    # the resize observer's first call came after the first picture and blanked the canvas
    _, path = make_page(tmp_path, POLYNOMIAL)
    opened = open_page(path)
    opened.run("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")
    pixels = _pixels(opened.page.locator("#canvas").screenshot(path=str(tmp_path / "first.png")))
    colours = THEMES["light"]
    assert tuple(pixels[0, 0]) == _rgb(colours.background)
    assert _count(pixels, colours.node_fill[NodeState.WAITING]) > 2000  # boxes before step 1


def test_theme_menu_recolours_the_page(tmp_path: Path, open_page) -> None:
    _, path = make_page(tmp_path, POLYNOMIAL)
    opened = open_page(path)
    opened.page.select_option("#theme", "dark")
    opened.run("window.explorerPage.paint()")
    pixels = _pixels(opened.page.locator("#canvas").screenshot())
    assert tuple(pixels[0, 0]) == _rgb(THEMES["dark"].background)


def test_hover_shows_the_cores_tooltip(tmp_path: Path, open_page) -> None:
    trace, path = make_page(tmp_path, POLYNOMIAL)
    one_pass = trace.passes[0]
    opened = open_page(path)
    opened.page.keyboard.press("End")
    root = one_pass.root
    x, y = opened.run("""(id) => {
        const page = window.explorerPage, box = page.picture.display[page.model.index.get(id)];
        const rect = document.getElementById('canvas').getBoundingClientRect(), r = page.renderer;
        return [rect.left + page.picture.x[box] * r.scale + r.tx, rect.top + page.picture.y[box] * r.scale + r.ty];
    }""", root)
    opened.page.mouse.move(x, y)
    stepper = Stepper(one_pass)
    stepper.to_end()
    assert opened.page.is_visible("#tip")
    assert opened.page.inner_text("#tip") == node_tooltip(stepper, root)


def test_space_plays_and_pauses(tmp_path: Path, open_page) -> None:
    _, path = make_page(tmp_path, POLYNOMIAL)
    opened = open_page(path)
    opened.page.keyboard.press(" ")
    opened.page.wait_for_function("window.explorerPage.position >= 2", timeout=60_000)
    opened.page.keyboard.press(" ")
    paused_at = opened.snapshot()["position"]
    assert opened.page.text_content("#play") == "Play"
    opened.page.wait_for_timeout(1600)  # two play intervals: nothing moves while paused
    assert opened.snapshot()["position"] == paused_at


def test_wheel_zooms_and_drag_pans(tmp_path: Path, open_page) -> None:
    _, path = make_page(tmp_path, POLYNOMIAL)
    opened = open_page(path)
    before = opened.run("[window.explorerPage.renderer.scale, window.explorerPage.renderer.tx]")
    box = opened.page.locator("#canvas").bounding_box()
    opened.page.mouse.move(box["x"] + 200, box["y"] + 200)
    opened.page.mouse.wheel(0, 400)
    zoomed = opened.run("window.explorerPage.renderer.scale")
    assert zoomed < before[0]
    opened.page.mouse.down()
    opened.page.mouse.move(box["x"] + 320, box["y"] + 260, steps=4)
    opened.page.mouse.up()
    assert opened.run("window.explorerPage.renderer.tx") != before[1]


def test_a_big_page_carries_its_data_packed_and_unpacks_it(tmp_path: Path, open_page,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(page, "COMPRESS_FROM", 100)
    trace, path = make_page(tmp_path, POLYNOMIAL)
    assert 'type="application/gzip"' in path.read_text(encoding="utf-8")
    opened = open_page(path)
    assert opened.run("document.documentElement.dataset.ready") == "true"
    assert_page_shows_core_scene(opened, trace, trace.passes[0], 5)


def test_ten_thousand_nodes_pan_with_culling_and_level_of_detail(tmp_path: Path, open_page) -> None:
    """The frame time is printed, not asserted (benchmarks/page_bench.py holds the goal)."""
    code = ("import torch\nx = torch.tensor(0.5, requires_grad=True)\n"
            "w = torch.tensor(0.9, requires_grad=True)\nh = x\nfor i in range(3300):\n"
            "    h = torch.sin(h) * w + x\nh.backward()\n")
    trace, path = make_page(tmp_path, code, "big")
    assert trace.passes[0].graph.number_of_nodes() > 9_900
    opened = open_page(path)
    state = opened.snapshot()
    assert state["folded"] is True  # a big graph opens with its loop turns folded
    opened.run("window.explorerPage.setFolded(false)")
    assert opened.snapshot()["boxes"] == trace.passes[0].graph.number_of_nodes()
    for scale, label in ((None, "whole graph"), (0.05, "far"), (1.0, "close")):
        times = opened.run("(s) => window.explorerPage.measurePan(20, s)", scale)
        assert len(times) == 20 and all(math.isfinite(value) and value >= 0 for value in times)
        drawn = opened.snapshot()["visible"]
        assert drawn > 0
        print(f"10k nodes, {label}: median frame {statistics.median(times):.1f} ms, "
              f"{drawn} boxes on screen")
    opened.page.keyboard.press("End")
    assert opened.snapshot()["position"] == len(trace.passes[0].steps)


def test_a_model_traced_in_a_notebook_is_the_page(tmp_path: Path, open_page) -> None:
    """``explorer.trace(loss)._repr_html_()``: a frame holding the whole page, self-contained."""
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 1))
    loss = model(torch.randn(5, 3)).pow(2).mean()
    traced = explorer.trace(loss, model=model)
    markup = traced._repr_html_()
    assert markup.startswith("<iframe") and "srcdoc=" in markup
    assert markup == notebook_html(traced)
    holder = tmp_path / "notebook.html"
    holder.write_text(f"<!DOCTYPE html><html><body>{markup}</body></html>", encoding="utf-8")
    opened = open_page(holder, ready=False)
    opened.page.wait_for_selector("iframe")
    frame = opened.page.frames[1]
    frame.wait_for_selector("html[data-ready=true]", state="attached")
    titles = frame.evaluate("window.explorerPage.scene(0).boxes.map((box) => box.title)")
    assert any(title.startswith("0.weight") for title in titles)  # parameters named by the model
    opened.page.click("iframe")
    opened.page.keyboard.press("ArrowRight")
    assert frame.evaluate("window.explorerPage.position") == 1
    inner = html.unescape(markup.split('srcdoc="', 1)[1].rsplit('"', 1)[0])
    assert '<script type="application/json" id="data-trace">' in inner


def test_lessons_folder_opens_from_its_index(tmp_path: Path, open_page) -> None:
    folder = tmp_path / "lessons"
    written = export_lessons(folder)
    opened = open_page(folder / "index.html", ready=False)
    links = opened.page.eval_on_selector_all("a", "(links) => links.map((a) => a.getAttribute('href'))")
    assert sorted(links) == sorted(path.name for path in written[1:])
    opened.page.click(f"a[href='{links[0]}']")
    opened.page.wait_for_selector("html[data-ready=true]", state="attached")
    assert opened.page.get_attribute("#home", "href") == "index.html"
    assert opened.page.text_content("#header").startswith("Step 0 /")
    assert opened.page.text_content("#idea") == example(links[0][:-5]).idea  # the lesson's own words


def test_first_view_of_an_18_node_network_is_readable(tmp_path: Path, open_page) -> None:
    code = ("import torch\nimport torch.nn.functional as F\ntorch.manual_seed(0)\n"
            "X = torch.randn(4, 3)\ntarget = torch.tensor([0, 1, 1, 0])\n"
            "W1 = torch.randn(3, 5, requires_grad=True)\nb1 = torch.zeros(5, requires_grad=True)\n"
            "W2 = torch.randn(5, 5, requires_grad=True)\nb2 = torch.zeros(5, requires_grad=True)\n"
            "W3 = torch.randn(5, 2, requires_grad=True)\nh1 = torch.tanh(X @ W1 + b1)\n"
            "h2 = torch.relu(h1 @ W2 + b2)\nlogits = h2 @ W3\n"
            "loss = F.cross_entropy(logits, target) + 0.01 * (W1 ** 2).sum()\nloss.backward()\n")
    trace, path = make_page(tmp_path, code, "net18")
    assert trace.passes[0].graph.number_of_nodes() == 18
    for width, height in ((1366, 768), (1920, 1080)):
        state = open_page(path, width, height).snapshot()
        assert state["scale"] >= 0.9  # titles of 13.5 px and more
        assert state["visible"] >= 13
