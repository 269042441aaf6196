"""Small helpers the sub-commands share: reading inputs and writing outputs the same way everywhere."""

import json
import sys
from pathlib import Path

from tui.policy.errors import InputError


def read_text(path: str) -> str:
    """Read a file, or standard input for `-`, with a one-line error when it cannot be read."""
    try:
        return sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read {path!r}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise InputError(f"{path!r} is not UTF-8 text") from None


def read_json(path: str, what: str):
    """Parse a JSON file, naming it and the position on a syntax error."""
    text = read_text(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{what} {path!r} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None


def read_policy(path: str) -> dict:
    """A policy document from a file or stdin; exit 2 when it is unreadable or not a JSON object."""
    from tui.policy.documents import parse_policy_text

    return parse_policy_text(read_text(path), source="standard input" if path == "-" else f"policy file {path!r}")


def write_output(text: str, output: str | None) -> None:
    """Print to stdout, or save privately (0600): policies name trusted accounts."""
    if output is None or output == "-":
        sys.stdout.write(text)
        return
    from tui.policy.files import write_private

    try:
        write_private(output, text)
    except OSError as exc:
        raise InputError(f"cannot write {output!r}: {exc.strerror or exc}") from None


def print_json(data) -> None:
    sys.stdout.write(json.dumps(data, indent=2) + "\n")
