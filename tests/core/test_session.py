"""Saved sessions: round trips, atomic saving with a backup, and refusing hostile files."""

from __future__ import annotations

import errno
import json
import math
import os
import re
import time
from pathlib import Path
from typing import Any

import pytest

import explorer.core.storage.files as files_module
import explorer.core.storage.session as session_module
from explorer.core.errors import ExplorerError
from explorer.core.sandbox.limits import Limits
from explorer.core.storage.session import (
    SESSION_SCHEMA,
    Session,
    SessionError,
    backup_path,
    load_session,
    parse_session,
    save_session,
    session_to_json,
)

DOCS = Path(__file__).resolve().parents[2] / "docs" / "session-format.md"
SAVED_KEY_ORDER = ["schema", "theme", "font_size", "live_mode", "pass_index", "step",
                   "overrides", "code"]
UNICODE_CODE = (
    "import torch\r\n"
    "x = torch.tensor(2.0, requires_grad=True)  # ẋ, 梯度, градиент, גרדיאנט\n"
    "\ty = x ** 3\n"
    "print('naïve 🚀 e\u0301 \u0000 \u2028 \"quoted\" \\\\ back')\n"
)


def _rich_session() -> Session:
    return Session(
        code=UNICODE_CODE,
        overrides={
            "x": 2.5,
            "n": 7,
            "flag": True,
            "big": 2**62,
            "tiny": 5e-324,
            "negative_zero": -0.0,
            "nan": math.nan,
            "inf": math.inf,
            "cube": [[[1.0, math.nan], [math.inf, -math.inf]], [[0, -1], [False, 3.25]]],
            "empty": [],
            "empty_rows": [[], []],
            "α": [1, 2, 3],
            "match": 1.0,  # a soft keyword is still a usable variable name
        },
        theme="dark",
        pass_index=2,
        step=5,
        font_size=14,
        live_mode=True,
    )


def _document(**changes: Any) -> bytes:
    """A valid session file with some keys changed; a value of ``...`` removes the key."""
    document: dict[str, Any] = {"schema": SESSION_SCHEMA, "code": "x = 1\n"}
    for key, value in changes.items():
        if value is ...:
            document.pop(key, None)
        else:
            document[key] = value
    return json.dumps(document).encode("utf-8")


def _with_overrides(overrides_json: str) -> bytes:
    text = f'{{"schema": "{SESSION_SCHEMA}", "code": "", "overrides": {overrides_json}}}'
    return text.encode("utf-8")


def _listing(folder: Path) -> list[str]:
    return sorted(entry.name for entry in folder.iterdir())


# 1. Round trip


def test_round_trip_through_a_file_gives_an_equal_session(tmp_path: Path) -> None:
    original = _rich_session()
    path = tmp_path / "lesson.session.json"
    save_session(path, original)
    loaded = load_session(path)
    assert loaded == original
    assert loaded.code == UNICODE_CODE
    assert math.isnan(loaded.overrides["nan"])  # type: ignore[arg-type]
    assert loaded.overrides["inf"] == math.inf
    assert loaded.overrides["cube"][0][1] == [math.inf, -math.inf]  # type: ignore[index]
    # Types survive: an int stays an int, a bool a bool, -0.0 keeps its sign.
    assert type(loaded.overrides["n"]) is int and type(loaded.overrides["flag"]) is bool
    assert math.copysign(1.0, loaded.overrides["negative_zero"]) == -1.0  # type: ignore[arg-type]
    assert loaded.overrides["cube"][1][1][0] is False  # type: ignore[index]
    assert load_session(path) == parse_session(path.read_text(encoding="utf-8"))


def test_round_trip_of_a_fresh_nan_object(tmp_path: Path) -> None:
    original = Session(code="", overrides={"x": float("nan"), "w": [float("-inf"), 1.0]})
    save_session(tmp_path / "s.json", original)
    assert load_session(tmp_path / "s.json") == original


def test_equality_tells_apart_values_that_save_differently() -> None:
    assert Session(code="", overrides={"x": 1}) != Session(code="", overrides={"x": 1.0})
    assert Session(code="", overrides={"x": 1}) != Session(code="", overrides={"x": True})
    assert Session(code="", overrides={"x": 0.0}) != Session(code="", overrides={"x": -0.0})
    assert Session(code="", overrides={"x": [1]}) != Session(code="", overrides={"x": 1})
    assert Session(code="a") != Session(code="b")
    assert Session(code="", overrides={"a": 1, "b": 2}) == Session(code="",
                                                                    overrides={"b": 2, "a": 1})


