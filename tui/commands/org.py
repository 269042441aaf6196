"""Organization-wide `audit`, `apply` and `rollback`: the same commands, given targets (--org, --ou, --accounts).

Results are per (account, region, endpoint); targets that could not be reached are listed in `errors` and
never stop the others. Text output escapes every AWS-sourced string (tui.report.escape.visible).
"""

import argparse
import sys
from types import SimpleNamespace
from typing import TYPE_CHECKING

from tui.commands.common import print_json, read_policy
from tui.policy.errors import InputError
from tui.report.escape import visible
from tui.report.i18n import _
from tui.report.messages import text_in_language

if TYPE_CHECKING:
    from tui.aws.apply import EndpointOutcome


def add_target_flags(parser: argparse.ArgumentParser, kind: str) -> None:
    """The target and fan-out flags of `kind` audit, rollback or apply (which adds waves, plans and answers)."""
    group = parser.add_argument_group(_("targets (several accounts and regions)"))
    group.add_argument("--org", action="store_true", help=_("every ACTIVE account of the organization (organizations:ListAccounts)"))
    group.add_argument("--ou", metavar="ou-...", help=_("every ACTIVE account in this organizational unit and the OUs below it"))
    group.add_argument("--accounts", metavar="FILE|A,B", help=_("these accounts: a comma-separated list or a file with one per line"))
    group.add_argument("--exclude-account", action="append", default=[], metavar="ID", help=_("leave this account out; repeatable"))
    group.add_argument("--role-name", default=None, metavar="NAME", help=_("role assumed in each member account (default: OrganizationAccountAccessRole)"))
    group.add_argument("--external-id", metavar="ID", help=_("ExternalId for that role, if its trust policy asks for one"))
    group.add_argument("--max-concurrency", type=int, default=None, metavar="N", help=_("targets in flight at once (default: 10)"))
    if kind == "audit":
        return
    group.add_argument("--all-regions", action="store_true", help=_("every region enabled for the caller's account"))
    group.add_argument("--max-errors", metavar="N|P%", help=_("stop starting new targets once more than N (or P%%) failed"))
    if kind == "rollback":
        return
    group.add_argument("--wave", action="append", default=[], metavar="FILE", help=_("accounts of one wave; repeatable, applied in order, each re-audited before the next"))
    group.add_argument("--canary", type=int, metavar="N", help=_("apply to the first N accounts, re-audit, then to the rest"))
    group.add_argument("--save-plan", metavar="FILE", help=_("write what would change (mode 0600) and change nothing"))
    group.add_argument("--plan", metavar="FILE", help=_("apply a saved plan; endpoints changed since it was saved are refused"))
    add_answer_flags(group)
    group.add_argument("--vpc-id", metavar="VPC", help=_("only this VPC's endpoints"))


def add_answer_flags(group) -> None:
    """`generate`'s answer flags: each region's policies are built from them (bucket names depend on the region)."""
    group.add_argument("--service", action="append", metavar="S", help=_("endpoints of this service get the policy; repeatable (default s3 with --policy)"))
    group.add_argument("--answers", metavar="FILE", help=_("build each region's policies from these answers"))
    group.add_argument("--account", action="append", metavar="ID", help=_("trusted account for the built policies; repeatable"))
    group.add_argument("--org-id", action="append", metavar="o-...", help=_("trusted organization for the built policies; repeatable"))
    group.add_argument("--resource-perimeter", action="store_true", default=None, help=_("built policies also require trusted resources"))
    group.add_argument("--public-bucket", action="append", metavar="CATALOG_ID", help=_("AWS-owned bucket set for the built policies; repeatable"))
    group.add_argument("--bucket-arn", action="append", metavar="ARN", help=_("another public bucket ARN for the built policies; repeatable"))


def regions_of(args: argparse.Namespace) -> list[str]:
    """--region may be repeated (a list) or given before the sub-command (a string)."""
    value = getattr(args, "region", None)
    return list(value) if isinstance(value, list) else [value] if value else []


