"""`vpce-wizard impact`: replay CloudTrail traffic against a candidate policy before applying it, watch the
endpoint's denials after, or see who uses each endpoint. boto3 is imported only for --trail-bucket/--lookup."""

import argparse
import sys
from datetime import UTC, datetime

from tui.commands.common import print_json, read_json, read_policy
from tui.policy.errors import InputError
from tui.report.escape import visible
from tui.report.i18n import N_, _, cell_width, pad
from tui.report.messages import text_in_language

PROGRESS_EVERY = 50_000


def register(subparsers, add_connection_options) -> None:
    impact = subparsers.add_parser(
        "impact",
        help=_("replay CloudTrail traffic against a policy: what would it break? exit 1 if anything would"),
        description=_("Replay the requests CloudTrail recorded through VPC endpoints against a candidate policy and "
        "group them by verdict: ok, intended, still-open, would-break, already-denied, undecided."),
    )
    impact.add_argument("--policy", metavar="FILE|-", help=_("the candidate policy (not needed with --denials or --suggest-trust)"))
    source = impact.add_mutually_exclusive_group(required=True)
    source.add_argument("--events", nargs="+", metavar="PATH", help=_("CloudTrail log files (.json, .json.gz) or folders of them"))
    source.add_argument("--trail-bucket", metavar="s3://bucket/prefix", help=_("the trail's log files in S3 (streamed)"))
    source.add_argument("--lookup", action="store_true", help=_("management events from CloudTrail LookupEvents (last 90 days)"))
    mode = impact.add_mutually_exclusive_group()
    mode.add_argument("--denials", action="store_true", help=_("group the VpceAccessDenied records (after a rollout)"))
    mode.add_argument("--suggest-trust", action="store_true", help=_("list the accounts and orgs seen using each endpoint, by requests"))
    impact.add_argument("--endpoint", metavar="vpce-...", help=_("only requests through this endpoint"))
    impact.add_argument("--service", action="append", metavar="S", help=_("only requests to this service (s3, ssm, ...; default: the policy's)"))
    impact.add_argument("--since", metavar="7d|24h|DATE", help=_("only requests since then"))
    impact.add_argument("--trusted-account", action="append", default=[], metavar="ID", help=_("trusted account; repeatable"))
    impact.add_argument("--trusted-org", action="append", default=[], metavar="o-...", help=_("trusted organization; repeatable"))
    impact.add_argument("--org-accounts", metavar="FILE", help=_('organization members: {"o-...": [IDs]} or `aws organizations list-accounts` output'))
    impact.add_argument("--json", action="store_true", help=_("print the verdicts as JSON"))
    add_connection_options(impact, subcommand=True)
    impact.set_defaults(func=run_impact)


def run_impact(args: argparse.Namespace) -> int:
    from tui.policy import impact

    policy = read_policy(args.policy) if args.policy else None
    if policy is None and not (args.denials or args.suggest_trust):
        raise InputError(_("--policy is required (except with --denials or --suggest-trust)"))
    trust = _trust(args)
    scope = _scope(args, policy)
    problems: list[tuple[str, str]] = []
    progress = _Progress(enabled=sys.stderr.isatty() and sys.stdout.isatty() and not args.json)
    with _AwsErrors(args):
        trust, records = _records(args, scope, trust, problems, progress)
        if args.suggest_trust:
            return _show_trust(*impact.seen_principals(progress.counted(records), trust, scope), problems, args.json, progress)
        report = impact.impact_groups(policy, progress.counted(records), trust, scope, problems)
    progress.done()
    _show_report(report, args.json)
    return 1 if report.failing else 0


def _trust(args: argparse.Namespace):
    from tui.policy.identifiers import check_account_id, check_org_id
    from tui.policy.impact import Trust, org_membership

    accounts = frozenset(check_account_id(a) for a in args.trusted_account)
    orgs = frozenset(check_org_id(o) for o in args.trusted_org)
    if not (accounts or orgs or args.denials or args.suggest_trust):
        raise InputError(_("name the trusted set: --trusted-account and/or --trusted-org (see --suggest-trust to find it)"))
    org_of: dict[str, str] = {}
    complete: frozenset[str] = frozenset()
    if args.org_accounts:
        org_of, complete = org_membership(read_json(args.org_accounts, "organization file"), f"--org-accounts {args.org_accounts!r}")
    return Trust(accounts, orgs, org_of, complete)


def _scope(args: argparse.Namespace, policy: dict | None):
    from tui.policy.identifiers import check_endpoint_id
    from tui.policy.impact import Scope, parse_since, policy_services
    from tui.policy.services import load_services

    endpoint = check_endpoint_id(args.endpoint) if args.endpoint else None
    services = None
    if args.service:
        known = load_services()
        unknown = [s for s in args.service if s not in known or not known[s].sample_read]
        if unknown:
            raise InputError(_("unknown service {service!r} (known: {known})").format(
                service=unknown[0], known=", ".join(s for s in known if known[s].sample_read)))
        services = frozenset(read.action.split(":", 1)[0] for s in args.service if (read := known[s].sample_read))
    elif policy is not None and not endpoint:
        services = policy_services(policy)
        if services is None and not (args.denials or args.suggest_trust):
            raise InputError(_("the policy names no service (its actions are all '*'): pass --endpoint or --service"))
    since = parse_since(args.since, datetime.now(UTC)) if args.since else ""
    return Scope(endpoint=endpoint, services=services, since=since, denials_only=args.denials)


