"""Property-based fuzzing of the code box language (hypothesis).

Three sources of programs: random text, random mutations of valid programs, and random syntax
trees built from the grammar. For every input the run ends with a result or an ExplorerError
with a line and a message: never another exception, never past the time limit, never a crash
(a crash would end this test process). ``EXPLORER_FUZZ_SCALE`` multiplies the example counts
(``benchmarks/fuzz_soak.py`` runs far more than CI).
"""

from __future__ import annotations

import ast
import os
import time

import pytest
import torch
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

from explorer.core import Limits, run_program
from explorer.core.errors import ExplorerError
from explorer.core.sandbox.language import allowlist
from explorer.examples import all_examples
from tests.core import programs

SCALE = float(os.environ.get("EXPLORER_FUZZ_SCALE", "1"))
LIMITS = Limits(max_seconds=2.0, max_elements=2_000_000, max_iterations=5_000,
                max_sequence=100_000, max_output=100_000, max_int_bits=10_000)
SLACK_SECONDS = 2.0  # one torch call may finish after the limit is reached
TIME_SCALE = float(os.environ.get("EXPLORER_TEST_TIME_SCALE", "5"))  # slow or busy machines
KINDS = {"syntax", "refused", "runtime", "limit", "cancelled"}
# Python warns about odd but valid tokens ("1if") while parsing them; that is not a failure.
pytestmark = pytest.mark.filterwarnings("ignore::SyntaxWarning")
COUNTS = {"text": 0, "mutation": 0, "tree": 0}  # examples run, for the soak's report


def fuzz_settings(examples: int) -> settings:
    return settings(max_examples=max(1, int(examples * SCALE)), deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much])


def check_run(source: str, origin: str) -> None:
    """The property: a trace, or one ExplorerError placed on a line of the program, in time."""
    COUNTS[origin] += 1
    started = time.monotonic()
    trace = run_program(source, limits=LIMITS)
    elapsed = time.monotonic() - started
    # a bound for runaway C calls only, scaled so a busy machine does not fail it
    assert elapsed < (LIMITS.max_seconds + SLACK_SECONDS) * TIME_SCALE, f"{elapsed:.1f} s for {source!r}"
    assert torch.is_grad_enabled(), f"grad mode leaked from {source!r}"
    error = trace.error
    if error is None:
        return
    assert isinstance(error, ExplorerError)
    assert error.message.strip(), f"empty message for {source!r}"
    assert error.kind in KINDS, error
    lines = max(1, len(source.splitlines()))
    assert 1 <= error.line <= lines + 1, f"line {error.line} of {lines} for {source!r}: {error}"


# ----- random text ------------------------------------------------------------------------

TOKENS = [
    "x", "y", "w", "t", "torch", "F", "math", "print", "range", "len", "sum", "list", "(", ")",
    "[", "]", ",", ":", ".", "=", "+", "-", "*", "**", "/", "//", "%", "@", "<<", ">>", "==",
    "<", "not", "and", "or", "if", "else", "for", "in", "import", "from", "with", "as", "del",
    "assert", "lambda", "def", "class", "while", "try", "yield", "\n", "\n    ", "0", "1", "2.5",
    "10", "10 ** 9", "'a'", "f'{x}'", "'{}'", "None", "True", "requires_grad=True", "backward",
    "grad", "sum()", "tensor", "ones", "randn", "__class__", "__subclasses__", "_x", "{", "}",
    "*", "**{}", "\\", "#", "'", '"', "\t", "\x00", "\ud800", "é", "𝔵",
]


@fuzz_settings(1200)
@given(st.text(max_size=120))
def test_random_text(source: str) -> None:
    check_run(source, "text")


@fuzz_settings(800)
@given(st.lists(st.sampled_from(TOKENS), max_size=40).map(" ".join))
def test_random_token_soup(source: str) -> None:
    check_run(source, "text")


# ----- mutations of valid programs ---------------------------------------------------------

SEEDS = [item.source() for item in all_examples()] + [
    value for name, value in vars(programs).items() if name.isupper() and isinstance(value, str)]
