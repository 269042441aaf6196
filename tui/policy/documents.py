"""Policy documents as text: the minified form AWS counts against its limit, and the pretty form people read."""

import json

from tui.policy.errors import InputError

MAX_POLICY_CHARS = 20480
"""AWS's limit for one endpoint policy, whitespace included; not adjustable."""


def minify(doc: dict) -> str:
    """The form that is applied: ASCII only, so characters equal bytes, and no optional whitespace."""
    return json.dumps(doc, separators=(",", ":"), ensure_ascii=True)


def pretty(doc: dict) -> str:
    """The form people read and save; key order is kept so Version and Statement come first."""
    return json.dumps(doc, indent=2, ensure_ascii=True)


def policy_size(doc: dict) -> int:
    """Characters the policy costs against the limit when applied minified."""
    return len(minify(doc))


def parse_policy_text(text: str, source: str = "policy") -> dict:
    """Parse a policy from text, naming the source and position when it is not a JSON object."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{source} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    if not isinstance(doc, dict):
        raise InputError(f"{source} is not a JSON object (a policy document starts with '{{')")
    return doc
