"""AWS sub-commands: apply, rollback, backups, audit, sandbox. boto3 is imported only when one of them runs."""

import argparse
import sys
import threading
from contextlib import contextmanager

from tui.commands import org as org_commands
from tui.commands.common import add_report_options, print_json, read_policy, report_format
from tui.policy.errors import InputError, WizardError
from tui.policy.identifiers import check_endpoint_id
from tui.report.escape import visible
from tui.report.i18n import _
from tui.report.messages import text_in_language


def register(subparsers, add_connection_options) -> None:
    """Add the AWS sub-commands to the top-level parser."""
    apply = subparsers.add_parser("apply", help=_("apply a policy file to endpoints safely (diff, backup, read-back)"))
    apply.add_argument("--endpoint", action="append", metavar="ID", help=_("VPC endpoint ID; repeatable (or choose targets below)"))
    apply.add_argument("--policy", metavar="FILE|-", help=_("the policy document to apply"))
    apply.add_argument("--access-analyzer", action="store_true", help=_("before confirming, ask IAM Access Analyzer's CheckNoNewAccess "
                       "whether each new policy grants access the current one did not (a charged call; shown in the plan, never blocks)"))
    _add_change_flags(apply, add_connection_options)
    org_commands.add_target_flags(apply, "apply")
    apply.set_defaults(func=run_apply)

    rollback = subparsers.add_parser("rollback", help=_("restore an endpoint's latest (or named) backup, or AWS's default"))
    rollback.add_argument("--endpoint", metavar="ID", help=_("the VPC endpoint to restore (or choose targets below)"))
    choice = rollback.add_mutually_exclusive_group()
    choice.add_argument("--backup", metavar="FILE", help=_("the backup to restore (default: the latest of the endpoint)"))
    choice.add_argument("--default", action="store_true", help=_("restore AWS's full-access default policy"))
    _add_change_flags(rollback, add_connection_options)
    org_commands.add_target_flags(rollback, "rollback")
    rollback.set_defaults(func=run_rollback)

    backups = subparsers.add_parser("backups", help=_("list policy backups (newest first)"))
    backups.add_argument("--endpoint", metavar="ID", help=_("only this endpoint's"))
    backups.add_argument("--json", action="store_true", help=_("print the backups as JSON"))
    backups.set_defaults(func=run_backups)

    audit = subparsers.add_parser("audit", help=_("report what every endpoint policy admits; exit 1 on a high finding"))
    audit.add_argument("--region", action="append", default=argparse.SUPPRESS, metavar="R", help=_("region to audit; repeatable (default: the connection's)"))
    audit.add_argument("--all-regions", action="store_true", help=_("every region enabled for the account"))
    audit.add_argument("--vpc-id", metavar="VPC", help=_("only this VPC's endpoints"))
    audit.add_argument("--trusted-account", action="append", default=[], metavar="ID", help=_("trusted account; repeatable (default: the caller's)"))
    audit.add_argument("--trusted-org", action="append", default=[], metavar="o-...", help=_("trusted AWS Organization ID; repeatable"))
    add_report_options(audit, _("print the endpoints and findings as JSON"))
    audit.add_argument("--access-analyzer", action="store_true",
                       help=_("also ask IAM Access Analyzer's ValidatePolicy about each distinct policy "
                              "(findings shown beside the proofs; never changes the exit code)"))
    add_connection_options(audit, subcommand=True, skip=("--region",))
    org_commands.add_target_flags(audit, "audit")
    audit.set_defaults(func=run_audit)

    sandbox = subparsers.add_parser("sandbox", help=_("run a local AWS emulator with demo endpoints until Ctrl-C"))
    sandbox.add_argument("--port", type=int, default=0, metavar="P", help=_("port on 127.0.0.1 (default: a free one)"))
    sandbox.set_defaults(func=run_sandbox)


def _add_change_flags(parser: argparse.ArgumentParser, add_connection_options) -> None:
    parser.add_argument("--yes", action="store_true", help=_("do not ask for confirmation"))
    parser.add_argument("--dry-run", action="store_true", help=_("plan and check permissions, write nothing"))
    parser.add_argument("--force", action="store_true", help=_("apply even if your own account would no longer be trusted"))
    parser.add_argument("--json", action="store_true", help=_("print the outcomes as JSON"))
    parser.add_argument("--region", action="append", default=argparse.SUPPRESS, metavar="R", help=_("region; repeatable with targets (default: AWS_REGION / profile)"))
    add_connection_options(parser, subcommand=True, skip=("--region",))


