"""Which region a policy was built for: AWS-owned bucket names contain their region (al2023-repos-eu-west-1-...),
so a policy that allows eu-west-1's repositories breaks `dnf` in us-east-1 while looking perfectly valid."""

from functools import cache
from typing import Any

from tui.policy.catalog import load_catalog
from tui.policy.identifiers import known_regions
from tui.report.messages import Phrase


@cache
def _regional_arns() -> dict[str, frozenset[str]]:
    """Every catalog ARN that exists for some regions only, mapped to the regions it belongs to."""
    owners: dict[str, set[str]] = {}
    regions = known_regions()
    for entry in load_catalog().entries:
        for region in regions:
            for arn in entry.arns(region):
                owners.setdefault(arn, set()).add(region)
    return {arn: frozenset(found) for arn, found in owners.items() if len(found) < len(regions)}


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return []


def foreign_region_buckets(policy: dict[str, Any], region: str) -> list[tuple[str, str]]:
    """(ARN, its region) for each AWS-owned bucket the policy names that belongs to other regions only."""
    statements = policy.get("Statement", [])
    statements = [statements] if isinstance(statements, dict) else statements if isinstance(statements, list) else []
    regional = _regional_arns()
    found = []
    for statement in statements:
        if not isinstance(statement, dict):
            continue
        for arn in _strings(statement.get("Resource")) + _strings(statement.get("NotResource")):
            owners = regional.get(arn)
            if owners and region not in owners:
                found.append((arn, min(owners)))
    return list(dict.fromkeys(found))


def region_mismatch(policy: dict[str, Any], region: str) -> str | None:
    """Why the policy does not fit `region`, or None when it does."""
    found = foreign_region_buckets(policy, region)
    if not found:
        return None
    arn, other = found[0]
    more = {"variant": "more", "more": len(found) - 1} if len(found) > 1 else {}
    return Phrase("region-mismatch", {"other": other, "arn": arn, "region": region, **more})