def wants_targets(args: argparse.Namespace) -> bool:
    """Whether the command runs across targets rather than on named endpoints of one account."""
    return any(getattr(args, name, None) for name in ("org", "ou", "accounts", "wave", "canary", "plan", "save_plan", "answers", "service"))


def single_region(args: argparse.Namespace) -> str | None:
    regions = regions_of(args)
    if len(regions) > 1:
        raise InputError(_("several --region values need targets (--org, --ou, --accounts or --service)"))
    return regions[0] if regions else None


def _spec(args: argparse.Namespace, extra_accounts: tuple[str, ...] = ()):
    from tui.aws.targets import TargetSpec, check_ou_id, parse_accounts
    from tui.policy.identifiers import check_account_id

    chosen = [name for name in ("org", "ou", "accounts") if getattr(args, name, None)]
    if len(chosen) > 1:
        raise InputError(_("choose one of --org, --ou and --accounts (got {options})").format(options=", ".join("--" + c for c in chosen)))
    accounts = parse_accounts(args.accounts) if args.accounts else extra_accounts
    return TargetSpec(
        org=args.org, ou=check_ou_id(args.ou) if args.ou else None, accounts=accounts,
        exclude=tuple(check_account_id(a) for a in args.exclude_account), regions=tuple(regions_of(args)),
        all_regions=bool(getattr(args, "all_regions", False)),
    )


def _fanout_settings(args: argparse.Namespace):
    from tui.aws.fanout import DEFAULT_MAX_CONCURRENCY, DEFAULT_ROLE_NAME, MAX_CONCURRENCY, ErrorBudget, RoleAccess

    access = RoleAccess(args.role_name or DEFAULT_ROLE_NAME, args.external_id).checked()
    concurrency = args.max_concurrency or DEFAULT_MAX_CONCURRENCY
    if not 1 <= concurrency <= MAX_CONCURRENCY:
        raise InputError(_("--max-concurrency must be between 1 and {limit}").format(limit=MAX_CONCURRENCY))
    budget = ErrorBudget.parse(args.max_errors) if getattr(args, "max_errors", None) else None
    return access, concurrency, budget


def _connect(args: argparse.Namespace, regions: list[str]):
    from tui.commands.aws import _connect as connect_and_say

    return connect_and_say(args, regions[0] if regions else None)


def _trust(conn, args: argparse.Namespace, accounts: list[str]):
    """What audits and wave checks count as inside: the given accounts/orgs, else every target account (and
    the caller's organization when it can be read)."""
    from tui.aws.perimeter import Trust
    from tui.policy.identifiers import check_account_id, check_org_id

    given = [check_account_id(a) for a in getattr(args, "trusted_account", None) or ()]
    orgs = [check_org_id(o) for o in getattr(args, "trusted_org", None) or ()]
    if given or orgs:
        return Trust(tuple(given), tuple(orgs))
    return Trust(tuple(dict.fromkeys([conn.account_id, *accounts])), tuple(o for o in (conn.org_id,) if o))


def _errors_json(report) -> list[dict]:
    return [r.error_dict() for r in report.errors]


def _print_errors(report, file=None) -> None:
    from tui.report.changes import target_error_line

    for r in report.errors:
        print(visible(target_error_line(r.status, r.target.account, r.target.region, r.message)), file=file)


def _run(args, work, *, resolve: bool = True):
    """Connect, resolve targets (unless a plan file names them), run `work(conn, sessions, targets, settings)`
    with AWS errors as one line."""
    from tui.aws.fanout import AccountSessions
    from tui.aws.targets import resolve_targets
    from tui.commands.aws import _aws_errors

    access, concurrency, budget = _fanout_settings(args)
    with _aws_errors():
        conn = _connect(args, regions_of(args))
        targets = resolve_targets(conn, _spec(args)) if resolve else []
        settings = SimpleNamespace(access=access, concurrency=concurrency, budget=budget)
        return work(conn, AccountSessions(conn, access), targets, settings)