@contextmanager
def _aws_errors():
    """botocore failures that escape the core become one-line AwsErrors (the CLI prints them, no traceback)."""
    from botocore.exceptions import BotoCoreError, ClientError
    from botocore.parsers import ResponseParserError

    from tui.aws.errors import translate

    try:
        yield
    except (BotoCoreError, ClientError, ResponseParserError) as exc:
        raise translate(exc) from None


def _connect(args: argparse.Namespace, region: str | None = None):
    from tui.aws.session import AwsTarget, connect

    connection = connect(AwsTarget(args.profile, region or org_commands.single_region(args), args.endpoint_url))
    print(_("connected: {label}").format(label=visible(connection.label)), file=sys.stderr)
    return connection


def _show_plan(plan, opinions: dict | None = None) -> None:
    """The diff and the reasons, every outside value escaped: a policy on AWS may carry terminal controls.
    `opinions` holds Access Analyzer's CheckNoNewAccess answer per endpoint id, when asked for."""
    from tui.report.changes import change_lines, endpoint_heading

    for item in plan.items:
        print(visible(endpoint_heading(item.endpoint)))
        for _kind, line in change_lines(item):
            print(f"  {visible(line)}")
        if opinions and item.endpoint.id in opinions:
            print(f"  {visible(opinions[item.endpoint.id].line())}")


def _confirmed(plan, args) -> bool:
    """--yes, or a 'y' typed on a terminal; with no terminal to ask on, refuse rather than guess."""
    if args.yes or args.dry_run or not plan.writes:
        return True
    if not sys.stdin.isatty():
        raise InputError(_("refusing to change endpoints without confirmation: no terminal to ask on; pass --yes"))
    try:
        from tui.report.changes import confirm_question

        answer = input(confirm_question(len(plan.writes), visible(plan.label)))
    except EOFError:  # Ctrl-D at the prompt is a no
        return False
    return answer.strip().lower() in ("y", "yes")


def _carry_out(conn, plan, args, opinions: dict | None = None) -> int:
    """The shared tail of apply and rollback: show, confirm, execute, report; exit 1 unless all went well."""
    if not args.json:
        _show_plan(plan, opinions)
    if not _confirmed(plan, args):
        print(_("nothing changed"), file=sys.stderr)
        return 1

    def progress(outcome) -> None:
        from tui.report.changes import outcome_line, warning_line

        if not args.json:
            print(visible(outcome_line(outcome)), flush=True)
            for warning in outcome.warnings:
                print("          " + visible(warning_line(warning)))

    outcomes, interrupted = _execute(conn, plan, args.dry_run, progress)
    if args.json:
        print_json({"connection": conn.label, "outcomes": [o.to_dict() for o in outcomes]} | ({"interrupted": True} if interrupted else {})
                   | ({"access_analyzer": [{"endpoint_id": eid, **check.to_dict()} for eid, check in opinions.items()]} if opinions is not None else {}))
    if interrupted:
        raise KeyboardInterrupt  # after the outcomes: `main` says "interrupted" and exits 130
    return 0 if all(o.status.ok for o in outcomes) else 1


def _execute(conn, plan, dry_run: bool, progress) -> tuple[list, bool]:
    """Run the plan in a worker thread, so Ctrl-C lands here and not in the middle of a write: the endpoint
    being written is finished and read back (its outcome known), the rest are not started. A second Ctrl-C
    stops waiting and says which endpoint's state is then unknown. Returns (outcomes, interrupted)."""
    from tui.aws.apply import execute_plan

    outcomes, failure, stop, done = [], [], threading.Event(), threading.Event()

    def record(outcome) -> None:
        outcomes.append(outcome)
        progress(outcome)

    def work() -> None:
        try:
            execute_plan(conn, plan, dry_run=dry_run, on_progress=record, stop=stop)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the main thread
            failure.append(exc)
        finally:
            done.set()

    threading.Thread(target=work, name="vpce-wizard-apply", daemon=True).start()
    try:
        _wait_for(done)
    except KeyboardInterrupt:
        stop.set()
        _finish_after_interrupt(done, plan, outcomes)
        return outcomes, True
    if failure:
        raise failure[0]
    return outcomes, False


