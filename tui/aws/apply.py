"""The one safe path that changes endpoint policies, for the CLI and the wizard alike.

Plan (read, validate, refuse, diff), then per endpoint: re-read (stop if changed since the plan), DryRun
permission probe, backup, write, read back. The probe re-sends the document the re-read just confirmed, so
an emulator that ignores DryRun changes nothing; the backup is written right before the write, so it always
records the state that was really replaced. Every endpoint gets its own outcome.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from tui.aws.backups import write_backup
from tui.aws.discovery import Endpoint, default_trust, describe_endpoints, endpoint_from_api, parse_policy, service_support
from tui.aws.errors import error_code, translate
from tui.aws.perimeter import FULL_ACCESS_POLICY as DEFAULT_POLICY
from tui.aws.perimeter import NO_POLICY, principal_context, resource_context, sample_request
from tui.policy.diff import policy_diff, same_policy
from tui.policy.documents import minify
from tui.policy.evaluator import evaluate
from tui.policy.validator import has_errors, validate


@dataclass
class PlannedChange:
    """One endpoint, the document it should hold, and why it may not get it."""

    endpoint: Endpoint
    policy: dict | None
    diff: list[str]
    refusal: str | None = None
    unchanged: bool = False
    warnings: list[str] = field(default_factory=list)
    reset: bool = False
    """Restore the AWS default with ResetPolicy (gateway endpoints) rather than by sending the document."""
    action: str = "apply"
    """Recorded in the backup: apply, rollback or default."""


@dataclass
class ApplyPlan:
    items: list[PlannedChange]
    label: str = ""

    @property
    def writes(self) -> list[PlannedChange]:
        """Items that would change an endpoint."""
        return [item for item in self.items if not item.refusal and not item.unchanged]


@dataclass(frozen=True)
class EndpointOutcome:
    endpoint_id: str
    region: str
    status: str  # applied | unchanged | refused | failed | dry-run
    reason: str = ""
    backup_path: str | None = None
    warnings: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {"endpoint_id": self.endpoint_id, "region": self.region, "status": self.status, "reason": self.reason, "backup": self.backup_path, "warnings": list(self.warnings)}


MISSING = "missing"
"""State of a placeholder Endpoint for an id AWS does not know, so it still gets its own outcome."""


def _missing(endpoint_id: str, region: str, why: str) -> Endpoint:
    return Endpoint(endpoint_id, region, "", "", None, "", MISSING, None, False, False, why, NO_POLICY)


def _read_endpoints(conn, region: str, ids: list[str]) -> dict[str, Endpoint]:
    """The endpoints of one region by id, in one call; ids AWS does not know come back as missing."""
    from botocore.exceptions import ClientError

    trust = default_trust(conn)
    try:
        raws = describe_endpoints(conn, region, ids)
    except ClientError as exc:
        code = error_code(exc)
        if not code.startswith("InvalidVpcEndpointId"):
            raise translate(exc, f"reading endpoints in {region}") from None
        if len(ids) > 1:  # AWS names one bad id per call: ask for each to report them all
            return {k: v for endpoint_id in ids for k, v in _read_endpoints(conn, region, [endpoint_id]).items()}
        why = f"not found in {region}: check the endpoint ID and --region" if code.endswith("NotFound") else str(translate(exc))
        return {ids[0]: _missing(ids[0], region, why)}
    support = service_support(conn, region)
    return {raw["VpcEndpointId"]: endpoint_from_api(raw, region, support, trust) for raw in raws}


def _locks_out_caller(conn, endpoint: Endpoint, policy: dict) -> bool:
    """Whether the caller's own account could no longer read its own resources through the endpoint."""

    def allowed(org):
        context = {**principal_context(conn.account_id, org), **resource_context(conn.account_id, org)}
        return evaluate(policy, sample_request(endpoint.place, conn.account_id, False, context)).allowed

    return not allowed(None) and not (conn.org_id and allowed(conn.org_id))


