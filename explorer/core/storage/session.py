"""Saved sessions: the program text and the screen state, as versioned JSON.

A session file is public, user-facing format (documented in ``docs/session-format.md``), so
reading one is strict: every field is type- and range-checked, unknown keys are refused, and
size and nesting are bounded before the JSON parser gets to allocate or recurse. Loading only
returns data; nothing in a session is ever executed here (the app runs ``code`` through its
sandbox). Saving is atomic and keeps the previous file as ``<name>.bak``.
"""

from __future__ import annotations

import json
import keyword
import math
import os
import re
import stat
import unicodedata
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path
from typing import TypeAlias

from explorer.core.errors import ExplorerError
from explorer.core.storage.files import write_atomic
from explorer.core.view.themes import THEMES as THEME_TABLE

SESSION_SCHEMA = "explorer.session/1"

# Limits of the format. They are part of the public contract: changing one changes which files
# open, so they are documented in docs/session-format.md and only ever raised with care.
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_CODE_CHARS = 1_000_000  # the same as Limits.max_source: longer code could never run
MAX_OVERRIDES = 1_000
MAX_NAME_CHARS = 100
MAX_NUMBERS = 100_000  # across all overrides together
MAX_JSON_VALUES = 2 * MAX_NUMBERS + 10_000  # numbers, lists and fields of the whole file
MAX_DIMENSIONS = 16  # 2**17 > MAX_NUMBERS, so more dimensions of size >= 2 could not fit anyway
MAX_JSON_DEPTH = MAX_DIMENSIONS + 2  # the document object and the overrides object come first
MAX_POSITION = 2**31 - 1  # pass and step positions end up in Qt widgets, which hold C ints
MIN_FONT_SIZE, MAX_FONT_SIZE = 6, 72
THEMES = tuple(THEME_TABLE)  # every theme the app has: a session saved in any of them loads

OverrideValue: TypeAlias = "int | float | bool | list[OverrideValue]"

_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1  # overrides become torch tensors
_NON_FINITE_BY_NAME = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}
_FIELD_ORDER = ("schema", "theme", "font_size", "live_mode", "pass_index", "step", "overrides",
                "code")
_SCHEMA_PATTERN = re.compile(r"explorer\.session/([0-9]{1,9})")
_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# For the nesting scan: a JSON string (possibly unterminated), and runs of non-bracket text.
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?', re.DOTALL)
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")
_BRACKET_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


@dataclass(eq=False)
class SessionError(ExplorerError):
    """A session that cannot be saved or opened; ``message`` says why, naming the field."""

    kind: str = "refused"


@dataclass(eq=False)
class Session:
    """Everything needed to restore the screen: the program and where the user was.

    Construction validates every field and raises :class:`SessionError`. Two sessions are
    equal when they would be saved identically, so NaN equals NaN but ``1``, ``1.0`` and
    ``True`` differ.
    """

    code: str
    overrides: dict[str, OverrideValue] = field(default_factory=dict)
    theme: str = "light"
    pass_index: int = 0
    step: int = 0
    font_size: int = 11
    live_mode: bool = False

    def __post_init__(self) -> None:
        _check_session(self)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Session):
            return NotImplemented
        return self._comparable() == other._comparable()

    def _comparable(self) -> tuple[object, ...]:
        overrides = {name: _canonical(value) for name, value in self.overrides.items()}
        return (self.code, overrides, self.theme, self.pass_index, self.step, self.font_size,
                self.live_mode)


# Saving


def session_to_json(session: Session) -> str:
    """The file text of ``session``: indented, fixed key order, ``schema`` first."""
    _check_session(session)  # the fields may have been changed since construction
    encoded = {
        "schema": _dumps(SESSION_SCHEMA),
        "theme": _dumps(session.theme),
        "font_size": _dumps(session.font_size),
        "live_mode": _dumps(session.live_mode),
        "pass_index": _dumps(session.pass_index),
        "step": _dumps(session.step),
        "overrides": _encode_overrides(session.overrides),
        "code": _dumps(session.code),  # last: it is by far the longest line
    }
    body = ",\n".join(f"  {_dumps(key)}: {value}" for key, value in encoded.items())
    text = "{\n" + body + "\n}\n"
    _check_saved_size(text)
    return text


