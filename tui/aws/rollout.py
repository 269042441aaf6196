"""Audit, plan, apply and roll back across targets: the single-account safe path, run per (account, region).

Each target reuses tui.aws.apply's plan/execute (re-read, DryRun probe, backup, write, read-back) inside the
member account's own connection, so an org rollout is exactly as careful as one endpoint. The wizard's
Targets choice calls these same functions (`audit_targets`, `plan_targets`, `execute_targets`).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from tui.aws.apply import DEFAULT_POLICY, ApplyPlan, EndpointOutcome, Reason, Status, execute_plan, plan_apply, said
from tui.aws.audit import SEVERITIES, EndpointAudit
from tui.aws.backups import Backup, list_backups
from tui.aws.discovery import Endpoint, _filters, describe_endpoints, endpoint_from_api, service_names, service_support
from tui.aws.fanout import AccountSessions, ErrorBudget, FanoutReport, TargetFailed, run_targets
from tui.aws.perimeter import Trust
from tui.aws.targets import Target
from tui.policy.diff import same_policy
from tui.policy.regional import region_mismatch
from tui.report.messages import Phrase, Term

CLOUDFORMATION_TAG = "aws:cloudformation:stack-name"
LOCK_OUT = "blocks-trusted"
"""The finding code that says the trusted account can no longer reach its own resources."""


@dataclass(frozen=True)
class Found:
    """An endpoint as discovered in a target, with the tags that say who else manages it."""

    account: str
    endpoint: Endpoint
    tags: tuple[tuple[str, str], ...] = ()

    @property
    def iac_owner(self) -> str | None:
        """Which infrastructure-as-code tool will put its own policy back on the next deploy, if any."""
        tags = dict(self.tags)
        if CLOUDFORMATION_TAG in tags:
            return Phrase("iac-owner", {"variant": "cloudformation", "stack": tags[CLOUDFORMATION_TAG]})
        if any("terraform" in f"{k} {v}".lower() for k, v in self.tags):
            return Phrase("iac-owner", {"variant": "terraform"})
        return None

    def to_audit(self) -> EndpointAudit:
        findings = tuple(sorted(self.endpoint.findings, key=lambda f: SEVERITIES.index(f.severity)))
        return EndpointAudit(self.endpoint, findings)


def iac_advice(owner: str) -> Phrase:
    """Why a change will not last on an endpoint that infrastructure as code owns, and what to do instead."""
    tool = "cloudformation" if owner.startswith("CloudFormation") else "terraform"
    return Phrase("iac-advice", {"variant": tool, "owner": owner})


def discover_target(conn, target: Target, trust: Trust, *, services=None, vpc_id=None) -> list[Found]:
    """The endpoints of one target (one paginated listing, plus the service catalogue when there are any)."""
    raws = describe_endpoints(conn, target.region, filters=_filters(target.region, vpc_id, services))
    support = service_support(conn, target.region, service_names(raws)) if raws else {}
    found = [
        Found(target.account, endpoint_from_api(raw, target.region, support, trust), tuple((t.get("Key", ""), t.get("Value", "")) for t in raw.get("Tags", [])))
        for raw in raws
    ]
    return sorted(found, key=lambda f: f.endpoint.id)


def audit_targets(sessions: AccountSessions, targets, trust: Trust, *, vpc_id=None, max_concurrency=10, on_result=None) -> FanoutReport:
    """Every target is visited (no error budget); each OK result holds that target's list of Found."""
    return run_targets(sessions, targets, lambda conn, target: discover_target(conn, target, trust, vpc_id=vpc_id), max_concurrency=max_concurrency, on_result=on_result)


@dataclass
class TargetPlan:
    """What applying would do in one target: the apply plan, and what was found before it."""

    target: Target
    plan: ApplyPlan
    before: dict[str, Found] = field(default_factory=dict)

    def warn_iac(self) -> None:
        for item in self.plan.items:
            found = self.before.get(item.endpoint.id)
            owner = found and found.iac_owner
            if owner and not item.refusal and not item.unchanged:
                item.warnings.append(iac_advice(owner))


PolicySource = Callable[[str], dict[str, dict]]
"""region -> {service: policy document}: one policy file for every region, or each region's from answers."""


