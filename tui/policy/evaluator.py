"""Evaluate one request against one endpoint policy, the way IAM does, to check a policy before it is applied.

An endpoint policy only restricts (reference §6): an explicit Deny wins, otherwise any matching Allow
allows, otherwise the request is implicitly denied. Statements come from the one statement reader
(`tui.policy.statements`), operators from the one operator table (`tui.policy.operators`); the symbolic
analyser reads policies through the same two, so a witness it finds replays here to the same decision.

Choices where IAM says nothing, or the policy is one AWS would refuse (the validator reports those):
- A request value may be a list (a multivalued key). A non-set operator then matches if any element
  matches, as `ForAnyValue:` would, except that a missing key still follows the single-value rules.
- An undecidable condition (an unknown operator, an unreadable block, a policy variable that cannot be
  resolved) fails closed: an Allow statement with one does not apply, a Deny statement with one does,
  unless another part of the statement already fails to match.
- A statement whose Effect is not exactly "Allow" or "Deny" is ignored.
- A statement without Action/NotAction, Resource/NotResource or Principal/NotPrincipal matches nothing.
- Account principals match every principal of the account (the interface-endpoint reading); a NotPrincipal
  spares a caller only when its account, its user or role ARN and (for a role) its session are all listed; on gateway
  endpoints AWS admits only the root user (reference §1.2), so generated policies use `"*"` plus conditions.
- A Federated principal matches anonymous requests: AssumeRoleWithWebIdentity and AssumeRoleWithSAML are
  not signed with AWS credentials. CanonicalUser principals never match: no context key names them (the
  analyser calls a policy that names one unproven).
- An assumed-role session principal matches that role (any path) with that session name in aws:userid.
- Policy variables (`${aws:PrincipalAccount}`, `${*}`...) are expanded in Resource and condition values
  under Version 2012-10-17, and stay plain text in older policies.
"""

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network
from typing import Any
from typing import Literal as TypingLiteral

from tui.policy.operators import Comparison, Operator, SetQualifier, ValueKind
from tui.policy.requestmodel import ANONYMOUS
from tui.policy.statements import Clause, Effect, Principal, ReadPolicy, Session, Statement, read_policy, scalar_text
from tui.policy.variables import Literal, Part, as_glob, as_text, resolve
from tui.policy.wildcards import Glob, glob, wildcard_match

Outcome = TypingLiteral["Allow", "ImplicitDeny", "ExplicitDeny"]
Context = dict[str, tuple[str, ...]]
"""Request context keyed by lower-cased key name, every value a tuple of strings."""


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


def request_context(request: Request) -> Context:
    """Key names lower-cased, every value a tuple of strings (JSON true/false as IAM compares them)."""
    return {name.lower(): _as_strings(value) for name, value in request.context.items()}


def evaluate(policy: dict[str, Any] | ReadPolicy, request: Request) -> Decision:
    """Explicit deny wins, then any allow, else implicit deny. Deny statements are matched first, so a
    denied request never pays for matching the Allow statements."""
    statements = read_policy(policy).statements
    context = request_context(request)
    denying = _applying(statements, Effect.DENY, request, context)
    if denying:
        return Decision("ExplicitDeny", denying)
    allowing = _applying(statements, Effect.ALLOW, request, context)
    if allowing:
        return Decision("Allow", allowing)
    return Decision("ImplicitDeny")


def _applying(statements: tuple[Statement, ...], effect: Effect, request: Request, context: Context) -> tuple[str, ...]:
    return tuple(s.label for s in statements if s.effect is effect and statement_applies(s, request, context))


def statement_applies(statement: Statement, request: Request, context: Context) -> bool:
    """Cheap element checks first; an undecidable condition makes the statement apply only if it denies."""
    if not (
        action_matches(statement, request.action)
        and resource_matches(statement, request.resource, context)
        and principal_matches(statement, context)
    ):
        return False
    verdict = conditions_hold(statement.clauses, context)
    return statement.effect is Effect.DENY if verdict is None else verdict


def action_matches(statement: Statement, action: str) -> bool:
    """Service prefix and action name are case-insensitive in IAM."""
    if statement.action is None:
        return False
    hit = any(wildcard_match(pattern, action, ignore_case=True) for pattern in statement.action.patterns)
    return hit != statement.action.negated


def resource_matches(statement: Statement, resource: str, context: Context) -> bool:
    """Resource patterns are case-sensitive wildcards; a variable that cannot be resolved matches nothing."""
    if statement.resource is None:
        return False
    hit = False
    for parts in statement.resource_parts:
        resolved = resolve(parts, context)
        if resolved is not None and as_glob(resolved).matches(resource):
            hit = True
            break
    return hit != statement.resource.negated


def principal_matches(statement: Statement, context: Context) -> bool:
    if statement.principal is None:
        return statement.principal_negated  # an unreadable NotPrincipal excludes nobody; Principal names nobody
    if statement.principal_negated:
        return not _names_every_level(statement.principal, context)
    return _names_caller(statement.principal, context)


