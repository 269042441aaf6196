"""Evaluate one request against one endpoint policy, the way IAM does, to check a policy before it is applied.

An endpoint policy only restricts (reference §6): an explicit Deny wins, otherwise any matching Allow
allows, otherwise the request is implicitly denied.

Choices where IAM says nothing or the policy is one AWS would refuse (the validator reports those):
- A request value may be a list (a multivalued key). A non-set operator then matches if any element
  matches, as `ForAnyValue:` would, except that a missing key still follows the single-value rules.
- An unknown condition operator fails closed: an Allow statement with one does not apply, a Deny
  statement with one does, unless another part of the statement already fails to match.
- A statement whose Effect is not exactly "Allow" or "Deny" is ignored.
- A statement without Action/NotAction, Resource/NotResource or Principal/NotPrincipal matches nothing.
- Account principals match every principal of the account (the interface-endpoint reading); on gateway
  endpoints AWS admits only the root user (reference §1.2), so generated policies use `"*"` plus conditions.
- Federated and CanonicalUser principals never match: no context key names them.
- Policy variables such as `${aws:PrincipalAccount}` are not expanded; they compare literally.
"""

import math
import operator as op
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from ipaddress import ip_address, ip_network
from typing import Literal

Outcome = Literal["Allow", "ImplicitDeny", "ExplicitDeny"]
Context = dict[str, tuple[str, ...]]
"""Request context keyed by lower-cased key name, every value a tuple of strings."""
ValueTest = Callable[[tuple[str, ...], str], bool]
"""Whether one request value matches any of a key's policy values (policy values are OR-ed)."""


