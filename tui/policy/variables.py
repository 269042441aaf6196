"""IAM policy variables: `${aws:PrincipalAccount}` in a Resource or a condition value takes the request's
value, as IAM substitutes it, so `"aws:ResourceAccount": "${aws:PrincipalAccount}"` ("any account, its own
resources": the insider's path) is read for what it is, not as a literal string nobody sends.

Rules (IAM user guide, "IAM policy elements: Variables and tags"): variables exist only under Version
2012-10-17; `${*}`, `${?}` and `${$}` stand for the literal characters; `${key, 'default'}` gives a default
for a key the request lacks; key names are case-insensitive. A variable that cannot be resolved (the key is
absent or multivalued with no default, or the syntax is broken) leaves the value unresolved: AWS documents
only that this "might cause the entire statement to be invalid", so the evaluator treats it as undecidable.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from tui.policy.wildcards import ANY_ONE, Glob, Segment

VARIABLES_VERSION = "2012-10-17"
_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_DEFAULT = re.compile(r"\s*([^\s,']+)\s*,\s*'((?:[^']|'')*)'\s*")
_KEY = re.compile(r"\s*([A-Za-z0-9:/._+=@-]+)\s*")
_ESCAPES = {"*": "*", "?": "?", "$": "$"}


@dataclass(frozen=True)
class Variable:
    """`${key}` or `${key, 'default'}`; key lower-cased, None when the syntax cannot name a key."""

    key: str | None
    default: str | None = None


@dataclass(frozen=True)
class Literal:
    """Text that matches itself only: an escaped `${*}` or a substituted value, never a wildcard."""

    text: str


Part = str | Literal | Variable
"""Plain policy text (its `*` and `?` are wildcards where the operator takes them), a literal, a variable."""


@lru_cache(maxsize=16384)
def parse_value(value: str, variables: bool) -> tuple[Part, ...]:
    """A policy value split into parts; without variables (2008-10-17 policies) it is one plain part."""
    if not variables or "${" not in value:
        return (value,)
    parts: list[Part] = []
    position = 0
    for match in _VARIABLE.finditer(value):
        if match.start() > position:
            parts.append(value[position:match.start()])
        parts.append(_variable(match.group(1)))
        position = match.end()
    if position < len(value):
        parts.append(value[position:])
    return tuple(parts)


def _variable(body: str) -> Part:
    if body in _ESCAPES:
        return Literal(_ESCAPES[body])
    with_default = _DEFAULT.fullmatch(body)
    if with_default:
        return Variable(with_default.group(1).lower(), with_default.group(2).replace("''", "'"))
    plain = _KEY.fullmatch(body)
    return Variable(plain.group(1).lower() if plain else None)


def has_variables(parts: tuple[Part, ...]) -> bool:
    return any(isinstance(part, Variable) for part in parts)


def resolve(parts: tuple[Part, ...], context: Mapping[str, tuple[str, ...]]) -> tuple[Part, ...] | None:
    """Variables replaced by the request's single value (as a Literal), or None when one cannot be."""
    resolved: list[Part] = []
    for part in parts:
        if isinstance(part, Variable):
            values = context.get(part.key) if part.key else None
            if values is not None and len(values) == 1:
                resolved.append(Literal(values[0]))
            elif part.default is not None and part.key:
                resolved.append(Literal(part.default))
            else:
                return None
        else:
            resolved.append(part)
    return tuple(resolved)


def as_text(parts: tuple[Part, ...]) -> str:
    """The value for operators without wildcards: every part is taken literally."""
    return "".join(part.text if isinstance(part, Literal) else str(part) for part in parts)


def as_glob(parts: tuple[Part, ...]) -> Glob:
    """The value as a wildcard pattern: `*`/`?` in plain parts are wildcards, Literal parts match themselves."""
    segments: list[list[str | None]] = [[]]
    for part in parts:
        if isinstance(part, Literal):
            segments[-1].extend(part.text)
            continue
        for character in str(part):
            if character == "*":
                segments.append([])
            else:
                segments[-1].append(ANY_ONE if character == "?" else character)
    return Glob(tuple(_segment(items) for items in segments))


def _segment(items: list[str | None]) -> Segment:
    return "".join(items) if ANY_ONE not in items else tuple(items)  # type: ignore[arg-type]
