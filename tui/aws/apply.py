"""The one safe path that changes endpoint policies, for the CLI and the wizard alike.

Plan (read, validate, refuse, diff), then per endpoint, holding a per-endpoint lock that every local
vpce-wizard shares: re-read (stop if changed since the plan), DryRun permission probe, backup, write, read
back. The probe re-sends the document the re-read just confirmed, so an emulator that ignores DryRun changes
nothing; the backup records the re-read document, so it always holds what was really replaced. The lock
only orders local writers; a writer elsewhere shows up in the re-read or the read-back as `overwritten`.
Every endpoint gets its own outcome.
"""

import threading
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from enum import StrEnum

from tui.aws.backups import UnsafeStateError, endpoint_lock, write_backup
from tui.aws.discovery import (
    Endpoint,
    default_trust,
    describe_endpoints,
    endpoint_from_api,
    parse_policy,
    service_names,
    service_support,
)
from tui.aws.errors import error_code, translate
from tui.aws.perimeter import FULL_ACCESS_POLICY as DEFAULT_POLICY
from tui.aws.perimeter import NO_POLICY, Trust, blockers, caller_of
from tui.policy.analysis import Finding
from tui.policy.diff import policy_diff, same_policy
from tui.policy.documents import minify
from tui.policy.validator import Finding as ValidatorFinding
from tui.policy.validator import has_errors, validate
from tui.report.messages import Phrase, Table, error_message, text_in_language


@dataclass
class PlannedChange:
    """One endpoint, the document it should hold, and why it may not get it."""

    endpoint: Endpoint
    policy: dict
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


class Status(StrEnum):
    """How one endpoint ended; the values are the stable `status` strings of `--json`."""

    APPLIED = "applied"
    UNCHANGED = "unchanged"
    REFUSED = "refused"
    FAILED = "failed"
    DRY_RUN = "dry-run"
    OVERWRITTEN = "overwritten"
    """Another writer changed the endpoint between our preview and our read-back: it does not hold our document."""

    @property
    def ok(self) -> bool:
        """Whether the run may exit 0 with this outcome."""
        return self in (Status.APPLIED, Status.UNCHANGED, Status.DRY_RUN)


class Reason(StrEnum):
    """What apply and rollback say about an endpoint, as stable codes with parameters (`said`); the words are
    in tui/report/messages.py (OUTCOME_MESSAGES), rendered for the CLI and the wizard by tui/report/changes.py."""

    ENDPOINT_MISSING = "endpoint-missing"
    NOT_FOUND = "not-found"
    TAKES_NO_POLICY = "takes-no-policy"
    POLICY_ERRORS = "policy-errors"
    GUARD = "guard"
    CHANGED_SINCE_SAVED = "changed-since-saved"
    CHANGED_SINCE_BACKUP = "changed-since-backup"
    VALIDATOR_WARNING = "validator-warning"
    GUARD_FINDING = "guard-finding"
    FORCED_RESTORE = "forced-restore"
    DRY_RUN_IGNORED = "dry-run-ignored"
    RESET_IGNORED = "reset-ignored"
    WRITTEN = "written"
    ALREADY_HOLDS = "already-holds"
    WOULD_WRITE = "would-write"
    SAME_SINCE_PREVIEW = "same-since-preview"
    CHANGED_SINCE_PREVIEW = "changed-since-preview"
    NOTHING_WRITTEN = "nothing-written"
    LOCK_FAILED = "lock-failed"
    NOT_ALLOWED = "not-allowed"
    BACKUP_FAILED = "backup-failed"
    READ_BACK_FAILED = "read-back-failed"
    STATE_UNKNOWN = "state-unknown"
    WRITE_REPORTED_ERROR = "write-reported-error"
    STILL_OLD = "still-old"
    NEITHER = "neither"


def said(reason: Reason, variant: str | None = None, **params: object) -> Phrase:
    """A reason, refusal or warning: its English is the `str` value (`--json` keeps it), and renderers say it in
    the current language. Values from AWS (error texts, ids) go in as parameters, never as words."""
    return Phrase(reason.value, {**params, **({"variant": variant} if variant else {})}, "outcomes")