def _names_every_level(principal: Principal, context: Context) -> bool:
    """Whether a NotPrincipal spares the caller. AWS "might validate the account first, then the role, and
    then the assumed-role user", so a caller is spared only when its account, its user or role ARN and, for a
    role, its session are all listed (IAM user guide, "AWS JSON policy elements: NotPrincipal"): a NotPrincipal
    that names only the account spares its root user alone. Service principals and anonymous (federated)
    callers have one level each."""
    if principal.everyone:
        return True
    services = context.get("aws:principalservicename")
    if services:
        return any(service in services for service in principal.services)
    accounts = context.get("aws:principalaccount", ())
    if ANONYMOUS in accounts:
        return principal.federated
    arns = context.get("aws:principalarn", ())
    if not any(account in accounts for account in principal.accounts):
        return False
    names = [arn.split(":", 5)[5] if arn.count(":") >= 5 else "" for arn in arns]  # root, user/..., role/...
    if not arns or "root" in names:  # the account's root user (or no ARN to check)
        return True
    if not any(arn in arns for arn in principal.arns):
        return False
    return not any(name.startswith("role/") for name in names) or any(_is_session(session, context) for session in principal.sessions)


def _names_caller(principal: Principal, context: Context) -> bool:
    """`"*"` (or `{"AWS": "*"}`) is everyone, anonymous callers included."""
    if principal.everyone:
        return True
    accounts = context.get("aws:principalaccount", ())
    arns = context.get("aws:principalarn", ())
    services = context.get("aws:principalservicename", ())
    return (
        any(account in accounts for account in principal.accounts)
        or any(arn in arns for arn in principal.arns)
        or any(service in services for service in principal.services)
        or any(_is_session(session, context) for session in principal.sessions)
        or (principal.federated and ANONYMOUS in accounts)
    )


def _is_session(session: Session, context: Context) -> bool:
    """The request's role (any path) and session name are the ones the session ARN names."""
    role, userid = session_globs(session)
    return (
        session.account in context.get("aws:principalaccount", ())
        and any(pattern.matches(arn) for pattern in role for arn in context.get("aws:principalarn", ()))
        and any(userid.matches(value) for value in context.get("aws:userid", ()))
    )


def session_globs(session: Session) -> tuple[tuple[Glob, Glob], Glob]:
    """The role's ARNs (`arn:P:iam::A:role/ROLE`, `arn:P:iam::A:role/<path>/ROLE`) and the userid
    (`<role id>:SESSION`), every character of the names literal (segments of a Glob hold no wildcards)."""
    head = f"arn:{session.partition}:iam::{session.account}:role/"
    return (Glob((head + session.role,)), Glob((head, f"/{session.role}"))), Glob(("", f":{session.name}"))


# --- conditions ------------------------------------------------------------------------------------------


def conditions_hold(clauses: tuple[Clause, ...], context: Context) -> bool | None:
    """Clauses are AND-ed. None means no clause failed but at least one is undecidable."""
    undecided = False
    for clause in clauses:
        verdict = clause_holds(clause, context)
        if verdict is False:
            return False
        undecided = undecided or verdict is None
    return None if undecided else True


def clause_holds(clause: Clause, context: Context) -> bool | None:
    """One key under one operator; None when it cannot be decided."""
    operator = clause.operator
    if operator is None:
        return None
    request_values = context.get(clause.key)
    if operator.base.kind is ValueKind.NULL:
        wanted = "true" if request_values is None else "false"
        return any(value.lower() == wanted for value in clause.values)
    policy_values = _policy_values(clause, context)
    if policy_values is None:
        return None
    return _operator_holds(operator, policy_values, request_values)


def _policy_values(clause: Clause, context: Context) -> tuple[tuple[Part, ...], ...] | tuple[str, ...] | None:
    """Plain strings when no value holds a variable; else the resolved parts, None if one cannot be resolved."""
    if clause.parts is None:
        return clause.values
    resolved = tuple(resolve(parts, context) for parts in clause.parts)
    return None if any(parts is None for parts in resolved) else resolved  # type: ignore[return-value]


def _operator_holds(operator: Operator, policy_values: Sequence[Any], request_values: tuple[str, ...] | None) -> bool:
    """Missing keys: IfExists -> true; ForAllValues -> true; ForAnyValue -> false; negated -> true."""
    if request_values is None and operator.if_exists:
        return True
    test = _value_test(operator, policy_values)
    if operator.qualifier is SetQualifier.FOR_ALL_VALUES:
        return all(test(value) for value in request_values or ())
    if operator.qualifier is SetQualifier.FOR_ANY_VALUE:
        return any(test(value) for value in request_values or ())
    if request_values is None:
        return operator.negated
    return any(test(value) for value in request_values)


