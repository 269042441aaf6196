"""Semantic comparison of policies: AWS reorders keys and rewrites stored JSON, so text equality lies."""

import difflib
import json
from typing import Any

from tui.policy.documents import pretty

_LIST_OR_SCALAR = ("Action", "NotAction", "Resource", "NotResource")


def _as_sorted_list(value: Any) -> list[str]:
    values = value if isinstance(value, list) else [value]
    return sorted({str(v).lower() if isinstance(v, bool) else str(v) for v in values})


def _normalise_principal(principal: Any) -> Any:
    if principal in ("*", {"AWS": "*"}, {"AWS": ["*"]}):
        return "*"
    if isinstance(principal, dict):
        return {kind: _as_sorted_list(ids) for kind, ids in sorted(principal.items())}
    return principal


def _normalise_statement(statement: dict[str, Any], fold_case: bool) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in statement.items():
        if key in _LIST_OR_SCALAR:
            result[key] = _as_sorted_list(value)
        elif key in ("Principal", "NotPrincipal"):
            result[key] = _normalise_principal(value)
        elif key == "Condition" and isinstance(value, dict):
            result[key] = {
                operator: {
                    (cond_key.lower() if fold_case else cond_key): _as_sorted_list(v)
                    for cond_key, v in sorted(keys.items(), key=lambda kv: kv[0].lower())
                }
                for operator, keys in sorted(value.items())
                if isinstance(keys, dict)
            }
        else:
            result[key] = value
    return dict(sorted(result.items()))


def normalise(doc: dict[str, Any], fold_case: bool = True) -> dict[str, Any]:
    """A canonical form: one-element lists and strings alike, sorted values and statements.

    Condition key names are case-insensitive to AWS, so comparison folds them; a diff shown to people
    keeps them as written (`fold_case=False`).
    """
    statements = doc.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    normal = [_normalise_statement(s, fold_case) if isinstance(s, dict) else s for s in statements]
    normal.sort(key=lambda s: json.dumps(s, sort_keys=True))
    result = {key: value for key, value in doc.items() if key != "Statement"}
    result["Statement"] = normal
    return dict(sorted(result.items()))


def same_policy(a: dict[str, Any] | None, b: dict[str, Any] | None) -> bool:
    """Whether two documents say the same thing, however AWS has rewritten them."""
    if a is None or b is None:
        return a is b
    return normalise(a) == normalise(b)


def policy_diff(old: dict[str, Any] | None, new: dict[str, Any] | None, old_label: str = "current", new_label: str = "new") -> list[str]:
    """Unified diff lines between the canonical forms; empty when the policies are the same."""
    if same_policy(old, new):
        return []
    old_lines = pretty(normalise(old, fold_case=False)).splitlines() if old else []
    new_lines = pretty(normalise(new, fold_case=False)).splitlines() if new else []
    return list(difflib.unified_diff(old_lines, new_lines, old_label, new_label, lineterm="", n=2))