def _records(args, scope, trust, problems: list, progress):
    """The trust (completed from Organizations when it helps) and an iterator over the chosen records."""
    from tui.policy.cloudtrail import local_sources, records_from

    def on_problem(source: str, problem: str) -> None:
        problems.append((source, problem))

    if args.events:
        return trust, records_from(local_sources(args.events), on_problem, progress.on_file)
    from tui.aws import trail

    if args.trail_bucket:
        trail.parse_s3_url(args.trail_bucket)
    conn = _connect(args)
    if (trust.orgs or args.suggest_trust) and not trust.org_of:
        trust = _with_organization(conn, trust)
    if args.trail_bucket:
        return trust, records_from(trail.trail_sources(conn, args.trail_bucket, scope.since), on_problem, progress.on_file)
    since = datetime.fromisoformat(scope.since) if scope.since else None
    source = f"{next(iter(scope.services))}.amazonaws.com" if scope.services and len(scope.services) == 1 else None
    return trust, trail.lookup_records(conn, since, on_problem, source)


def _with_organization(conn, trust):
    from dataclasses import replace

    from tui.aws.trail import organization_members

    members = organization_members(conn)
    if members is None:
        return trust
    org_of, complete = members
    return replace(trust, org_of=org_of, complete_orgs=complete)


def _connect(args):
    from tui.aws.session import AwsTarget, connect

    connection = connect(AwsTarget(args.profile, args.region, args.endpoint_url))
    if not args.json:
        print(_("connected: {label}").format(label=visible(connection.label)), file=sys.stderr)
    return connection


class _AwsErrors:
    """botocore failures become one-line AwsErrors; only when AWS is used is botocore imported."""

    def __init__(self, args):
        self.uses_aws = not args.events

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, traceback) -> None:
        if exc is None or not self.uses_aws:
            return
        from botocore.exceptions import BotoCoreError, ClientError

        from tui.aws.errors import translate

        if isinstance(exc, (BotoCoreError, ClientError)):
            raise translate(exc) from None


class _Progress:
    """Files and records read so far, on one stderr line, only when both outputs are a terminal (never with
    --json, never when the output is piped)."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.files = 0
        self.records = 0

    def on_file(self, _name: str) -> None:
        self.files += 1
        if self.enabled:
            self._show()

    def counted(self, records):
        if not self.enabled:
            return records
        return self._counting(records)

    def _counting(self, records):
        for record in records:
            self.records += 1
            if self.records % PROGRESS_EVERY == 0:
                self._show()
            yield record

    def _show(self) -> None:
        print("\r  " + _("{files:,} file(s), {records:,} record(s) read").format(files=self.files, records=self.records), end="",
              file=sys.stderr, flush=True)

    def done(self) -> None:
        if self.enabled and (self.files or self.records):
            self._show()
            print(file=sys.stderr)


def _show_problems(problems, as_json: bool) -> None:
    if not as_json:
        for source, problem in problems:
            print(_("warning: {source}: skipped: {problem}").format(source=visible(source), problem=visible(text_in_language(problem))), file=sys.stderr)


REPORT_COLUMNS = (N_("VERDICT"), N_("COUNT"), N_("ACTION"), N_("PRINCIPAL"), N_("LAST SEEN"), N_("RESOURCE"))


def _show_report(report, as_json: bool) -> None:
    if as_json:
        print_json(report.to_dict())
        return
    _show_problems(report.problems, as_json)
    if report.groups:
        verdict, count, action, principal, last_seen, resource = map(_, REPORT_COLUMNS)
        print(f"{pad(verdict, 15)} {' ' * max(0, 7 - cell_width(count))}{count}  {pad(action, 32)} {pad(principal, 14)} "
              f"{pad(last_seen, 20)} {resource}")
    for group in report.groups:
        print(
            f"{pad(_(str(group.verdict)), 15)} {group.count:>7,}  {visible(group.action):<32} {visible(group.principal):<14} "
            f"{visible(group.last_seen):<20} {visible(group.resource)}"
        )
        if group.suggestion:
            print(f"{'':<25}-> {visible(text_in_language(group.suggestion))}")
    totals: dict[str, int] = {}
    for group in report.groups:
        totals[group.verdict] = totals.get(group.verdict, 0) + group.count
    summary = _(", ").join(_("{count:,} {verdict}").format(count=count, verdict=_(str(verdict))) for verdict, count in totals.items())
    print(_("{events:,} record(s) read, {considered:,} replayed: {summary}").format(
        events=report.events, considered=report.considered, summary=summary or _("nothing to replay")))


def _show_trust(events: int, considered: int, uses, problems, as_json: bool, progress) -> int:
    progress.done()
    if as_json:
        print_json({
            "events": events, "considered": considered, "endpoints": [use.to_dict() for use in uses],
            "problems": [{"source": source, "problem": problem} for source, problem in problems],
        })
        return 0
    _show_problems(problems, as_json)
    for use in uses:
        print(visible(use.endpoint))
        for seen in use.principals:
            org = f" ({visible(seen.org)})" if seen.org else ""
            print(f"  {seen.count:>9,}  {visible(seen.principal)}{org}")
        for org, count in use.orgs:
            print(f"  {count:>9,}  " + _("organization {org}").format(org=visible(org)))
    print(_("{events:,} record(s) read, {considered:,} through endpoints").format(events=events, considered=considered))
    return 0