def _value_test(operator: Operator, policy_values: Sequence[Any]) -> Callable[[str], bool]:
    """Whether one request value matches any policy value (values are OR-ed); negated operators hold when
    the value matches none of them."""
    base = operator.base
    matches = _MATCHERS[base.kind, base.comparison]
    values = tuple(_normalised(value, base.kind, base.comparison, base.ignore_case) for value in policy_values)
    if base.ignore_case:
        return lambda request: any(matches(value, request.lower()) for value in values) != base.negated
    return lambda request: any(matches(value, request) for value in values) != base.negated


def _normalised(value: Any, kind: ValueKind, comparison: Comparison, ignore_case: bool) -> Any:
    """A policy value in the form its matcher takes: Globs for wildcard operators, else the literal text."""
    if kind is ValueKind.ARN:
        return _arn_globs((value,) if isinstance(value, str) else value)
    if comparison is Comparison.LIKE:
        return glob(value) if isinstance(value, str) else as_glob(value)
    text = value if isinstance(value, str) else as_text(value)
    return text.lower() if ignore_case else text


# --- value matchers --------------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _arn_globs(parts: tuple[Part, ...]) -> tuple[Glob, tuple[Glob, ...] | None]:
    """ArnEquals/ArnLike compare the six colon-separated parts one by one, so `*` stays within a part (the
    last part, the resource, may itself hold colons); a value that is not a six-part ARN is matched whole."""
    fields: list[list[Part]] = [[]]
    for part in parts:
        plain = not isinstance(part, Literal)
        for position, piece in enumerate((part.text if isinstance(part, Literal) else str(part)).split(":")):
            if position and len(fields) < 6:
                fields.append([])
            elif position:
                fields[-1].append(":" if plain else Literal(":"))
            if piece:
                fields[-1].append(piece if plain else Literal(piece))
    six = tuple(as_glob(tuple(field_parts)) for field_parts in fields) if len(fields) == 6 else None
    return as_glob(parts), six


def _arn_matches(globs: tuple[Glob, tuple[Glob, ...] | None], arn: str) -> bool:
    whole, fields = globs
    arn_fields = arn.split(":", 5)
    if fields is None or len(arn_fields) != 6:
        return whole.matches(arn)
    return all(field_glob.matches(text) for field_glob, text in zip(fields, arn_fields, strict=True))


def number_of(text: str) -> float | None:
    """A policy or request number as IAM reads it: ASCII digits, finite; None otherwise."""
    if not text.isascii():  # float() also reads full-width and other scripts' digits; IAM's numbers are ASCII
        return None
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def timestamp(text: str) -> float | None:
    """Dates are epoch seconds or ISO 8601; a time without a zone is taken as UTC."""
    number = number_of(text)
    if number is not None:
        return number
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


_RELATIONS: dict[Comparison, Callable[[float, float], bool]] = {
    Comparison.EQUALS: lambda request, policy: request == policy,
    Comparison.LESS_THAN: lambda request, policy: request < policy,
    Comparison.LESS_THAN_EQUALS: lambda request, policy: request <= policy,
    Comparison.GREATER_THAN: lambda request, policy: request > policy,
    Comparison.GREATER_THAN_EQUALS: lambda request, policy: request >= policy,
}


def _comparison(parse: Callable[[str], float | None], relation: Callable[[float, float], bool]) -> Callable[[str, str], bool]:
    """Numeric and date operators read `request <op> policy`; unparseable values never match."""

    def matches(policy_value: str, request_value: str) -> bool:
        policy_number, request_number = parse(policy_value), parse(request_value)
        return policy_number is not None and request_number is not None and relation(request_number, policy_number)

    return matches


@lru_cache(maxsize=1024)
def network(cidr: str) -> IPv4Network | IPv6Network | None:
    try:
        return ip_network(cidr, strict=False)
    except ValueError:
        return None


def _in_network(cidr: str, address: str) -> bool:
    parsed = network(cidr)
    try:
        return parsed is not None and ip_address(address) in parsed
    except ValueError:
        return False


_MATCHERS: dict[tuple[ValueKind, Comparison], Callable[..., Any]] = {
    (ValueKind.STRING, Comparison.EQUALS): lambda policy, request: policy == request,
    (ValueKind.STRING, Comparison.LIKE): lambda policy, request: policy.matches(request),
    (ValueKind.BOOL, Comparison.EQUALS): lambda policy, request: policy == request,
    (ValueKind.BINARY, Comparison.EQUALS): lambda policy, request: policy == request,
    (ValueKind.IP, Comparison.IN_NETWORK): _in_network,
    (ValueKind.ARN, Comparison.LIKE): _arn_matches,
    **{(ValueKind.NUMERIC, c): _comparison(number_of, r) for c, r in _RELATIONS.items()},
    **{(ValueKind.DATE, c): _comparison(timestamp, r) for c, r in _RELATIONS.items()},
}
"""(kind, comparison) -> match(policy value, request value); the policy value comes from `_normalised`."""


def _as_strings(value: Any) -> tuple[str, ...]:
    """Contexts write a value as a string, bool, number or a list of them; compare strings."""
    items = value if isinstance(value, (list, tuple)) else (value,)
    return tuple(text for text in map(scalar_text, items) if text is not None)
