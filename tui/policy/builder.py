"""Answers in, endpoint policies out: compact, deterministic, `"Principal": "*"` with conditions only.

The layout follows aws-samples/data-perimeter-policy-examples: Allow statements only, and anything not
allowed is implicitly denied. One list of accounts per key keeps each extra account at its literal plus
3 characters minified, so hundreds fit under the 20,480-character limit.
"""

from typing import Any

from tui.policy.answers import Answers
from tui.policy.catalog import load_catalog
from tui.policy.documents import MAX_POLICY_CHARS, policy_size
from tui.policy.errors import InputError
from tui.policy.services import load_services
from tui.report.messages import Phrase

POLICY_VERSION = "2012-10-17"
AWS_OWNED_BUCKETS_SID = "AllowReadsOfAWSOwnedBuckets"
AWS_OWNED_WRITES_SID = "AllowWritesToAWSOwnedBuckets"
THIRD_PARTY_BUCKETS_SID = "AllowReadsOfThirdPartyPublicBuckets"
LISTED_BUCKETS_SID = "AllowReadsOfListedPublicBuckets"


class PolicyTooLarge(InputError):
    """The minified policy would exceed AWS's limit; AWS would refuse it, so we refuse first."""


def _one_or_many(values: tuple[str, ...]) -> str | list[str]:
    """A lone value stays a string (the form AWS's examples use); several become one list."""
    return values[0] if len(values) == 1 else list(values)


IDENTITY_KEYS = (("Accounts", "aws:PrincipalAccount"), ("Orgs", "aws:PrincipalOrgID"))
RESOURCE_KEYS = (("Account", "aws:ResourceAccount"), ("Org", "aws:ResourceOrgID"))
"""(Sid label, condition key) for the trusted accounts and the trusted orgs, on each side of the perimeter."""


def _trust_groups(answers: Answers, keys: tuple[tuple[str, str], ...]) -> list[tuple[str, str, tuple[str, ...]]]:
    """(label, condition key, values) for each kind of trust given: accounts, org IDs, or both."""
    values = (answers.accounts, answers.org_ids)
    return [(label, key, given) for (label, key), given in zip(keys, values, strict=True) if given]


def _statement(sid: str, action: str | list[str], resource: str | list[str], condition: dict[str, Any] | None) -> dict[str, Any]:
    statement: dict[str, Any] = {"Sid": sid, "Effect": "Allow", "Principal": "*", "Action": action, "Resource": resource}
    if condition:
        statement["Condition"] = {"StringEquals": condition}
    return statement


def _perimeter_statements(answers: Answers) -> list[dict[str, Any]]:
    """Trusted identities, and with the resource perimeter on, only to trusted resources.

    Condition keys in one statement are AND-ed, so "account or org" on each side needs one statement per
    pairing; with only accounts (the common case) that is a single statement.
    """
    statements = []
    for identity_label, identity_key, identities in _trust_groups(answers, IDENTITY_KEYS):
        if not answers.resource_perimeter:
            condition = {identity_key: _one_or_many(identities)}
            statements.append(_statement(f"AllowTrusted{identity_label}", "*", "*", condition))
            continue
        for resource_label, resource_key, owners in _trust_groups(answers, RESOURCE_KEYS):
            condition = {identity_key: _one_or_many(identities), resource_key: _one_or_many(owners)}
            sid = f"AllowTrusted{identity_label}To{resource_label}Resources"
            statements.append(_statement(sid, "*", "*", condition))
    return statements


def _aws_resource_statements(answers: Answers, service: str) -> list[dict[str, Any]]:
    """With the resource perimeter on, trusted identities still need AWS-owned ARNs (public AMIs, SSM documents)."""
    if not answers.resource_perimeter:
        return []
    owned = load_services()[service].aws_owned_resources(answers.region)
    if not owned:
        return []
    return [
        _statement(f"AllowTrusted{label}ToAWSResources", "*", _one_or_many(tuple(owned)), {key: _one_or_many(values)})
        for label, key, values in _trust_groups(answers, IDENTITY_KEYS)
    ]