def _finish_after_interrupt(done: threading.Event, plan, outcomes: list) -> None:
    in_flight = plan.items[len(outcomes)].endpoint.id if len(outcomes) < len(plan.items) else None
    if in_flight and not done.is_set():
        print(visible(_("interrupted: finishing {endpoint} and reading it back (Ctrl-C again to stop waiting)").format(endpoint=in_flight)),
              file=sys.stderr)
        try:
            _wait_for(done)
        except KeyboardInterrupt:
            print(visible(_("{endpoint} was being written: its state is unknown: check it with `vpce-wizard audit` and "
                            "`vpce-wizard backups --endpoint {endpoint}`").format(endpoint=in_flight)), file=sys.stderr)
            return
    skipped = [item.endpoint.id for item in plan.items[len(outcomes):]]
    if skipped:
        print(visible(_("not started: {endpoints}").format(endpoints=", ".join(skipped))), file=sys.stderr)


def _wait_for(done: threading.Event) -> None:
    """Wait in short slices: Thread.join interrupted by Ctrl-C can mark a running thread as stopped (3.11)."""
    while not done.wait(0.1):
        pass


def _refuse_invalid(policy: dict, path: str) -> None:
    """A policy with validator errors ends here (exit 1), before any AWS call."""
    from tui.policy.validator import ERROR, validate
    from tui.report.escape import visible

    errors = [f for f in validate(policy) if f.severity == ERROR]
    if errors:
        source = _("standard input") if path == "-" else repr(path)
        raise WizardError(visible(_("{source} has {count} error(s), first: {location}{detail} (see `vpce-wizard validate`)").format(
            source=source, count=len(errors), location=f"{errors[0].path}: " if errors[0].path else "", detail=errors[0].localised())))


def run_apply(args: argparse.Namespace) -> int:
    from tui.aws.apply import plan_apply

    if org_commands.wants_targets(args):
        _refuse_second_opinion_across_targets(args)
        return org_commands.run_org_apply(args)
    if not args.endpoint or not args.policy:
        raise InputError(_("give --endpoint ID and --policy FILE (or targets: --org, --ou, --accounts, --service)"))
    endpoint_ids = [check_endpoint_id(e) for e in dict.fromkeys(args.endpoint)]
    policy = read_policy(args.policy)
    _refuse_invalid(policy, args.policy)
    with _aws_errors():
        conn = _connect(args)
        plan = plan_apply(conn, dict.fromkeys(endpoint_ids, policy), force=args.force)
        return _carry_out(conn, plan, args, _no_new_access(conn, plan) if args.access_analyzer else None)


def run_rollback(args: argparse.Namespace) -> int:
    from tui.aws.rollback import plan_rollback

    if org_commands.wants_targets(args):
        return org_commands.run_org_rollback(args)
    if not args.endpoint:
        raise InputError(_("give --endpoint ID (or targets: --org, --ou, --accounts)"))
    check_endpoint_id(args.endpoint)
    if args.backup:
        from tui.aws.backups import load_backup

        load_backup(args.backup)  # a bad file ends here, before any AWS call
    with _aws_errors():
        conn = _connect(args)
        plan = plan_rollback(conn, args.endpoint, backup=args.backup, default=args.default, force=args.force, region=conn.region)
        return _carry_out(conn, plan, args)


def run_backups(args: argparse.Namespace) -> int:
    """List the backups; files passed over (someone else's, loose, malformed) are named, so a planted file
    is noticed rather than silently ignored."""
    from tui.aws.backups import backups_dir, scan_backups

    backups, ignored = scan_backups(args.endpoint and check_endpoint_id(args.endpoint))
    if args.json:
        print_json({"directory": str(backups_dir()), "backups": [b.to_dict() for b in backups], "ignored": [{"path": str(p), "reason": r} for p, r in ignored]})
        return 0
    if not backups:
        print(_("no backups in {directory}").format(directory=visible(backups_dir())), file=sys.stderr)
    for b in backups:
        future = "  " + _("(dated in the future: never restored as the latest)") if b.is_future else ""
        print(visible(f"{b.time}  {b.endpoint_id:<24} {b.region:<15} {b.account}  {b.action:<8} {b.path}") + future)
    for path, reason in ignored:
        print(visible(_("ignored {path}: {reason}").format(path=path, reason=text_in_language(reason))), file=sys.stderr)
    return 0