def save_session(path: str | os.PathLike[str], session: Session) -> None:
    """Write ``session`` to ``path`` atomically, keeping any previous file as ``<name>.bak``.

    The session is validated and encoded before the disk is touched. Disk errors propagate as
    :class:`OSError`; whatever happens, ``path`` holds either its old or its new content.
    """
    payload = session_to_json(session).encode("utf-8")
    target = Path(path)
    _keep_backup(target)
    write_atomic(target, payload)


def backup_path(path: str | os.PathLike[str]) -> Path:
    """Where :func:`save_session` keeps the previous content of ``path``."""
    target = Path(path)
    return target.with_name(target.name + ".bak")


def _keep_backup(target: Path) -> None:
    # A copy, not a rename: until the new file is in place, the original must stay where it is.
    try:
        previous = target.read_bytes()
    except FileNotFoundError:
        return
    write_atomic(backup_path(target), previous)


def _encode_overrides(overrides: dict[str, OverrideValue]) -> str:
    # One line per override, however big its value: json's indent would put every number of a
    # matrix on a line of its own, making the file unreadable and several times larger.
    if not overrides:
        return "{}"
    entries = [f"    {_dumps(name)}: {_dumps(_to_json_value(overrides[name]))}"
               for name in sorted(overrides)]
    return "{\n" + ",\n".join(entries) + "\n  }"


def _to_json_value(value: OverrideValue) -> object:
    if isinstance(value, list):
        return [_to_json_value(item) for item in value]
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    return value


def _dumps(value: object) -> str:
    # allow_nan=False: a bare NaN token would make the file invalid JSON for other readers.
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def _check_saved_size(text: str) -> None:
    size = len(text.encode("utf-8"))
    if size > MAX_FILE_BYTES:
        raise SessionError(f"the session would be {size:,} bytes, more than the "
                           f"{MAX_FILE_BYTES:,} a session file may hold; make the code or "
                           "the overrides smaller")


# Loading


def load_session(path: str | os.PathLike[str]) -> Session:
    """Read and validate the session file at ``path``; nothing in it is executed.

    Raises :class:`SessionError` for a file whose content is refused and :class:`OSError`
    when it cannot be read at all. The file is opened read-only and never modified.
    """
    if not stat.S_ISREG(os.stat(path).st_mode):
        # A device or a pipe could feed endless data or block forever.
        raise SessionError("not a regular file")
    with open(path, "rb") as stream:
        _check_file_size(os.fstat(stream.fileno()).st_size)
        data = stream.read(MAX_FILE_BYTES + 1)  # bounded even if the file grows meanwhile
    return parse_session(data)


def read_program(path: str | os.PathLike[str]) -> tuple[str, dict[str, OverrideValue]]:
    """The code and value overrides of a program file (``.py``) or a saved session (``.json``).

    Raises :class:`SessionError` whose message names the file and the reason it was refused or
    could not be read.
    """
    path = Path(path)
    try:
        if path.suffix.lower() == ".json":
            session = load_session(path)
            return session.code, dict(session.overrides)
        return path.read_text(encoding="utf-8"), {}
    except (OSError, UnicodeDecodeError) as error:
        raise SessionError(f"cannot read {path}: {error}") from None
    except SessionError as error:
        raise SessionError(f"{path}: {error.message}") from None


def parse_session(source: str | bytes) -> Session:
    """Validate the text or bytes of a session file and return the :class:`Session`."""
    if isinstance(source, bytes):
        text = _decode(source)
    else:
        text = source
        # Every character is at least one byte, so a long text is refused before encoding it.
        _check_file_size(len(text) if len(text) > MAX_FILE_BYTES
                         else len(text.encode("utf-8", "surrogatepass")))
    document = _parse_json(text)
    if not isinstance(document, dict):
        raise SessionError(f"expected a JSON object at the top level, got {_describe(document)}")
    _check_schema(document)
    _check_keys(document)
    return _build_session(document)


