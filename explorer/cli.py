"""The ``autograd-explorer`` command line."""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from explorer.version import __version__

# the theme names, without importing torch for --help (explorer.core.view.themes has the colours)
THEME_NAMES = ("light", "dark", "projector")
EXIT_OK = 0
EXIT_ERROR = 2
DEFAULT_PASSES_TEXT = "1-10,last"  # explorer.core.capture.passes.DEFAULT_PASSES, without importing torch
_COMMANDS = ("trace", "export", "export-lessons", "run", "install-desktop")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="autograd-explorer",
        description="See the graph PyTorch's autograd builds, and step through backward.",
    )
    parser.add_argument("--version", action="version", version=f"autograd-explorer {__version__}")
    commands = parser.add_subparsers(dest="command")
    trace = commands.add_parser(
        "trace", help="run a program in the code box language and write its backward trace",
        description="Run a program (the safe code box subset of Python and PyTorch) and write "
        "the trace of its backward passes. Exit 0 with the trace, 2 with FILE:LINE:COL: message "
        "on standard error when the program is refused or fails.")
    source = trace.add_mutually_exclusive_group(required=True)
    source.add_argument("file", nargs="?", help="the program file")
    source.add_argument("--code", help="the program text itself, instead of a file")
    trace.add_argument("--format", choices=("json", "dot"), default="json",
                       help="json (schema explorer.trace/1, the default) or Graphviz dot")
    trace.add_argument("-o", "--output", help="write here instead of standard output")
    trace.add_argument("--passes", metavar="SPEC", default=None,
                       help="which backward passes to record in full, counted from 1: first, last, "
                       f"all, N or N-M, joined by commas (default: {DEFAULT_PASSES_TEXT}); every "
                       "pass gets a summary")
    export = commands.add_parser(
        "export", help="render a program's graph to PNG or SVG, or write its interactive page",
        description="Run a program and draw its graph as the app does (same layout and colours), "
        "at the end of its first backward pass or at step K. An .html output is one "
        "self-contained interactive page (no network): step with the keys or the slider, "
        "narration, search; it opens at step K (default 0).")
    export.add_argument("file", help="the program file (.py) or a session (.json)")
    export.add_argument("-o", "--output", required=True,
                        help="graph.png, graph.svg, graph.pdf or graph.html; a big graph (2,000 nodes "
                        "or more) is drawn as its summary, loop turns folded into repeat ×N blocks")
    export.add_argument("--step", type=int, default=None,
                        help="show the pass after K steps (default: the whole pass)")
    export.add_argument("--pass", dest="pass_number", type=int, default=1,
                        help="which backward pass, counted from 1 (default 1)")
    export.add_argument("--theme", choices=THEME_NAMES, default="light")
    export.add_argument("--left-to-right", action="store_true",
                        help="data flowing left to right (default: top to bottom)")
    export.add_argument("--compact", action="store_true", help="boxes packed closer together")
    export.add_argument("--full", action="store_true",
                        help="every node at a readable size, not the summary: an .svg, or a .pdf "
                        "atlas of pages with a map of them first")
    _add_run_parser(commands)
    _add_install_desktop_parser(commands)
    _add_export_lessons_parser(commands)
    return parser


def _add_run_parser(commands: argparse._SubParsersAction) -> None:
    run = commands.add_parser(
        "run", help="run YOUR OWN Python script with full Python and step through its backward passes",
        description="Run a Python script you trust (it runs with full Python, like `python "
        "script.py`: not the sandboxed code box language), record every backward pass it "
        "makes, and open the app on them. Passes recorded before an exception are kept.")
    run.add_argument("script", help="the Python script to run (your own code)")
    run.add_argument("script_args", nargs=argparse.REMAINDER, help="arguments for the script")
    run.add_argument("--no-window", action="store_true",
                     help="do not open the app: print a summary (and -o writes the trace JSON)")
    run.add_argument("-o", "--output", help="also write the trace (schema explorer.trace/1) here")
    run.add_argument("--max-passes", type=int, default=50, metavar="N",
                     help="record the first N backward passes (default 50); later ones just run")


def _add_install_desktop_parser(commands: argparse._SubParsersAction) -> None:
    install = commands.add_parser(
        "install-desktop", help="add the app to this user's desktop: menu entry, icon, file types",
        description="Per-user, no administrator rights: on Linux a menu entry, its icon and the "
        "*.explorer.json file type (and \"Open with\" for .py); on Windows a Start-menu shortcut "
        "and \"Open with\" for .json and .py; on macOS an app in ~/Applications. Prints each file "
        "it writes; running it again is harmless.")
    install.add_argument("--uninstall", action="store_true",
                         help="remove everything an earlier install-desktop wrote")


def build_app_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="autograd-explorer",
        description="Open the app on FILE (a program or a session), or on the welcome example. "
        "Other commands: `autograd-explorer trace --help`, `autograd-explorer export --help`.")
    parser.add_argument("--version", action="version", version=f"autograd-explorer {__version__}")
    parser.add_argument("files", nargs="*", metavar="FILE",
                        help="programs (.py) or saved sessions (.json), one window each")
    parser.add_argument("--quit-after", type=int, metavar="MS", default=None,
                        help="close MS milliseconds after the first run finishes and print how "
                        "long start-up took (for scripts and measurements)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments and arguments[0] in _COMMANDS:
        options = build_parser().parse_args(arguments)
        if options.command == "install-desktop":
            from explorer.desktop.install import run_install_desktop

            return run_install_desktop(options.uninstall)
        if options.command == "run":
            from explorer.script_command import run_script_command

            return run_script_command(options)
        if options.command == "trace":
            return _trace(options)
        if options.command == "export-lessons":
            return _export_lessons(options)
        if Path(options.output).suffix.lower() in (".html", ".htm"):
            return _export_page(options)
        return _export(options, whole_process=argv is None)  # None: the command itself
    if arguments and arguments[0] in ("-h", "--help"):
        build_app_parser().print_help()
        build_parser().print_help()
        return EXIT_OK
    return _launch(build_app_parser().parse_args(arguments))


def main_gui(argv: Sequence[str] | None = None) -> int:
    """The windowed launcher (``autograd-explorer-gui``): no console window on Windows."""
    import os

    for name in ("stdout", "stderr"):  # pythonw gives none: printing must not fail
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))
    return main(argv)


