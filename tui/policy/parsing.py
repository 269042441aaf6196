"""One strict reader for every JSON text the tool takes in: policy files and standard input, the wizard's
pasted text, policies read from AWS, answers files, backups and simulate's cases.

Python's `json` module is lenient where a policy reader must not be, and an attacker who can write one
endpoint's policy or one file chooses the input:
- duplicate keys: the last one wins silently, so `{"Effect": "Deny", ..., "Effect": "Allow"}` reads as an
  Allow while AWS's reading is unknown;
- `NaN`, `Infinity`, `1e999` and integers of more than 4,300 digits (which raise ValueError) are not JSON
  numbers any double holds;
- nesting recurses in C and Python until RecursionError;
- `Path.read_text` reads `/dev/zero` until memory runs out and blocks forever on a FIFO.

So: text is read bounded and only from regular files; nesting is measured by a linear scan before parsing;
duplicate keys and non-finite numbers are returned as `Ambiguity` values (with their JSON path) beside the
parsed value, because `check` and `audit` must still analyse such a document while `validate` and `apply`
refuse it. A UTF-8 byte order mark and CRLF line ends are accepted (editors on Windows write both); any
other encoding is refused.
"""

import json
import math
import os
import re
import stat
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tui.policy.errors import InputError
from tui.report.i18n import N_, _
from tui.report.messages import localised, message, text_in_language

MAX_TEXT_BYTES = 256 * 1024
"""The most any JSON input may hold. A policy is at most 20,480 characters minified. Pretty-printed with CRLF
line ends, the largest one of the shortest values (one character each, one a line) is about 90 KB at 2-space
indentation and 150 KB at 4; 1,350 account IDs at 8 spaces are 89 KB. 256 KiB admits those with room and still
stops a runaway read early."""

JSON_ERRORS = (N_("Expecting value"), N_("Expecting ',' delimiter"), N_("Expecting ':' delimiter"),
               N_("Expecting property name enclosed in double quotes"), N_("Extra data"), N_("Unterminated string starting at"),
               N_("Invalid control character at"), N_("Invalid \\escape"), N_("Invalid \\uXXXX escape"))
"""Python's JSON decoder's messages (`json.decoder`, `_json`), said in the current language; others as they are."""

POLICY_MAX_DEPTH = 7
"""The policy grammar nests at most 7 levels: document > Statement list > statement > Condition >
operator > condition key > list of values (a Principal reaches 5)."""

MAX_INT_DIGITS = 4300
"""Python's default limit for int(str) (sys.int_info.default_max_str_digits); longer integers raise."""

DUPLICATE_KEY = "duplicate-key"
NON_FINITE_NUMBER = "non-finite-number"

_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?', re.DOTALL)
"""A JSON string; its closing quote is optional, so an unterminated one runs to the end of the text."""
_BRACKET = re.compile(r"[\[\]{}]")
_STRING_OR_BRACKET = re.compile(f"{_STRING.pattern}|{_BRACKET.pattern}", re.DOTALL)


@dataclass(frozen=True)
class Ambiguity:
    """Something in the text that JSON readers, AWS's among them, may read differently."""

    code: str
    path: str
    params: Mapping[str, object] = field(default_factory=dict, hash=False)

    @property
    def message(self) -> str:
        return message(self.code, self.params)


@dataclass(frozen=True)
class Parsed:
    """A parsed value and what in its text was ambiguous (empty when nothing was)."""

    value: object
    ambiguities: tuple[Ambiguity, ...] = ()

    @property
    def doc(self) -> dict[str, Any]:
        """The value as a policy document (parse_policy guarantees an object)."""
        return self.value  # type: ignore[return-value]


class NonFiniteNumber(float):
    """A JSON number no finite double holds; keeps its source text so the finding can quote it."""

    source: str

    def __new__(cls, source: str) -> "NonFiniteNumber":
        try:
            value = float(source)
        except ValueError:  # an integer too long for float() keeps only its sign
            value = -math.inf if source.startswith("-") else math.inf
        number = super().__new__(cls, value)
        number.source = source
        return number


def _parse_int(text: str) -> int | NonFiniteNumber:
    return NonFiniteNumber(text) if len(text.lstrip("-")) > MAX_INT_DIGITS else int(text)


def _parse_float(text: str) -> float:
    number = float(text)
    return number if math.isfinite(number) else NonFiniteNumber(text)


def _line_column(text: str, position: int) -> tuple[int, int]:
    line = text.count("\n", 0, position) + 1
    return line, position - (text.rfind("\n", 0, position) + 1) + 1


