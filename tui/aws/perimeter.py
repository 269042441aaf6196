"""What an endpoint policy really admits, decided by the project's evaluator rather than by pattern matching.

Popular auditors read condition blocks textually and so fail correct perimeters (several accounts in one
condition, org IDs, Deny + StringNotEquals, service-principal and AWS-owned-bucket statements). Here each
question is asked as concrete requests (a trusted caller, a stranger, an anonymous caller; trusted and foreign
resources) and the evaluator answers, so any spelling of the same perimeter gets the same verdict.
"""

import re
from dataclasses import dataclass

from tui.policy.catalog import load_catalog
from tui.policy.errors import InputError
from tui.policy.evaluator import Request, evaluate
from tui.policy.identifiers import partition_of
from tui.policy.services import load_services

FULL_ACCESS = "full access"
IDENTITY_PERIMETER = "identity perimeter"
IDENTITY_RESOURCE_PERIMETER = "identity+resource perimeter"
TRUSTS_OUTSIDE = "trusts outside the given accounts"
CUSTOM = "custom"
NO_POLICY = "no policy possible"

FULL_ACCESS_POLICY = {"Version": "2008-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}
"""The document AWS attaches when an endpoint has no custom policy (as DescribeVpcEndpoints returns it)."""
STRANGER = "444455556666"
"""An account nobody trusts; replaced by another if the user happens to trust it."""
MEMBER = "210987654321"
"""Stands for a member of a trusted organization when only org IDs are trusted."""
_ACCOUNT = re.compile(r"(?<![0-9])[0-9]{12}(?![0-9])")
_ORG = re.compile(r"o-[a-z0-9]{10,32}")
_REPO_ENTRIES = ("al2023", "al2", "al1")
"""Catalog entries whose denial means `dnf`/`yum` fails on Amazon Linux."""


@dataclass(frozen=True)
class Trust:
    """The accounts and organizations the user trusts."""

    accounts: tuple[str, ...] = ()
    orgs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Finding:
    severity: str  # high | medium | low | info
    code: str
    message: str


@dataclass(frozen=True)
class Assessment:
    classification: str
    findings: tuple[Finding, ...] = ()


@dataclass(frozen=True)
class Place:
    """Where the endpoint sits: requests through it carry aws:SourceVpc and aws:SourceVpce."""

    service: str | None
    service_name: str
    region: str
    endpoint_type: str
    vpc_id: str = ""
    endpoint_id: str = ""


def _partition(region: str) -> str:
    try:
        return partition_of(region)
    except InputError:
        return "aws"


def sample_request(place: Place, account: str, write: bool, context: dict) -> Request:
    """A typical read or write of the endpoint's service on a resource owned by `account`."""
    template = load_services().get(place.service or "")
    sample = template and (template.sample_write if write else template.sample_read)
    if sample:
        action, resource = sample.for_account(place.region, account)
    else:
        prefix = place.service_name.rsplit(".", 1)[-1]
        action = f"{prefix}:{'Put' if write else 'Get'}Item"
        resource = f"arn:{_partition(place.region)}:{prefix}:{place.region}:{account}:item/probe"
    network = {"aws:SourceVpc": place.vpc_id, "aws:SourceVpce": place.endpoint_id}
    return Request(action, resource, {**network, **context})


def principal_context(account: str, org: str | None, partition: str = "aws") -> dict:
    """Keys IAM puts on a signed request from a role in `account` (and in `org`, if any)."""
    context = {"aws:PrincipalAccount": account, "aws:PrincipalArn": f"arn:{partition}:iam::{account}:role/app"}
    if org:
        context["aws:PrincipalOrgID"] = org
    return context


def resource_context(account: str, org: str | None) -> dict:
    context = {"aws:ResourceAccount": account}
    if org:
        context["aws:ResourceOrgID"] = org
    return context


def _named_outsiders(policy: dict, trust: Trust) -> tuple[list[str], list[str]]:
    """Accounts and org IDs the policy names but the user does not trust: the first ones to probe."""
    text = repr(policy)
    accounts = [a for a in dict.fromkeys(_ACCOUNT.findall(text)) if a not in trust.accounts]
    orgs = [o for o in dict.fromkeys(_ORG.findall(text)) if o not in trust.orgs]
    return accounts, orgs


def assess(policy: dict, place: Place, trust: Trust) -> Assessment:
    """Classify the policy and list findings for an endpoint that takes a policy."""
    partition = _partition(place.region)
    stranger = next(a for a in (STRANGER, "777788889999", "123412341234") if a not in trust.accounts)
    trusted = trust.accounts[0] if trust.accounts else MEMBER
    trusted_org = trust.orgs[0] if trust.orgs else None
    me = principal_context(trusted, trusted_org, partition)
    mine = resource_context(trusted, trusted_org)

    def allowed(account: str, write: bool, context: dict) -> bool:
        return evaluate(policy, sample_request(place, account, write, context)).allowed

    anonymous = {"aws:PrincipalAccount": "anonymous", **resource_context(stranger, None)}
    if allowed(stranger, False, anonymous) and allowed(stranger, True, anonymous):
        return Assessment(FULL_ACCESS, (Finding("high", "full-access", "allows everyone, anonymous callers included, to any resource: no perimeter"),))

    findings = []
    named_accounts, named_orgs = _named_outsiders(policy, trust)
    # (name, caller's keys, the caller's own resources): a stranger must reach neither its own nor ours
    strangers = [(f"account {a}", principal_context(a, None, partition), (a, resource_context(a, None))) for a in [stranger, *named_accounts]]
    strangers += [(f"organization {o}", principal_context(stranger, o, partition), (stranger, resource_context(stranger, o))) for o in named_orgs]
    strangers.append(("anonymous callers", {"aws:PrincipalAccount": "anonymous"}, (stranger, resource_context(stranger, None))))
    admitted = [
        name for name, who, own in strangers
        if any(allowed(owner, write, {**who, **where}) for write in (False, True) for owner, where in (own, (trusted, mine)))
    ]
    if admitted:
        findings.append(Finding("high", "foreign-principals", f"admits principals outside the trusted set: {', '.join(admitted)}"))
    foreign_owners = [(f"account {a}", a, resource_context(a, None)) for a in named_accounts]
    foreign_owners += [(f"organization {o}", stranger, resource_context(stranger, o)) for o in named_orgs]
    reached = [name for name, account, where in foreign_owners if allowed(account, True, {**me, **where})]
    if reached:
        findings.append(Finding("high", "foreign-resources", f"lets trusted callers reach resources outside the trusted set: {', '.join(reached)}"))
    no_resource_perimeter = allowed(stranger, True, {**me, **resource_context(stranger, None)})
    if no_resource_perimeter:
        findings.append(Finding("medium", "no-resource-perimeter", "identity perimeter only: trusted callers can write to any account's resources (no aws:ResourceAccount/ResourceOrgID condition)"))
    trusted_blocked = not allowed(trusted, False, {**me, **mine})
    if trusted_blocked:
        findings.append(Finding("low", "blocks-trusted", f"even the trusted account {trusted} cannot read its own resources through this endpoint"))
    findings += _aws_owned_bucket_findings(policy, place)
    named = _named_resource_findings(policy, place, stranger)
    findings += named

    if admitted or reached or any(f.severity == "high" for f in named):
        classification = TRUSTS_OUTSIDE
    elif trusted_blocked:
        classification = CUSTOM
    elif no_resource_perimeter:
        classification = IDENTITY_PERIMETER
    else:
        classification = IDENTITY_RESOURCE_PERIMETER
    return Assessment(classification, tuple(findings))


def _concrete(pattern: str) -> str:
    """A resource the pattern matches: wildcards filled with a name an insider could register."""
    return pattern.replace("*", "insider-probe").replace("?", "x")


def _named_resources(policy: dict) -> list[str]:
    """Resource patterns of Allow statements, other than `*` (which the sample requests already cover)."""
    statements = policy.get("Statement", [])
    statements = [statements] if isinstance(statements, dict) else statements
    patterns = []
    for statement in statements:
        if isinstance(statement, dict) and statement.get("Effect") == "Allow":
            resources = statement.get("Resource", [])
            patterns += [r for r in ([resources] if isinstance(resources, str) else resources) if isinstance(r, str) and r != "*"]
    return list(dict.fromkeys(patterns))


def _named_resource_findings(policy: dict, place: Place, stranger: str) -> list[Finding]:
    """Exceptions written for named resources can open the perimeter the sample requests never touch:
    a bucket anyone may write to, or a wildcard bucket name anyone may register and read through."""
    template = load_services().get(place.service or "")
    if template is None or template.sample_read is None:
        return []
    read_action, write_action = template.sample_read.action, template.sample_write.action
    owned = {arn for entry in load_catalog().entries for arn in entry.arns(place.region)} if template.public_buckets else set()
    callers = (principal_context(stranger, None, _partition(place.region)), {"aws:PrincipalAccount": "anonymous"})
    findings = []
    for pattern in _named_resources(policy):
        probe = _concrete(pattern)
        context = resource_context(stranger, None)

        def admits(action: str) -> bool:
            return any(evaluate(policy, Request(action, probe, {**who, **context})).allowed for who in callers)

        if admits(write_action):
            findings.append(Finding("high", "foreign-writes", f"lets any account write to {pattern} ({write_action}): an exfiltration path"))
        elif pattern not in owned and admits(read_action):
            wildcard_bucket = template.public_buckets and any(c in pattern.split(":::", 1)[-1].split("/", 1)[0] for c in "*?")
            if wildcard_bucket:
                findings.append(Finding("high", "wildcard-bucket", f"lets anyone read {pattern}: anyone can create a bucket matching that name, and request keys carry data out"))
            else:
                findings.append(Finding("low", "unlisted-public-read", f"lets anyone read {pattern}, which is not an AWS-owned bucket in the catalog: make sure that is intended"))
    return findings


def _probe_object(arn: str) -> str | None:
    """An object inside a catalog bucket ARN (`.../*`); bucket ARNs themselves are for ListBucket only."""
    return arn[:-1] + "repodata/repomd.xml" if arn.endswith("/*") else None


def _aws_owned_bucket_findings(policy: dict, place: Place) -> list[Finding]:
    """S3 gateway endpoints carry the OS repos and agent downloads, which are fetched anonymously."""
    if place.service != "s3" or place.endpoint_type != "Gateway":
        return []
    catalog = load_catalog()
    anonymous = {"aws:PrincipalAccount": "anonymous", "aws:SourceVpc": place.vpc_id, "aws:SourceVpce": place.endpoint_id}
    blocked = []
    for entry_id in catalog.defaults():
        objects = [o for o in map(_probe_object, catalog.get(entry_id).arns(place.region)) if o]
        if objects and not evaluate(policy, Request("s3:GetObject", objects[0], anonymous)).allowed:
            blocked.append(entry_id)
    if not blocked:
        return []
    titles = ", ".join(catalog.get(entry_id).title for entry_id in blocked)
    lead = "dnf will fail" if any(e in _REPO_ENTRIES for e in blocked) else "AWS agents will fail to download"
    return [Finding("medium", "aws-owned-buckets-blocked", f"{lead}: anonymous reads of AWS-owned buckets are denied ({titles}); add the AWS-owned bucket exception")]
