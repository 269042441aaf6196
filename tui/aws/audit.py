"""Audit: what every endpoint's policy admits, judged against the user's trusted accounts and orgs.

Findings come from the symbolic analyser (tui.aws.perimeter -> tui.policy.analysis): proofs with witness
requests, so correct perimeters written in any style are not reported as holes and open ones cannot hide
behind conditions that samples miss (see docs/aws.md for what the auditors get wrong).
"""

from dataclasses import dataclass

from tui.aws.access_analyzer import Validation, validate_policy
from tui.aws.discovery import Endpoint, discover
from tui.policy.analysis import FULL_ACCESS_POLICY, SEVERITY_ORDER, Finding, sorted_findings

SEVERITIES = tuple(str(severity) for severity in SEVERITY_ORDER)


@dataclass(frozen=True)
class EndpointAudit:
    endpoint: Endpoint
    findings: tuple[Finding, ...]
    access_analyzer: Validation | None = None
    """IAM Access Analyzer's ValidatePolicy findings, when asked for (`audit --access-analyzer`)."""

    def to_dict(self) -> dict:
        e = self.endpoint
        record: dict[str, object] = {
            "id": e.id, "region": e.region, "vpc_id": e.vpc_id, "service": e.service or e.service_name, "type": e.type,
            "classification": e.classification,
            "findings": [f.to_dict() for f in self.findings],
        }
        if self.access_analyzer is not None:
            record["access_analyzer"] = self.access_analyzer.to_dict()
        return record


def audit(conn, regions, trusted_accounts, trusted_orgs=(), *, vpc_id=None, on_region=None,
          access_analyzer: bool = False, locale: str = "EN") -> list[EndpointAudit]:
    """Audit every endpoint of the regions; no trusted account given means the caller's own account.
    With `access_analyzer`, every endpoint that takes a policy also gets ValidatePolicy's findings (asked
    once per distinct document and region)."""
    endpoints = discover(conn, regions, vpc_id, trusted_accounts=trusted_accounts, trusted_orgs=trusted_orgs, on_region=on_region)
    return [EndpointAudit(e, sorted_findings(e.findings), _second_opinion(conn, e, locale) if access_analyzer else None)
            for e in endpoints]


def _second_opinion(conn, endpoint: Endpoint, locale: str) -> Validation | None:
    """The stored text as AWS holds it (AWS's full-access default when there is none); endpoints that take
    no policy are not sent."""
    if not endpoint.takes_policy:
        return None
    return validate_policy(conn, endpoint.stored or FULL_ACCESS_POLICY, endpoint.region, locale)
