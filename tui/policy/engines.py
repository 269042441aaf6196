"""Hand-offs to the engines teams already run: an SSM Automation runbook and Terraform import blocks.

No AWS service writes a policy onto an endpoint that already exists except ec2:ModifyVpcEndpoint, so the
runbook does what `vpce-wizard apply` does, inside each target account and region: find the endpoints itself
(every target of a multi-account run gets the same parameters), record the current policy, write, and read
back comparing by meaning with the same normaliser the CLI uses (tui.policy.diff, embedded in the script).
"""

import inspect
import json
import shlex
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from tui.policy import diff
from tui.policy.documents import pretty
from tui.policy.errors import InputError
from tui.policy.renderers import _hcl, _identifier
from tui.report.messages import Phrase

SSM_SCHEMA_VERSION = "0.3"
MAX_DOCUMENT_BYTES = 64 * 1024
"""An SSM document's content is limited to 64 KB (SSM CreateDocument `Content`); a Parameter Store value to
4 KB (standard) or 8 KB (advanced), too small for a policy set, hence the policies live in the document."""
SCRIPT_RUNTIME = "python3.11"
DEFAULT_EXECUTION_ROLE = "AWS-SystemsManager-AutomationExecutionRole"
"""SSM's default TargetLocation.ExecutionRoleName (SSM API reference, TargetLocation)."""
MAX_TARGET_LOCATION_ITEMS = 50
"""TargetLocation.Accounts and .Regions hold at most 50 items each (SSM API reference)."""
NO_POLICY_TYPES = ("GatewayLoadBalancer", "Resource", "ServiceNetwork")

_SCRIPT_BODY = '''
NO_POLICY_TYPES = {no_policy_types}


def _parse(text):
    try:
        doc = json.loads(text) if text else None
    except ValueError:
        return None
    return doc if isinstance(doc, dict) else None


def _same(a, b):
    return a is not None and b is not None and normalise(a) == normalise(b)


def _backup(s3, events, endpoint_id, previous):
    if not s3:
        return ""
    key = "vpce-wizard/{{}}/{{}}/{{}}.json".format(events["Account"], events["Region"], endpoint_id)
    s3.put_object(Bucket=events["BackupBucket"], Key=key, Body=previous.encode(), ServerSideEncryption="AES256")
    return "s3://{{}}/{{}}".format(events["BackupBucket"], key)


def _apply_one(ec2, s3, events, endpoint, policy):
    endpoint_id = endpoint["VpcEndpointId"]
    previous = endpoint.get("PolicyDocument") or ""
    result = {{"endpoint_id": endpoint_id, "previous_policy": previous, "status": "", "reason": ""}}
    if endpoint.get("VpcEndpointType") in NO_POLICY_TYPES:
        return dict(result, status="skipped", reason="this endpoint type takes no policy")
    if _same(_parse(previous), policy):
        return dict(result, status="unchanged", reason="already holds this policy")
    if events.get("DryRun"):
        return dict(result, status="dry-run", reason="would write the new policy")
    result["backup"] = _backup(s3, events, endpoint_id, previous)
    ec2.modify_vpc_endpoint(VpcEndpointId=endpoint_id, PolicyDocument=json.dumps(policy, separators=(",", ":")))
    now = ec2.describe_vpc_endpoints(VpcEndpointIds=[endpoint_id])["VpcEndpoints"][0].get("PolicyDocument")
    if _same(_parse(now), policy):
        return dict(result, status="applied", reason="written and read back")
    return dict(result, status="failed", reason="read-back differs from what was written; restore previous_policy")


def _filters(events, region, service):
    filters = [{{"Name": "service-name", "Values": ["com.amazonaws.{{}}.{{}}".format(region, service)]}}]
    if events.get("VpcId"):
        filters.append({{"Name": "vpc-id", "Values": [events["VpcId"]]}})
    if events.get("TagKey"):
        filters.append({{"Name": "tag:" + events["TagKey"], "Values": [events.get("TagValue") or "*"]}})
    return filters


def handler(events, context):
    import boto3

    region = events["Region"]
    wanted = POLICIES.get(region)
    if wanted is None:
        raise Exception("this runbook holds no policies for " + region + ": generate it with --region " + region)
    ec2 = boto3.client("ec2", region_name=region)
    s3 = boto3.client("s3", region_name=region) if events.get("BackupBucket") else None
    results = []
    for service, policy in wanted.items():
        pages = ec2.get_paginator("describe_vpc_endpoints").paginate(Filters=_filters(events, region, service))
        for page in pages:
            for endpoint in page.get("VpcEndpoints", []):
                try:
                    results.append(_apply_one(ec2, s3, events, endpoint, policy))
                except Exception as exc:  # one endpoint's failure is reported with the others
                    results.append({{"endpoint_id": endpoint["VpcEndpointId"], "previous_policy": endpoint.get("PolicyDocument") or "", "status": "failed", "reason": str(exc)}})
    failed = [r for r in results if r["status"] == "failed"]
    if failed:
        raise Exception("{{}} endpoint(s) failed: {{}}".format(len(failed), json.dumps(results)))
    return {{"results": results, "changed": sum(r["status"] == "applied" for r in results)}}
'''


