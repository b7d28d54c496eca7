"""The page as a file, without a browser: what it embeds, that it reaches for nothing outside
itself, that the web package stays Qt-free, and the commands and API that write pages."""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
import types
from html.parser import HTMLParser
from pathlib import Path

import pytest
import torch

import explorer
import explorer.api
from explorer.cli import main
from explorer.core.sandbox.program import run_program
from explorer.core.view.scene import build_scene
from explorer.core.view.stepper import Stepper
from explorer.examples import all_examples, example
from explorer.web import PageText, notebook_html, page_html, write_page
from explorer.web.page import SCRIPTS, page_data
from explorer.web.view import pass_view

POLYNOMIAL = example("polynomial").source()
ASSETS = Path(explorer.__file__).parent / "web" / "assets"


class _References(HTMLParser):
    """Every element that could fetch something: scripts, links, images, frames, styles."""

    def __init__(self) -> None:
        super().__init__()
        self.fetching: list[tuple[str, str]] = []
        self.scripts: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script":
            self.scripts.append(values)
        for name in ("src", "href", "srcset", "poster", "data", "action"):
            value = values.get(name)
            if value is not None and not (tag == "a" and name == "href"):
                self.fetching.append((tag, value))
        if tag == "link":
            self.fetching.append((tag, values.get("href") or ""))


def _view_of(text: str) -> dict:
    found = re.search(r'<script type="application/json" id="data-view">(.*?)</script>', text, re.S)
    assert found is not None
    return json.loads(found.group(1))


def _page(code: str = POLYNOMIAL, **options: object) -> str:
    return page_html(run_program(code), PageText(title="t", code=code), **options)  # type: ignore[arg-type]


def test_the_page_loads_nothing_from_outside() -> None:
    text = _page()
    parser = _References()
    parser.feed(text)
    assert parser.fetching == []  # no <script src>, <link>, <img>, <iframe src>...
    assert all("src" not in script for script in parser.scripts)
    style = text[text.index("<style>"):text.index("</style>")]
    assert "@import" not in style and "url(" not in style and "@font-face" not in style
    script = text[text.index("<script>("):]
    for reaching_out in ("fetch(", "XMLHttpRequest", "import(", "WebSocket", "EventSource", "http://", "https://"):
        assert reaching_out not in script


def test_the_scripts_cannot_end_their_element_early() -> None:
    for name in SCRIPTS:
        assert "</" not in (ASSETS / name).read_text(encoding="utf-8"), name


def test_data_with_markup_in_it_stays_data() -> None:
    code = 'import torch\nx = torch.tensor(2.0, requires_grad=True)\nprint("</script><script>alert(1)</script>")\n(x * x).backward()\n'
    text = _page(code)
    assert text.count("</script>") == 3  # the two data elements and the page's script
    embedded = re.search(r'<script type="application/json" id="data-trace">(.*?)</script>', text, re.S)
    assert embedded is not None
    assert json.loads(embedded.group(1))["stdout"].startswith("</script><script>alert(1)</script>")


def test_the_trace_is_embedded_whole_and_the_view_follows_its_order() -> None:
    trace = run_program(example("mlp_four_points").source())
    text = page_html(trace, PageText(title="mlp"))
    embedded = re.search(r'id="data-trace">(.*?)</script>', text, re.S)
    assert embedded is not None
    assert json.loads(embedded.group(1)) == json.loads(json.dumps(trace.to_json()))
    view = pass_view(trace, 0)
    document = trace.to_json()["passes"][0]
    stepper = Stepper(trace.passes[0])
    scene = build_scene(trace.passes[0], stepper, trace.leaves)
    assert [node.id for node in scene.nodes] == [node["id"] for node in document["nodes"]]
    assert view["nodes"]["title"] == [node.title for node in scene.nodes]
    assert len(view["edges"]["shape"]) == len(document["edges"])
    assert [edge.shape for edge in scene.edges] == view["edges"]["shape"]
    for layout in view["layouts"].values():
        assert len(layout["x"]) == len(document["nodes"]) == len(layout["w"])
        assert len(layout["bends"]) == len(document["edges"])


def test_a_small_pass_carries_both_layout_styles_and_a_big_one_only_the_standard() -> None:
    trace = run_program(POLYNOMIAL)
    assert set(pass_view(trace, 0)["layouts"]) == {"standard", "compact"}
    assert set(pass_view(trace, 0, compact=True)["layouts"]) == {"compact"}
    standard, compact = (pass_view(trace, 0)["layouts"][name] for name in ("standard", "compact"))
    assert max(compact["y"]) - min(compact["y"]) < max(standard["y"]) - min(standard["y"])


def test_every_lesson_makes_a_page() -> None:
    for lesson in all_examples():
        trace = run_program(lesson.source())
        data = page_data(trace)
        assert len(data["passes"]) == len(trace.passes)
        assert (data["error"] is None) == (trace.error is None), lesson.slug
        for view, one_pass in zip(data["passes"], trace.passes):
            assert len(view["narration"]) == len(view["headers"]) == len(one_pass.steps) + 1


def test_an_unknown_theme_is_refused_and_the_file_there_kept(tmp_path: Path) -> None:
    target = tmp_path / "graph.html"
    target.write_text("kept", encoding="utf-8")
    with pytest.raises(ValueError, match="unknown theme"):
        write_page(target, run_program(POLYNOMIAL), PageText(title="t"), theme="sepia")
    assert target.read_text(encoding="utf-8") == "kept"


