"""The one statement reader: a policy document as typed statements, for the evaluator and the analyser.

It reads any document AWS could hold, and ones it could not: `audit` meets hostile policies on endpoints.
Nothing here raises on a malformed document; what cannot be read is marked so that its users fail
closed (an unreadable condition never lets an Allow apply, and always lets a Deny apply) while the validator
reports the grammar error.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from typing import Any

from tui.policy.operators import Operator, parse_operator
from tui.policy.variables import VARIABLES_VERSION, Part, has_variables, parse_value

_ACCOUNT_ID = re.compile(r"[0-9]{12}", re.ASCII)
_ROOT_ARN = re.compile(r"arn:[a-z-]+:iam::([0-9]{12}):root", re.ASCII)
_SESSION_ARN = re.compile(r"arn:([a-z-]+):sts::([0-9]{12}):assumed-role/([^/]+)/(.+)", re.ASCII)


class Effect(StrEnum):
    ALLOW = "Allow"
    DENY = "Deny"


@dataclass(frozen=True)
class Clause:
    """One condition key under one operator. `operator` is None when IAM has no such operator or the block
    cannot be read; such a clause is undecidable."""

    operator_name: str
    operator: Operator | None
    key: str
    """Lower-cased: IAM reads condition key names case-insensitively."""
    values: tuple[str, ...]
    parts: tuple[tuple[Part, ...], ...] | None = None
    """Each value split around policy variables; None when no value holds one."""


@dataclass(frozen=True)
class Session:
    """An assumed-role session principal, `arn:PARTITION:sts::ACCOUNT:assumed-role/ROLE/SESSION`: it names that
    one session of the role (IAM user guide, "AWS JSON policy elements: Principal", role sessions). The request
    carries the role's ARN (with its path) in aws:PrincipalArn and `ROLE-ID:SESSION` in aws:userid."""

    partition: str
    account: str
    role: str
    name: str


@dataclass(frozen=True)
class Principal:
    """Whom a Principal element names. `federated`: a Federated entry, which names the web-identity and SAML
    callers of sts:AssumeRoleWithWebIdentity / AssumeRoleWithSAML; those requests are not signed with AWS
    credentials, so they reach the endpoint as anonymous requests. `canonical_users`: CanonicalUser entries (S3
    canonical user IDs), which name an account no request key names: the evaluator matches nobody by them and
    the analyser says that what they admit or refuse is unproven."""

    everyone: bool = False
    accounts: tuple[str, ...] = ()
    arns: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    sessions: tuple[Session, ...] = ()
    federated: bool = False
    canonical_users: tuple[str, ...] = ()


@dataclass(frozen=True)
class Element:
    """Action or Resource: the patterns, and whether they were written as NotAction / NotResource."""

    patterns: tuple[str, ...]
    negated: bool = False


@dataclass(frozen=True)
class Statement:
    """One statement. A missing element (None) means the statement matches no request."""

    index: int
    label: str
    effect: Effect | None
    principal: Principal | None
    principal_negated: bool
    action: Element | None
    resource: Element | None
    clauses: tuple[Clause, ...]
    variables: bool
    """Whether `${...}` in Resource and condition values are policy variables (Version 2012-10-17)."""

    @cached_property
    def resource_parts(self) -> tuple[tuple[Part, ...], ...]:
        assert self.resource is not None  # noqa: S101 (narrows the type; only asked of statements with Resource)
        return tuple(parse_value(pattern, self.variables) for pattern in self.resource.patterns)


@dataclass(frozen=True)
class ReadPolicy:
    """A document read once, so repeated evaluations (scenarios, replays, analysis) do not read it again."""

    statements: tuple[Statement, ...]
    variables: bool


