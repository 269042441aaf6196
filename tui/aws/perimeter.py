"""What an endpoint's policy admits, for `audit`, the wizard's endpoint labels and the apply guard alike: the
symbolic analyser's verdict (tui.policy.analysis) for the endpoint's place, so the three can never disagree.

A stored policy is hostile input: `tui.policy.analysis.analyse_stored` turns one that cannot be parsed into a
high `unreadable` finding and an ambiguous one into a high `ambiguous-document` finding.
"""

import json
import threading
from dataclasses import dataclass, replace
from functools import lru_cache

from tui.policy.analysis import (
    FULL_ACCESS_POLICY,
    Analysis,
    Caller,
    Classification,
    Finding,
    Setting,
    Severity,
    Trust,
    analyse,
    analyse_stored,
    blocking_findings,
)
from tui.policy.errors import InputError
from tui.policy.parsing import parse_policy

__all__ = ["FULL_ACCESS", "FULL_ACCESS_POLICY", "IDENTITY_PERIMETER", "IDENTITY_RESOURCE_PERIMETER", "NO_POLICY",
           "TRUSTS_OUTSIDE", "Place", "Trust", "assess", "blockers", "caller_of", "no_policy",
           "stored_verdict"]

NO_POLICY = Classification.NO_POLICY
FULL_ACCESS = Classification.FULL_ACCESS
IDENTITY_PERIMETER = Classification.IDENTITY_PERIMETER
IDENTITY_RESOURCE_PERIMETER = Classification.IDENTITY_RESOURCE_PERIMETER
TRUSTS_OUTSIDE = Classification.TRUSTS_OUTSIDE


@dataclass(frozen=True)
class Place:
    """Where the endpoint sits: requests through it carry aws:SourceVpc, aws:SourceVpce and its region."""

    service: str | None
    service_name: str
    region: str
    endpoint_type: str
    vpc_id: str = ""
    endpoint_id: str = ""

    def setting(self, trust: Trust, caller: Caller | None = None, resource_perimeter: bool | None = None, *, ids: bool = True) -> Setting:
        """`ids=False` leaves out the endpoint and VPC ids (for a document that cannot test them)."""
        return Setting(self.service or self.service_name.rsplit(".", 1)[-1], self.region, trust, self.endpoint_type,
                       self.vpc_id or None if ids else None, self.endpoint_id or None if ids else None, caller, resource_perimeter)


_ONE_AT_A_TIME = threading.Lock()
"""Analyses run one at a time anyway (z3 is not thread-safe): threads of an org-wide run that need the same
verdict wait here and find it cached, instead of each computing it again."""


def no_policy(reason: str) -> Analysis:
    return Analysis(NO_POLICY, (Finding(Severity.INFO, "no-policy-support", {"reason": reason}),))


def assess(policy: dict, place: Place, trust: Trust, caller: Caller | None = None) -> Analysis:
    """The analyser's verdict on a document for this endpoint."""
    return analyse(policy, place.setting(trust, caller))


def blockers(policy: dict, place: Place, trust: Trust, caller: Caller | None = None) -> tuple[Finding, ...]:
    """What would block applying the document here (lock-out, unproven), lock-out first: the apply guard."""
    with _ONE_AT_A_TIME:
        return blocking_findings(policy, place.setting(trust, caller))


def stored_verdict(text: str | None, place: Place, trust: Trust, caller: Caller | None = None) -> Analysis:
    """The verdict on the PolicyDocument text AWS returned. Cached by the text and the setting (the endpoint
    and VPC ids only when the document names aws:SourceVpce or aws:SourceVpc): 2,000 endpoints that share a
    few documents are read, validated and analysed a few times."""
    setting = place.setting(trust, caller, ids=_names_the_endpoint(text))
    with _ONE_AT_A_TIME:
        return _stored_verdict_cached(text, setting)


@lru_cache(maxsize=4096)
def _stored_verdict_cached(text: str | None, setting: Setting) -> Analysis:
    return analyse_stored(text, setting)[1]


@lru_cache(maxsize=4096)
def _names_the_endpoint(text: str | None) -> bool:
    """Whether the verdict may depend on the endpoint's own ids (read from the parsed document, so escapes
    such as `\\u0056` cannot hide a key); an unreadable document's verdict never does."""
    try:
        parsed = parse_policy(text, "the stored policy") if text else None
    except InputError:
        return False
    lowered = json.dumps(parsed.doc, ensure_ascii=True).lower() if parsed else ""
    return "aws:sourcevpc" in lowered


def caller_of(conn) -> Caller:
    """The connection's identity as IAM sees it; a role's path and tags come from iam:GetRole where allowed,
    else stay unknown (then conditions on them count as possibly denying)."""
    org = conn.org_id
    try:
        caller = Caller.from_arn(conn.caller_arn, org) if conn.caller_arn else Caller(conn.account_id, "AssumedRole", org_id=org)
    except InputError:  # a kind of ARN the analyser does not read: a principal of the account, nothing more
        caller = Caller(conn.account_id, "AssumedRole", org_id=org)
    if conn.caller_userid:
        caller = replace(caller, user_id=conn.caller_userid)
    if caller.role_name and caller.path is None:
        caller = _with_role_details(conn, caller)
    return caller


def _with_role_details(conn, caller: Caller) -> Caller:
    try:
        role = conn.client("iam").get_role(RoleName=caller.role_name)["Role"]
    except Exception:  # noqa: BLE001 - iam:GetRole is optional: without it path and tags stay unknown
        return caller
    tags = tuple((tag["Key"], tag["Value"]) for tag in role.get("Tags", []))
    return replace(caller, arn=role.get("Arn"), path=role.get("Path", "/"), tags=tags)