def _check_file_size(size: int) -> None:
    if size > MAX_FILE_BYTES:
        raise SessionError(f"the file is {size:,} bytes, larger than the {MAX_FILE_BYTES:,} "
                           "a session file may hold")


def _decode(data: bytes) -> str:
    _check_file_size(len(data))
    if data.startswith(_UTF16_BOMS):
        raise SessionError("the file is UTF-16 text; session files are UTF-8")
    if b"\x00" in data:
        raise SessionError("the file contains NUL bytes: it is binary or UTF-16, not UTF-8 "
                           "JSON text")
    try:
        # A leading byte order mark is tolerated: some editors add one to UTF-8 files.
        return data.removeprefix(_UTF8_BOM).decode("utf-8")
    except UnicodeDecodeError as error:
        raise SessionError(f"the file is not UTF-8 text (byte 0x{data[error.start]:02x} at "
                           f"offset {error.start:,})") from None


def _parse_json(text: str) -> object:
    values = _json_value_count(text)
    if values > MAX_JSON_VALUES:
        raise SessionError(f"the JSON holds about {values:,} values, more than the "
                           f"{MAX_JSON_VALUES:,} a session file may hold")
    deepest = _deepest_nesting(text)
    if deepest > MAX_JSON_DEPTH:
        raise SessionError(f"the JSON is nested {deepest:,} levels deep, more than the "
                           f"{MAX_JSON_DEPTH} a session file may use")
    try:
        return json.loads(text, parse_constant=_refuse_bare_constant,
                          object_pairs_hook=_object_without_duplicates)
    except json.JSONDecodeError as error:
        raise SessionError(f"not valid JSON: {error.msg} at line {error.lineno}, "
                           f"column {error.colno}") from None
    except RecursionError:
        # Only reachable if the scan above were wrong; the parser must still not take us down.
        raise SessionError("the JSON is nested too deeply") from None
    except ValueError as error:
        # Python refuses integers of more than a few thousand digits with a plain ValueError.
        raise SessionError(f"not valid JSON: {error}") from None


def _json_value_count(text: str) -> int:
    """About how many values and containers the JSON holds, counted before it is parsed, so a
    file of a million empty lists is refused in milliseconds instead of built."""
    bare = _JSON_STRING.sub('""', text)
    return bare.count(",") + bare.count("[") + bare.count("{") + 1


def _deepest_nesting(text: str) -> int:
    """The deepest bracket nesting outside strings, found without recursion."""
    brackets = _NOT_BRACKETS.sub("", _JSON_STRING.sub("", text))
    return max(accumulate(map(_BRACKET_STEP.__getitem__, brackets)), default=0)


def _refuse_bare_constant(token: str) -> object:
    raise SessionError(f"bare {token} is not valid JSON; write non-finite numbers as the "
                       'strings "NaN", "Infinity" or "-Infinity"')


def _object_without_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    # Python keeps the last of duplicate keys silently; other readers may keep the first.
    result: dict[str, object] = {}
    for key, value in pairs:
        if key in result:
            raise SessionError(f"the key {_describe(key)} appears twice in one object")
        result[key] = value
    return result


def _check_schema(document: dict[str, object]) -> None:
    if "schema" not in document:
        raise SessionError('schema: missing; this is not an Autograd Explorer session file')
    schema = document["schema"]
    if not isinstance(schema, str):
        raise SessionError(f"schema: expected a string, got {_describe(schema)}")
    if schema == SESSION_SCHEMA:
        return
    version = _SCHEMA_PATTERN.fullmatch(schema)
    if version is not None and int(version.group(1)) > 1:
        raise SessionError(f"schema: {_describe(schema)} was made by a newer version of "
                           "Autograd Explorer; update the app to open it")
    raise SessionError(f"schema: expected {_describe(SESSION_SCHEMA)}, got {_describe(schema)}")


