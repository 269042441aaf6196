"""Headless policy commands: generate, validate, simulate, catalog. They import neither textual nor boto3."""

import argparse
import os
import re
import sys
from typing import Any

from tui.commands.common import (
    add_report_options,
    print_json,
    read_json,
    read_parsed_policy,
    read_policy_and_text,
    report_format,
    write_output,
)
from tui.policy.errors import InputError, WizardError
from tui.policy.renderers import FORMATS as RENDER_FORMATS
from tui.report.escape import visible
from tui.report.i18n import N_, _, pad
from tui.report.messages import localised, scenario_name

SEVERITY_WORDS = (N_("error"), N_("warning"), N_("info"))

RESOURCE_ARN = re.compile(r"arn:[a-z-]+:[a-z0-9*-]+:[a-z0-9*-]*:[^:\s\x00-\x1f\x7f-\x9f]*:[^\s\x00-\x1f\x7f-\x9f]+")

EXPECTATIONS = {"Allow": {"Allow"}, "Deny": {"ImplicitDeny", "ExplicitDeny"}, "ImplicitDeny": {"ImplicitDeny"}, "ExplicitDeny": {"ExplicitDeny"}}


def register(subparsers) -> None:
    """Add the policy sub-commands to the top-level parser."""
    generate = subparsers.add_parser("generate", help=_("build endpoint policies from answers"))
    generate.add_argument("--answers", metavar="FILE", default=argparse.SUPPRESS, help=_("a saved wizard session; flags given too override it"))
    generate.add_argument("--service", action="append", metavar="S", help=_("service (s3, dynamodb, ssm, logs, ...); repeatable; default s3"))
    generate.add_argument("--account", action="append", metavar="ID", help=_("trusted 12-digit account ID; repeatable"))
    generate.add_argument("--org-id", action="append", metavar="o-...", help=_("trusted AWS Organization ID; repeatable"))
    generate.add_argument("--resource-perimeter", action="store_true", default=None, help=_("also require resources to belong to trusted accounts"))
    generate.add_argument("--public-bucket", action="append", metavar="CATALOG_ID", help=_("AWS-owned bucket set from `catalog`; repeatable"))
    generate.add_argument("--bucket-arn", action="append", metavar="ARN", help=_("another exact public bucket ARN to allow read-only; repeatable"))
    generate.add_argument(
        "--region", metavar="R", default=argparse.SUPPRESS,
        help=_("region the endpoints live in, which names the AWS-owned buckets (default: the answers file's, then AWS_REGION / AWS_DEFAULT_REGION)"),
    )
    generate.add_argument(
        "--format", default="json", choices=RENDER_FORMATS,
        help=_("output: readable JSON (default), minified JSON as applied, or a Terraform / CloudFormation template"),
    )
    generate.add_argument("-o", "--output", metavar="FILE", help=_("write to FILE (mode 0600) instead of stdout"))
    generate.add_argument("-q", "--quiet", action="store_true", help=_("no summary on stderr"))
    generate.set_defaults(func=run_generate)

    validate = subparsers.add_parser("validate", help=_("check a policy file against AWS's rules; exit 1 on errors"))
    validate.add_argument("file", metavar="FILE|-", help=_("the policy document; - reads standard input"))
    add_report_options(validate, _("machine-readable findings"))
    validate.set_defaults(func=run_validate)

    simulate = subparsers.add_parser("simulate", help=_("decide requests against a policy"))
    simulate.add_argument("file", metavar="FILE|-", help=_("the policy document; - reads standard input"))
    simulate.add_argument("--action", metavar="A", help=_("the request's action, e.g. s3:GetObject"))
    simulate.add_argument("--resource", metavar="R", help=_("the request's resource: an ARN, or *"))
    simulate.add_argument("--context", action="append", default=[], metavar="KEY=VALUE", help=_("condition key; repeat a key for a multi-valued key"))
    simulate.add_argument("--cases", metavar="CASES.json", help=_('JSON list of {"action","resource","context","expect"?}; not with --action/--resource'))
    simulate.add_argument("--json", action="store_true", help=_("print the decisions as JSON"))
    simulate.set_defaults(func=run_simulate)

    catalog = subparsers.add_parser("catalog", help=_("list the public S3 buckets (AWS-owned, then third-party), or --services"))
    catalog.add_argument("--region", metavar="R", default=argparse.SUPPRESS, help=_("expand bucket names for this region"))
    choice = catalog.add_mutually_exclusive_group()
    choice.add_argument("--services", action="store_true", help=_("list services instead"))
    choice.add_argument(
        "--check-sources", action="store_true",
        help=_("print each entry's source pages and the date they were checked, and try to reach each page (online; never fails offline)"),
    )
    catalog.add_argument("--json", action="store_true", help=_("print JSON"))
    catalog.set_defaults(func=run_catalog)


