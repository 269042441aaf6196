"""Policy documents as text: the minified form AWS counts against its limit, and the pretty form people read."""

import json
from typing import Any

MAX_POLICY_CHARS = 20480
"""AWS's limit for one endpoint policy, whitespace included; not adjustable."""


def minify(doc: dict[str, Any]) -> str:
    """The form that is applied: ASCII only, so characters equal bytes, and no optional whitespace."""
    return json.dumps(doc, separators=(",", ":"), ensure_ascii=True)


def pretty(doc: dict[str, Any]) -> str:
    """The form people read and save; key order is kept so Version and Statement come first."""
    return json.dumps(doc, indent=2, ensure_ascii=True)


def policy_size(doc: dict[str, Any]) -> int:
    """Characters the policy costs against the limit when applied minified."""
    return len(minify(doc))


def parse_policy_text(text: str, source: str = "policy") -> dict[str, Any]:
    """A policy document from text, for inputs the tool acts on: InputError (exit 2) when it is not a JSON
    object or holds duplicate keys or non-finite numbers (see tui.policy.parsing for the rules)."""
    from tui.policy.parsing import parse_policy, refuse_ambiguities

    return refuse_ambiguities(parse_policy(text, source), source).doc
