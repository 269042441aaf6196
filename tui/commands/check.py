"""`check`: the symbolic analysis of a policy file, offline, with the same JSON per policy as `audit` gives
per endpoint. It analyses any policy AWS could hold, grammar errors included (they become findings)."""

import argparse

from tui.commands.common import add_report_options, print_json, read_policy_and_text, report_format
from tui.policy.errors import InputError
from tui.report.escape import visible
from tui.report.i18n import _


def register(subparsers, add_connection_options=None) -> None:
    check = subparsers.add_parser("check", help=_("prove what a policy file admits (symbolic analysis); exit 1 on a high finding"))
    check.add_argument("file", metavar="FILE|-", help=_("the policy document"))
    check.add_argument("--service", default="s3", metavar="S", help=_("the endpoint's service (default s3)"))
    check.add_argument("--region", metavar="R", help=_("the endpoint's region (default: AWS_REGION / AWS_DEFAULT_REGION)"))
    check.add_argument("--trusted-account", action="append", default=[], metavar="ID", help=_("trusted 12-digit account ID; repeatable"))
    check.add_argument("--trusted-org", action="append", default=[], metavar="o-...", help=_("trusted AWS Organization ID; repeatable"))
    check.add_argument("--caller-arn", metavar="ARN", help=_("who will apply it, as `aws sts get-caller-identity` prints it: runs the lock-out question for that caller"))
    check.add_argument("--endpoint-type", choices=("Gateway", "Interface"), help=_("the endpoint's type (S3 gateway endpoints carry the anonymous OS-repository reads)"))
    check.add_argument("--endpoint-id", metavar="vpce-...", help=_("the endpoint, for policies that test aws:SourceVpce"))
    check.add_argument("--vpc-id", metavar="vpc-...", help=_("the endpoint's VPC, for policies that test aws:SourceVpc"))
    check.add_argument("--resource-perimeter", action="store_true", help=_("resources outside the trusted set must be out of reach too (a high finding otherwise)"))
    add_report_options(check, _("machine-readable verdict with witnesses"))
    check.add_argument("--access-analyzer", action="store_true",
                       help=_("also ask IAM Access Analyzer's ValidatePolicy (connects with --profile / --endpoint-url / the environment; "
                              "findings shown beside the proof, never changing the exit code)"))
    if add_connection_options is not None:
        add_connection_options(check, subcommand=True, skip=("--region",))
    check.set_defaults(func=run_check)


def _setting(args: argparse.Namespace):
    import os

    from tui.policy.analysis import Caller, Setting, Trust
    from tui.policy.identifiers import check_account_id, check_endpoint_id, check_org_id, check_region, check_vpc_id
    from tui.policy.services import load_services

    if args.service not in load_services():
        raise InputError(_("unknown service {service!r} (see `vpce-wizard catalog --services`)").format(service=visible(args.service)))
    region = args.region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    if not region:
        raise InputError(_("--region is required (requests through an endpoint stay in its region)"))
    accounts = tuple(dict.fromkeys(check_account_id(a) for a in args.trusted_account))
    orgs = tuple(dict.fromkeys(check_org_id(o) for o in args.trusted_org))
    if not accounts and not orgs:
        raise InputError(_("give the trusted set: --trusted-account and/or --trusted-org"))
    caller = Caller.from_arn(args.caller_arn) if args.caller_arn else None
    return Setting(args.service, check_region(region), Trust(accounts, orgs), args.endpoint_type or "",
                   args.vpc_id and check_vpc_id(args.vpc_id), args.endpoint_id and check_endpoint_id(args.endpoint_id),
                   caller, args.resource_perimeter or None)


def run_check(args: argparse.Namespace) -> int:
    from tui.policy.analysis import analyse_parsed
    from tui.report.json_output import with_waivers
    from tui.report.results import check_items, fails
    from tui.report.sarif import sarif_log
    from tui.report.text import analysis_lines
    from tui.report.waivers import load_waivers

    output = report_format(args)
    setting = _setting(args)
    waivers = load_waivers(args.waivers)
    parsed, text = read_policy_and_text(args.file)
    if "Statement" not in parsed.doc:
        raise InputError(_("{file!r} is not a policy: it has no Statement").format(file=visible(args.file)))
    analysis = analyse_parsed(parsed, setting)
    items = check_items(analysis.findings, args.file, parsed.doc, text, waivers)
    second = _second_opinion(args, text, setting.region) if args.access_analyzer else None
    if output == "json":
        verdict = analysis.to_dict()
        print_json(verdict | {"findings": with_waivers(verdict["findings"], items)}
                   | ({"access_analyzer": second.to_dict()} if second else {}))
    elif output == "sarif":
        print_json(sarif_log(items, "check"))
    else:
        print(_(str(analysis.classification)))
        for line in analysis_lines(items, witnesses=True):
            print(line)
        for line in second.lines() if second else ():
            print(f"    {visible(line)}")
    return 1 if fails(items) else 0


def _second_opinion(args: argparse.Namespace, policy: str, region: str):
    """Access Analyzer's ValidatePolicy on the file as written, asked only on request: check stays offline by
    default. A connection that cannot be made is a note like any other refusal, never the end of the check."""
    from tui.aws.access_analyzer import Status, Validation, locale_for, validate_policy
    from tui.aws.session import AwsTarget, connect
    from tui.policy.errors import WizardError
    from tui.report.i18n import current_language

    try:
        conn = connect(AwsTarget(getattr(args, "profile", None), region, getattr(args, "endpoint_url", None)))
    except WizardError as exc:
        return Validation(Status.FAILED, note=f"not asked: {exc}")
    return validate_policy(conn, policy, region, locale_for(current_language()))
