"""Headless policy commands: generate, validate, simulate, catalog. They import neither textual nor boto3."""

import argparse
import sys

from tui.commands.common import print_json, read_json, read_policy, write_output
from tui.policy.errors import InputError, WizardError

EXPECTATIONS = {"Allow": {"Allow"}, "Deny": {"ImplicitDeny", "ExplicitDeny"}, "ImplicitDeny": {"ImplicitDeny"}, "ExplicitDeny": {"ExplicitDeny"}}


def register(subparsers) -> None:
    """Add the policy sub-commands to the top-level parser."""
    generate = subparsers.add_parser("generate", help="build endpoint policies from answers")
    generate.add_argument("--answers", metavar="FILE", help="a saved wizard session; flags given too override it")
    generate.add_argument("--service", action="append", metavar="S", help="service (s3, dynamodb, ssm, logs, ...); repeatable; default s3")
    generate.add_argument("--account", action="append", metavar="ID", help="trusted 12-digit account ID; repeatable")
    generate.add_argument("--org-id", action="append", metavar="o-...", help="trusted AWS Organization ID; repeatable")
    generate.add_argument("--resource-perimeter", action="store_true", default=None, help="also require resources to belong to trusted accounts")
    generate.add_argument("--public-bucket", action="append", metavar="CATALOG_ID", help="AWS-owned bucket set from `catalog`; repeatable")
    generate.add_argument("--bucket-arn", action="append", metavar="ARN", help="another exact public bucket ARN to allow read-only; repeatable")
    generate.add_argument("--region", metavar="R", help="region the endpoints live in (names the AWS-owned buckets)")
    generate.add_argument("--format", default="json", choices=("json", "json-min", "terraform", "cloudformation"))
    generate.add_argument("-o", "--output", metavar="FILE", help="write to FILE (mode 0600) instead of stdout")
    generate.add_argument("-q", "--quiet", action="store_true", help="no summary on stderr")
    generate.set_defaults(func=run_generate)

    validate = subparsers.add_parser("validate", help="check a policy file against AWS's rules; exit 1 on errors")
    validate.add_argument("file", metavar="FILE|-")
    validate.add_argument("--json", action="store_true", help="machine-readable findings")
    validate.set_defaults(func=run_validate)

    simulate = subparsers.add_parser("simulate", help="decide requests against a policy")
    simulate.add_argument("file", metavar="FILE|-")
    simulate.add_argument("--action", metavar="A")
    simulate.add_argument("--resource", metavar="R")
    simulate.add_argument("--context", action="append", default=[], metavar="KEY=VALUE", help="condition key; repeat a key for a multi-valued key")
    simulate.add_argument("--cases", metavar="CASES.json", help='JSON list of {"action","resource","context","expect"?}')
    simulate.add_argument("--json", action="store_true")
    simulate.set_defaults(func=run_simulate)

    catalog = subparsers.add_parser("catalog", help="list the AWS-owned public S3 buckets (and --services)")
    catalog.add_argument("--region", metavar="R", help="expand bucket names for this region")
    catalog.add_argument("--services", action="store_true", help="list services instead")
    catalog.add_argument("--json", action="store_true")
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
    values = {key: tuple(value) for key, value in overrides.items() if value}
    if args.resource_perimeter is not None:
        values["resource_perimeter"] = args.resource_perimeter
    if args.region:
        values["region"] = args.region
    answers = replace(answers, **values)
    if not answers.region:
        raise InputError("--region is required (the AWS-owned bucket names depend on it)")
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
        failed = [r.scenario.name for r in review.results if not r.passed]
        if errors or failed:
            detail = errors[0].message if errors else f"scenario not as intended: {failed[0]}"
            raise WizardError(f"refusing to emit the {service} policy: {detail}")
        if not args.quiet:
            warnings = [f for f in review.findings if f.severity == "warning"]
            for warning in warnings:
                print(f"{service}: warning: {warning.message}", file=sys.stderr)
            print(
                f"{service}: {review.size:,} of {20480:,} characters ({review.headroom:,} left), "
                f"{len(warnings)} warning(s), {len(review.results)} scenario(s) as intended",
                file=sys.stderr,
            )
    write_output(render(policies, args.format), args.output)
    return 0