def answers_from_args(args: argparse.Namespace):
    """Answers from --answers and flags; flags replace the file's value for the same field."""
    from dataclasses import replace

    from tui.policy.answers import Answers, load_answers

    answers = load_answers(args.answers, check=False) if args.answers else Answers(region="")
    overrides = {
        "services": args.service,
        "accounts": args.account,
        "org_ids": args.org_id,
        "public_buckets": args.public_bucket,
        "bucket_arns": args.bucket_arn,
    }
    values: dict[str, Any] = {key: tuple(value) for key, value in overrides.items() if value}
    if args.resource_perimeter is not None:
        values["resource_perimeter"] = args.resource_perimeter
    region = getattr(args, "region", None)  # given before or after `generate`
    if region:
        values["region"] = region
    elif not args.answers:
        values["region"] = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or ""
    answers = replace(answers, **values)
    if not answers.region:
        raise InputError(_("--region is required, or AWS_REGION (the AWS-owned bucket names depend on it)"))
    return answers.checked()


def run_generate(args: argparse.Namespace) -> int:
    from tui.policy.builder import build_policies
    from tui.policy.renderers import render
    from tui.policy.review import review_service

    answers = answers_from_args(args)
    policies = build_policies(answers)  # raises PolicyTooLarge with the size and the limit
    for service in policies:
        review = review_service(answers, service)
        errors = [f for f in review.findings if f.severity == "error"]
        failed = [r.scenario for r in review.results if not r.passed]
        if errors or failed:
            detail = (localised(errors[0].code, errors[0].params) if errors
                      else _("scenario not as intended: {scenario}").format(scenario=scenario_name(failed[0])))
            raise WizardError(_("refusing to emit the {service} policy: {detail}").format(service=service, detail=detail))
        if not args.quiet:
            warnings = [f for f in review.findings if f.severity == "warning"]
            for warning in warnings:
                print(_("{service}: warning: {message}").format(service=service, message=localised(warning.code, warning.params)),
                      file=sys.stderr)
            print(
                _("{service}: {size:,} of {limit:,} characters ({headroom:,} left), {warnings} warning(s), "
                  "{scenarios} scenario(s) as intended").format(
                    service=service, size=review.size, limit=20480, headroom=review.headroom, warnings=len(warnings),
                    scenarios=len(review.results)),
                file=sys.stderr,
            )
    write_output(render(policies, args.format, answers.region), args.output)
    return 0


def run_validate(args: argparse.Namespace) -> int:
    from tui.policy.documents import MAX_POLICY_CHARS, policy_size
    from tui.policy.validator import has_errors, validate
    from tui.report.json_output import validation_document
    from tui.report.results import fails, validation_items
    from tui.report.sarif import sarif_log
    from tui.report.text import validation_lines, waived_count
    from tui.report.waivers import load_waivers

    output = report_format(args)
    waivers = load_waivers(args.waivers)
    parsed, text = read_policy_and_text(args.file)
    findings = validate(parsed)
    items = validation_items(findings, args.file, text, waivers)
    size = policy_size(parsed.doc)
    if output == "json":
        print_json(validation_document(items, not has_errors(findings), size, MAX_POLICY_CHARS))
    elif output == "sarif":
        print_json(sarif_log(items, "validate"))
    else:
        for line in validation_lines(items):
            print(line)
        verdict = _("invalid") if has_errors(findings) else _("valid")
        print(_("{verdict}: {size:,} of {limit:,} characters minified, {count} finding(s)").format(
            verdict=verdict, size=size, limit=MAX_POLICY_CHARS, count=len(findings)) + waived_count(items))
    return 1 if fails(items) else 0


