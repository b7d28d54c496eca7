"""Write the corpus status as Markdown: which programs match, and each other one's first blocker.

``python -m tests.corpus.report [-o status.md] [names...]``: the language authors' work list,
grouped by cause (the code box's error without its specifics, or the kind of mismatch).
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import torch

from tests.corpus.compare import (
    advisories,
    compare,
    corpus_files,
    header,
    run_in_code_box,
    run_in_python,
)


@dataclass
class Outcome:
    path: Path
    problems: list[str]
    python_error: str
    seconds: float
    advisories: list[str]

    @property
    def matches(self) -> bool:
        return not self.problems

    @property
    def cause(self) -> str:
        return cause_of(self.problems[0])


def cause_of(problem: str) -> str:
    """A problem without the details that differ from program to program."""
    text = re.sub(r"^code box error \((\w+)\) at line \d+: ", r"code box \1: ", problem)
    text = re.sub(r"^pass \d+ \(line \d+\): ", "", text)
    text = re.sub(r"^printed output line \d+:.*", "printed output differs", text)
    text = re.sub(r"step \d+ .*? gradient (in|out).*", r"gradient \1 of a step differs", text)
    text = re.sub(r"^leaf `[^`]+` (value|\.grad).*", r"a leaf's \1 differs", text)
    text = re.sub(r"^parameter `[^`]+` is not among the code box's variables.*",
                  "a global module's parameters are not among the code box's leaves (Trace.leaves)",
                  text)
    text = re.sub(r"^leaf `[^`]+` is not among the code box's variables.*",
                  "a global leaf tensor is not among the code box's leaves (Trace.leaves)", text)
    text = re.sub(r"^\d+ backward passes in Python, \d+ in the code box.*",
                  "number of backward passes differs", text)
    text = re.sub(r"'[^']*'|`[^`]*`", lambda match: match.group(0) if len(match.group(0)) < 60 else "'…'", text)
    return text[:160]


def run(paths: list[Path]) -> list[Outcome]:
    outcomes = []
    for path in paths:
        started = time.perf_counter()
        python = run_in_python(path)
        trace = run_in_code_box(path)
        found = compare(python, trace)
        outcomes.append(Outcome(path, found.problems, python.error.message if python.error else "",
                                time.perf_counter() - started, advisories(python, trace)))
    return outcomes


def markdown(outcomes: list[Outcome]) -> str:
    matching = [outcome for outcome in outcomes if outcome.matches]
    failing = [outcome for outcome in outcomes if not outcome.matches]
    lines = [
        "# Corpus status (tests/corpus)",
        "",
        f"Written {time.strftime('%Y-%m-%d %H:%M')} by `python -m tests.corpus.report`. "
        f"**{len(matching)} of {len(outcomes)} programs match Python** "
        f"({100 * len(matching) / max(len(outcomes), 1):.0f}%; the goal is 95%). "
        f"Whole corpus: {sum(outcome.seconds for outcome in outcomes):.1f} s.",
        "",
        "Each failing program is listed once, under the cause of its *first* difference "
        "(the first line of its report; the next two follow as \"then\"). Run one program's "
        "full report with `.venv/bin/python -m pytest tests/corpus/test_corpus.py -q -k NAME`, "
        "or this list for some programs with `.venv/bin/python -m tests.corpus.report NAME...`.",
        "",
        "What is compared (tests/corpus/compare.py): the error (a program that fails in Python "
        "must fail in the code box with kind `runtime`, Python's `Type: message` contained in "
        "the code box's message, at Python's innermost program line); printed output exactly "
        "(object addresses `0x...` blanked); every backward pass the program itself makes "
        "(`run_program(..., passes=\"all\")`; passes torch's own gradcheck/jacobian/hessian/"
        "vjp/jvp/hvp make inside themselves are not counted), each with its call, line, "
        "retain_graph/create_graph, graph shape (node names and slots, walked from the roots), "
        "engine step order, the gradients into and out of every step, hook changes, seeds, "
        "root values, `.grad` before/after at each AccumulateGrad and autograd.grad results; "
        "the pass summaries (order and loss); and at the end every global leaf tensor's value, "
        "requires_grad and `.grad`, and every parameter of every global module (listed as "
        "`model.0.weight`, i.e. global name + `named_parameters()` name, or as the trusted "
        "recorder names it, `0.weight`). Tolerance: rtol 1e-6, atol 1e-7, same dtype and shape.",
        "",
    ]
    groups: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in failing:
        groups[outcome.cause].append(outcome)
    for cause, members in sorted(groups.items(), key=lambda item: (-len(item[1]), item[0])):
        lines.append(f"## {cause} ({len(members)})")
        lines.append("")
        for outcome in members:
            kind, _ = header(outcome.path)
            lines.append(f"- `{outcome.path.name}` ({kind}): {outcome.problems[0]}")
            for extra in outcome.problems[1:3]:
                lines.append(f"  - then: {extra}")
        lines.append("")
    advised: dict[str, list[str]] = defaultdict(list)
    for outcome in outcomes:
        for advice in outcome.advisories:
            kind, _, detail = advice.partition(": ")
            advised[kind].append(f"`{outcome.path.stem}` ({detail})")
    if advised:
        lines.append("## Not failing the tests, but worth a look")
        lines.append("")
        for kind, items in advised.items():
            lines.append(f"- {kind}, in {len(items)} programs: " + "; ".join(items))
        lines.append("")
    lines.append("## Matching")
    lines.append("")
    lines.append(", ".join(f"`{outcome.path.stem}`" for outcome in matching) or "none yet")
    lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-o", "--output", type=Path, help="write the Markdown here (else stdout)")
    parser.add_argument("names", nargs="*", help="only these programs (file stems)")
    options = parser.parse_args(argv)
    paths = [path for path in corpus_files() if not options.names or path.stem in options.names]
    torch.set_num_threads(1)  # as the tests run (tests/corpus/conftest.py)
    text = markdown(run(paths))
    if options.output:
        options.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
