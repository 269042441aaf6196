"""What a policy shows on its face: answers that need no solver.

In a document with no Condition and no policy variable, whether a request is allowed depends only on who
makes it, its action and its resource. Then one request the evaluator allows proves that an existence
question ("can an outsider write?") has an answer, and an Allow that names everyone (or every trusted
account) with no Deny in the document proves that a request is never denied. AWS's full-access default, the
document on most endpoints of a real fleet, is answered this way without z3 (tui/policy/analysis.py tries
it first and asks the solver whenever the face does not settle a question).

The example requests are built to meet each question's terms by construction (an anonymous caller is
never trusted, a write is never read-only, a fresh account owns nothing trusted), and they are requests the
request model admits; tests/test_analysis_evidence.py checks that the answers equal the solver's.
"""

from collections.abc import Iterable, Mapping

from tui.policy.evaluator import Decision, Request, action_matches, evaluate, resource_matches
from tui.policy.requestmodel import ANONYMOUS, KEY_DOMAINS
from tui.policy.statements import Effect, ReadPolicy, Statement
from tui.policy.wildcards import wildcard_match

FRESH_ACCOUNTS = ("999999999000", "888888888000", "777777777000", "666666666000")
"""Accounts the examples give to outsiders and to foreign resources: the first one the user does not trust."""


def on_its_face(policy: ReadPolicy) -> bool:
    """Whether every statement's verdict depends on principal, action and resource alone."""
    return not any(statement.clauses or _resource_variables(statement) for statement in policy.statements)


def _resource_variables(statement: Statement) -> bool:
    return statement.variables and statement.resource is not None and any("${" in p for p in statement.resource.patterns)


def can_carry(fixed: Mapping[str, str | None]) -> bool:
    """Whether a request can carry these values of the keys fixed by the endpoint (lower-cased names): a
    malformed endpoint or VPC id makes the request model empty, which only the solver's run reports."""
    return all(value is None or name not in KEY_DOMAINS or KEY_DOMAINS[name].fullmatch(value) for name, value in fixed.items())


def fresh_account(trusted: Iterable[str]) -> str:
    """An account outside the trusted set (the user can trust at most a few of the fresh ones)."""
    taken = set(trusted)
    return next(account for account in FRESH_ACCOUNTS if account not in taken)


def anonymous_context(owner: str, fixed: Mapping[str, str]) -> dict[str, str]:
    """An unsigned HTTPS request through the endpoint, to a resource of `owner`."""
    return {"aws:PrincipalAccount": ANONYMOUS, **fixed, "aws:ResourceAccount": owner}


def role_context(account: str, owner: str, partition: str, fixed: Mapping[str, str]) -> dict[str, str]:
    """A role of `account` calling through the endpoint, to a resource of `owner`."""
    return {"aws:PrincipalAccount": account, "aws:PrincipalArn": f"arn:{partition}:iam::{account}:role/vpce-wizard-witness",
            "aws:PrincipalIsAWSService": "false", **fixed, "aws:ResourceAccount": owner}


def allowed(policy: ReadPolicy, request: Request) -> Decision | None:
    """The evaluator's Allow, or None."""
    decision = evaluate(policy, request)
    return decision if decision.allowed else None


def is_read_only(action: str, read_only: Iterable[str]) -> bool:
    return any(wildcard_match(pattern, action, ignore_case=True) for pattern in read_only)


def never_denied(policy: ReadPolicy, action: str, resource: str, accounts: tuple[str, ...] | None) -> bool:
    """Whether every caller of `accounts` (None: any caller at all) is allowed `action` on `resource`,
    whatever else the request carries: no statement denies, and an Allow names them all, on a document that
    is on its face (`on_its_face`)."""
    if any(statement.effect is Effect.DENY for statement in policy.statements):
        return False
    return any(_names_all(statement, accounts) and action_matches(statement, action) and resource_matches(statement, resource, {})
               for statement in policy.statements if statement.effect is Effect.ALLOW)


def _names_all(statement: Statement, accounts: tuple[str, ...] | None) -> bool:
    principal = statement.principal
    if principal is None or statement.principal_negated:
        return False
    if principal.everyone:
        return True
    return bool(accounts) and all(account in principal.accounts for account in accounts or ())