@dataclass(frozen=True)
class EndpointOutcome:
    endpoint_id: str
    region: str
    status: Status
    reason: str = ""
    backup_path: str | None = None
    warnings: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {"endpoint_id": self.endpoint_id, "region": self.region, "status": str(self.status), "reason": self.reason,
                "backup": self.backup_path, "warnings": list(self.warnings)} | self.localised_fields()

    def localised_fields(self) -> dict:
        """`reason_localised` and `warnings_localised` when the language is not English, else nothing: the JSON
        keeps its English reason and warnings and gains the translation beside them (as findings' `message_localised`)."""
        from tui.report.i18n import DEFAULT_LANGUAGE, current_language

        if current_language() == DEFAULT_LANGUAGE:
            return {}
        return {"reason_localised": text_in_language(self.reason), "warnings_localised": [text_in_language(w) for w in self.warnings]}


MISSING = "missing"
"""State of a placeholder Endpoint for an id AWS does not know, so it still gets its own outcome."""


def _missing(endpoint_id: str, region: str, why: str) -> Endpoint:
    return Endpoint(endpoint_id, region, "", "", None, "", MISSING, None, False, False, why, NO_POLICY)


def _read_endpoints(conn, region: str, ids: list[str]) -> dict[str, Endpoint]:
    """The endpoints of one region by id, in one call; ids AWS does not know come back as missing. Their
    current documents are not analysed: the guard judges the new one (`_guard_findings`)."""
    from botocore.exceptions import ClientError

    try:
        raws = describe_endpoints(conn, region, ids)
    except ClientError as exc:
        code = error_code(exc)
        if not code.startswith("InvalidVpcEndpointId"):
            raise translate(exc, Phrase("aws-action", {"variant": "reading-endpoints", "region": region})) from None
        if len(ids) > 1:  # AWS names one bad id per call: ask for each to report them all
            return {k: v for endpoint_id in ids for k, v in _read_endpoints(conn, region, [endpoint_id]).items()}
        why = said(Reason.NOT_FOUND, "hint", region=region) if code.endswith("NotFound") else error_message(translate(exc))
        return {ids[0]: _missing(ids[0], region, why)}
    support = service_support(conn, region, service_names(raws))
    return {raw["VpcEndpointId"]: endpoint_from_api(raw, region, support, None) for raw in raws}


def _guard_findings(conn, endpoint: Endpoint, policy: dict, trust: Trust | None) -> list[Finding]:
    """What the analyser proves would stop this very caller (lock-out) or cannot decide (unproven): both
    block the write without --force. Only the lock-out question is asked (the others cannot block a write);
    the caller is identified once per connection."""
    if "caller" not in conn.memo:
        conn.memo["caller"] = caller_of(conn)
    return list(blockers(policy, endpoint.place, trust or default_trust(conn), conn.memo["caller"]))


def _plan_one(conn, endpoint: Endpoint, policy: dict, force: bool, action: str, trust: Trust | None = None) -> PlannedChange:
    item = PlannedChange(endpoint, policy, policy_diff(endpoint.policy, policy), action=action)
    if endpoint.state == MISSING:
        item.refusal = said(Reason.ENDPOINT_MISSING, endpoint=endpoint.id, why=endpoint.reason)
        return item
    if not endpoint.takes_policy:
        item.refusal = said(Reason.TAKES_NO_POLICY, endpoint=endpoint.id, why=endpoint.reason)
        return item
    findings = validate(policy)
    errors = [f for f in findings if f.severity == "error"]
    item.warnings += [said(Reason.VALIDATOR_WARNING, path=f.path, detail=_worded(f, "validator"))
                      for f in findings if f.severity == "warning"]
    if has_errors(findings):
        first = said(Reason.POLICY_ERRORS, count=len(errors), location=f"{errors[0].path}: " if errors[0].path else "",
                     detail=_worded(errors[0], "validator"))
        if action != "rollback":
            item.refusal = first
            return item
        if not force:  # it was on AWS before: restoring it is the operator's call, not the validator's
            item.refusal = said(Reason.POLICY_ERRORS, "rollback", first=first)
            return item
        item.warnings.append(said(Reason.FORCED_RESTORE, first=first))
    item.unchanged = same_policy(endpoint.policy, policy)
    blockers = [] if item.unchanged else _guard_findings(conn, endpoint, policy, trust)
    for finding in blockers:
        item.warnings.append(said(Reason.GUARD_FINDING, code=finding.code, detail=_worded(finding, "analysis")))
    if blockers and not force:
        why = "lock-out" if blockers[0].code == "lock-out" else "unproven"
        item.refusal = said(Reason.GUARD, why, detail=_worded(blockers[0], "analysis"))
    return item