def _parse_context(pairs: list[str]) -> dict:
    context: dict = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise InputError(_("--context {pair!r} is not KEY=VALUE").format(pair=pair))
        if key in context:
            previous = context[key]
            context[key] = (previous if isinstance(previous, list) else [previous]) + [value]
        else:
            context[key] = value
    return context


def _check_resource(resource: str, where: str = "--resource") -> str:
    """A request names one resource: an ARN or `*`. Anything else (a bucket name, a typo) would quietly
    match nothing and read as a deny, so refuse it."""
    if resource != "*" and not RESOURCE_ARN.fullmatch(resource):
        raise InputError(_("{where} '{resource}' is not an ARN (arn:partition:service:region:account:resource) or *").format(
            where=where, resource=visible(resource)))
    return resource


def _load_cases(path: str) -> list[dict]:
    cases = read_json(path, "cases file", max_depth=4)  # list > case > context > values
    if not isinstance(cases, list):
        raise InputError(_("cases file {path!r} must hold a JSON list").format(path=path))
    for index, case in enumerate(cases):
        if not isinstance(case, dict) or not isinstance(case.get("action"), str) or not isinstance(case.get("resource"), str):
            raise InputError(_("cases file {path!r}: case {index} needs string 'action' and 'resource'").format(path=path, index=index))
        _check_resource(case["resource"], f"cases file {path!r}: case {index} resource")
        context = case.get("context", {})
        if not isinstance(context, dict) or not all(
            isinstance(v, str) or (isinstance(v, list) and all(isinstance(item, str) for item in v)) for v in context.values()
        ):
            raise InputError(_("cases file {path!r}: case {index} 'context' must map keys to strings or lists").format(path=path, index=index))
        if "expect" in case and case["expect"] not in EXPECTATIONS:
            raise InputError(_("cases file {path!r}: case {index} 'expect' must be one of {choices}").format(
                path=path, index=index, choices=", ".join(EXPECTATIONS)))
    return cases


def _simulable(parsed, path: str) -> dict:
    """The document when the evaluator can read its shape (exit 1 naming the first shape error otherwise);
    ambiguities are simulated as this tool reads them, with a warning, since AWS may read them otherwise."""
    from tui.policy.validator import shape_errors

    errors = shape_errors(parsed.doc)
    if errors:
        where = f"{errors[0].path}: " if errors[0].path else ""
        source = _("standard input") if path == "-" else repr(path)
        raise WizardError(visible(_("cannot simulate {source}: {where}{message} ({count} shape error(s); see `vpce-wizard validate`)").format(
            source=source, where=where, message=localised(errors[0].code, errors[0].params), count=len(errors))))
    for ambiguity in parsed.ambiguities:
        print(visible(_("warning: {path}: {message}").format(path=ambiguity.path, message=localised(ambiguity.code, ambiguity.params))),
              file=sys.stderr)
    return parsed.doc


def run_simulate(args: argparse.Namespace) -> int:
    from tui.policy.evaluator import Request, evaluate

    if args.cases and (args.action or args.resource or args.context):
        raise InputError(_("give either --cases FILE or --action/--resource/--context, not both"))
    if args.cases:
        cases = _load_cases(args.cases)
    elif args.action and args.resource:
        cases = [{"action": args.action, "resource": _check_resource(args.resource), "context": _parse_context(args.context)}]
    else:
        raise InputError(_("give --action and --resource, or --cases FILE"))
    doc = _simulable(read_parsed_policy(args.file), args.file)
    results = []
    for case in cases:
        decision = evaluate(doc, Request(case["action"], case["resource"], case.get("context", {})))
        result = {"action": case["action"], "resource": case["resource"], "decision": decision.outcome, "statements": list(decision.statements)}
        if "expect" in case:
            result["expect"] = case["expect"]
            result["met"] = decision.outcome in EXPECTATIONS[case["expect"]]
        results.append(result)
    if args.json:
        print_json({"results": results})
    else:
        for r in results:
            mark = "" if "met" not in r else ("  " + _("ok") if r["met"] else "  " + _("NOT AS EXPECTED ({expect})").format(expect=r["expect"]))
            by = "  " + _("by {statements}").format(statements=", ".join(r["statements"])) if r["statements"] else ""
            print(visible(f"{r['decision']:<12} {r['action']} {r['resource']}{by}{mark}"))
    return 0 if all(r.get("met", True) for r in results) else 1


