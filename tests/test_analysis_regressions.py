"""Analyser bugs the acceptance corpus found, each pinned by the smallest policy that showed it."""

import pytest

from tui.policy import analysis
from tui.policy.analysis import Caller, Classification, Setting, Trust, analyse

TRUSTED = "111122223333"
ORG = "o-a1b2c3d4e5"


def test_org_trust_lock_out_keeps_the_principal_on_its_own_orgs_resources():
    """Without a caller, the lock-out question's trusted principal acts in its own org: an org-to-org
    perimeter (the data-perimeter examples' first statement) must not read as a lock-out."""
    policy = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*",
        "Condition": {"StringEquals": {"aws:PrincipalOrgID": ORG, "aws:ResourceOrgID": ORG}}}]}
    result = analyse(policy, Setting("kms", "us-east-1", Trust((), (ORG,)), resource_perimeter=True))
    assert [f.code for f in result.findings] == []
    assert result.classification is Classification.IDENTITY_RESOURCE_PERIMETER


def test_witness_polishing_spends_one_small_budget():
    """z3 counts each check's rlimit from where the count stands, so a limit of `spent + budget` let
    every polishing try spend the whole question's work again (seconds per finding)."""
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*",
         "Condition": {"StringEquals": {"aws:PrincipalAccount": TRUSTED}}},
        {"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*",
         "Condition": {"ArnNotLike": {"aws:PrincipalArn": f"arn:aws:iam::{TRUSTED}:role/app-*"}}}]}
    caller = Caller.from_arn(f"arn:aws:sts::{TRUSTED}:assumed-role/Admin/alice")
    analyser = analysis._Analyser(policy, Setting("s3", "us-east-1", Trust((TRUSTED,)), caller=caller))
    z3, f = analyser.z3, analyser.formula
    solver = z3.Solver()
    solver.set("rlimit", analysis.RLIMIT)
    solver.add(analyser._base())
    solver.add([analyser._locked_identity()[1], analyser._plain_request(), f.action == z3.StringVal("s3:GetObject"),
                f.resource == z3.StringVal(f"arn:aws:s3:::data-{TRUSTED}/report.csv"), z3.Not(f.allowed)])
    assert solver.check() == z3.sat
    before = analysis._rlimit_count(solver)
    analyser._polished(solver)
    spent = analysis._rlimit_count(solver) - before
    assert spent <= analysis.POLISH_RLIMIT * 1.1, spent


def test_org_members_carry_org_paths():
    """aws:PrincipalOrgPaths is present exactly when aws:PrincipalOrgID is, so a perimeter on the org's
    paths admits every member: no member without paths is refused."""
    policy = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*",
        "Condition": {"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": f"{ORG}/*"}}}]}
    result = analyse(policy, Setting("kms", "us-east-1", Trust((), (ORG,))))
    assert "lock-out" not in [f.code for f in result.findings]
    assert result.classification is Classification.IDENTITY_PERIMETER


@pytest.mark.parametrize("service", ["dynamodb", "s3"])
@pytest.mark.parametrize("character", ["\x00", " ", "\u3000"])
def test_witness_resources_are_arns_simulate_accepts(service, character):
    """A witness resource such as `arn:aws:\\x00` was allowed by the request shape, and `simulate --cases`
    refused to replay it; witnesses now have simulate's ARN shape (no controls or spaces)."""
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}
    analyser = analysis._Analyser(policy, Setting(service, "us-east-1", Trust((TRUSTED,))))
    z3 = analyser.z3
    assert isinstance(analyser._solve("any request", [], True), analysis.Witness)
    assert analyser._solve("a resource with a hidden character", [z3.Contains(analyser.formula.resource, analyser.symbolic.sval(character))], True) is None


def test_string_like_with_only_a_variable_is_read_as_equality():
    """`StringLike aws:ResourceAccount ${aws:PrincipalAccount}` holds no wildcard: it is the insider's path
    (any account, its own resources), proven, not `unproven` (the differential test found it)."""
    policy = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*",
        "Condition": {"StringLike": {"aws:ResourceAccount": "${aws:PrincipalAccount}"}}}]}
    result = analyse(policy, Setting("sqs", "us-east-1", Trust((TRUSTED,))))
    codes = [f.code for f in result.findings]
    assert "foreign-principals" in codes and "unproven" not in codes, [f.message for f in result.findings]
