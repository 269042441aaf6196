"""Saved plans for change approval: what an org apply would change, reviewed before it is carried out.

`apply --save-plan FILE` records, per (account, region, endpoint), the policy to write, the diff and a hash of
the policy the endpoint held; `apply --plan FILE` applies exactly that and refuses any endpoint whose policy
changed since (the hash is of the normalised document, so AWS's rewriting of stored JSON is not a change).
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from tui.aws.apply import ApplyPlan, Reason, plan_apply, said
from tui.aws.rollout import TargetPlan
from tui.aws.targets import Target
from tui.policy.diff import normalise
from tui.policy.errors import InputError
from tui.policy.files import write_private
from tui.policy.identifiers import check_account_id, check_endpoint_id, check_region
from tui.report.messages import Phrase

PLAN_FORMAT = 1
PLAN_KIND = "vpce-wizard-plan"
MAX_PLAN_BYTES = 64 * 1024 * 1024


def policy_hash(policy: dict | None) -> str:
    """sha256 of the normalised document (or of `null` when the endpoint holds none)."""
    canonical = json.dumps(normalise(policy) if policy is not None else None, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class PlannedEndpoint:
    account: str
    region: str
    endpoint_id: str
    service: str
    current_sha256: str
    policy: dict
    diff: tuple[str, ...]

    @property
    def target(self) -> Target:
        return Target(self.account, self.region)

    def to_dict(self) -> dict:
        return {
            "account": self.account, "region": self.region, "endpoint_id": self.endpoint_id, "service": self.service,
            "current_sha256": self.current_sha256, "policy": self.policy, "diff": list(self.diff),
        }


def planned_endpoints(plans: list[TargetPlan]) -> list[PlannedEndpoint]:
    """The writes of the plans (refused and unchanged endpoints change nothing, so they are not in a plan file)."""
    return [
        PlannedEndpoint(p.target.account, p.target.region, item.endpoint.id, item.endpoint.service or item.endpoint.service_name,
                        policy_hash(item.endpoint.policy), item.policy, tuple(item.diff))
        for p in plans
        for item in p.plan.writes
    ]


def save_plan(path: str, plans: list[TargetPlan], caller: str, role_name: str) -> list[PlannedEndpoint]:
    """Write the plan file privately (0600); returns what it holds."""
    endpoints = planned_endpoints(plans)
    record = {
        "format": PLAN_FORMAT, "kind": PLAN_KIND, "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "caller_account": caller, "role_name": role_name, "endpoints": [e.to_dict() for e in endpoints],
    }
    try:
        write_private(path, json.dumps(record, indent=2) + "\n")
    except OSError as exc:
        raise InputError(Phrase("plans", {"variant": "write-failed", "path": path, "reason": exc.strerror or str(exc)})) from None
    return endpoints


def _endpoint(raw, where: Phrase) -> PlannedEndpoint:
    if not isinstance(raw, dict):
        raise InputError(Phrase("plans", {"variant": "not-object", "where": where}))
    try:
        policy, digest, diff = raw["policy"], raw["current_sha256"], raw.get("diff", [])
        service = raw.get("service", "")
        if not isinstance(policy, dict) or not isinstance(digest, str) or len(digest) != 64 or not isinstance(service, str):
            raise TypeError
        if not isinstance(diff, list) or not all(isinstance(line, str) for line in diff):
            raise TypeError
        return PlannedEndpoint(check_account_id(raw["account"]), check_region(raw["region"]), check_endpoint_id(raw["endpoint_id"]), service, digest, policy, tuple(diff))
    except (KeyError, TypeError, AttributeError):
        raise InputError(Phrase("plans", {"variant": "endpoint-fields", "where": where})) from None


def load_plan(path: str) -> list[PlannedEndpoint]:
    """Read and check a plan file; one clear error for anything that is not one."""
    from pathlib import Path

    from tui.policy.parsing import decode_utf8, strict_json

    try:
        if not Path(path).is_file():
            raise InputError(Phrase("plans", {"variant": "not-regular", "path": path}))
        with open(path, "rb") as handle:
            data = handle.read(MAX_PLAN_BYTES + 1)
    except OSError as exc:
        raise InputError(Phrase("plans", {"variant": "read-failed", "path": path, "reason": exc.strerror or str(exc)})) from None
    if len(data) > MAX_PLAN_BYTES:
        raise InputError(Phrase("plans", {"variant": "too-large", "path": path, "mib": MAX_PLAN_BYTES // (1024 * 1024)}))
    source = Phrase("source", {"variant": "plan", "path": path})
    record = strict_json(decode_utf8(data, source), source, max_depth=24)
    if not isinstance(record, dict) or record.get("kind") != PLAN_KIND or record.get("format") != PLAN_FORMAT:
        raise InputError(Phrase("plans", {"variant": "not-plan", "path": path, "format": PLAN_FORMAT}))
    raws = record.get("endpoints")
    if not isinstance(raws, list) or not raws:
        raise InputError(Phrase("plans", {"variant": "empty", "path": path}))
    return [_endpoint(raw, Phrase("source", {"variant": "plan-endpoint", "path": path, "index": index})) for index, raw in enumerate(raws)]


def plan_saved(conn, target: Target, saved: list[PlannedEndpoint], *, force=False) -> TargetPlan:
    """Re-plan the saved writes of one target; an endpoint whose policy changed since the plan is refused."""
    mine = {e.endpoint_id: e for e in saved if e.target == target}
    plan = plan_apply(conn, {eid: e.policy for eid, e in mine.items()}, force=force, regions=dict.fromkeys(mine, target.region)) if mine else ApplyPlan([], conn.label)
    for item in plan.items:
        expected = mine[item.endpoint.id].current_sha256
        if not item.refusal and policy_hash(item.endpoint.policy) != expected:
            item.refusal = said(Reason.CHANGED_SINCE_SAVED, endpoint=item.endpoint.id)
            item.unchanged = False
    return TargetPlan(target, plan)