def public_bucket_arns(answers: Answers) -> list[str]:
    """Exact ARNs of the chosen catalog buckets, then the custom ones, without repeats."""
    catalog = load_catalog()
    arns = [arn for bucket_id in answers.public_buckets for arn in catalog.get(bucket_id).arns(answers.region)]
    return list(dict.fromkeys(arns + list(answers.bucket_arns)))


def _bucket_groups(answers: Answers) -> list[tuple[str, list[str], list[str]]]:
    """(Sid, actions, exact ARNs) per kind of exception, so a reader of the policy sees whose buckets each
    statement opens: AWS-owned reads, AWS-owned writes, third-party reads, and the engineer's own list."""
    catalog = load_catalog()
    chosen = [catalog.get(bucket_id) for bucket_id in answers.public_buckets]
    kinds = (
        (AWS_OWNED_BUCKETS_SID, [e for e in chosen if not e.third_party and not e.write]),
        (AWS_OWNED_WRITES_SID, [e for e in chosen if e.write]),
        (THIRD_PARTY_BUCKETS_SID, [e for e in chosen if e.third_party and not e.write]),
    )
    groups, seen = [], set()
    for sid, entries in kinds:
        arns = [arn for entry in entries for arn in entry.arns(answers.region) if arn not in seen]
        seen.update(arns)
        actions = list(dict.fromkeys(action for entry in entries for action in entry.actions))
        groups.append((sid, actions, list(dict.fromkeys(arns))))
    listed = [arn for arn in dict.fromkeys(answers.bucket_arns) if arn not in seen]
    groups.append((LISTED_BUCKETS_SID, ["s3:GetObject"], listed))
    return [(sid, actions, arns) for sid, actions, arns in groups if arns]


def _public_bucket_statements(answers: Answers, service: str) -> list[dict[str, Any]]:
    """Exact bucket ARNs with no principal condition: these requests are anonymous or signed by AWS service
    accounts, so no account or org of ours could match them. Reads are GetObject (ListBucket for bucket ARNs)."""
    if not load_services()[service].public_buckets:
        return []
    statements = []
    for sid, actions, arns in _bucket_groups(answers):
        granted = list(actions)
        if "s3:GetObject" in actions and any("/" not in arn.split(":::", 1)[1] for arn in arns):
            granted.append("s3:ListBucket")  # ListBucket applies to bucket ARNs only
        statements.append(_statement(sid, _one_or_many(tuple(dict.fromkeys(granted))), arns, None))
    return statements


def build_policy(answers: Answers, service: str, enforce_limit: bool = True) -> dict[str, Any]:
    """The endpoint policy for one service. Answers must already be checked (`Answers.checked`).

    With `enforce_limit` a policy past 20,480 minified characters raises PolicyTooLarge; the review step
    passes False so it can still show the oversize policy and its size.
    """
    template = load_services().get(service)
    if template is None:
        raise InputError(Phrase("builder", {"variant": "unknown-service", "service": service}))
    if not template.policy_supported:
        raise InputError(Phrase("builder", {"variant": "no-policy", "service": service}))
    statements = (
        _perimeter_statements(answers)
        + _aws_resource_statements(answers, service)
        + _public_bucket_statements(answers, service)
    )
    if len(statements) == 1:
        del statements[0]["Sid"]  # a lone statement is exactly the data-perimeter example's policy
    policy = {"Version": POLICY_VERSION, "Statement": statements}
    if enforce_limit:
        size = policy_size(policy)
        if size > MAX_POLICY_CHARS:
            raise PolicyTooLarge(Phrase("builder", {"variant": "too-large", "service": service, "size": size,
                                                    "limit": MAX_POLICY_CHARS, "over": size - MAX_POLICY_CHARS}))
    return policy


def build_policies(answers: Answers, enforce_limit: bool = True) -> dict[str, dict[str, Any]]:
    """One policy per chosen service, in the order chosen."""
    return {service: build_policy(answers, service, enforce_limit) for service in answers.services}