def run_audit(args: argparse.Namespace) -> int:
    from tui.aws.audit import SEVERITIES, audit
    from tui.aws.discovery import enabled_regions
    from tui.policy.identifiers import check_account_id, check_org_id, check_region, check_vpc_id
    from tui.report.json_output import with_waivers
    from tui.report.results import endpoint_items, fails
    from tui.report.sarif import sarif_log
    from tui.report.text import analysis_lines, severity_counts, waived_count
    from tui.report.waivers import load_waivers

    output = report_format(args)
    if org_commands.wants_targets(args):
        _refuse_second_opinion_across_targets(args)
        return org_commands.run_org_audit(args)
    waivers = load_waivers(args.waivers)
    accounts = [check_account_id(a) for a in args.trusted_account]
    orgs = [check_org_id(o) for o in args.trusted_org]
    regions = args.region if isinstance(args.region, list) else None  # a string when given before `audit`
    regions = [check_region(region) for region in regions or ()]
    if args.vpc_id:
        check_vpc_id(args.vpc_id)
    with _aws_errors():
        conn = _connect(args, regions[0] if regions else args.region)
        if args.all_regions:
            regions = enabled_regions(conn)
        show_progress = sys.stderr.isatty() and output == "text"

        def progress(region: str, count: int) -> None:
            if show_progress:
                print(visible("  " + _("{region}: {count} endpoint(s)").format(region=region, count=count)), file=sys.stderr)

        results = audit(conn, regions or [conn.region], accounts, orgs, vpc_id=args.vpc_id, on_region=progress,
                        access_analyzer=args.access_analyzer, locale=_analyzer_locale())
    per_endpoint = [endpoint_items(r.findings, conn.account_id, r.endpoint.region, r.endpoint.id, waivers) for r in results]
    items = [item for found in per_endpoint for item in found]
    if output == "json":
        endpoints = [r.to_dict() for r in results]
        for entry, found in zip(endpoints, per_endpoint, strict=True):
            entry["findings"] = with_waivers(entry["findings"], found)
        print_json({"connection": conn.label, "endpoints": endpoints})
        return 1 if fails(items) else 0
    if output == "sarif":
        print_json(sarif_log(items, "audit"))
        return 1 if fails(items) else 0
    for r, found in zip(results, per_endpoint, strict=True):
        e = r.endpoint
        print(visible(f"{e.id:<24} {e.region:<15} {e.service or e.service_name:<12} {e.type:<10} {_(str(e.classification))}"))
        for line in analysis_lines(found, witnesses=False):
            print(line)
        _show_second_opinion(r.access_analyzer)
    if args.access_analyzer:
        _show_skipped_second_opinion(conn)
    print(_("{count} endpoint(s): {counts}").format(count=len(results), counts=severity_counts(items, SEVERITIES)) + waived_count(items))
    return 1 if fails(items) else 0


def _no_new_access(conn, plan) -> dict:
    """CheckNoNewAccess for every endpoint the plan would write: the stored text as AWS holds it (AWS's
    full-access default when there is none) against the new document."""
    from tui.aws.access_analyzer import check_no_new_access
    from tui.aws.perimeter import FULL_ACCESS_POLICY

    return {item.endpoint.id: check_no_new_access(conn, item.endpoint.stored or FULL_ACCESS_POLICY, item.policy, item.endpoint.region)
            for item in plan.writes}


def _refuse_second_opinion_across_targets(args: argparse.Namespace) -> None:
    """Said, not silently ignored: the fan-out runs in member accounts, where Access Analyzer is not asked yet."""
    if getattr(args, "access_analyzer", False):
        raise InputError(_("--access-analyzer works on one connection (one account) for now, not with --org, --ou or --accounts: "
                           "run it per account"))


def _analyzer_locale() -> str:
    from tui.aws.access_analyzer import locale_for
    from tui.report.i18n import current_language

    return locale_for(current_language())


def _show_second_opinion(validation) -> None:
    """Access Analyzer's findings under the endpoint's own; a skip is said once for the run, not per endpoint."""
    from tui.aws.access_analyzer import Status

    if validation is not None and validation.status is not Status.SKIPPED:
        for line in validation.lines():
            print(visible(f"    {line}"))


def _show_skipped_second_opinion(conn) -> None:
    from tui.aws.access_analyzer import skip_reason

    reason = skip_reason(conn)
    if reason:
        print(visible(_("Access Analyzer ValidatePolicy {note}").format(note=text_in_language(reason))))


def run_sandbox(args: argparse.Namespace) -> int:
    import threading

    from tui.aws.sandbox import emulator_class, start_sandbox

    emulator_class()  # without the sandbox extra: one error line naming the install command
    print(_("starting the sandbox (moto) ..."), file=sys.stderr)
    sandbox = start_sandbox(args.port)
    try:
        print("\n".join(sandbox.summary_lines()))
        print(_("press Ctrl-C to stop"), flush=True)
        threading.Event().wait()
    except KeyboardInterrupt:
        print(_("sandbox stopped"), file=sys.stderr)
    finally:
        sandbox.stop()
    return 0