def _progress(targets, args):
    from tui.aws.fanout import Progress

    return Progress(targets, enabled=not args.json)


# --- audit -----------------------------------------------------------------------------------------------


def run_org_audit(args: argparse.Namespace) -> int:
    """Audit every target; exit 1 on a high finding or when any target could not be audited."""
    from tui.aws.audit import SEVERITIES
    from tui.aws.rollout import audit_targets

    if getattr(args, "vpc_id", None):
        from tui.policy.identifiers import check_vpc_id

        check_vpc_id(args.vpc_id)

    def work(conn, sessions, targets, settings):
        trust = _trust(conn, args, sorted({t.account for t in targets}))
        progress = _progress(targets, args)
        report = audit_targets(sessions, targets, trust, vpc_id=args.vpc_id, max_concurrency=settings.concurrency, on_result=progress)
        progress.close()
        return conn, targets, report

    from tui.report.json_output import with_waivers
    from tui.report.results import endpoint_items, fails
    from tui.report.sarif import sarif_log
    from tui.report.text import analysis_lines, severity_counts, waived_count
    from tui.report.waivers import load_waivers

    waivers = load_waivers(args.waivers)
    conn, targets, report = _run(args, work)
    found = [f for r in report.ok for f in r.value]
    audits = [item.to_audit() for item in found]
    per_endpoint = [endpoint_items(a.findings, item.account, item.endpoint.region, item.endpoint.id, waivers)
                    for item, a in zip(found, audits, strict=True)]
    every = [i for items in per_endpoint for i in items]
    code = 1 if fails(every) or report.errors else 0
    if args.format == "json":
        endpoints = [{"account": item.account, **a.to_dict()} for item, a in zip(found, audits, strict=True)]
        for entry, items in zip(endpoints, per_endpoint, strict=True):
            entry["findings"] = with_waivers(entry["findings"], items)
        print_json({"connection": conn.label, "targets": len(targets), "endpoints": endpoints, "errors": _errors_json(report)})
        return code
    if args.format == "sarif":
        print_json(sarif_log(every, "audit"))
        _print_errors(report, sys.stderr)  # stdout holds the SARIF document
        return code
    for item, items in zip(found, per_endpoint, strict=True):
        e = item.endpoint
        service = visible(e.service or e.service_name)
        print(f"{item.account} {e.region:<15} {visible(e.id):<24} {service:<12} {visible(e.type):<10} {_(str(e.classification))}")
        for line in analysis_lines(items, witnesses=False):
            print(line)
    _print_errors(report)
    counts = severity_counts(every, SEVERITIES) + waived_count(every)
    accounts = len({t.account for t in targets})
    print(_("{endpoints} endpoint(s) in {accounts} account(s) x {regions} region(s): {counts}; {errors} target(s) not audited").format(
        endpoints=len(found), accounts=accounts, regions=len(targets) // max(accounts, 1), counts=counts, errors=len(report.errors)))
    return code


# --- apply and rollback ------------------------------------------------------------------------------------


def _policy_source(args: argparse.Namespace):
    """region -> {service: policy}: one --policy file for the --service(s), or each region built from answers."""
    if args.policy:
        from tui.commands.aws import _refuse_invalid

        policy = read_policy(args.policy)
        _refuse_invalid(policy, args.policy)
        services = tuple(dict.fromkeys(args.service or ["s3"]))
        return lambda _region: dict.fromkeys(services, policy)
    if not (args.answers or args.account or args.org_id):
        raise InputError(_("give the policy: --policy FILE (with --service), or --answers FILE / --account ... to build each region's"))
    return policies_from_answers(args)


def policies_from_answers(args: argparse.Namespace):
    """region -> {service: policy} built from --answers and the generate flags, once per region."""
    from tui.commands.policy import answers_from_args
    from tui.policy.builder import build_policies

    cache: dict[str, dict] = {}

    def build(region: str) -> dict[str, dict]:
        if region not in cache:
            cache[region] = build_policies(answers_from_args(argparse.Namespace(**{**vars(args), "region": region})))
        return cache[region]

    return build


def _show_plans(plans) -> None:
    from tui.report.changes import change_lines, endpoint_heading

    for p in plans:
        for item in p.plan.items:
            print(visible(endpoint_heading(item.endpoint, p.target.account)))
            for _kind, line in change_lines(item):
                print(f"  {visible(line)}")


def _confirm(plans, args, label: str) -> bool:
    from tui.commands.aws import _confirmed

    writes = [item for p in plans for item in p.plan.writes]
    accounts = len({p.target.account for p in plans if p.plan.writes})
    return _confirmed(SimpleNamespace(writes=writes, label=f"{accounts} account(s) ({label})"), args)


def _outcome_rows(report) -> "list[tuple[str, EndpointOutcome]]":
    return [(r.target.account, o) for r in report.results if isinstance(r.value, list) for o in r.value]


def _report_changes(conn, reports, args, extra: dict | None = None, earlier_errors=()) -> int:
    """Per-(account, region, endpoint) outcomes and the targets' errors (`earlier_errors`: targets that could
    not even be planned); exit 0 only if all went well."""
    from tui.aws.apply import Status

    rows = [row for report in reports for row in _outcome_rows(report)]
    errors = [*earlier_errors, *(e for report in reports for e in report.errors)]
    ok = not errors and all(Status(o.status).ok for _account, o in rows)
    if args.json:
        outcomes = [{"account": account, **o.to_dict()} for account, o in rows]
        print_json({"connection": conn.label, "outcomes": outcomes, "errors": [e.error_dict() for e in errors], **(extra or {})})
        return 0 if ok else 1
    from tui.report.changes import outcome_line, target_error_line

    for account, o in rows:
        print(visible(outcome_line(o, account)))
    for e in errors:
        print(visible(target_error_line(e.status, e.target.account, e.target.region, e.message)))
    return 0 if ok else 1


def _waves(args, targets):
    from tui.aws.targets import parse_accounts
    from tui.aws.waves import Wave, canary_waves, waves_from_accounts

    if args.wave and args.canary:
        raise InputError(_("choose --wave or --canary, not both"))
    if args.wave:
        return waves_from_accounts([parse_accounts(path) for path in args.wave], targets)
    if args.canary is not None:
        return canary_waves(args.canary, targets)
    return [Wave(1, tuple(targets))]


def _carry_out(conn, sessions, plans, args, settings, trust, label: str, check: bool = True, earlier_errors=()) -> int:
    """Show, confirm, execute (in waves; `check` re-audits each), report."""
    from tui.aws.waves import run_waves

    if not args.json:
        _show_plans(plans)
    if not _confirm(plans, args, label):
        print(_("nothing changed"), file=sys.stderr)
        return 1
    targets = [p.target for p in plans]
    waves = _waves(args, targets)
    by_target = {p.target: p for p in plans}
    progress = _progress(targets, args)
    results = run_waves(sessions, waves, by_target, trust, dry_run=args.dry_run, budget=settings.budget, max_concurrency=settings.concurrency, on_result=progress, check=check)
    progress.close()
    stopped = next((w for w in results if not w.healthy), None)
    waves_json = [{"wave": w.wave.number, "accounts": list(w.wave.accounts), "healthy": w.healthy, "problems": list(w.problems)} for w in results]
    code = _report_changes(conn, [w.report for w in results], args, {"waves": waves_json} if len(waves) > 1 else None, earlier_errors)
    if stopped and len(waves) > 1:
        print(_("stopped after wave {number} of {count}: {problem}").format(number=stopped.wave.number, count=len(waves),
                                                                            problem=visible(text_in_language(stopped.problems[0]))), file=sys.stderr)
        print(_("roll wave {number} back with: {command}").format(number=stopped.wave.number, command=stopped.wave.rollback_command()),
              file=sys.stderr)
        return 1
    return code


def run_org_apply(args: argparse.Namespace) -> int:
    from tui.aws.plans import load_plan, plan_saved, save_plan
    from tui.aws.rollout import plan_targets

    if args.endpoint:
        raise InputError(_("--endpoint names endpoints of one account; with targets, choose endpoints by --service"))
    if args.plan and (args.policy or args.answers or args.save_plan):
        raise InputError(_("--plan FILE applies a saved plan: it takes no --policy, --answers or --save-plan"))
    saved = load_plan(args.plan) if args.plan else None
    source = None if saved else _policy_source(args)
    if args.vpc_id:
        from tui.policy.identifiers import check_vpc_id

        check_vpc_id(args.vpc_id)

    def work(conn, sessions, targets, settings):
        from tui.aws.fanout import run_targets

        if saved:
            targets = sorted({e.target for e in saved}, key=lambda t: (t.account, t.region))
        trust = _trust(conn, args, sorted({t.account for t in targets}))
        progress = _progress(targets, args)
        if saved:
            report = run_targets(sessions, targets, lambda member, target: plan_saved(member, target, saved, force=args.force), max_concurrency=settings.concurrency, on_result=progress)
        else:
            report = plan_targets(sessions, targets, source, trust, vpc_id=args.vpc_id, force=args.force, max_concurrency=settings.concurrency, on_result=progress)
        progress.close()
        plans = [r.value for r in report.ok]
        if args.save_plan:
            if report.errors and not args.json:
                _print_errors(report)
            written = save_plan(args.save_plan, plans, conn.account_id, settings.access.role_name)
            if not args.json:
                _show_plans(plans)
            print(visible(_("saved a plan of {changes} change(s) in {accounts} account(s) to {path}; nothing changed").format(
                changes=len(written), accounts=len({e.account for e in written}), path=args.save_plan)), file=sys.stderr)
            if args.json:
                print_json({"connection": conn.label, "plan": args.save_plan, "changes": len(written), "errors": _errors_json(report)})
            return 1 if report.errors else 0
        if report.errors and settings.budget and len(report.errors) > settings.budget.allowed(len(targets)):
            print(_("error: {message}").format(message=_("{count} target(s) could not be planned, more than --max-errors allows; "
                                                          "nothing changed").format(count=len(report.errors))), file=sys.stderr)
            return 1
        code = _carry_out(conn, sessions, plans, args, settings, trust, f"{len(targets)} target(s)", earlier_errors=report.errors)
        return 1 if report.errors else code

    return _run(args, work, resolve=not saved)


def run_org_rollback(args: argparse.Namespace) -> int:
    """Restore every endpoint of the targets that vpce-wizard changed, from its latest backup."""
    from tui.aws.rollout import plan_rollbacks

    if args.endpoint or args.backup or args.default:
        raise InputError(_("--endpoint, --backup and --default name one endpoint; with targets, every backed-up endpoint is restored"))

    def work(conn, sessions, targets, settings):
        progress = _progress(targets, args)
        report = plan_rollbacks(sessions, targets, force=args.force, max_concurrency=settings.concurrency, on_result=progress)
        progress.close()
        plans = [r.value for r in report.ok]
        if not any(p.plan.items for p in plans):
            _print_errors(report)
            print(_("no backup of any endpoint in these targets: nothing to roll back"), file=sys.stderr)
            return 1 if report.errors else 0
        args.wave, args.canary = [], None
        trust = _trust(conn, args, sorted({t.account for t in targets}))
        code = _carry_out(conn, sessions, plans, args, settings, trust, f"rollback of {len(targets)} target(s)", check=False, earlier_errors=report.errors)
        return 1 if report.errors else code

    return _run(args, work)