def _check_keys(document: dict[str, object]) -> None:
    for key in document:
        if key not in _FIELD_ORDER:
            raise SessionError(f"unknown key {_describe(key)}; the known keys are "
                               f"{', '.join(_FIELD_ORDER)}")
    if "code" not in document:
        raise SessionError("code: missing")


def _build_session(document: dict[str, object]) -> Session:
    raw_overrides = document.get("overrides", {})
    if not isinstance(raw_overrides, dict):
        raise SessionError(f"overrides: expected an object, got {_describe(raw_overrides)}")
    # The Session constructor repeats the checks on decoded values; strings are only
    # meaningful (as non-finite numbers) in the JSON form, so they are decoded here first.
    fields: dict[str, object] = {key: value for key, value in document.items()
                                 if key != "schema"}
    fields["overrides"] = _check_overrides(raw_overrides, json_strings=True)
    # Absent optional keys take the dataclass defaults; the constructor checks every type.
    return Session(**fields)  # type: ignore[arg-type]


# Validation shared by the constructor, saving and loading


def _check_session(session: Session) -> None:
    _check_code(session.code)
    _check_overrides(session.overrides, json_strings=False)
    if session.theme not in THEMES:
        names = ", ".join(f'"{name}"' for name in THEMES)
        raise SessionError(f"theme: expected one of {names}, got {_describe(session.theme)}")
    _check_int("pass_index", session.pass_index, 0, MAX_POSITION)
    _check_int("step", session.step, 0, MAX_POSITION)
    _check_int("font_size", session.font_size, MIN_FONT_SIZE, MAX_FONT_SIZE)
    if not isinstance(session.live_mode, bool):
        raise SessionError(f"live_mode: expected true or false, got "
                           f"{_describe(session.live_mode)}")


def _check_code(code: object) -> None:
    if not isinstance(code, str):
        raise SessionError(f"code: expected a string, got {_describe(code)}")
    if len(code) > MAX_CODE_CHARS:
        raise SessionError(f"code: {len(code):,} characters, more than the "
                           f"{MAX_CODE_CHARS:,} allowed")
    try:
        code.encode("utf-8")
    except UnicodeEncodeError as error:
        # JSON escapes can spell lone surrogates, which no editor or UTF-8 file can hold.
        raise SessionError(f"code: invalid character (a lone surrogate) at position "
                           f"{error.start:,}") from None


def _check_int(name: str, value: object, low: int, high: int) -> None:
    # bool is a subclass of int in Python, but true is not a step number.
    if not isinstance(value, int) or isinstance(value, bool):
        raise SessionError(f"{name}: expected a whole number, got {_describe(value)}")
    if not low <= value <= high:
        raise SessionError(f"{name}: {value} is out of range ({low}..{high:,})")


@dataclass
class _NumberTally:
    """How many numbers the overrides hold so far, to stop at the limit without finishing."""

    count: int = 0

    def add(self, where: str) -> None:
        self.count += 1
        if self.count > MAX_NUMBERS:
            raise SessionError(f"{where}: the overrides hold more than {MAX_NUMBERS:,} "
                               "numbers in total")


def _check_overrides(overrides: object, *, json_strings: bool) -> dict[str, OverrideValue]:
    """Validated overrides; with ``json_strings`` the strings "NaN" etc. become floats."""
    if not isinstance(overrides, dict):
        raise SessionError(f"overrides: expected an object, got {_describe(overrides)}")
    if len(overrides) > MAX_OVERRIDES:
        raise SessionError(f"overrides: {len(overrides):,} entries, more than the "
                           f"{MAX_OVERRIDES:,} allowed")
    tally = _NumberTally()
    checked: dict[str, OverrideValue] = {}
    for name, value in overrides.items():
        _check_override_name(name)
        checked[name] = _check_override_value(value, f"overrides.{name}", tally, json_strings)
    return checked