def run_validate(args: argparse.Namespace) -> int:
    from tui.policy.documents import MAX_POLICY_CHARS, policy_size
    from tui.policy.validator import has_errors, validate

    doc = read_policy(args.file)
    findings = validate(doc)
    if args.json:
        print_json({
            "valid": not has_errors(findings),
            "size": policy_size(doc),
            "limit": MAX_POLICY_CHARS,
            "findings": [{"severity": f.severity, "code": f.code, "message": f.message, "path": f.path} for f in findings],
        })
    else:
        for f in findings:
            print(f"{f.severity:<7} {f.code:<28} {f.path}: {f.message}")
        size = policy_size(doc)
        verdict = "invalid" if has_errors(findings) else "valid"
        print(f"{verdict}: {size:,} of {MAX_POLICY_CHARS:,} characters minified, {len(findings)} finding(s)")
    return 1 if has_errors(findings) else 0


def _parse_context(pairs: list[str]) -> dict:
    context: dict = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise InputError(f"--context {pair!r} is not KEY=VALUE")
        if key in context:
            previous = context[key]
            context[key] = (previous if isinstance(previous, list) else [previous]) + [value]
        else:
            context[key] = value
    return context


def _load_cases(path: str) -> list[dict]:
    cases = read_json(path, "cases file")
    if not isinstance(cases, list):
        raise InputError(f"cases file {path!r} must hold a JSON list")
    for index, case in enumerate(cases):
        if not isinstance(case, dict) or not isinstance(case.get("action"), str) or not isinstance(case.get("resource"), str):
            raise InputError(f"cases file {path!r}: case {index} needs string 'action' and 'resource'")
        context = case.get("context", {})
        if not isinstance(context, dict) or not all(
            isinstance(v, str) or (isinstance(v, list) and all(isinstance(item, str) for item in v)) for v in context.values()
        ):
            raise InputError(f"cases file {path!r}: case {index} 'context' must map keys to strings or lists")
        if "expect" in case and case["expect"] not in EXPECTATIONS:
            raise InputError(f"cases file {path!r}: case {index} 'expect' must be one of {', '.join(EXPECTATIONS)}")
    return cases


def run_simulate(args: argparse.Namespace) -> int:
    from tui.policy.evaluator import Request, evaluate

    doc = read_policy(args.file)
    if args.cases:
        cases = _load_cases(args.cases)
    elif args.action and args.resource:
        cases = [{"action": args.action, "resource": args.resource, "context": _parse_context(args.context)}]
    else:
        raise InputError("give --action and --resource, or --cases FILE")
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
            mark = "" if "met" not in r else ("  ok" if r["met"] else f"  NOT AS EXPECTED ({r['expect']})")
            by = f"  by {', '.join(r['statements'])}" if r["statements"] else ""
            print(f"{r['decision']:<12} {r['action']} {r['resource']}{by}{mark}")
    return 0 if all(r.get("met", True) for r in results) else 1


def run_catalog(args: argparse.Namespace) -> int:
    from tui.policy.catalog import load_catalog
    from tui.policy.identifiers import check_region, partition_of
    from tui.policy.services import load_services

    if args.services:
        services = load_services().values()
        if args.json:
            print_json({"services": [{"name": s.name, "title": s.title, "endpoint_types": list(s.endpoint_types), "policy_supported": s.policy_supported, "notes": s.notes} for s in services]})
        else:
            for s in services:
                support = "policy" if s.policy_supported else "no policy (full access)"
                print(f"{s.name:<15} {'/'.join(s.endpoint_types):<18} {support:<24} {s.title}")
                if s.notes:
                    print(f"{'':<15} {s.notes}")
        return 0
    region = check_region(args.region) if args.region else None
    catalog = load_catalog()
    rows = [
        {
            "id": e.id, "title": e.title, "group": e.group, "why": e.why, "access": e.access, "default": e.default,
            "resources": e.arns(region) if region else list(e.resources),
            "partitions_verified": list(e.partitions_verified), "source": e.source,
        }
        for e in catalog.entries
    ]
    if args.json:
        print_json({"region": region, "entries": rows})
        return 0
    for group, title in catalog.groups.items():
        members = [r for r in rows if r["group"] == group]
        if not members:
            continue
        print(f"{title}:")
        for r in members:
            unverified = region and partition_of(region) not in r["partitions_verified"]
            note = f"  (names verified only in {', '.join(r['partitions_verified'])}: confirm them)" if unverified else ""
            print(f"  {r['id']:<22} {r['title']}{'  (default)' if r['default'] else ''}{note}")
            for arn in r["resources"]:
                print(f"      {arn}")
    return 0