def test_defaults() -> None:
    session = Session(code="x = 1")
    assert (session.overrides, session.theme, session.pass_index, session.step,
            session.font_size, session.live_mode) == ({}, "light", 0, 0, 11, False)
    assert Session(code="").overrides is not Session(code="").overrides


def test_optional_keys_may_be_absent_from_a_file() -> None:
    assert parse_session(_document()) == Session(code="x = 1\n")


def test_a_utf8_byte_order_mark_is_tolerated() -> None:
    assert parse_session(b"\xef\xbb\xbf" + _document()) == Session(code="x = 1\n")


def test_limits_are_inclusive() -> None:
    assert len(Session(code="x" * 1_000_000).code) == 1_000_000
    many = {f"v{index}": index for index in range(1_000)}
    assert len(parse_session(_document(overrides=many)).overrides) == 1_000
    numbers = parse_session(_document(overrides={"a": [0.5] * 50_000, "b": [1] * 50_000}))
    assert len(numbers.overrides["a"]) == 50_000  # type: ignore[arg-type]
    sixteen_dims = _with_overrides('{"x": ' + "[" * 16 + "1" + "]" * 16 + "}")
    assert parse_session(sixteen_dims).overrides["x"] == [[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]
    for font_size in (6, 72):
        assert parse_session(_document(font_size=font_size)).font_size == font_size
    assert parse_session(_document(step=2**31 - 1, pass_index=2**31 - 1)).step == 2**31 - 1


def test_code_limit_matches_the_run_limit() -> None:
    assert session_module.MAX_CODE_CHARS == Limits().max_source


def test_brackets_inside_strings_are_not_nesting() -> None:
    code = "[" * 100_000 + '"{' + "\\" + "}" * 50
    loaded = parse_session(_document(code=code))
    assert loaded.code == code


def test_loading_only_returns_data(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    code = f"import os\nopen({str(marker)!r}, 'w')\nos.system('touch {marker}')\n"
    path = tmp_path / "s.json"
    path.write_bytes(_document(code=code))
    assert load_session(path).code == code
    assert not marker.exists()


def test_the_example_in_the_docs_loads() -> None:
    blocks = re.findall(r"```json\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.DOTALL)
    assert blocks, "docs/session-format.md has no ```json example"
    example = parse_session(blocks[0])
    assert example.theme == "dark" and example.overrides and example.code
    assert session_to_json(example) == blocks[0]


# 2. The backup


def test_saving_over_a_file_keeps_the_previous_content_as_bak(tmp_path: Path) -> None:
    path = tmp_path / "lesson.json"
    first, second, third = (Session(code=f"x = {n}") for n in (1, 2, 3))
    save_session(path, first)
    assert _listing(tmp_path) == ["lesson.json"]
    first_bytes = path.read_bytes()
    save_session(path, second)
    assert backup_path(path) == tmp_path / "lesson.json.bak"
    assert (tmp_path / "lesson.json.bak").read_bytes() == first_bytes
    assert load_session(path) == second
    second_bytes = path.read_bytes()
    save_session(path, third)
    assert (tmp_path / "lesson.json.bak").read_bytes() == second_bytes
    assert load_session(path) == third
    assert _listing(tmp_path) == ["lesson.json", "lesson.json.bak"]


def test_the_bak_keeps_any_previous_bytes_even_if_not_a_session(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(b"\x00\xffnot a session")
    save_session(path, Session(code=""))
    assert (tmp_path / "notes.txt.bak").read_bytes() == b"\x00\xffnot a session"


# 3. Failing midway


class _FullDiskStream:
    """A file object that writes half of what it is given, then reports a full disk."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, data: bytes) -> int:
        self._stream.write(data[: len(data) // 2])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)

    def __enter__(self) -> _FullDiskStream:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stream.close()


@pytest.mark.parametrize("failing_write", [1, 2], ids=["backup-write", "session-write"])
def test_a_full_disk_never_truncates_the_original(tmp_path: Path, monkeypatch,
                                                  failing_write: int) -> None:
    path = tmp_path / "lesson.json"
    save_session(path, Session(code="old = 1", overrides={"w": [1.0, 2.0]}))
    original = path.read_bytes()
    real_fdopen = os.fdopen
    writes = 0

    def fdopen(fd: int, *args: Any, **kwargs: Any) -> Any:
        nonlocal writes
        writes += 1
        stream = real_fdopen(fd, *args, **kwargs)
        return _FullDiskStream(stream) if writes == failing_write else stream

    monkeypatch.setattr(files_module.os, "fdopen", fdopen)
    with pytest.raises(OSError) as raised:
        save_session(path, Session(code="new = 2" * 1000))
    assert raised.value.errno == errno.ENOSPC
    monkeypatch.undo()
    assert writes == failing_write
    assert path.read_bytes() == original
    expected = ["lesson.json"] if failing_write == 1 else ["lesson.json", "lesson.json.bak"]
    assert _listing(tmp_path) == expected  # no temporary file left behind
    if failing_write == 2:
        assert (tmp_path / "lesson.json.bak").read_bytes() == original


@pytest.mark.parametrize("broken", ["fsync", "replace"])
def test_a_failing_fsync_or_rename_never_truncates_the_original(tmp_path: Path, monkeypatch,
                                                                broken: str) -> None:
    path = tmp_path / "lesson.json"
    path.write_bytes(b'{"precious": true}')
    real_replace = os.replace

    def failing_fsync(fd: int) -> None:
        raise OSError(errno.EIO, "I/O error")

    def failing_replace(source: Any, destination: Any) -> None:
        if Path(destination) == path:  # the backup is written; the final rename fails
            raise OSError(errno.EIO, "I/O error")
        real_replace(source, destination)

    if broken == "fsync":
        monkeypatch.setattr(files_module.os, "fsync", failing_fsync)
    else:
        monkeypatch.setattr(files_module.os, "replace", failing_replace)
    with pytest.raises(OSError):
        save_session(path, Session(code="new"))
    monkeypatch.undo()
    assert path.read_bytes() == b'{"precious": true}'
    assert all(not name.endswith(".tmp") for name in _listing(tmp_path))
    assert set(_listing(tmp_path)) <= {"lesson.json", "lesson.json.bak"}


def test_an_invalid_session_is_refused_before_the_disk_is_touched(tmp_path: Path) -> None:
    path = tmp_path / "lesson.json"
    path.write_bytes(b"old")
    session = Session(code="")
    session.step = -1  # fields are mutable; saving checks them again
    with pytest.raises(SessionError, match=r"step: -1 is out of range"):
        save_session(path, session)
    session.step = 0
    session.overrides["bad name"] = 1
    with pytest.raises(SessionError, match=r'overrides\["bad name"\]'):
        save_session(path, session)
    assert path.read_bytes() == b"old" and _listing(tmp_path) == ["lesson.json"]


def test_a_session_too_big_to_load_is_not_saved(tmp_path: Path) -> None:
    # Control characters are written as six-byte escapes: a million of them exceed 5 MiB.
    session = Session(code="\x01" * 1_000_000)
    with pytest.raises(SessionError, match=r"would be 6,000,\d+ bytes"):
        save_session(tmp_path / "big.json", session)
    assert _listing(tmp_path) == []


# 4. Malformed and hostile files

DEEP = "[" * 100_000 + "]" * 100_000
HOSTILE_FILES: list[tuple[str, bytes, str]] = [
    ("not-json", b"this is not json", "not valid JSON"),
    ("empty-file", b"", "not valid JSON"),
    ("truncated", _document()[:-10], "not valid JSON"),
    ("trailing-garbage", _document() + b" {}", "not valid JSON"),
    ("binary-garbage", b"\x89PNG\r\n\x1a\n" + bytes(range(128, 256)) * 8, "not UTF-8"),
    ("binary-with-nul", bytes(range(256)) * 4, "NUL bytes"),
    ("utf-16-with-bom", _document().decode().encode("utf-16"), "UTF-16"),
    ("utf-16-without-bom", _document().decode().encode("utf-16-le"), "NUL bytes"),
    ("latin-1", _document(code="café").decode().encode("latin-1").replace(b"\\u00e9", b"\xe9"),
     "not UTF-8"),
    ("top-level-list", b"[1, 2, 3]", "expected a JSON object at the top level, got a list"),
    ("top-level-string", b'"explorer.session/1"', "at the top level"),
    ("top-level-null", b"null", "at the top level, got null"),
    ("missing-schema", _document(schema=...), "schema: missing"),
    ("schema-not-string", _document(schema=1), "schema: expected a string, got 1"),
    ("wrong-schema", _document(schema="explorer.trace/1"),
     'schema: expected "explorer.session/1", got "explorer.trace/1"'),
    ("future-schema", _document(schema="explorer.session/2", new_field=1),
     "made by a newer version"),
    ("unknown-key", _document(colour="red"), 'unknown key "colour"'),
    ("duplicate-key", b'{"schema": "explorer.session/1", "code": "a", "code": "b"}',
     'the key "code" appears twice'),
    ("missing-code", _document(code=...), "code: missing"),
    ("code-number", _document(code=42), "code: expected a string, got 42"),
    ("code-null", _document(code=None), "code: expected a string, got null"),
    ("code-list", _document(code=["x = 1"]), "code: expected a string, got a list"),
    ("code-too-long", _document(code="x" * 1_000_001), "code: 1,000,001 characters"),
    ("code-lone-surrogate", b'{"schema": "explorer.session/1", "code": "x\\ud800"}',
     "code: invalid character (a lone surrogate)"),
    ("overrides-list", _document(overrides=[1, 2]), "overrides: expected an object, got a list"),
    ("overrides-number", _document(overrides=3), "overrides: expected an object, got 3"),
    ("name-starts-with-digit", _document(overrides={"1x": 1}), 'overrides["1x"]: not a valid'),
    ("name-underscore", _document(overrides={"_x": 1}), 'overrides["_x"]: names starting with _'),
    ("name-dunder", _document(overrides={"__class__": 1}), 'overrides["__class__"]'),
    ("name-dotted", _document(overrides={"a.b": 1}), 'overrides["a.b"]: not a valid'),
    ("name-empty", _document(overrides={"": 1}), 'overrides[""]: not a valid'),
    ("name-keyword", _document(overrides={"lambda": 1}), 'overrides["lambda"]: not a valid'),
    ("name-space", _document(overrides={"x y": 1}), 'overrides["x y"]: not a valid'),
    ("name-not-nfkc", _document(overrides={"ﬁ": 1}), "NFKC"),
    ("name-too-long", _document(overrides={"x" * 101: 1}), "at most 100 characters"),
    ("too-many-overrides", _document(overrides={f"v{n}": 0 for n in range(1_001)}),
     "overrides: 1,001 entries, more than the 1,000 allowed"),
    ("value-string", _document(overrides={"x": "abc"}),
     'overrides.x: expected a number or a list of numbers, got "abc"'),
    ("value-object", _document(overrides={"x": {"a": 1}}), "overrides.x: expected a number or "
     "a list of numbers, got an object"),
    ("value-null", _document(overrides={"x": None}), "overrides.x: expected a number or a list "
     "of numbers, got null"),
    ("value-lowercase-nan", _document(overrides={"x": "nan"}), 'got "nan"'),
    ("string-in-list", _document(overrides={"w": [[1, 2], [3, "4"]]}),
     'overrides.w[1][1]: expected a number, got "4"'),
    ("null-in-list", _document(overrides={"w": [1, None]}), "overrides.w[1]: expected a number"),
    ("ragged-list", _document(overrides={"w": [[1, 2], [3]]}),
     "overrides.w: not rectangular: [0] is a list of shape 2 but [1] is a list of shape 1"),
    ("ragged-deep", _document(overrides={"w": [[[1], [2]], [[3], [4, 5]]]}),
     "overrides.w[1]: not rectangular"),
    ("number-beside-list", _document(overrides={"w": [1, [2]]}), "overrides.w: not rectangular"),
    ("too-many-numbers", _document(overrides={"w": [0] * 100_001}),
     "more than 100,000 numbers"),
    ("too-many-numbers-together", _document(overrides={"a": [0] * 60_000, "b": [0] * 60_000}),
     "overrides.b[40000]: the overrides hold more than 100,000 numbers"),
    ("bare-nan", _with_overrides('{"x": NaN}'), "bare NaN is not valid JSON"),
    ("bare-infinity", _with_overrides('{"x": [1, Infinity]}'), "bare Infinity"),
    ("bare-minus-infinity", _with_overrides('{"x": -Infinity}'), "bare -Infinity"),
    ("bare-nan-as-step", b'{"schema": "explorer.session/1", "code": "", "step": NaN}',
     "bare NaN"),
    ("float-overflow", _with_overrides('{"x": 1e400}'), "too large for a 64-bit float"),
    ("int-past-64-bits", _with_overrides('{"x": 9223372036854775808}'),
     "does not fit in 64 bits"),
    ("int-of-5000-digits", _with_overrides('{"x": ' + "9" * 5000 + "}"), "digits"),
    ("theme-blue", _document(theme="blue"),
     'theme: expected one of "light", "dark", "projector", got "blue"'),
    ("theme-capitalized", _document(theme="Dark"), 'got "Dark"'),
    ("theme-null", _document(theme=None), "theme: expected"),
    ("negative-step", _document(step=-1), "step: -1 is out of range"),
    ("bool-step", _document(step=True), "step: expected a whole number, got true"),
    ("float-step", _document(step=1.0), "step: expected a whole number, got 1.0"),
    ("string-step", _document(step="3"), 'step: expected a whole number, got "3"'),
    ("negative-pass", _document(pass_index=-5), "pass_index: -5 is out of range"),
    ("huge-pass", _document(pass_index=2**31), "pass_index: 2147483648 is out of range"),
    ("bool-pass", _document(pass_index=False), "pass_index: expected a whole number"),
    ("font-size-0", _document(font_size=0), "font_size: 0 is out of range (6..72)"),
    ("font-size-1000", _document(font_size=1000), "font_size: 1000 is out of range"),
    ("font-size-float", _document(font_size=11.5), "font_size: expected a whole number"),
    ("live-mode-int", _document(live_mode=1), "live_mode: expected true or false, got 1"),
    ("live-mode-string", _document(live_mode="true"), 'live_mode: expected true or false'),
    ("deep-list-100000", _with_overrides('{"x": ' + DEEP + "}"), "nested 100,002 levels deep"),
    ("deep-unclosed-100000", b"[" * 100_000, "nested 100,000 levels deep"),
    ("deep-objects", b'{"a":' * 50_000 + b"1" + b"}" * 50_000, "nested 50,000 levels deep"),
    ("seventeen-dimensions", _with_overrides('{"x": ' + "[" * 17 + "1" + "]" * 17 + "}"),
     "nested 19 levels deep, more than the 18"),
    ("six-megabytes", b'{"schema": "explorer.session/1", "code": "' + b"x" * 6_000_000 + b'"}',
     "the file is 6,000,044 bytes, larger than the 5,242,880"),
    ("six-megabytes-of-spaces", b" " * 6_000_000, "larger than"),
]


@pytest.mark.parametrize(("content", "reason"), [case[1:] for case in HOSTILE_FILES],
                         ids=[case[0] for case in HOSTILE_FILES])
def test_hostile_file_is_refused_with_a_reason(tmp_path: Path, content: bytes,
                                               reason: str) -> None:
    path = tmp_path / "hostile.json"
    path.write_bytes(content)
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    started = time.perf_counter()
    with pytest.raises(SessionError) as raised:
        load_session(path)
    assert time.perf_counter() - started < 5.0
    assert reason in raised.value.message
    assert isinstance(raised.value, ExplorerError) and raised.value.kind == "refused"
    assert str(raised.value) == raised.value.message
    # Loading reads only: the file, its times and the folder are as they were.
    assert path.read_bytes() == content
    assert path.stat().st_mtime_ns == 1_000_000_000
    assert _listing(tmp_path) == ["hostile.json"]
    with pytest.raises(SessionError) as parsed:
        parse_session(content)
    assert parsed.value.message == raised.value.message


def test_there_are_enough_hostile_files() -> None:
    assert len(HOSTILE_FILES) >= 25
    assert len({case[0] for case in HOSTILE_FILES}) == len(HOSTILE_FILES)


def test_a_recursion_error_from_the_parser_is_still_a_session_error(monkeypatch) -> None:
    # Disable the nesting scan to reach the parser's own guard.
    monkeypatch.setattr(session_module, "_deepest_nesting", lambda text: 0)
    with pytest.raises(SessionError, match="nested too deeply"):
        parse_session(_with_overrides('{"x": ' + DEEP + "}"))


def test_text_input_is_checked_like_bytes() -> None:
    with pytest.raises(SessionError, match="larger than"):
        parse_session("x" * 6_000_000)
    with pytest.raises(SessionError, match="larger than"):
        parse_session("é" * 3_000_000)  # 3 million characters, 6 million bytes
    with pytest.raises(SessionError, match="lone surrogate"):
        parse_session('{"schema": "explorer.session/1", "code": "\ud800"}')


def test_a_device_is_not_read(tmp_path: Path) -> None:
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero here")
    with pytest.raises(SessionError, match="not a regular file"):
        load_session("/dev/zero")


def test_a_missing_file_is_an_os_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load_session(tmp_path / "absent.json")


@pytest.mark.parametrize(("changes", "reason"), [
    ({"font_size": 5}, "font_size: 5 is out of range"),
    ({"theme": "blue"}, "theme:"),
    ({"live_mode": 0}, "live_mode:"),
    ({"code": b"x = 1"}, "code: expected a string"),
    ({"code": "\udc80"}, "lone surrogate"),
    ({"overrides": {"x": (1, 2)}}, "overrides.x: expected a number or a list of numbers, got "
                                   "a tuple"),
    ({"overrides": {"x": "NaN"}}, 'got "NaN"'),  # the strings mean numbers only in files
    ({"overrides": {"x": 2**64}}, "does not fit in 64 bits"),
    ({"overrides": {"x": 10**5000}}, "an integer of 16,610 bits"),
    ({"overrides": {"x": [[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]}}, "lists nested more than 16"),
    ({"overrides": {1: 2}}, "overrides[1]: names must be strings"),
])
def test_the_constructor_checks_every_field(changes: dict[str, Any], reason: str) -> None:
    fields: dict[str, Any] = {"code": ""} | changes
    with pytest.raises(SessionError) as raised:
        Session(**fields)
    assert reason in raised.value.message


# 5. The saved file


def test_a_saved_file_is_plain_json_with_the_schema_first(tmp_path: Path) -> None:
    path = tmp_path / "lesson.json"
    save_session(path, _rich_session())
    data = path.read_bytes()

    def refuse(token: str) -> None:
        raise AssertionError(f"bare {token} in a saved file")

    document = json.loads(data.decode("utf-8"), parse_constant=refuse)
    assert list(document) == SAVED_KEY_ORDER
    assert document["schema"] == SESSION_SCHEMA == "explorer.session/1"
    assert data.startswith(b'{\n  "schema": "explorer.session/1",\n')
    assert data.endswith(b"}\n")
    # UTF-8 as it is, not \u escapes, so the code stays readable in any editor.
    assert "梯度".encode() in data and "🚀".encode() in data and b"\\u68af" not in data
    assert document["overrides"]["cube"] == [[[1.0, "NaN"], ["Infinity", "-Infinity"]],
                                             [[0, -1], [False, 3.25]]]
    assert list(document["overrides"]) == sorted(document["overrides"])
    assert '    "cube": [[[1.0, "NaN"], ["Infinity", "-Infinity"]], [[0, -1], [false, 3.25]]],' \
        in data.decode("utf-8")
    assert data.decode("utf-8") == session_to_json(_rich_session())


def test_saving_is_deterministic(tmp_path: Path) -> None:
    forward = Session(code="y", overrides={"a": 1, "b": [2.0], "c": True})
    backward = Session(code="y", overrides={"c": True, "b": [2.0], "a": 1})
    save_session(tmp_path / "one.json", forward)
    save_session(tmp_path / "two.json", backward)
    assert (tmp_path / "one.json").read_bytes() == (tmp_path / "two.json").read_bytes()


def test_a_session_saves_and_loads_in_every_theme(tmp_path) -> None:
    from explorer.cli import THEME_NAMES
    from explorer.core.storage.session import THEMES, Session, load_session, save_session
    from explorer.core.view.themes import THEMES as THEME_TABLE

    assert set(THEMES) == set(THEME_TABLE) == set(THEME_NAMES)
    for name in THEMES:
        path = tmp_path / f"{name}.explorer.json"
        save_session(path, Session(code="x = 1\n", theme=name))
        assert load_session(path).theme == name


def test_new_files_get_the_users_umask_and_old_files_keep_their_mode(tmp_path) -> None:
    import os
    import stat

    from explorer.core.storage.files import write_atomic

    previous = os.umask(0o027)
    try:
        fresh = tmp_path / "fresh.json"
        write_atomic(fresh, "{}")
        assert stat.S_IMODE(fresh.stat().st_mode) == 0o640
        kept = tmp_path / "kept.json"
        kept.write_text("old")
        os.chmod(kept, 0o604)
        write_atomic(kept, "new")
        assert stat.S_IMODE(kept.stat().st_mode) == 0o604 and kept.read_text() == "new"
    finally:
        os.umask(previous)