def _plan_one(conn, endpoint: Endpoint, policy: dict, force: bool, action: str) -> PlannedChange:
    item = PlannedChange(endpoint, policy, policy_diff(endpoint.policy, policy), action=action)
    if endpoint.state == MISSING:
        item.refusal = f"{endpoint.id} {endpoint.reason}"
        return item
    if not endpoint.takes_policy:
        item.refusal = f"{endpoint.id} takes no policy: {endpoint.reason}"
        return item
    findings = validate(policy)
    errors = [f for f in findings if f.severity == "error"]
    item.warnings += [f"{f.path}: {f.message}" for f in findings if f.severity == "warning"]
    if has_errors(findings):
        where = f"{errors[0].path}: " if errors[0].path else ""
        item.refusal = f"the policy has {len(errors)} error(s), first: {where}{errors[0].message}"
        return item
    item.unchanged = same_policy(endpoint.policy, policy)
    if not item.unchanged and _locks_out_caller(conn, endpoint, policy):
        item.warnings.append(f"your own account {conn.account_id} would no longer be trusted through {endpoint.id}")
        if not force:
            item.refusal = f"it would lock your own account {conn.account_id} out of {endpoint.id}; use --force to apply anyway"
    return item


def plan_apply(conn, changes: dict[str, dict], *, force: bool = False, regions: dict[str, str] | None = None, action: str = "apply") -> ApplyPlan:
    """Read every endpoint once and decide, without writing, what applying `changes` (id -> document) would do.

    `regions` maps ids to their region when it is not the connection's (the wizard knows it from discovery).
    """
    by_region: dict[str, list[str]] = {}
    for endpoint_id in changes:
        by_region.setdefault((regions or {}).get(endpoint_id, conn.region), []).append(endpoint_id)
    endpoints = {}
    for region, ids in by_region.items():
        endpoints.update(_read_endpoints(conn, region, ids))
    items = []
    for endpoint_id, policy in changes.items():
        region = (regions or {}).get(endpoint_id, conn.region)
        endpoint = endpoints.get(endpoint_id) or _missing(endpoint_id, region, f"not found in {region}")
        items.append(_plan_one(conn, endpoint, policy, force, action))
    return ApplyPlan(items, conn.label)


def execute_plan(conn, plan: ApplyPlan, *, dry_run: bool = False, on_progress: Callable[[EndpointOutcome], None] | None = None) -> list[EndpointOutcome]:
    """Carry out the plan endpoint by endpoint; one endpoint's failure never stops or hides the others."""
    outcomes = []
    for item in plan.items:
        try:
            outcome = _execute_one(conn, item, dry_run)
        except Exception as exc:  # noqa: BLE001 - every endpoint must end with a reported outcome
            outcome = _outcome(item, "failed", f"{translate(exc)}; nothing was written")
        outcomes.append(outcome)
        if on_progress:
            on_progress(outcome)
    return outcomes


def _outcome(item: PlannedChange, status: str, reason: str = "", backup: str | None = None) -> EndpointOutcome:
    return EndpointOutcome(item.endpoint.id, item.endpoint.region, status, reason, backup, tuple(item.warnings))


def _current_policy(conn, endpoint: Endpoint) -> dict | None:
    raws = describe_endpoints(conn, endpoint.region, [endpoint.id])
    return parse_policy(raws[0].get("PolicyDocument")) if raws else None