def plan_target(conn, target: Target, policies: PolicySource, trust: Trust, *, vpc_id=None, force=False) -> TargetPlan:
    """Find the target's endpoints of the policies' services and plan the change; a policy naming another
    region's AWS-owned buckets is refused for this region."""
    by_service = policies(target.region)
    found = discover_target(conn, target, trust, services=list(by_service), vpc_id=vpc_id)
    changes = {f.endpoint.id: by_service[f.endpoint.service] for f in found if f.endpoint.service in by_service}
    plan = plan_apply(conn, changes, force=force, regions=dict.fromkeys(changes, target.region)) if changes else ApplyPlan([], conn.label)
    for item in plan.items:
        mismatch = region_mismatch(item.policy, target.region)
        if mismatch and not item.refusal:
            item.refusal = mismatch
    result = TargetPlan(target, plan, {f.endpoint.id: f for f in found})
    result.warn_iac()
    return result


def plan_targets(sessions: AccountSessions, targets, policies: PolicySource, trust: Trust, *, vpc_id=None, force=False, max_concurrency=10, on_result=None) -> FanoutReport:
    """Plan every target (reads only); each OK result holds a TargetPlan."""
    return run_targets(sessions, targets, lambda conn, target: plan_target(conn, target, policies, trust, vpc_id=vpc_id, force=force), max_concurrency=max_concurrency, on_result=on_result)


def execute_target(conn, target_plan: TargetPlan, dry_run: bool = False) -> list[EndpointOutcome]:
    """Carry out one target's plan; TargetFailed (with the outcomes) unless every endpoint ended well."""
    outcomes = execute_plan(conn, target_plan.plan, dry_run=dry_run)
    bad = [o for o in outcomes if not Status(o.status).ok]
    if bad:
        raise TargetFailed(Phrase("targets", {"variant": "not-changed", "bad": len(bad), "count": len(outcomes),
                                              "endpoint": bad[0].endpoint_id, "reason": bad[0].reason}), outcomes)
    return outcomes


def execute_targets(sessions: AccountSessions, plans: list[TargetPlan], *, dry_run=False, budget: ErrorBudget | None = None, max_concurrency=10, on_result=None) -> FanoutReport:
    """Execute the plans; each OK (or FAILED) result holds that target's outcomes."""
    by_target = {p.target: p for p in plans}
    return run_targets(sessions, list(by_target), lambda conn, target: execute_target(conn, by_target[target], dry_run), max_concurrency=max_concurrency, budget=budget, on_result=on_result)


def latest_backups(target: Target) -> dict[str, Backup]:
    """The latest apply backup of each endpoint of the target, keyed by endpoint: backups carry the account."""
    latest: dict[str, Backup] = {}
    for backup in list_backups():  # newest first
        if backup.account == target.account and backup.region == target.region and backup.action == "apply":
            latest.setdefault(backup.endpoint_id, backup)
    return latest


def plan_rollback_target(conn, target: Target, *, force=False) -> TargetPlan:
    """Restore, for every endpoint of the target with a backup, what it held before vpce-wizard's last write;
    an endpoint that no longer holds what was written is left alone (someone changed it since)."""
    backups = latest_backups(target)
    changes = {eid: b.old or DEFAULT_POLICY for eid, b in backups.items()}
    plan = plan_apply(conn, changes, force=force, regions=dict.fromkeys(changes, target.region), action="rollback") if changes else ApplyPlan([], conn.label)
    for item in plan.items:
        backup = backups[item.endpoint.id]
        item.reset = backup.old is None and item.endpoint.type == "Gateway"
        if not item.refusal and not item.unchanged and not same_policy(item.endpoint.policy, backup.new):
            item.refusal = said(Reason.CHANGED_SINCE_BACKUP, endpoint=item.endpoint.id, time=backup.time, path=str(backup.path))
    return TargetPlan(target, plan)


def plan_rollbacks(sessions: AccountSessions, targets, *, force=False, max_concurrency=10, on_result=None) -> FanoutReport:
    return run_targets(sessions, targets, lambda conn, target: plan_rollback_target(conn, target, force=force), max_concurrency=max_concurrency, on_result=on_result)


def regressions(before: dict[str, Found], after: list[Found]) -> list[str]:
    """New high or lock-out findings on endpoints of a target after a wave: the reason to stop the rollout."""
    problems: list[str] = []
    for found in after:
        old = before.get(found.endpoint.id)
        old_codes = {f.code for f in old.endpoint.findings} if old else set()
        problems.extend(Phrase("wave-problem", {"variant": "new-finding", "endpoint": found.endpoint.id, "severity": Term(str(finding.severity)),
                                                "code": finding.code, "message": Phrase(finding.code, finding.params, "analysis")})
                        for finding in found.endpoint.findings
                        if (finding.severity == "high" or finding.code == LOCK_OUT) and finding.code not in old_codes)
    return problems