def _first_too_deep(brackets: Iterable[str], max_depth: int) -> int | None:
    """The index of the first bracket that opens level `max_depth + 1`, or None."""
    depth = 0
    for index, bracket in enumerate(brackets):
        depth += 1 if bracket in "[{" else -1
        if depth > max_depth:
            return index
    return None


def _position_too_deep(text: str, max_depth: int) -> int:
    """Where the first bracket past `max_depth` is, for the message; stops there (a string token starts
    with a quote, so it is never taken for a bracket)."""
    depth = 0
    for match in _STRING_OR_BRACKET.finditer(text):
        token = match.group()
        if token in "[{":  # noqa: S105 (a JSON token, not a secret)
            depth += 1
            if depth > max_depth:
                return match.start()
        elif token in "]}":  # noqa: S105
            depth -= 1
    return len(text)


def check_depth(text: str, max_depth: int, source: str) -> None:
    """Refuse nesting deeper than `max_depth`, found by a linear scan of the brackets outside strings, so the
    parser never recurses past it. Escaped backslashes and quotes are blanked first, so every `"` left opens
    or closes a string and str.split drops the strings at C speed (a regex over the strings took five times
    as long as parsing); the slower scan that finds the position runs only for text that is refused."""
    plain = text.replace("\\\\", "__").replace('\\"', "__")
    if _first_too_deep(_BRACKET.findall("".join(plain.split('"')[0::2])), max_depth) is None:
        return
    line, column = _line_column(text, _position_too_deep(text, max_depth))
    raise InputError(_("{source} nests deeper than {depth} levels at line {line} column {column}; "
                       "what it should hold nests at most {depth}").format(source=text_in_language(source), depth=max_depth, line=line, column=column))


def _join_path(path: str, part: str | int) -> str:
    if isinstance(part, int):
        return f"{path}[{part}]"
    return f"{path}.{part}" if path else part