NAMES = sorted(allowlist.every_member_name() | allowlist.BUILTIN_NAMES)


@st.composite
def mutated(draw: st.DrawFn) -> str:
    source = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 4))):
        source = draw(_mutation(source))
    return source


def _mutation(source: str) -> st.SearchStrategy[str]:
    size = max(len(source), 1)
    position = st.integers(0, size)
    lines = source.splitlines()
    return st.one_of(
        st.tuples(position, st.integers(1, 20)).map(lambda p: source[:p[0]] + source[p[0] + p[1]:]),
        st.tuples(position, st.sampled_from(TOKENS)).map(lambda p: source[:p[0]] + p[1] + source[p[0]:]),
        st.tuples(position, st.sampled_from(NAMES)).map(lambda p: source[:p[0]] + p[1] + source[p[0]:]),
        st.tuples(position, st.integers(-10**6, 10**12)).map(lambda p: source[:p[0]] + str(p[1]) + source[p[0]:]),
        st.tuples(st.integers(0, max(len(lines) - 1, 0)), st.integers(0, max(len(lines) - 1, 0))).map(
            lambda p: _swap_lines(lines, *p)),
        st.integers(0, max(len(lines) - 1, 0)).map(lambda i: "\n".join(lines[:i + 1] + lines[i:])),
        st.integers(0, max(len(lines) - 1, 0)).map(lambda i: "\n".join(lines[:i] + ["    " + line for line in lines[i:]])),
    )


def _swap_lines(lines: list[str], first: int, second: int) -> str:
    swapped = list(lines)
    if swapped:
        swapped[first], swapped[second] = swapped[second], swapped[first]
    return "\n".join(swapped)


@fuzz_settings(1300)
@given(mutated())
def test_mutated_valid_programs(source: str) -> None:
    check_run(source, "mutation")


# ----- random syntax trees from the grammar ------------------------------------------------

PRELUDE = ("import torch\nimport torch.nn.functional as F\nimport math\n"
           "x = torch.tensor([1.0, 2.0], requires_grad=True)\nw = torch.randn(2, 2, requires_grad=True)\n"
           "t = torch.ones(2)\ni = 1\ns = 'ab'\nl = [1, 2]\n")
VARIABLES = ["x", "w", "t", "i", "s", "l", "y"]
CALLABLE_NAMES = ["torch", "F", "math", *sorted(allowlist.BUILTIN_NAMES), "eval", "getattr", "type", "open"]
ATTRIBUTES = sorted(allowlist.TENSOR_MEMBERS | allowlist.TORCH_FUNCTIONS | allowlist.F_FUNCTIONS
                    | allowlist.STR_METHODS | allowlist.LIST_METHODS) + [
    "__class__", "__globals__", "_version", "numpy", "storage", "register_hook", "variable"]
KEYWORDS = ["requires_grad", "dim", "keepdim", "dtype", "retain_graph", "create_graph", "gradient",
            "sep", "end", "num_classes", "size", "out", "file", "_secret"]
OPERATORS = [ast.Add(), ast.Sub(), ast.Mult(), ast.Div(), ast.FloorDiv(), ast.Mod(), ast.Pow(),
             ast.MatMult(), ast.LShift(), ast.RShift(), ast.BitOr(), ast.BitAnd(), ast.BitXor()]
COMPARISONS = [ast.Eq(), ast.NotEq(), ast.Lt(), ast.GtE(), ast.Is(), ast.In(), ast.NotIn()]

constants = st.one_of(
    st.integers(-3, 3), st.integers(-10**20, 10**20), st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(), st.none(), st.text(max_size=5), st.sampled_from([10**6, 2**62, -1, 0.5, 1e300]),
).map(lambda value: ast.Constant(value))
names = st.sampled_from(VARIABLES + CALLABLE_NAMES).map(lambda name: ast.Name(name, ast.Load()))


