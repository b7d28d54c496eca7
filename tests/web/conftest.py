"""The web page's tests: pages made from real runs, opened in the system's headless Chromium.

The browser is Debian's ``chromium`` package, driven by playwright with the system binary;
playwright never downloads a browser here (``.ci/run`` installs chromium with apt-get).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from explorer.core.capture.trace import Trace
from explorer.core.sandbox.program import run_program
from explorer.web import PageText, write_page

CHROMIUM = os.environ.get("EXPLORER_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--no-first-run", "--disable-sync"]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One headless Chromium for the whole run (starting one takes a second or two)."""
    if not Path(CHROMIUM).exists():
        pytest.fail("tests/web need the system chromium: apt-get install chromium (.ci/run does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield launched
        launched.close()


class OpenedPage:
    """A page in the browser, with what it asked of the network and the errors it raised."""

    def __init__(self, page: Any, path: Path) -> None:
        self.page = page
        self.path = path
        self.requests: list[str] = []
        self.errors: list[str] = []

    def snapshot(self) -> dict:
        return self.page.evaluate("window.explorerPage.snapshot()")

    def scene(self, position: int) -> dict:
        return self.page.evaluate("(p) => window.explorerPage.scene(p)", position)

    def run(self, script: str, argument: object = None) -> object:
        return self.page.evaluate(script, argument)


@pytest.fixture
def open_page(browser: Any) -> Iterator[Callable[..., OpenedPage]]:
    """Open an HTML file (from ``file://``) at a window size; every page checked for errors."""
    contexts = []
    opened: list[OpenedPage] = []

    def open_file(path: Path, width: int = 1366, height: int = 768, ready: bool = True) -> OpenedPage:
        context = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        page = context.new_page()
        result = OpenedPage(page, path)
        page.on("request", lambda request: result.requests.append(request.url))
        page.on("pageerror", lambda error: result.errors.append(str(error)))
        page.on("console", lambda message: message.type == "error" and result.errors.append(message.text))
        page.goto(path.resolve().as_uri())
        if ready:  # a page of ours says when it has drawn (or failed to)
            page.wait_for_selector("html[data-ready]", state="attached", timeout=120_000)
        opened.append(result)
        return result

    yield open_file
    for result in opened:
        assert result.errors == [], f"{result.path.name}: {result.errors}"
    for context in contexts:
        context.close()


def make_page(tmp_path: Path, code: str, name: str = "page", **options: object) -> tuple[Trace, Path]:
    """Run a code box program and write its page; returns the trace the page was made from."""
    trace = run_program(code)
    assert trace.passes, trace.error
    path = tmp_path / f"{name}.html"
    write_page(path, trace, PageText(title=name, code=code), **options)  # type: ignore[arg-type]
    return trace, path