def _probe_permission(ec2, item: PlannedChange) -> str | None:
    """DryRun ModifyVpcEndpoint; None when allowed, else why not. The probe carries the *current* document,
    so an emulator that ignores DryRun (moto does) rewrites what is already there and changes nothing."""
    from botocore.exceptions import ClientError

    try:
        ec2.modify_vpc_endpoint(VpcEndpointId=item.endpoint.id, PolicyDocument=minify(item.endpoint.policy or DEFAULT_POLICY), DryRun=True)
    except ClientError as exc:
        if error_code(exc) == "DryRunOperation":
            return None
        if error_code(exc) == "UnauthorizedOperation":
            return f"not allowed to modify {item.endpoint.id} (UnauthorizedOperation): grant ec2:ModifyVpcEndpoint; nothing was written"
        raise
    item.warnings.append("the API ignored DryRun (emulators do); the probe re-sent the current policy, so nothing changed")
    return None


def _write(ec2, item: PlannedChange) -> None:
    if item.reset:
        ec2.modify_vpc_endpoint(VpcEndpointId=item.endpoint.id, ResetPolicy=True)
    else:
        ec2.modify_vpc_endpoint(VpcEndpointId=item.endpoint.id, PolicyDocument=minify(item.policy))


def _execute_one(conn, item: PlannedChange, dry_run: bool) -> EndpointOutcome:
    if item.refusal:
        return _outcome(item, "refused", item.refusal)
    if item.unchanged:
        return _outcome(item, "unchanged", "already holds this policy")
    ec2 = conn.client("ec2", item.endpoint.region)
    if not same_policy(_current_policy(conn, item.endpoint), item.endpoint.policy):
        return _outcome(item, "failed", f"the policy of {item.endpoint.id} changed since the preview; nothing was written: review it again")
    denied = _probe_permission(ec2, item)
    if denied:
        return _outcome(item, "failed", denied)
    if dry_run:
        return _outcome(item, "dry-run", "would write the new policy; permission check passed")
    try:
        backup = write_backup(item.endpoint.id, item.endpoint.region, conn.account_id, item.endpoint.policy, item.policy, item.action)
    except OSError as exc:
        return _outcome(item, "failed", f"cannot write the backup ({exc.strerror or exc}); nothing was written")
    backup_path = str(backup.path)
    try:
        _write(ec2, item)
    except Exception as exc:  # noqa: BLE001 - the endpoint's state is read back and reported either way
        return _after_failed_write(conn, item, translate(exc), backup_path)
    return _verify(conn, ec2, item, backup_path)


def _after_failed_write(conn, item: PlannedChange, error, backup_path: str) -> EndpointOutcome:
    """The write raised: say what the endpoint holds now, so nothing is left in an unknown state."""
    try:
        now = _current_policy(conn, item.endpoint)
    except Exception:  # noqa: BLE001
        return _outcome(item, "failed", f"{error}; its state is unknown: check it with `vpce-wizard audit`; backup kept", backup_path)
    if same_policy(now, item.policy):
        return _outcome(item, "applied", f"the write reported {error}, but the endpoint holds the new policy", backup_path)
    held = "the old policy" if same_policy(now, item.endpoint.policy) else "a policy that is neither the old nor the new one"
    return _outcome(item, "failed", f"{error}; the endpoint still holds {held}", backup_path)


def _verify(conn, ec2, item: PlannedChange, backup_path: str) -> EndpointOutcome:
    """Read back and compare semantically; a ResetPolicy that was ignored (moto) is redone by sending the default."""
    now = _current_policy(conn, item.endpoint)
    if item.reset and not same_policy(now, DEFAULT_POLICY):
        item.warnings.append("ResetPolicy was ignored (the emulator does this); sent the default document instead")
        ec2.modify_vpc_endpoint(VpcEndpointId=item.endpoint.id, PolicyDocument=minify(DEFAULT_POLICY))
        now = _current_policy(conn, item.endpoint)
    if same_policy(now, item.policy):
        return _outcome(item, "applied", "written and read back", backup_path)
    state = "still holds the old policy" if same_policy(now, item.endpoint.policy) else "holds a different policy"
    return _outcome(item, "failed", f"read-back differs from what was written: the endpoint {state}; roll back with `vpce-wizard rollback --endpoint {item.endpoint.id}`", backup_path)