def _worded(finding: "Finding | ValidatorFinding", table: Table) -> Phrase:
    """A finding as a parameter of a reason: its code and parameters, so the reason translates whole."""
    return Phrase(finding.code, finding.params, table)


def plan_apply(conn, changes: dict[str, dict], *, force: bool = False, regions: dict[str, str] | None = None,
               action: str = "apply", trust: Trust | None = None) -> ApplyPlan:
    """Read every endpoint once and decide, without writing, what applying `changes` (id -> document) would do.

    `regions` maps ids to their region when it is not the connection's (the wizard knows it from discovery);
    `trust` is the trusted set the analysis judges against (default: the caller's account).
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
        endpoint = endpoints.get(endpoint_id) or _missing(endpoint_id, region, said(Reason.NOT_FOUND, region=region))
        items.append(_plan_one(conn, endpoint, policy, force, action, trust))
    return ApplyPlan(items, conn.label)


def execute_plan(
    conn, plan: ApplyPlan, *, dry_run: bool = False, on_progress: Callable[[EndpointOutcome], object] | None = None,
    stop: threading.Event | None = None,
) -> list[EndpointOutcome]:
    """Carry out the plan endpoint by endpoint; one endpoint's failure never stops or hides the others.

    `stop` (set on Ctrl-C, from another thread) ends the run *between* endpoints: the one being written is
    finished and read back first, so its outcome is known; the endpoints not started get no outcome.
    """
    outcomes = []
    for item in plan.items:
        if stop is not None and stop.is_set():
            break
        try:
            outcome = _execute_one(conn, item, dry_run)
        except Exception as exc:  # noqa: BLE001 - every endpoint must end with a reported outcome
            outcome = _outcome(item, Status.FAILED, said(Reason.NOTHING_WRITTEN, error=error_message(translate(exc))))
        outcomes.append(outcome)
        if on_progress:
            on_progress(outcome)
    return outcomes


def _outcome(item: PlannedChange, status: Status, reason: str = "", backup: str | None = None) -> EndpointOutcome:
    return EndpointOutcome(item.endpoint.id, item.endpoint.region, status, reason, backup, tuple(item.warnings))


def _current_policy(conn, endpoint: Endpoint) -> dict | None:
    raws = describe_endpoints(conn, endpoint.region, [endpoint.id])
    return parse_policy(raws[0].get("PolicyDocument")) if raws else None


def _probe_permission(ec2, item: PlannedChange, current: dict | None) -> str | None:
    """DryRun ModifyVpcEndpoint; None when allowed, else why not. The probe carries the *current* document,
    so an emulator that ignores DryRun (moto does) rewrites what is already there and changes nothing."""
    from botocore.exceptions import ClientError

    try:
        ec2.modify_vpc_endpoint(VpcEndpointId=item.endpoint.id, PolicyDocument=minify(current or DEFAULT_POLICY), DryRun=True)
    except ClientError as exc:
        if error_code(exc) == "DryRunOperation":
            return None
        if error_code(exc) == "UnauthorizedOperation":
            return said(Reason.NOT_ALLOWED, endpoint=item.endpoint.id)
        raise
    item.warnings.append(said(Reason.DRY_RUN_IGNORED))
    return None


def _write(ec2, item: PlannedChange) -> None:
    if item.reset:
        ec2.modify_vpc_endpoint(VpcEndpointId=item.endpoint.id, ResetPolicy=True)
    else:
        ec2.modify_vpc_endpoint(VpcEndpointId=item.endpoint.id, PolicyDocument=minify(item.policy))


def _execute_one(conn, item: PlannedChange, dry_run: bool) -> EndpointOutcome:
    if item.refusal:
        return _outcome(item, Status.REFUSED, item.refusal)
    if item.unchanged:
        return _outcome(item, Status.UNCHANGED, said(Reason.ALREADY_HOLDS))
    with ExitStack() as held:
        try:
            held.enter_context(endpoint_lock(item.endpoint.id))
        except UnsafeStateError as exc:
            return _outcome(item, Status.FAILED, said(Reason.NOTHING_WRITTEN, error=error_message(exc)))
        except OSError as exc:  # the lock cannot be made, or another writer holds it too long
            return _outcome(item, Status.FAILED, said(Reason.LOCK_FAILED, error=exc.strerror or error_message(exc)))
        return _execute_locked(conn, item, dry_run)


def _execute_locked(conn, item: PlannedChange, dry_run: bool) -> EndpointOutcome:
    """Re-read, probe, back up, write and read back while no other local vpce-wizard writes this endpoint."""
    ec2 = conn.client("ec2", item.endpoint.region)
    current = _current_policy(conn, item.endpoint)
    if not same_policy(current, item.endpoint.policy):
        if same_policy(current, item.policy):
            return _outcome(item, Status.UNCHANGED, said(Reason.SAME_SINCE_PREVIEW))
        return _outcome(item, Status.OVERWRITTEN, said(Reason.CHANGED_SINCE_PREVIEW, endpoint=item.endpoint.id))
    denied = _probe_permission(ec2, item, current)
    if denied:
        return _outcome(item, Status.FAILED, denied)
    if dry_run:
        return _outcome(item, Status.DRY_RUN, said(Reason.WOULD_WRITE))
    try:
        backup = write_backup(item.endpoint.id, item.endpoint.region, conn.account_id, current, item.policy, item.action)
    except OSError as exc:  # inside the lock: an OSError here is the backup's, not the lock's
        return _outcome(item, Status.FAILED, said(Reason.BACKUP_FAILED, error=exc.strerror or error_message(exc)))
    backup_path = str(backup.path)
    try:
        _write(ec2, item)
    except Exception as exc:  # noqa: BLE001 - the endpoint's state is read back and reported either way
        return _after_failed_write(conn, item, translate(exc), backup_path)
    try:
        return _verify(conn, ec2, item, backup_path)
    except Exception as exc:  # noqa: BLE001 - written, so "nothing was written" would be a lie
        return _outcome(item, Status.FAILED, said(Reason.READ_BACK_FAILED, error=error_message(translate(exc))), backup_path)


def _after_failed_write(conn, item: PlannedChange, error, backup_path: str) -> EndpointOutcome:
    """The write raised: say what the endpoint holds now, so nothing is left in an unknown state."""
    try:
        now = _current_policy(conn, item.endpoint)
    except Exception:  # noqa: BLE001
        return _outcome(item, Status.FAILED, said(Reason.STATE_UNKNOWN, error=error_message(error)), backup_path)
    if same_policy(now, item.policy):
        return _outcome(item, Status.APPLIED, said(Reason.WRITE_REPORTED_ERROR, error=error_message(error)), backup_path)
    if same_policy(now, item.endpoint.policy):
        return _outcome(item, Status.FAILED, said(Reason.STILL_OLD, "after-error", error=error_message(error)), backup_path)
    return _outcome(item, Status.OVERWRITTEN, said(Reason.NEITHER, "after-error", error=error_message(error)), backup_path)


def _verify(conn, ec2, item: PlannedChange, backup_path: str) -> EndpointOutcome:
    """Read back and compare semantically; a ResetPolicy that was ignored (moto) is redone by sending the default."""
    now = _current_policy(conn, item.endpoint)
    if item.reset and not same_policy(now, DEFAULT_POLICY):
        item.warnings.append(said(Reason.RESET_IGNORED))
        ec2.modify_vpc_endpoint(VpcEndpointId=item.endpoint.id, PolicyDocument=minify(DEFAULT_POLICY))
        now = _current_policy(conn, item.endpoint)
    if same_policy(now, item.policy):
        return _outcome(item, Status.APPLIED, said(Reason.WRITTEN), backup_path)
    if same_policy(now, item.endpoint.policy):
        return _outcome(item, Status.FAILED, said(Reason.STILL_OLD, region=item.endpoint.region), backup_path)
    return _outcome(item, Status.OVERWRITTEN, said(Reason.NEITHER, region=item.endpoint.region), backup_path)