def test_the_web_package_needs_no_qt() -> None:
    script = ("import sys\nfor name in ('PySide6', 'pyqtgraph'):\n    sys.modules[name] = None\n"
              "from explorer.core.sandbox.program import run_program\nfrom explorer.web import PageText, page_html\n"
              "import explorer.web.export\n"
              "text = page_html(run_program('import torch\\nx = torch.tensor(1.0, requires_grad=True)\\n(x * 3).backward()\\n'), PageText(title='t'))\n"
              "assert 'data-trace' in text\nprint('ok')\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=240)
    assert result.stdout.strip() == "ok", result.stderr


# ----- commands -------------------------------------------------------------------------------

def test_export_writes_a_page_for_html(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    program = tmp_path / "poly.py"
    program.write_text(POLYNOMIAL, encoding="utf-8")
    output = tmp_path / "graph.html"
    assert main(["export", str(program), "-o", str(output), "--step", "3", "--theme", "dark"]) == 0
    view = _view_of(output.read_text(encoding="utf-8"))
    assert view["start"] == {"pass": 0, "step": 3} and view["theme"] == "dark"
    assert view["text"]["title"] == "poly.py" and view["text"]["code"] == POLYNOMIAL


def test_export_refuses_with_the_programs_own_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    program = tmp_path / "bad.py"
    program.write_text("import torch\nx = torch.tensor(2.0, requires_grad=True)\ny = x +\n", encoding="utf-8")
    output = tmp_path / "graph.html"
    assert main(["export", str(program), "-o", str(output)]) == 2
    assert f"{program}:3:" in capsys.readouterr().err
    assert not output.exists()
    good = tmp_path / "good.py"
    good.write_text(POLYNOMIAL, encoding="utf-8")
    assert main(["export", str(good), "-o", str(output), "--step", "10"]) == 2
    assert "--step must be 0..9" in capsys.readouterr().err
    assert main(["export", str(good), "-o", str(output), "--pass", "2"]) == 2
    assert "no pass 2" in capsys.readouterr().err


def test_export_lessons_writes_every_lesson_and_an_index(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "site"
    assert main(["export-lessons", str(folder)]) == 0
    lessons = all_examples()
    pages = {path.name for path in folder.iterdir()}
    assert pages == {"index.html"} | {f"{lesson.slug}.html" for lesson in lessons}
    index = (folder / "index.html").read_text(encoding="utf-8")
    for lesson in lessons:
        assert f'href="{lesson.slug}.html"' in index and html.escape(lesson.title) in index
    failing = _view_of((folder / "zero_before_backward.html").read_text(encoding="utf-8"))
    assert "zero_" in failing["error"]["message"] and failing["text"]["home"] == "index.html"
    assert all((folder / name).stat().st_mode & 0o044 == 0o044 for name in pages)  # a server can read them


def test_api_export_writes_the_page(tmp_path: Path) -> None:
    x = torch.tensor(1.5, requires_grad=True)
    written = explorer.export(torch.sin(x * x), tmp_path / "sin.html")
    assert written.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


# ----- notebooks ------------------------------------------------------------------------------

class ZMQInteractiveShell:  # named as the Jupyter kernel's shell class is
    def __init__(self, loop: str | None) -> None:
        self.active_eventloop = loop


def _fake_ipython(monkeypatch: pytest.MonkeyPatch, shell: object, shown: list[str]) -> None:
    ipython = types.ModuleType("IPython")
    ipython.__dict__["get_ipython"] = lambda: shell
    display = types.ModuleType("IPython.display")
    display.__dict__.update(HTML=lambda markup: markup, display=shown.append)
    monkeypatch.setitem(sys.modules, "IPython", ipython)
    monkeypatch.setitem(sys.modules, "IPython.display", display)


def test_show_in_a_notebook_without_qt_displays_the_page_inline(monkeypatch: pytest.MonkeyPatch) -> None:
    shown: list[str] = []
    _fake_ipython(monkeypatch, ZMQInteractiveShell(None), shown)
    monkeypatch.setattr(explorer.api, "show_trace", lambda *args, **kwargs: pytest.fail("opened a window"))
    x = torch.tensor(2.0, requires_grad=True)
    assert explorer.show(x ** 3) is None
    assert len(shown) == 1 and shown[0].startswith("<iframe") and "srcdoc=" in shown[0]


def test_show_with_qts_event_loop_or_outside_a_notebook_opens_the_window(monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str] = []
    monkeypatch.setattr(explorer.api, "show_trace", lambda traced, **kwargs: opened.append(kwargs["title"]))
    x = torch.tensor(2.0, requires_grad=True)
    for shell in (ZMQInteractiveShell("qt6"), object()):  # %gui qt, and IPython in a terminal
        shown: list[str] = []
        _fake_ipython(monkeypatch, shell, shown)
        explorer.show(x ** 3)
        assert shown == []
    assert len(opened) == 2


def test_repr_html_is_the_notebook_page() -> None:
    x = torch.tensor(2.0, requires_grad=True)
    traced = explorer.trace(x ** 3, names={"x": x})
    markup = traced._repr_html_()
    assert markup == notebook_html(traced)
    page = html.unescape(markup.split('srcdoc="', 1)[1].rsplit('"', 1)[0])
    assert page.startswith("<!DOCTYPE html>") and 'id="data-view"' in page