def _launch(options: argparse.Namespace) -> int:
    paths = [Path(name) for name in options.files]
    for path in paths:
        if not path.is_file():
            print(f"autograd-explorer: no such file: {path}", file=sys.stderr)
            return EXIT_ERROR
    from explorer.ui.window.app import run_app  # Qt is imported only when a window is asked for

    return run_app(paths, quit_after_ms=options.quit_after)


def _export(options: argparse.Namespace, whole_process: bool = False) -> int:
    import os

    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from explorer.core.sandbox.worker import contained_worker

    # the worker first: torch loads in its process while this one imports Qt and the drawing
    with contained_worker() as worker:
        from explorer.ui.files.headless import ExportError, draw_in, export_program

        if whole_process:
            _spare_the_collector()
        try:
            export_program(Path(options.file), Path(options.output), step=options.step,
                           pass_number=options.pass_number, theme=options.theme,
                           orientation="LR" if options.left_to_right else "TB",
                           compact=options.compact, draw=draw_in(worker), full=options.full)
        except ExportError as error:
            print(f"autograd-explorer: {error}", file=sys.stderr)
            return EXIT_ERROR
    return EXIT_OK


def _add_export_lessons_parser(commands: argparse._SubParsersAction) -> None:
    lessons = commands.add_parser(
        "export-lessons", help="write every lesson as an interactive page, plus an index page",
        description="Write every bundled lesson as its own self-contained page (graph, stepping, "
        "narration, code) and index.html linking them, into DIR: a folder to put on a course "
        "website as it is.")
    lessons.add_argument("folder", metavar="DIR", help="the folder to write (made if missing)")
    lessons.add_argument("--theme", choices=THEME_NAMES, default="light")


def _export_page(options: argparse.Namespace) -> int:
    """``export ... -o graph.html``: no Qt, the page draws in the browser."""
    from explorer.core.sandbox.worker import contained_runs
    from explorer.web.export import PageExportError, export_program_page

    try:
        with contained_runs() as run:
            export_program_page(Path(options.file), Path(options.output), step=options.step,
                                pass_number=options.pass_number, theme=options.theme,
                                orientation="LR" if options.left_to_right else "TB",
                                compact=True if options.compact else None, run=run)
    except PageExportError as error:
        print(f"autograd-explorer: {error}", file=sys.stderr)
        return EXIT_ERROR
    return EXIT_OK


def _export_lessons(options: argparse.Namespace) -> int:
    from explorer.core.sandbox.worker import contained_runs
    from explorer.web.export import PageExportError, export_lessons

    try:
        with contained_runs() as run:
            written = export_lessons(Path(options.folder), theme=options.theme, run=run)
    except PageExportError as error:
        print(f"autograd-explorer: {error}", file=sys.stderr)
        return EXIT_ERROR
    print(f"{len(written)} pages in {options.folder} (open {written[0]})")
    return EXIT_OK


def _spare_the_collector() -> None:
    """Keep the cyclic collector off what exists now (torch's modules, Qt's wrappers).

    Collections that scan those hundreds of thousands of objects again and again, while a
    10,000-node graph is built, laid out and drawn, cost the export half a second and free
    nothing. Only for a process that ends with the export: it is never undone (undoing it made
    the collection at exit scan them all once more, a third of a second).
    """
    gc.freeze()


def _read_source(options: argparse.Namespace) -> tuple[str, str]:
    if options.code is not None:
        return options.code, "<code>"
    path = Path(options.file)
    return path.read_text(encoding="utf-8"), str(path)


def _trace(options: argparse.Namespace) -> int:
    from explorer.core.sandbox.worker import contained_runs

    with contained_runs() as run:  # the program never runs in this process
        return _trace_with(options, run)


def _trace_with(options: argparse.Namespace, run: Any) -> int:
    from explorer.core.capture.passes import PassSelection, PassSpecError
    from explorer.core.capture.trace import dumps
    from explorer.core.storage.dot import pass_to_dot
    from explorer.core.storage.files import write_atomic

    try:
        selection = PassSelection.parse(options.passes)
    except PassSpecError as error:
        print(f"autograd-explorer: --passes: {error}", file=sys.stderr)
        return EXIT_ERROR
    try:
        source, filename = _read_source(options)
    except (OSError, UnicodeDecodeError) as error:
        print(f"autograd-explorer: cannot read {options.file}: {error}", file=sys.stderr)
        return EXIT_ERROR
    trace = run(source, passes=selection.spec)
    if trace.error is not None:
        for place in trace.error.every_place():
            print(place.editor_format(filename), file=sys.stderr)
        return EXIT_ERROR
    if options.format == "dot":
        text = "".join(pass_to_dot(one_pass, f"pass {one_pass.index}") for one_pass in trace.passes)
    else:
        text = dumps(trace.to_json())
    if options.output:
        try:
            write_atomic(options.output, text)
        except OSError as error:
            print(f"autograd-explorer: cannot write {options.output}: {error}", file=sys.stderr)
            return EXIT_ERROR
    else:
        sys.stdout.write(text)
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