def read_policy(doc: object) -> ReadPolicy:
    """Typed statements of a document; anything that is not a statement object is skipped."""
    if isinstance(doc, ReadPolicy):
        return doc
    if not isinstance(doc, dict):
        return ReadPolicy((), False)
    variables = doc.get("Version") == VARIABLES_VERSION
    raw = doc.get("Statement", [])
    items = [raw] if isinstance(raw, dict) else raw if isinstance(raw, list) else []
    statements = tuple(
        _statement(index, item, variables) for index, item in enumerate(items) if isinstance(item, dict)
    )
    return ReadPolicy(statements, variables)


def scalar_text(value: object) -> str | None:
    """A JSON scalar as IAM compares it: true/false become "true"/"false", numbers keep their digits;
    None for anything that is not a scalar (lists, objects, null)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return None


def strings_of(value: object) -> tuple[str, ...] | None:
    """A one-or-many element as strings; None when any item is not a scalar (the element is unreadable)."""
    items = value if isinstance(value, list) else [value]
    texts = tuple(scalar_text(item) for item in items)
    return None if any(text is None for text in texts) else texts  # type: ignore[return-value]


def _statement(index: int, raw: dict[str, Any], variables: bool) -> Statement:
    sid = raw.get("Sid")
    effect = raw.get("Effect")
    principal_key = "Principal" if "Principal" in raw else "NotPrincipal" if "NotPrincipal" in raw else None
    return Statement(
        index=index,
        label=sid if isinstance(sid, str) and sid else f"Statement[{index}]",
        effect=Effect(effect) if effect in ("Allow", "Deny") else None,
        principal=_principal(raw[principal_key]) if principal_key else None,
        principal_negated=principal_key == "NotPrincipal",
        action=_element(raw, "Action"),
        resource=_element(raw, "Resource"),
        clauses=tuple(_clauses(raw.get("Condition", {}), variables)),
        variables=variables,
    )


def _element(raw: dict[str, Any], name: str) -> Element | None:
    """The positive element wins when a statement (wrongly) has both; unreadable items match nothing."""
    for key, negated in ((name, False), (f"Not{name}", True)):
        if key in raw:
            items = raw[key] if isinstance(raw[key], list) else [raw[key]]
            return Element(tuple(item for item in items if isinstance(item, str)), negated)
    return None


def _principal(raw: object) -> Principal | None:
    """None when the element cannot be read: it then names nobody."""
    if raw == "*":
        return Principal(everyone=True)
    if not isinstance(raw, dict):
        return None
    accounts, arns, services, sessions, canonical_users = [], [], [], [], []
    federated = False
    for kind, entries in raw.items():
        for entry in strings_of(entries) or ():
            if kind == "AWS":
                if entry == "*":
                    return Principal(everyone=True)
                root = _ROOT_ARN.fullmatch(entry)
                session = _SESSION_ARN.fullmatch(entry)
                if root or _ACCOUNT_ID.fullmatch(entry):
                    accounts.append(root.group(1) if root else entry)
                elif session:
                    sessions.append(Session(*session.groups()))
                else:
                    arns.append(entry)
            elif kind == "Service":
                services.append(entry)
            elif kind == "Federated":
                federated = True
            elif kind == "CanonicalUser":
                canonical_users.append(entry)
    return Principal(False, tuple(accounts), tuple(arns), tuple(services), tuple(sessions), federated, tuple(canonical_users))


UNREADABLE = "(unreadable)"


def _clauses(condition: object, variables: bool) -> Iterable[Clause]:
    """A Condition that is not an object, or a block that is not one, is one undecidable clause."""
    if not isinstance(condition, dict):
        yield Clause(UNREADABLE, None, "", ())
        return
    for operator_name, block in condition.items():
        operator = parse_operator(operator_name)
        if not isinstance(block, dict):
            yield Clause(operator_name, None, "", ())
            continue
        for key, raw_values in block.items():
            values = strings_of(raw_values)
            if values is None:
                yield Clause(operator_name, None, key.lower(), ())
                continue
            parsed = tuple(parse_value(value, variables) for value in values)
            yield Clause(operator_name, operator, key.lower(), values,
                         parsed if any(map(has_variables, parsed)) else None)