def _normaliser_source() -> str:
    """The CLI's own semantic comparison, copied into the script so both judge "same policy" alike."""
    functions = (diff._as_sorted_list, diff._normalise_principal, diff._normalise_statement, diff.normalise)
    return f"_LIST_OR_SCALAR = {diff._LIST_OR_SCALAR!r}\n\n\n" + "\n\n".join(inspect.getsource(f) for f in functions)


def runbook_script(policies_by_region: dict[str, dict[str, dict[str, Any]]]) -> str:
    """The executeScript step's Python: the policies as one JSON literal, the normaliser, the handler."""
    literal = json.dumps(json.dumps(policies_by_region, sort_keys=True, separators=(",", ":")))
    return (
        "import json\nfrom typing import Any  # the copied normaliser's annotations\n\n"
        f"POLICIES = json.loads({literal})\n"
        '"""region -> service -> the policy document its endpoints must hold"""\n\n\n'
        + _normaliser_source()
        + "\n"
        + _SCRIPT_BODY.format(no_policy_types=repr(NO_POLICY_TYPES))
    )


def ssm_automation_document(policies_by_region: dict[str, dict[str, dict[str, Any]]]) -> dict[str, Any]:
    """An Automation runbook (schemaVersion 0.3) that applies the region's policies to the endpoints it finds."""
    if not policies_by_region:
        raise InputError(Phrase("runbook", {"variant": "no-region"}))
    services = sorted({service for policies in policies_by_region.values() for service in policies})
    regions = ", ".join(sorted(policies_by_region))
    payload = {
        "Region": "{{ global:REGION }}", "Account": "{{ global:ACCOUNT_ID }}", "VpcId": "{{ VpcId }}",
        "TagKey": "{{ TagKey }}", "TagValue": "{{ TagValue }}", "BackupBucket": "{{ BackupBucket }}", "DryRun": "{{ DryRun }}",
    }
    document = {
        "schemaVersion": SSM_SCHEMA_VERSION,
        "description": f"vpce-wizard: apply VPC endpoint policies for {', '.join(services)} (built for {regions}); records each previous policy in the outputs, reads each back.",
        "assumeRole": "{{ AutomationAssumeRole }}",
        "parameters": {
            "AutomationAssumeRole": {"type": "String", "default": "", "description": "role the automation runs as in each target (multi-account runs: the execution role)"},
            "VpcId": {"type": "String", "default": "", "allowedPattern": "^(vpc-[0-9a-f]{8,17})?$", "description": "only endpoints of this VPC (empty: all)"},
            "TagKey": {"type": "String", "default": "", "allowedPattern": "^[^{}]{0,128}$", "description": "only endpoints with this tag key (empty: all)"},
            "TagValue": {"type": "String", "default": "", "allowedPattern": "^[^{}]{0,256}$", "description": "and this value (empty: any)"},
            "BackupBucket": {"type": "String", "default": "", "allowedPattern": "^([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])?$",
                             "description": "also keep each previous policy in this S3 bucket (empty: outputs only)"},
            "DryRun": {"type": "Boolean", "default": False, "description": "report what would change, write nothing"},
        },
        "mainSteps": [
            {
                "name": "RecordCurrentPolicies",
                "action": "aws:executeAwsApi",
                "description": "the endpoints of the services in this account and region, with the policies they hold now",
                "inputs": {
                    "Service": "ec2",
                    "Api": "DescribeVpcEndpoints",
                    "Filters": [{"Name": "service-name", "Values": [f"com.amazonaws.{{{{ global:REGION }}}}.{s}" for s in services]}],
                },
                "outputs": [
                    {"Name": "EndpointIds", "Selector": "$.VpcEndpoints..VpcEndpointId", "Type": "StringList"},
                    {"Name": "PreviousPolicies", "Selector": "$.VpcEndpoints..PolicyDocument", "Type": "StringList"},
                ],
            },
            {
                "name": "ApplyAndVerify",
                "action": "aws:executeScript",
                "description": "write each endpoint's policy with ec2:ModifyVpcEndpoint and read it back, comparing by meaning",
                "isEnd": True,
                "inputs": {"Runtime": SCRIPT_RUNTIME, "Handler": "handler", "Script": runbook_script(policies_by_region), "InputPayload": payload},
                "outputs": [
                    {"Name": "Results", "Selector": "$.Payload.results", "Type": "MapList"},
                    {"Name": "Changed", "Selector": "$.Payload.changed", "Type": "Integer"},
                ],
            },
        ],
        "outputs": ["RecordCurrentPolicies.EndpointIds", "RecordCurrentPolicies.PreviousPolicies", "ApplyAndVerify.Results", "ApplyAndVerify.Changed"],
    }
    size = len(pretty(document).encode())
    if size > MAX_DOCUMENT_BYTES:
        raise InputError(Phrase("runbook", {"variant": "too-large", "size": size, "limit": MAX_DOCUMENT_BYTES}))
    return document


