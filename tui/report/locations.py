"""Where a finding is in the policy file: the line of a JSON path such as `Statement[2].Condition`, for
SARIF's physical locations (CI tools annotate that line of the file).

Python's `json` keeps no positions, so the text is scanned once more, after the strict reader accepted it:
a token scanner that follows objects and arrays and records the line of every key and value under the
same path notation the validator uses. Duplicate keys keep their first line (the strict reader has already
reported them).
"""

import json
import re
from dataclasses import dataclass
from typing import Any

_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:,]|[^\s{}\[\]:,"]+', re.DOTALL)
_LAST_PART = re.compile(r"(\[[0-9]+\]|\.[^.\[]*|^[^.\[]+)$")


@dataclass
class _Container:
    path: str
    is_object: bool
    index: int = 0
    key: str = ""
    expects_key: bool = True


def _join(path: str, part: str | int) -> str:
    if isinstance(part, int):
        return f"{path}[{part}]"
    return f"{path}.{part}" if path else part


def _value_path(top: _Container | None) -> str:
    if top is None:
        return ""
    return _join(top.path, top.key) if top.is_object else _join(top.path, top.index)


def path_lines(text: str) -> dict[str, int]:
    """{JSON path: 1-based line} for every key and value of a JSON text (the root is "")."""
    lines: dict[str, int] = {}
    stack: list[_Container] = []
    line, position = 1, 0
    for match in _TOKEN.finditer(text):
        line += text.count("\n", position, match.start())
        position = match.start()
        lexeme = match.group()
        top = stack[-1] if stack else None
        if lexeme in ("{", "["):
            path = _value_path(top)
            lines.setdefault(path, line)
            stack.append(_Container(path, lexeme == "{"))
        elif lexeme in ("}", "]"):
            if stack:
                stack.pop()
        elif lexeme == ",":
            if top is not None and top.is_object:
                top.expects_key = True
            elif top is not None:
                top.index += 1
        elif lexeme == ":":
            continue
        elif top is not None and top.is_object and top.expects_key and lexeme.startswith('"'):
            top.key, top.expects_key = _string(lexeme), False
            lines.setdefault(_join(top.path, top.key), line)
        else:
            lines.setdefault(_value_path(top), line)
    return lines


def _string(lexeme: str) -> str:
    try:
        return str(json.loads(lexeme))
    except ValueError:
        return lexeme.strip('"')


def line_of(lines: dict[str, int], path: str) -> int:
    """The line of a path, or of its nearest enclosing element found; 1 for the whole document."""
    while path:
        if path in lines:
            return lines[path]
        shorter = _LAST_PART.sub("", path)
        if shorter == path:
            break
        path = shorter
    return 1


def statement_path(doc: dict[str, Any], label: str) -> str:
    """The path of the statement an evaluator label names: "Statement[i]" already is one; a Sid is looked up."""
    if label.startswith("Statement"):
        return label
    statements = doc.get("Statement")
    if isinstance(statements, dict):
        return "Statement"
    if isinstance(statements, list):
        for index, statement in enumerate(statements):
            if isinstance(statement, dict) and statement.get("Sid") == label:
                return f"Statement[{index}]"
    return ""
