"""`vpce-wizard export`: hand the rollout to SSM Automation or adopt the endpoints into Terraform.

`--format ssm-automation` is built offline (no boto3); `--format terraform-import` discovers the endpoints
of the targets, so it connects like `audit`.
"""

import argparse
import sys

from tui.commands import org
from tui.commands.common import write_output
from tui.policy.errors import InputError
from tui.report.escape import visible
from tui.report.i18n import _
from tui.report.messages import text_in_language

FORMATS = ("ssm-automation", "terraform-import")
DEFAULT_DOCUMENT_NAME = "VpceWizard-EndpointPolicies"


def register(subparsers, add_connection_options) -> None:
    export = subparsers.add_parser("export", help=_("an SSM Automation runbook or Terraform import blocks for many accounts and regions"))
    export.add_argument("--format", required=True, choices=FORMATS, help=_("ssm-automation: a runbook for many accounts and regions; terraform-import: adopt discovered endpoints"))
    export.add_argument("--region", action="append", default=argparse.SUPPRESS, metavar="R", help=_("region to cover; repeatable"))
    export.add_argument("-o", "--output", metavar="FILE", help=_("write to FILE (mode 0600) instead of stdout"))
    export.add_argument("--document-name", default=DEFAULT_DOCUMENT_NAME, metavar="NAME", help=_("name of the SSM document in the printed commands"))
    export.add_argument("--execution-role-name", default=None, metavar="NAME", help=_("SSM's role in each target (default AWS-SystemsManager-AutomationExecutionRole)"))
    export.add_argument("--max-errors", default="1", metavar="N|P%", help=_("SSM TargetLocationMaxErrors for the printed command (default 1)"))
    org.add_target_flags(export, "audit")
    org.add_answer_flags(export.add_argument_group(_("policies (as `generate`; without them terraform-import keeps each endpoint's current policy)")))
    add_connection_options(export, subcommand=True, skip=("--region",))
    export.set_defaults(func=run_export)


def _has_answers(args) -> bool:
    return bool(args.answers or args.account or args.org_id)


def run_export(args: argparse.Namespace) -> int:
    if args.format == "ssm-automation":
        return _ssm(args)
    return _terraform(args)


def _ssm(args: argparse.Namespace) -> int:
    import json

    from tui.aws.fanout import ErrorBudget, RoleAccess
    from tui.aws.targets import check_ou_id, parse_accounts
    from tui.policy.engines import DEFAULT_EXECUTION_ROLE, ssm_automation_document, start_commands
    from tui.policy.identifiers import check_account_id, check_region

    regions = list(dict.fromkeys(check_region(r) for r in org.regions_of(args)))
    if not regions:
        raise InputError(_("give the regions the runbook covers: --region R (repeatable); AWS-owned bucket names differ per region"))
    if not _has_answers(args):
        raise InputError(_("give the policies: --answers FILE or --account ... (as `generate`)"))
    if args.org:
        raise InputError(_("SSM targets accounts or OUs: give --ou with the root (r-...) or an OU, or --accounts"))
    build = org.policies_from_answers(args)
    document = ssm_automation_document({region: build(region) for region in regions})
    role = RoleAccess(args.execution_role_name or DEFAULT_EXECUTION_ROLE).checked().role_name
    ErrorBudget.parse(args.max_errors)
    accounts = list(parse_accounts(args.accounts)) if args.accounts else [check_ou_id(args.ou)] if args.ou else []
    exclude = [check_account_id(a) for a in args.exclude_account]
    RoleAccess(args.document_name).checked()  # the same character set as SSM document names, 1-64 long
    commands = start_commands(args.document_name, args.output or "runbook.json", accounts, regions, exclude=exclude, role_name=role,
                              max_concurrency=str(args.max_concurrency or 10), max_errors=args.max_errors.strip())
    write_output(json.dumps(document, indent=2) + "\n", args.output)
    print("# " + _("register the runbook, then run it in every target account and region:"), file=sys.stderr)
    for command in commands:
        print(command, file=sys.stderr)
    return 0


def _terraform(args: argparse.Namespace) -> int:
    from tui.aws.fanout import AccountSessions
    from tui.aws.rollout import discover_target
    from tui.aws.targets import resolve_targets
    from tui.commands.aws import _aws_errors
    from tui.policy.engines import DiscoveredEndpoint, terraform_import
    from tui.policy.identifiers import check_endpoint_id, partition_of

    access, concurrency, _budget = org._fanout_settings(args)
    policies = org.policies_from_answers(args) if _has_answers(args) else None
    services = list(dict.fromkeys(args.service)) if args.service else None
    with _aws_errors():
        conn = org._connect(args, org.regions_of(args))
        targets = resolve_targets(conn, org._spec(args))
        sessions = AccountSessions(conn, access)
        trust = org._trust(conn, args, sorted({t.account for t in targets}))
        from tui.aws.fanout import run_targets

        report = run_targets(sessions, targets, lambda member, target: discover_target(member, target, trust, services=services), max_concurrency=concurrency)
    endpoints = []
    for result in report.ok:
        target = result.target
        role_arn = None if target.account == conn.account_id else access.role_arn(partition_of(target.region), target.account)
        wanted = policies(target.region) if policies else None
        for found in result.value:
            e = found.endpoint
            if not e.takes_policy or (wanted is not None and e.service not in wanted):
                continue
            policy = wanted[e.service] if wanted is not None else e.policy
            if policy is None:
                continue
            endpoints.append(DiscoveredEndpoint(target.account, target.region, check_endpoint_id(e.id), e.service or "", policy, role_arn))
    write_output(terraform_import(endpoints), args.output)
    print(_("{endpoints} endpoint(s) in {pairs} account/region pair(s); {errors} target(s) not reached").format(
        endpoints=len(endpoints), pairs=len({(e.account, e.region) for e in endpoints}), errors=len(report.errors)), file=sys.stderr)
    for r in report.errors:
        print(f"  {_(str(r.status))} {r.target.account} {r.target.region}: {visible(text_in_language(r.message))}", file=sys.stderr)
    return 1 if report.errors else 0