def _ambiguities(value: Any, duplicates: dict[int, list[str]], base: str) -> tuple[Ambiguity, ...]:
    """Walk the parsed value (iteratively: its depth is bounded but the walk need not recurse) for the
    objects that had duplicate keys and the numbers that are not finite."""
    found: list[Ambiguity] = []
    stack = [(base, value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, dict):
            found.extend(Ambiguity(DUPLICATE_KEY, _join_path(path, key), {"key": key})
                         for key in duplicates.get(id(item), ()))
            stack.extend((_join_path(path, key), child) for key, child in reversed(item.items()))
        elif isinstance(item, list):
            stack.extend((_join_path(path, index), child) for index, child in reversed(list(enumerate(item))))
        elif isinstance(item, float) and not math.isfinite(item):
            source = getattr(item, "source", repr(item))
            shown = source if len(source) <= 24 else f"{source[:12]}...({len(source):,} characters)"
            found.append(Ambiguity(NON_FINITE_NUMBER, path, {"number": shown}))
    return tuple(found)


def _repeated(keys: list[str]) -> list[str]:
    seen: set[str] = set()
    repeated: dict[str, None] = {}
    for key in keys:
        if key in seen:
            repeated[key] = None
        seen.add(key)
    return list(repeated)


def parse_json(text: str, source: str, *, max_depth: int) -> Parsed:
    """Parse JSON text under the rules above; InputError (one line, exit 2) when it is not JSON at all."""
    if len(text) > MAX_TEXT_BYTES:
        raise InputError(_("{source} is {size:,} characters; the tool reads at most {limit:,}").format(
            source=text_in_language(source), size=len(text), limit=MAX_TEXT_BYTES))
    text = text.removeprefix("\ufeff")
    check_depth(text, max_depth, source)
    duplicates: dict[int, list[str]] = {}
    non_finite: list[NonFiniteNumber] = []

    def make_object(pairs: list[tuple[str, object]]) -> dict[str, Any]:
        obj = dict(pairs)
        if len(obj) != len(pairs):
            duplicates[id(obj)] = _repeated([key for key, _ in pairs])
        return obj

    def noted(number: Any) -> Any:
        if isinstance(number, NonFiniteNumber):
            non_finite.append(number)
        return number

    try:
        value = json.loads(text, object_pairs_hook=make_object, parse_int=lambda t: noted(_parse_int(t)),
                           parse_float=lambda t: noted(_parse_float(t)),
                           parse_constant=lambda t: noted(NonFiniteNumber(t)))
    except json.JSONDecodeError as exc:
        raise InputError(_("{source} is not valid JSON: {reason} (line {line} column {column})").format(
            source=text_in_language(source), reason=_(exc.msg) if exc.msg in JSON_ERRORS else exc.msg, line=exc.lineno, column=exc.colno)) from None
    if not duplicates and not non_finite:  # the usual case skips the walk
        return Parsed(value)
    return Parsed(value, _ambiguities(value, duplicates, ""))


def parse_policy(text: str, source: str = "policy") -> Parsed:
    """A policy document and its ambiguities; InputError when the text is not a JSON object at all."""
    parsed = parse_json(text, source, max_depth=POLICY_MAX_DEPTH)
    if not isinstance(parsed.value, dict):
        raise InputError(_("{source} is not a JSON object (a policy document starts with '{{')").format(source=text_in_language(source)))
    return parsed


def refuse_ambiguities(parsed: Parsed, source: str) -> Parsed:
    """The parsed value, or InputError naming the first ambiguity: for inputs the tool acts on."""
    if parsed.ambiguities:
        first = parsed.ambiguities[0]
        where = f" at {first.path!r}" if first.path else ""
        raise InputError(f"{text_in_language(source)}{where}: {localised(first.code, first.params)}")
    return parsed


def strict_json(text: str, source: str, *, max_depth: int) -> object:
    """A JSON value with no duplicate keys and only finite numbers."""
    return refuse_ambiguities(parse_json(text, source, max_depth=max_depth), source).value


# --- reading ---------------------------------------------------------------------------------------------


def decode_utf8(data: bytes, source: str) -> str:
    """UTF-8 text; InputError naming the first byte that is not UTF-8."""
    try:
        return data.decode("utf-8")  # a BOM stays "\ufeff" here; parse_json drops one
    except UnicodeDecodeError as exc:
        raise InputError(_("{source} is not UTF-8 text (byte 0x{byte:02x} at offset {offset:,})").format(
            source=text_in_language(source), byte=data[exc.start], offset=exc.start)) from None


def _too_large(source: str) -> InputError:
    return InputError(_("{source} is larger than {kib} KiB; an endpoint policy is at most 20,480 characters, so this is "
                        "not one the tool reads").format(source=text_in_language(source), kib=MAX_TEXT_BYTES // 1024))


def _checked(call: Callable[..., Any], path: str | os.PathLike[str], source: str, *args: Any) -> Any:
    """call(path, *args), its failures as one-line InputErrors."""
    try:
        return call(path, *args)
    except OSError as exc:
        raise InputError(_("cannot read {source}: {reason}").format(source=text_in_language(source), reason=exc.strerror or exc)) from None
    except ValueError:  # a NUL byte in the name
        raise InputError(_("cannot read {source}: the name holds a NUL byte").format(source=text_in_language(source))) from None


def read_file_text(path: str | os.PathLike[str], source: str) -> str:
    """The UTF-8 text of a regular file of at most MAX_TEXT_BYTES.

    FIFOs, devices, sockets and directories are refused before they are opened (a FIFO would block the
    open; /dev/zero never ends), and the opened file is checked again in case it was swapped meanwhile.
    """
    mode = _checked(os.stat, path, source).st_mode
    if stat.S_ISDIR(mode):
        raise InputError(_("{source} is a directory, not a file").format(source=text_in_language(source)))
    if not stat.S_ISREG(mode):
        raise InputError(_("{source} is not a regular file (a FIFO, device or socket); give a file, or - for standard input").format(
            source=text_in_language(source)))
    fd = _checked(os.open, path, source, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise InputError(_("{source} is not a regular file").format(source=text_in_language(source)))
        try:
            data = handle.read(MAX_TEXT_BYTES + 1)
        except OSError as exc:
            raise InputError(_("cannot read {source}: {reason}").format(source=text_in_language(source), reason=exc.strerror or exc)) from None
    if len(data) > MAX_TEXT_BYTES:
        raise _too_large(source)
    return decode_utf8(data, source)


def read_stdin_text(source: str = "standard input") -> str:
    """Standard input, bounded like a file (a pipe from `yes` must not fill memory)."""
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:  # a text stream put in place of stdin (tests, embedding)
        text = sys.stdin.read(MAX_TEXT_BYTES + 1)
        if len(text) > MAX_TEXT_BYTES:
            raise _too_large(source)
        return text
    data = stream.read(MAX_TEXT_BYTES + 1)
    if len(data) > MAX_TEXT_BYTES:
        raise _too_large(source)
    return decode_utf8(data, source)
