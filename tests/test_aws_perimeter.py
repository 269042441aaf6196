"""The audit's judgement of real perimeter policies: correct ones in any style are not high findings."""

import pytest

from tui.aws.perimeter import FULL_ACCESS_POLICY, Place, Trust, assess, blockers
from tui.aws.sandbox import perimeter_policy
from tui.policy.analysis import Caller, Classification

FULL_ACCESS = Classification.FULL_ACCESS
IDENTITY_PERIMETER = Classification.IDENTITY_PERIMETER
IDENTITY_RESOURCE_PERIMETER = Classification.IDENTITY_RESOURCE_PERIMETER
TRUSTS_OUTSIDE = Classification.TRUSTS_OUTSIDE

A, B, C = "111122223333", "222233334444", "999900001111"
ORG = "o-abcdefghij"
S3_GATEWAY = Place("s3", "com.amazonaws.eu-west-1.s3", "eu-west-1", "Gateway", "vpc-0a1b2c3d4e5f60718", "vpce-0a1b2c3d4e5f60718")
SSM = Place("ssm", "com.amazonaws.eu-west-1.ssm", "eu-west-1", "Interface", "vpc-0a1b2c3d4e5f60718", "vpce-0fedcba9876543210")


def allow(condition=None, action="*", resource="*", sid=None):
    statement = {"Effect": "Allow", "Principal": "*", "Action": action, "Resource": resource}
    if condition:
        statement["Condition"] = condition
    if sid:
        statement["Sid"] = sid
    return statement