def _check_override_name(name: object) -> None:
    where = f"overrides[{_describe(name)}]"
    if not isinstance(name, str):
        raise SessionError(f"{where}: names must be strings")
    if len(name) > MAX_NAME_CHARS:
        raise SessionError(f"{where}: names may have at most {MAX_NAME_CHARS} characters")
    if not name.isidentifier() or keyword.iskeyword(name):
        raise SessionError(f"{where}: not a valid variable name")
    if name.startswith("_"):
        raise SessionError(f"{where}: names starting with _ are not allowed")
    if unicodedata.normalize("NFKC", name) != name:
        # Python reads identifiers NFKC-normalized, so this spelling could match no variable.
        raise SessionError(f"{where}: not in the normalized (NFKC) form Python uses for names")


def _check_override_value(value: object, where: str, tally: _NumberTally,
                          json_strings: bool) -> OverrideValue:
    if isinstance(value, list):
        checked, _shape = _check_array(value, where, tally, json_strings, dimension=1)
        return checked
    return _check_number(value, where, tally, json_strings, "a number or a list of numbers")


def _check_array(items: list[object], where: str, tally: _NumberTally, json_strings: bool,
                 dimension: int) -> tuple[list[OverrideValue], tuple[int, ...]]:
    """The checked items and the shape of a rectangular nested list (recursion is bounded)."""
    if dimension > MAX_DIMENSIONS:
        raise SessionError(f"{where}: lists nested more than {MAX_DIMENSIONS} deep")
    checked: list[OverrideValue] = []
    inner_shape: tuple[int, ...] | None = None
    for index, item in enumerate(items):
        here = f"{where}[{index}]"
        item_shape: tuple[int, ...] = ()  # () for a number: it has no dimensions
        if isinstance(item, list):
            value, item_shape = _check_array(item, here, tally, json_strings, dimension + 1)
            checked.append(value)
        else:
            checked.append(_check_number(item, here, tally, json_strings, "a number"))
        if inner_shape is not None and item_shape != inner_shape:
            raise SessionError(f"{where}: not rectangular: [0] is {_shape_words(inner_shape)} "
                               f"but [{index}] is {_shape_words(item_shape)}")
        inner_shape = item_shape
    return checked, (len(items), *(inner_shape or ()))


def _check_number(value: object, where: str, tally: _NumberTally, json_strings: bool,
                  expected: str) -> int | float | bool:
    if isinstance(value, str) and json_strings and value in _NON_FINITE_BY_NAME:
        number: int | float | bool = _NON_FINITE_BY_NAME[value]
    elif isinstance(value, bool):
        number = value
    elif isinstance(value, int):
        if not _INT64_MIN <= value <= _INT64_MAX:
            raise SessionError(f"{where}: integer {_describe(value)} does not fit in 64 bits")
        number = value
    elif isinstance(value, float):
        if json_strings and not math.isfinite(value):
            # json turns a literal like 1e400 into inf; only the strings may mean infinity.
            raise SessionError(f"{where}: number too large for a 64-bit float")
        number = value
    else:
        raise SessionError(f"{where}: expected {expected}, got {_describe(value)}")
    tally.add(where)
    return number


def _shape_words(shape: tuple[int, ...]) -> str:
    return "a number" if not shape else "a list of shape " + "x".join(map(str, shape))


def _canonical(value: OverrideValue) -> object:
    """A form equal for two values exactly when they would be saved the same way."""
    if isinstance(value, list):
        return ("list", tuple(_canonical(item) for item in value))
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, int):
        return ("int", int(value))
    return ("float", float.__repr__(value))  # repr tells -0.0 from 0.0 and keeps NaN == NaN


def _describe(value: object) -> str:
    """A short rendering of a bad value for an error message, in JSON spelling."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, int):
        # str() of a huge int is slow, and refused past a few thousand digits.
        bits = value.bit_length()
        return str(value) if bits <= 128 else f"an integer of {bits:,} bits"
    if isinstance(value, float):
        return repr(float(value))
    if isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
        return text if len(text) <= 40 else text[:36] + '..."'
    return f"a {type(value).__name__}"
