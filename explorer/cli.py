"""The ``autograd-explorer`` command line."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from explorer import __version__

EXIT_OK = 0
EXIT_ERROR = 2
_COMMANDS = ("trace",)

_HOW_TO = """\
Autograd Explorer {version}

Trace a program's backward passes:
  autograd-explorer trace program.py              # JSON trace on standard output
  autograd-explorer trace program.py -o trace.json
  autograd-explorer trace program.py --format dot -o graph.dot
  autograd-explorer trace --code "x = torch.tensor(2.0, requires_grad=True); (x**3).backward()"

Run `autograd-explorer trace --help` for every option.
"""


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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    if not arguments:
        print(_HOW_TO.format(version=__version__))
        return EXIT_OK
    options = parser.parse_args(arguments)
    if options.command == "trace":
        return _trace(options)
    parser.print_help()
    return EXIT_OK


def _read_source(options: argparse.Namespace) -> tuple[str, str]:
    if options.code is not None:
        return options.code, "<code>"
    path = Path(options.file)
    return path.read_text(encoding="utf-8"), str(path)


def _trace(options: argparse.Namespace) -> int:
    from explorer.core.dot import pass_to_dot
    from explorer.core.files import write_atomic
    from explorer.core.program import run_program

    try:
        source, filename = _read_source(options)
    except (OSError, UnicodeDecodeError) as error:
        print(f"autograd-explorer: cannot read {options.file}: {error}", file=sys.stderr)
        return EXIT_ERROR
    trace = run_program(source)
    if trace.error is not None:
        print(trace.error.editor_format(filename), file=sys.stderr)
        return EXIT_ERROR
    if options.format == "dot":
        text = "".join(pass_to_dot(one_pass, f"pass {one_pass.index}") for one_pass in trace.passes)
    else:
        text = json.dumps(trace.to_json(), indent=1, allow_nan=False) + "\n"
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
