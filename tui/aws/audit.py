"""Audit: what every endpoint's policy admits, judged against the user's trusted accounts and orgs.

Findings come from the symbolic analyser (tui.aws.perimeter -> tui.policy.analysis): proofs with witness
requests, so correct perimeters written in any style are not reported as holes and open ones cannot hide
behind conditions that samples miss (see docs/aws.md for what the auditors get wrong).
"""

from dataclasses import dataclass

from tui.aws.discovery import Endpoint, discover
from tui.policy.analysis import SEVERITY_ORDER, Finding, sorted_findings

SEVERITIES = tuple(str(severity) for severity in SEVERITY_ORDER)


@dataclass(frozen=True)
class EndpointAudit:
    endpoint: Endpoint
    findings: tuple[Finding, ...]

    def to_dict(self) -> dict:
        e = self.endpoint
        return {
            "id": e.id, "region": e.region, "vpc_id": e.vpc_id, "service": e.service or e.service_name, "type": e.type,
            "classification": e.classification,
            "findings": [f.to_dict() for f in self.findings],
        }


def audit(conn, regions, trusted_accounts, trusted_orgs=(), *, vpc_id=None, on_region=None) -> list[EndpointAudit]:
    """Audit every endpoint of the regions; no trusted account given means the caller's own account."""
    endpoints = discover(conn, regions, vpc_id, trusted_accounts=trusted_accounts, trusted_orgs=trusted_orgs, on_region=on_region)
    return [EndpointAudit(e, sorted_findings(e.findings)) for e in endpoints]