def _compound(inner: st.SearchStrategy[ast.expr]) -> st.SearchStrategy[ast.expr]:
    arguments = st.lists(inner, max_size=3)
    keywords = st.lists(st.builds(ast.keyword, st.sampled_from(KEYWORDS), inner), max_size=2)
    return st.one_of(
        st.builds(ast.Attribute, inner, st.sampled_from(ATTRIBUTES), st.just(ast.Load())),
        st.builds(ast.Call, inner, arguments, keywords),
        st.builds(ast.BinOp, inner, st.sampled_from(OPERATORS), inner),
        st.builds(ast.UnaryOp, st.sampled_from([ast.USub(), ast.Not(), ast.Invert()]), inner),
        st.builds(ast.Compare, inner, st.lists(st.sampled_from(COMPARISONS), min_size=1, max_size=1),
                  st.lists(inner, min_size=1, max_size=1)),
        st.builds(ast.BoolOp, st.sampled_from([ast.And(), ast.Or()]), st.lists(inner, min_size=2, max_size=3)),
        st.builds(ast.IfExp, inner, inner, inner),
        st.builds(ast.Subscript, inner, inner, st.just(ast.Load())),
        st.builds(ast.List, st.lists(inner, max_size=3), st.just(ast.Load())),
        st.builds(ast.Tuple, st.lists(inner, max_size=3), st.just(ast.Load())),
        st.builds(lambda element, source: ast.ListComp(element, [ast.comprehension(
            ast.Name("k", ast.Store()), source, [], 0)]), inner, inner),
        st.builds(lambda value: ast.JoinedStr([ast.FormattedValue(value, -1, None)]), inner),
        st.builds(lambda body: ast.Lambda(ast.arguments([], [], None, [], [], None, []), body), inner),
    )


expressions = st.recursive(st.one_of(constants, names), _compound, max_leaves=8)
targets = st.sampled_from(VARIABLES).map(lambda name: ast.Name(name, ast.Store()))


def _statements(inner: st.SearchStrategy[list[ast.stmt]]) -> st.SearchStrategy[list[ast.stmt]]:
    blocks = inner.filter(bool)
    loop_range = st.integers(0, 50).map(lambda n: ast.Call(ast.Name("range", ast.Load()), [ast.Constant(n)], []))
    one = st.one_of(
        st.builds(lambda body: ast.For(ast.Name("k", ast.Store()), body[0], body[1], []),
                  st.tuples(st.one_of(loop_range, expressions), blocks)),
        st.builds(lambda test, body, orelse: ast.If(test, body, orelse), expressions, blocks, inner),
        st.builds(lambda body: ast.With([ast.withitem(ast.Call(ast.Attribute(
            ast.Name("torch", ast.Load()), "no_grad", ast.Load()), [], []))], body), blocks),
    )
    return st.lists(one, min_size=1, max_size=2)


simple_statements = st.one_of(
    st.builds(lambda target, value: ast.Assign([target], value), targets, expressions),
    st.builds(lambda target, op, value: ast.AugAssign(target, op, value), targets, st.sampled_from(OPERATORS), expressions),
    st.builds(ast.Expr, expressions),
    st.builds(lambda value: ast.Assert(value, None), expressions),
    st.sampled_from([ast.Pass(), ast.Break(), ast.Continue(),
                     ast.Import([ast.alias("os")]), ast.Import([ast.alias("torch.nn.functional", "G")]),
                     ast.Delete([ast.Name("y", ast.Del())]),
                     ast.Expr(ast.Call(ast.Attribute(ast.Name("y", ast.Load()), "backward", ast.Load()), [], []))]),
).map(lambda statement: [statement])
statement_lists = st.recursive(simple_statements, _statements, max_leaves=6)


@st.composite
def tree_programs(draw: st.DrawFn) -> str:
    body: list[ast.stmt] = []
    for _ in range(draw(st.integers(1, 5))):
        body.extend(draw(statement_lists))
    module = ast.fix_missing_locations(ast.Module(body, []))
    try:
        return PRELUDE + ast.unparse(module) + "\n"
    except ValueError:  # a tree Python cannot print (a backslash inside an f-string field)
        reject()


@fuzz_settings(1000)
@given(tree_programs())
def test_random_syntax_trees(source: str) -> None:
    check_run(source, "tree")


def test_the_prelude_itself_runs() -> None:
    assert run_program(PRELUDE, limits=LIMITS).error is None