def _catalog_row(entry, region: str | None) -> dict:
    return {
        "id": entry.id, "title": entry.title, "group": entry.group, "owner": entry.owner, "write": entry.write,
        "why": entry.why, "access": entry.access, "default": entry.default, "actions": list(entry.actions),
        "resources": entry.arns(region) if region else list(entry.resources),
        "partitions_verified": list(entry.partitions_verified), "source": entry.source,
        "see_also": list(entry.see_also), "checked": entry.checked,
    }


def _print_services(as_json: bool) -> None:
    from tui.policy.services import load_services

    services = load_services().values()
    if as_json:
        print_json({"services": [
            {"name": s.name, "title": s.title, "endpoint_types": list(s.endpoint_types), "policy_supported": s.policy_supported,
             "notes": s.notes, "warning": s.warning or None, "warning_source": s.warning_source or None}
            for s in services
        ]})
        return
    for s in services:
        support = _("policy") if s.policy_supported else _("no policy (full access)")
        print(f"{s.name:<15} {'/'.join(s.endpoint_types):<18} {pad(support, 24)} {_(s.title)}")
        warning = s.warning and _("warning: {warning} ({source})").format(warning=_(s.warning), source=s.warning_source)
        for note in filter(None, (s.notes and _(s.notes), warning)):
            print(f"{'':<15} {note}")


SOURCE_TIMEOUT = 5.0
"""Seconds per source page: enough for a slow documentation site, short enough offline."""


def probe_source(url: str, timeout: float = SOURCE_TIMEOUT) -> str:
    """`reachable (HTTP n)` or `unreachable: why` for one page, by an HTTP HEAD; never raises."""
    import urllib.error
    import urllib.request

    # the catalog's own https sources, never a user's URL
    request = urllib.request.Request(url, method="HEAD", headers={"User-Agent": "vpce-wizard catalog --check-sources"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return f"reachable (HTTP {response.status})"
    except urllib.error.HTTPError as exc:
        return f"unreachable: HTTP {exc.code}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return f"unreachable: could not reach it ({visible(reason)})"


def _check_sources(entries, as_json: bool) -> None:
    """Every entry's pages with the date they were checked, probed concurrently so offline costs one timeout."""
    from concurrent.futures import ThreadPoolExecutor

    urls = list(dict.fromkeys(url for entry in entries for url in entry.sources))
    with ThreadPoolExecutor(max_workers=8) as pool:
        status = dict(zip(urls, pool.map(probe_source, urls), strict=True))
    if as_json:
        print_json({"entries": [
            {"id": e.id, "checked": e.checked, "sources": [{"url": url, "status": status[url]} for url in e.sources]}
            for e in entries
        ]})
        return
    for entry in entries:
        print(_("{entry} (checked {date})").format(entry=entry.id, date=entry.checked))
        for url in entry.sources:
            print(f"    {visible(url)}  {status[url]}")


def run_catalog(args: argparse.Namespace) -> int:
    from tui.policy.catalog import load_catalog
    from tui.policy.identifiers import check_region, partition_of

    if args.services:
        _print_services(args.json)
        return 0
    catalog = load_catalog()
    if args.check_sources:
        _check_sources(catalog.entries, args.json)
        return 0
    region = getattr(args, "region", None)
    region = check_region(region) if region else None
    rows = [_catalog_row(entry, region) for entry in catalog.entries]
    if args.json:
        print_json({
            "region": region,
            "entries": [row for row in rows if row["owner"] == "aws"],
            "third_party": [row for row in rows if row["owner"] != "aws"],
        })
        return 0
    for group, title in catalog.groups.items():
        members = [r for r in rows if r["group"] == group]
        if not members:
            continue
        print(f"{_(title)}:")
        for r in members:
            notes = [_("default")] if r["default"] else []
            if r["write"]:
                notes.append(_("write: {actions}").format(actions=", ".join(r["actions"])))
            if region and partition_of(region) not in r["partitions_verified"]:
                notes.append(_("names verified only in {partitions}: confirm them").format(partitions=", ".join(r["partitions_verified"])))
            note = "  (" + _("; ").join(notes) + ")" if notes else ""
            print(f"  {r['id']:<24} {_(r['title'])}{note}")
            for arn in r["resources"] or [_("(none published for this region)")]:
                print(f"      {arn}")
    return 0