def policy(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def codes(assessment, severity=None):
    return {f.code for f in assessment.findings if severity is None or f.severity == severity}


def test_default_policy_is_full_access_and_high():
    result = assess(FULL_ACCESS_POLICY, SSM, Trust((A,)))
    assert result.classification == FULL_ACCESS and "foreign-principals" in codes(result, "high")
    witness = next(f.witness for f in result.findings if f.code == "foreign-principals")
    assert witness.decision == "Allow" and dict(witness.context)["aws:PrincipalAccount"] != A


def test_identity_perimeter_is_medium_only():
    result = assess(policy(allow({"StringEquals": {"aws:PrincipalAccount": A}})), SSM, Trust((A,)))
    assert result.classification == IDENTITY_PERIMETER
    assert codes(result) == {"no-resource-perimeter"}
    assert codes(result, "medium") == {"no-resource-perimeter"}


def test_several_trusted_accounts_in_one_condition_are_not_high():
    doc = policy(allow({"StringEquals": {"aws:PrincipalAccount": [A, B], "aws:ResourceAccount": [A, B]}}))
    result = assess(doc, SSM, Trust((A, B)))
    assert result.classification == IDENTITY_RESOURCE_PERIMETER and not result.findings


def test_an_account_in_the_list_that_is_not_trusted_is_high():
    doc = policy(allow({"StringEquals": {"aws:PrincipalAccount": [A, C], "aws:ResourceAccount": [A, C]}}))
    result = assess(doc, SSM, Trust((A,)))
    assert result.classification == TRUSTS_OUTSIDE
    assert "foreign-principals" in codes(result, "high") and "no-resource-perimeter" in codes(result, "medium")
    assert C in next(f.message for f in result.findings if f.code == "foreign-principals")


def test_org_conditions_are_a_perimeter():
    doc = policy(allow({"StringEquals": {"aws:PrincipalOrgID": ORG, "aws:ResourceOrgID": ORG}}))
    assert not assess(doc, SSM, Trust((), (ORG,))).findings
    assert "foreign-principals" in codes(assess(doc, SSM, Trust((A,))), "high")  # an org the user did not trust


def test_deny_with_string_not_equals_is_a_perimeter():
    doc = policy(
        allow(),
        {"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*", "Condition": {"StringNotEquals": {"aws:PrincipalAccount": [A, B]}}},
        {"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*", "Condition": {"StringNotEquals": {"aws:ResourceAccount": [A, B]}}},
    )
    result = assess(doc, SSM, Trust((A, B)))
    assert result.classification == IDENTITY_RESOURCE_PERIMETER and not result.findings


def test_service_principal_statement_is_not_high():
    doc = policy(
        allow({"StringEquals": {"aws:PrincipalAccount": A, "aws:ResourceAccount": A}}),
        allow({"Bool": {"aws:PrincipalIsAWSService": "true"}}),
    )
    assert not codes(assess(doc, SSM, Trust((A,))), "high")


def test_aws_owned_bucket_exception_is_not_high_and_keeps_dnf_working():
    result = assess(perimeter_policy(A, "eu-west-1"), S3_GATEWAY, Trust((A,)))
    assert result.classification == IDENTITY_RESOURCE_PERIMETER and codes(result) == {"aws-owned-exception"}
    assert all(f.severity == "info" for f in result.findings)


def test_s3_gateway_perimeter_without_the_repos_warns_that_dnf_will_fail():
    doc = policy(allow({"StringEquals": {"aws:PrincipalAccount": A, "aws:ResourceAccount": A}}))
    finding = next(f for f in assess(doc, S3_GATEWAY, Trust((A,))).findings if f.code == "aws-owned-buckets-blocked")
    assert finding.severity == "medium" and finding.message.startswith("dnf on Amazon Linux 2023 fails")


def test_a_wildcard_bucket_exception_is_an_exfiltration_hole():
    doc = policy(
        allow({"StringEquals": {"aws:PrincipalAccount": A, "aws:ResourceAccount": A}}),
        allow(action="s3:GetObject", resource="arn:aws:s3:::*"),
    )
    assert "wildcard-bucket" in codes(assess(doc, S3_GATEWAY, Trust((A,))), "high")


@pytest.mark.parametrize("place", [S3_GATEWAY, SSM])
def test_a_policy_that_blocks_even_the_trusted_account_is_reported(place):
    doc = policy(allow({"StringEquals": {"aws:PrincipalAccount": B}}))
    result = assess(doc, place, Trust((A, B)))
    assert result.classification == Classification.LOCKS_OUT and "lock-out" in codes(result, "high")
    witness = next(f.witness for f in result.findings if f.code == "lock-out")
    assert dict(witness.context)["aws:PrincipalAccount"] == A and witness.decision == "ImplicitDeny"


PERIMETER = {"StringEquals": {"aws:PrincipalAccount": A, "aws:ResourceAccount": A}}


def test_an_unconditioned_write_exception_on_a_named_bucket_is_high():
    dropbox = allow(action="s3:*", resource=["arn:aws:s3:::insider-dropbox", "arn:aws:s3:::insider-dropbox/*"])
    result = assess(policy(allow(PERIMETER), dropbox), S3_GATEWAY, Trust((A,)))
    assert result.classification == TRUSTS_OUTSIDE and "foreign-writes" in codes(result, "high")


def test_a_wildcard_bucket_read_exception_is_high():
    wildcard = allow(action="s3:GetObject", resource="arn:aws:s3:::al2023-repos-*/*")
    result = assess(policy(allow(PERIMETER), wildcard), S3_GATEWAY, Trust((A,)))
    assert result.classification == TRUSTS_OUTSIDE and "wildcard-bucket" in codes(result, "high")


def test_exact_aws_owned_reads_are_fine_and_undeclared_public_reads_are_high():
    owned = allow(action="s3:GetObject", resource=["arn:aws:s3:::al2023-repos-eu-west-1-de612dc2/*"])
    result = assess(policy(allow(PERIMETER), owned), S3_GATEWAY, Trust((A,)))
    assert not codes(result, "high") and "aws-owned-exception" in codes(result, "info")
    public = allow(action="s3:GetObject", resource=["arn:aws:s3:::my-public-artifacts/*"])
    result = assess(policy(allow(PERIMETER), public), S3_GATEWAY, Trust((A,)))
    assert result.classification == TRUSTS_OUTSIDE and "foreign-principals" in codes(result, "high")


def test_a_declared_public_bucket_is_an_intended_exception():
    from tui.policy.analysis import analyse

    public = allow(action="s3:GetObject", resource=["arn:aws:s3:::my-public-artifacts/*"])
    setting = S3_GATEWAY.setting(Trust((A,)))
    from dataclasses import replace

    declared = replace(setting, listed_buckets=("arn:aws:s3:::my-public-artifacts/*",))
    assert not analyse(policy(allow(PERIMETER), public), declared).high


@pytest.mark.parametrize(("statements", "blocked"), [
    ([allow({"StringEquals": {"aws:PrincipalAccount": B}})], ["lock-out"]),
    ([allow(PERIMETER)], []),
    ([allow(PERIMETER), {"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "true"}}}], ["lock-out"]),
], ids=["other-account", "perimeter", "deny-https"])
def test_the_apply_guard_asks_lock_out_alone_and_agrees_with_the_full_analysis(statements, blocked):
    doc, caller = policy(*statements), Caller.from_arn(f"arn:aws:sts::{A}:assumed-role/deployer/s")
    guard = [f.code for f in blockers(doc, SSM, Trust((A,)), caller)]
    assert guard == blocked == [f.code for f in assess(doc, SSM, Trust((A,)), caller).findings if f.code in ("lock-out", "unproven")]


def test_the_apply_guard_reports_an_undecidable_request_model_as_unproven():
    impossible = Place("s3", "com.amazonaws.eu-west-1.s3", "eu-west-1", "Gateway", "vpc-0a1b2c3d4e5f60718", "not-an-endpoint\x00id")
    doc = policy(allow({"StringEquals": {"aws:SourceVpce": "vpce-0a1b2c3d4e5f60718"}}))
    guard = [f.code for f in blockers(doc, impossible, Trust((A,)))]
    assert guard == ["unproven"] == [f.code for f in assess(doc, impossible, Trust((A,))).findings if f.code in ("lock-out", "unproven")]


def test_the_connections_caller_carries_get_caller_identitys_userid(conn):
    """The apply guard asks about the caller with the aws:userid IAM gives it (GetCallerIdentity's UserId)."""
    from tui.aws.perimeter import caller_of

    caller = caller_of(conn)
    assert conn.caller_userid and caller.user_id == conn.caller_userid == caller.userid
    assert caller.account == conn.account_id