@dataclass(frozen=True)
class Request:
    """One API call as the endpoint sees it; context keys that the call would not carry are simply absent."""

    action: str
    resource: str
    context: Mapping[str, str | list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Decision:
    """The endpoint's verdict and the labels (Sid or "Statement[i]") of the statements that decided it."""

    outcome: Outcome
    statements: tuple[str, ...] = ()

    @property
    def allowed(self) -> bool:
        return self.outcome == "Allow"


def evaluate(policy: dict, request: Request) -> Decision:
    """Explicit deny wins, then any allow, else implicit deny. Deny statements are matched first, so a
    denied request never pays for matching the Allow statements."""
    context = {name.lower(): _as_strings(value) for name, value in request.context.items()}
    statements = _labelled_statements(policy)
    denying = _applying(statements, "Deny", request, context)
    if denying:
        return Decision("ExplicitDeny", denying)
    allowing = _applying(statements, "Allow", request, context)
    if allowing:
        return Decision("Allow", allowing)
    return Decision("ImplicitDeny")


def _labelled_statements(policy: dict) -> list[tuple[str, dict]]:
    """Statement may be one object or a list; label each by Sid, or by position so reports can point at it."""
    statements = policy.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    return [(statement.get("Sid") or f"Statement[{index}]", statement) for index, statement in enumerate(statements)]


def _applying(statements: list[tuple[str, dict]], effect: str, request: Request, context: Context) -> tuple[str, ...]:
    return tuple(
        label
        for label, statement in statements
        if statement.get("Effect") == effect and _statement_applies(statement, request, context)
    )


def _statement_applies(statement: dict, request: Request, context: Context) -> bool:
    """Cheap element checks first; an undecidable condition makes the statement apply only if it denies."""
    if not (
        _element_matches(statement, "Action", request.action, _action_pattern_matches)
        and _element_matches(statement, "Resource", request.resource, _wildcard_matches)
        and _principal_matches(statement, context)
    ):
        return False
    verdict = _conditions_hold(statement.get("Condition", {}), context)
    return statement["Effect"] == "Deny" if verdict is None else verdict


def _element_matches(statement: dict, element: str, value: str, pattern_matches: Callable[[str, str], bool]) -> bool:
    """Action and Resource share one rule: some pattern must match, or for the Not- form none may."""
    if element in statement:
        return any(pattern_matches(pattern, value) for pattern in _as_strings(statement[element]))
    if "Not" + element in statement:
        return not any(pattern_matches(pattern, value) for pattern in _as_strings(statement["Not" + element]))
    return False


def _action_pattern_matches(pattern: str, action: str) -> bool:
    """Service prefix and action name are case-insensitive in IAM."""
    return _wildcard_matches(pattern, action, ignore_case=True)


# --- wildcards -------------------------------------------------------------------------------------------


def _wildcard_matches(pattern: str, value: str, ignore_case: bool = False) -> bool:
    """`*` is any run of characters, `/` and `:` included; `?` is exactly one. Literals skip the regex."""
    if "*" not in pattern and "?" not in pattern:
        return pattern.lower() == value.lower() if ignore_case else pattern == value
    return _wildcard_regex(pattern, ignore_case).fullmatch(value) is not None


@lru_cache(maxsize=4096)
def _wildcard_regex(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    """Compiled once per pattern: every request against a large policy reuses the same patterns."""
    collapsed = re.sub(r"\*+", "*", pattern)  # runs of `*` would only add backtracking
    body = re.escape(collapsed).replace(r"\*", ".*").replace(r"\?", ".")
    return re.compile(body, re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def _arn_matches(pattern: str, arn: str) -> bool:
    """ArnEquals/ArnLike compare the six colon-separated parts one by one, so `*` stays within a part
    (the last part, the resource, may itself hold colons). A value that is not a six-part ARN, such as
    a bare `*`, is matched whole."""
    pattern_parts, arn_parts = pattern.split(":", 5), arn.split(":", 5)
    if len(pattern_parts) != 6 or len(arn_parts) != 6:
        return _wildcard_matches(pattern, arn)
    return all(map(_wildcard_matches, pattern_parts, arn_parts))


# --- principals ------------------------------------------------------------------------------------------

_ACCOUNT_ID = re.compile(r"\d{12}")
_ACCOUNT_ROOT_ARN = re.compile(r"arn:[a-z-]+:iam::(\d{12}):root")


def _principal_matches(statement: dict, context: Context) -> bool:
    if "Principal" in statement:
        return _names_caller(statement["Principal"], context)
    if "NotPrincipal" in statement:
        return not _names_caller(statement["NotPrincipal"], context)
    return False


def _names_caller(principal, context: Context) -> bool:
    """`"*"` (or `{"AWS": "*"}`) is everyone, anonymous callers included."""
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    return any(
        _principal_entry_matches(kind, entry, context)
        for kind, entries in principal.items()
        for entry in _as_strings(entries)
    )


def _principal_entry_matches(kind: str, entry: str, context: Context) -> bool:
    if kind == "AWS":
        return _aws_principal_matches(entry, context)
    if kind == "Service":
        return entry in context.get("aws:principalservicename", ())
    return False


def _aws_principal_matches(entry: str, context: Context) -> bool:
    """An account ID or its root ARN names the account; any other ARN names one principal."""
    if entry == "*":
        return True
    root = _ACCOUNT_ROOT_ARN.fullmatch(entry)
    if root or _ACCOUNT_ID.fullmatch(entry):
        account = root.group(1) if root else entry
        return account in context.get("aws:principalaccount", ())
    return entry in context.get("aws:principalarn", ())


# --- conditions ------------------------------------------------------------------------------------------


def _conditions_hold(condition: dict, context: Context) -> bool | None:
    """Operators are AND-ed. None means no operator failed but at least one is unknown."""
    undecided = False
    for operator_name, block in condition.items():
        verdict = _block_holds(operator_name, block, context)
        if verdict is False:
            return False
        undecided = undecided or verdict is None
    return None if undecided else True


def _block_holds(operator_name: str, block: dict, context: Context) -> bool | None:
    """Keys within one operator's block are AND-ed; None when the operator is unknown."""
    if operator_name.lower() == "null":
        return all(_null_holds(_as_strings(values), context.get(key.lower())) for key, values in block.items())
    operator = _parse_operator(operator_name)
    if operator is None:
        return None
    return all(operator.holds(_as_strings(values), context.get(key.lower())) for key, values in block.items())


def _null_holds(policy_values: tuple[str, ...], request_values: tuple[str, ...] | None) -> bool:
    """`"true"` asks for the key to be absent, `"false"` for it to be present."""
    wanted = "true" if request_values is None else "false"
    return any(value.lower() == wanted for value in policy_values)


@dataclass(frozen=True)
class _Operator:
    """A parsed operator name: `[ForAnyValue:|ForAllValues:]<base>[IfExists]`."""

    test: ValueTest
    negated: bool
    set_prefix: str
    if_exists: bool

    def holds(self, policy_values: tuple[str, ...], request_values: tuple[str, ...] | None) -> bool:
        """Missing keys: IfExists -> true; ForAllValues -> true; ForAnyValue -> false; negated -> true."""
        if request_values is None and self.if_exists:
            return True
        if self.set_prefix == "ForAllValues:":
            return all(self._value_holds(policy_values, value) for value in request_values or ())
        if self.set_prefix == "ForAnyValue:":
            return any(self._value_holds(policy_values, value) for value in request_values or ())
        if request_values is None:
            return self.negated
        return any(self._value_holds(policy_values, value) for value in request_values)

    def _value_holds(self, policy_values: tuple[str, ...], request_value: str) -> bool:
        """A negated operator holds when the value matches none of the policy values."""
        return self.test(policy_values, request_value) != self.negated


@lru_cache(maxsize=256)
def _parse_operator(name: str) -> _Operator | None:
    """Parsed once per spelling, ignoring case as IAM (and the validator) do; None for names IAM does not
    define (`NullIfExists` is one of them)."""
    lowered = name.lower()
    set_prefix = next((prefix for prefix in ("ForAnyValue:", "ForAllValues:") if lowered.startswith(prefix.lower())), "")
    base = lowered[len(set_prefix):]
    if_exists = base.endswith("ifexists")
    base = _CANONICAL_NAMES.get(base.removesuffix("ifexists"), "")
    negated = base in _NEGATIONS
    test = _VALUE_TESTS.get(_NEGATIONS.get(base, base))
    return _Operator(test, negated, set_prefix, if_exists) if test else None


def _any_policy_value(matches: Callable[[str, str], bool]) -> ValueTest:
    """Lift a (policy value, request value) match to the OR over a key's policy values."""
    return lambda policy_values, request_value: any(matches(value, request_value) for value in policy_values)


def _number(text: str) -> float | None:
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _timestamp(text: str) -> float | None:
    """Dates are epoch seconds or ISO 8601; a time without a zone is taken as UTC."""
    number = _number(text)
    if number is not None:
        return number
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def _comparison(parse: Callable[[str], float | None], compare: Callable[[float, float], bool]) -> ValueTest:
    """Numeric and date operators read `request <op> policy`; unparseable values never match."""

    def matches(policy_value: str, request_value: str) -> bool:
        policy_number, request_number = parse(policy_value), parse(request_value)
        return policy_number is not None and request_number is not None and compare(request_number, policy_number)

    return _any_policy_value(matches)


@lru_cache(maxsize=1024)
def _network(cidr: str):
    try:
        return ip_network(cidr, strict=False)
    except ValueError:
        return None


def _in_network(cidr: str, address: str) -> bool:
    network = _network(cidr)
    try:
        return network is not None and ip_address(address) in network
    except ValueError:
        return False


def _comparisons(family: str, parse: Callable[[str], float | None]) -> dict[str, ValueTest]:
    relations = {
        "Equals": op.eq,
        "LessThan": op.lt,
        "LessThanEquals": op.le,
        "GreaterThan": op.gt,
        "GreaterThanEquals": op.ge,
    }
    return {family + suffix: _comparison(parse, compare) for suffix, compare in relations.items()}


_VALUE_TESTS: dict[str, ValueTest] = {
    "StringEquals": lambda policy_values, request_value: request_value in policy_values,
    "StringEqualsIgnoreCase": _any_policy_value(lambda policy, request: policy.lower() == request.lower()),
    "StringLike": _any_policy_value(_wildcard_matches),
    **_comparisons("Numeric", _number),
    **_comparisons("Date", _timestamp),
    "Bool": _any_policy_value(lambda policy, request: policy.lower() == request.lower()),
    "BinaryEquals": lambda policy_values, request_value: request_value in policy_values,
    "IpAddress": _any_policy_value(_in_network),
    "ArnEquals": _any_policy_value(_arn_matches),
    "ArnLike": _any_policy_value(_arn_matches),
}
"""The positive operators; BinaryEquals compares the base64 text as given on both sides."""

_NEGATIONS = {
    "StringNotEquals": "StringEquals",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringNotLike": "StringLike",
    "NumericNotEquals": "NumericEquals",
    "DateNotEquals": "DateEquals",
    "NotIpAddress": "IpAddress",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
}
"""Each negated operator and the positive operator it negates."""

_CANONICAL_NAMES = {name.lower(): name for name in [*_VALUE_TESTS, *_NEGATIONS]}
"""Lower-cased operator name -> the spelling the tables above use."""


def _as_strings(value) -> tuple[str, ...]:
    """Policies and contexts write a value as a string, bool, number or a list of them; compare strings.
    Strings pass through untouched: this runs on every 650-account list for every request."""
    items = value if isinstance(value, (list, tuple)) else (value,)
    return tuple(item if isinstance(item, str) else _scalar_text(item) for item in items)


def _scalar_text(value) -> str:
    """JSON true/false become "true"/"false", as IAM compares them; numbers keep their digits."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