def _chunks(values: list[str]) -> list[list[str]]:
    return [values[i : i + MAX_TARGET_LOCATION_ITEMS] for i in range(0, len(values), MAX_TARGET_LOCATION_ITEMS)] or [[]]


def start_commands(document_name: str, path: str, accounts: list[str], regions: list[str], *, exclude: Iterable[str] = (),
                   role_name: str = DEFAULT_EXECUTION_ROLE, max_concurrency: str = "10", max_errors: str = "1") -> list[str]:
    """The AWS CLI commands that register the runbook and run it in every account (or OU) and region."""
    if not accounts:
        raise InputError(Phrase("runbook", {"variant": "no-targets"}))
    locations: list[dict[str, Any]] = []
    for account_chunk in _chunks(accounts):
        for region_chunk in _chunks(regions):
            location: dict[str, Any] = {"Accounts": account_chunk, "Regions": region_chunk, "ExecutionRoleName": role_name,
                        "TargetLocationMaxConcurrency": str(max_concurrency), "TargetLocationMaxErrors": str(max_errors)}
            if any(a.startswith("ou-") for a in account_chunk):
                location["IncludeChildOrganizationUnits"] = True
            if exclude:
                location["ExcludeAccounts"] = list(exclude)
            locations.append(location)
    parameters = {"AutomationAssumeRole": [f"arn:aws:iam::{{{{global:ACCOUNT_ID}}}}:role/{role_name}"]}
    return [
        (f"aws ssm create-document --name {shlex.quote(document_name)} --document-type Automation "
         f"--document-format JSON --content {shlex.quote('file://' + path)}"),
        (f"aws ssm start-automation-execution --document-name {shlex.quote(document_name)} "
         f"--parameters {shlex.quote(json.dumps(parameters, separators=(',', ':')))} "
         f"--target-locations {shlex.quote(json.dumps(locations, separators=(',', ':')))}"),
    ]


@dataclass(frozen=True)
class DiscoveredEndpoint:
    """An endpoint to adopt into Terraform: where it is, and the policy it should hold."""

    account: str
    region: str
    endpoint_id: str
    service: str
    policy: dict[str, Any]
    role_arn: str | None = None
    """The role Terraform assumes to reach the account; None for the caller's own."""


def _alias(account: str, region: str) -> str:
    return f"a{account}_{_identifier(region)}"


def terraform_import(endpoints: list[DiscoveredEndpoint]) -> str:
    """One `aws` provider alias per (account, region), and per endpoint an `import` block (Terraform >= 1.5)
    plus the `aws_vpc_endpoint_policy` resource that then owns only the policy."""
    if not endpoints:
        raise InputError(Phrase("import", {"variant": "no-endpoints"}))
    providers: dict[tuple[str, str], str | None] = {}
    for e in endpoints:
        providers.setdefault((e.account, e.region), e.role_arn)
    blocks = ['terraform {\n  required_version = ">= 1.5.0"\n  required_providers {\n    aws = {\n      source = "hashicorp/aws"\n    }\n  }\n}\n']
    for (account, region), role_arn in providers.items():
        assume = f'\n  assume_role {{\n    role_arn = {json.dumps(role_arn)}\n  }}' if role_arn else ""
        blocks.append(f'provider "aws" {{\n  alias               = "{_alias(account, region)}"\n'
                      f'  region              = {json.dumps(region)}\n'
                      f'  allowed_account_ids = [{json.dumps(account)}]{assume}\n}}\n')
    for e in endpoints:
        name = f"{_alias(e.account, e.region)}_{_identifier(e.endpoint_id)}"
        blocks.append(
            f"import {{\n  provider = aws.{_alias(e.account, e.region)}\n  to       = aws_vpc_endpoint_policy.{name}\n  id       = {json.dumps(e.endpoint_id)}\n}}\n\n"
            f'resource "aws_vpc_endpoint_policy" "{name}" {{\n'
            f"  # {_identifier(e.service)} endpoint in {e.account} {e.region}\n"
            f"  provider        = aws.{_alias(e.account, e.region)}\n"
            f"  vpc_endpoint_id = {json.dumps(e.endpoint_id)}\n"
            f"  policy          = jsonencode({_hcl(e.policy, 2)})\n"
            f"}}\n"
        )
    return "\n".join(blocks)
