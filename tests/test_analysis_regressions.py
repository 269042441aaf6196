"""Analyser bugs the acceptance corpus found, each pinned by the smallest policy that showed it."""

from dataclasses import replace

import pytest

from tui.policy import analysis
from tui.policy.analysis import Caller, Classification, Setting, Trust, analyse
from tui.policy.errors import InputError

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


def test_witness_polishing_never_solves_again():
    """Polishing a witness only evaluates the question under the model with a nicer action and resource: no
    further solver check, so it costs milliseconds and cannot change a verdict."""
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*",
         "Condition": {"StringEquals": {"aws:PrincipalAccount": TRUSTED}}},
        {"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*",
         "Condition": {"ArnNotLike": {"aws:PrincipalArn": f"arn:aws:iam::{TRUSTED}:role/app-*"}}}]}
    caller = Caller.from_arn(f"arn:aws:sts::{TRUSTED}:assumed-role/Admin/alice")
    analyser = analysis._Analyser(policy, Setting("s3", "us-east-1", Trust((TRUSTED,)), caller=caller))
    z3, f = analyser.z3, analyser.formula
    asked = [analyser._locked_identity()[1], analyser._plain_request(), z3.Not(f.allowed)]
    solver = z3.Solver()
    solver.add([*analyser.base, *asked])
    assert solver.check() == z3.sat
    checks = []
    original = solver.check
    solver.check = lambda *a: checks.append(a) or original(*a)
    action, resource = analyser._polished(solver.model(), [*analyser.base, *asked])
    assert not checks
    assert action.as_string() in ("s3:PutObject", "s3:GetObject") and "999999999000" in resource.as_string()


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


def _arn_policy(statement: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*", **statement}]}


@pytest.mark.parametrize(("statement", "matters"), [
    ({"Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:sts::*:federated-user/*"}}}, True),
    ({"Condition": {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*"}}}, True),  # the twin matches, the session not
    ({"Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:*::*:*"}}}, True),
    ({"Condition": {"StringNotLike": {"aws:PrincipalArn": "*"}}}, True),
    ({"Condition": {"StringLike": {"aws:PrincipalArn": "*:federated-user/b?b"}}}, True),
    ({"Condition": {"StringEqualsIgnoreCase": {"aws:PrincipalArn": "ARN:AWS:STS::111122223333:FEDERATED-USER/BOB"}}}, True),
    ({"Principal": {"AWS": "arn:aws:sts::999988887777:federated-user/bob"}}, True),
    ({"Resource": "arn:aws:s3:::b/${aws:PrincipalArn}"}, True),
    ({"Condition": {"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{TRUSTED}:role/*"}}}, False),
    ({"Condition": {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/*"}}}, False),
    ({"Condition": {"StringNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/*"}}}, False),  # decided by z3
    ({"Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws-cn:sts::*:federated-user/*"}}}, False),  # other partition
    ({"Condition": {"Null": {"aws:PrincipalArn": "false"}}}, False),
    ({"Principal": {"AWS": f"arn:aws:sts::{TRUSTED}:assumed-role/app/alice"}}, False),
    ({"Principal": {"AWS": f"arn:aws:iam::{TRUSTED}:root"}}, False),
])
def test_the_federated_user_form_is_modelled_when_the_policy_can_tell_it_apart(statement, matters):
    """aws:PrincipalArn takes the sts form (`arn:P:sts::A:federated-user/N`) only when some value could match
    a federated user's ARN in either form; otherwise the IAM-form twin meets everything the session meets."""
    from tui.policy import symbolic
    from tui.policy.statements import read_policy

    assert symbolic.federated_user_arns_matter(read_policy(_arn_policy(statement)), "aws") is matters


LOCKED_READS = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalAccount": TRUSTED}}},
    {"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "true"}}}]}
"""Every HTTPS read is refused: a lock-out whatever the caller."""


@pytest.mark.parametrize("arn", [f"arn:aws:iam::{TRUSTED}:user/bob", f"arn:aws:iam::{TRUSTED}:root",
                                 f"arn:aws:sts::{TRUSTED}:federated-user/carol", f"arn:aws:sts::{TRUSTED}:assumed-role/app/s"])
def test_every_kind_of_caller_is_locked_out_by_a_deny_on_every_https_read(arn):
    """A caller's ARN that the policy never mentions was left out of the model's values of aws:PrincipalArn:
    the lock-out question then had no request to ask about and passed (user and root callers, and roles
    whose ARN iam:GetRole gave)."""
    caller = Caller.from_arn(arn)
    result = analyse(LOCKED_READS, Setting("s3", "eu-west-1", Trust((TRUSTED,)), "Gateway", caller=caller))
    lock_out = next(f for f in result.findings if f.code == "lock-out")
    assert lock_out.witness is not None and analysis.evaluate(LOCKED_READS, lock_out.witness.request()).outcome == "ExplicitDeny"
    if caller.arn:
        assert dict(lock_out.witness.context)["aws:PrincipalArn"] == caller.arn
    assert result.classification is Classification.LOCKS_OUT


def test_a_role_whose_tags_are_known_is_locked_out_by_a_deny_on_another_tag_value():
    """The same for a tag value the policy does not name (iam:GetRole gave the role's tags)."""
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalAccount": TRUSTED}}},
        {"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*", "Condition": {"StringNotEquals": {"aws:PrincipalTag/team": "data"}}}]}
    role = Caller(TRUSTED, "AssumedRole", "app", f"arn:aws:iam::{TRUSTED}:role/app", "/", None, (("team", "web"),))
    result = analyse(policy, Setting("s3", "eu-west-1", Trust((TRUSTED,)), "Gateway", caller=role))
    assert "lock-out" in {f.code for f in result.findings}
    tagged = Caller(TRUSTED, "AssumedRole", "app", f"arn:aws:iam::{TRUSTED}:role/app", "/", None, (("team", "data"),))
    assert "lock-out" not in {f.code for f in analyse(policy, Setting("s3", "eu-west-1", Trust((TRUSTED,)), "Gateway", caller=tagged)).findings}


def test_a_caller_the_model_cannot_hold_is_unproven_not_safe():
    """If the caller's identity fits no request of the model (here an org id of the wrong form), "never
    refused" would be vacuously true: the lock-out question says unproven instead."""
    caller = Caller(TRUSTED, "AssumedRole", None, f"arn:aws:iam::{TRUSTED}:role/app", "/", "o-bad", ())
    result = analyse(LOCKED_READS, Setting("s3", "eu-west-1", Trust((TRUSTED,)), "Gateway", caller=caller))
    assert any(f.code == "unproven" and f.params.get("variant") == "caller-not-modelled" for f in result.findings)
    assert result.high


def test_a_federated_user_arn_is_read_as_such():
    caller = Caller.from_arn(f"arn:aws:sts::{TRUSTED}:federated-user/carol")
    assert (caller.account, caller.principal_type, caller.arn, caller.role_name) == \
        (TRUSTED, "FederatedUser", f"arn:aws:sts::{TRUSTED}:federated-user/carol", None)
    with pytest.raises(InputError, match="federated-user"):
        Caller.from_arn(f"arn:aws:sts::{TRUSTED}:federated-user/")


def test_a_canonical_user_principal_is_unproven_not_nobody():
    """A CanonicalUser principal names an account by its S3 canonical user ID, which no request key carries
    and which cannot be resolved offline. Read as naming nobody, a foreign account's ID hid an open statement
    (0 high, exit 0); now whom it admits is `unproven`, on the document's face and with the solver alike."""
    open_by_id = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*",
         "Condition": {"StringEquals": {"aws:PrincipalAccount": TRUSTED, "aws:ResourceAccount": TRUSTED}}},
        {"Effect": "Allow", "Principal": {"CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},
         "Action": "s3:*", "Resource": "*"}]}
    for policy in (open_by_id, {"Statement": [open_by_id["Statement"][1]]}):
        result = analyse(policy, Setting("s3", "eu-west-1", Trust((TRUSTED,)), "Interface"))
        assert any(f.code == "unproven" and f.params.get("variant") == "canonical-user" for f in result.findings)
        assert result.high and result.classification is Classification.UNPROVEN


def _locked(policy: dict, arn: str) -> bool:
    result = analyse(policy, Setting("s3", "eu-west-1", Trust((TRUSTED,)), "Gateway", caller=Caller.from_arn(arn)))
    return "lock-out" in {f.code for f in result.findings}


def _denying(condition: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalAccount": TRUSTED}}},
        {"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*", "Condition": condition}]}


def test_the_callers_userid_follows_its_identity():
    """aws:userid is set by IAM from the identity: `ROLE-ID:SESSION` for an assumed role, the account for the
    root user, `ACCOUNT:NAME` for a federated user. It was left free, so a Deny of other sessions locked
    out the one session it spares (a false lock-out, blocking apply)."""
    only_alice = _denying({"StringNotLike": {"aws:userid": "*:alice"}})
    assert not _locked(only_alice, f"arn:aws:sts::{TRUSTED}:assumed-role/app/alice")
    assert _locked(only_alice, f"arn:aws:sts::{TRUSTED}:assumed-role/app/bob")
    root_only = _denying({"StringNotEquals": {"aws:userid": TRUSTED}})
    assert not _locked(root_only, f"arn:aws:iam::{TRUSTED}:root")
    assert _locked(root_only, f"arn:aws:iam::{TRUSTED}:user/bob")
    carol_only = _denying({"StringNotEquals": {"aws:userid": f"{TRUSTED}:carol"}})
    assert not _locked(carol_only, f"arn:aws:sts::{TRUSTED}:federated-user/carol")
    assert _locked(carol_only, f"arn:aws:sts::{TRUSTED}:federated-user/dave")


def test_aws_username_is_an_iam_users_name_and_absent_for_other_callers():
    only_bob = _denying({"StringNotEquals": {"aws:username": "bob"}})
    assert not _locked(only_bob, f"arn:aws:iam::{TRUSTED}:user/team/bob")
    assert _locked(only_bob, f"arn:aws:iam::{TRUSTED}:user/eve")
    assert _locked(only_bob, f"arn:aws:sts::{TRUSTED}:assumed-role/bob/bob")  # a role has no aws:username
    assert not _locked(_denying({"StringEquals": {"aws:username": "eve"}}), f"arn:aws:sts::{TRUSTED}:assumed-role/app/eve")


def test_get_caller_identitys_userid_is_the_callers_exact_aws_userid():
    only_this_role = _denying({"StringNotEquals": {"aws:userid": "AROAEXAMPLEROLEID:alice"}})
    arn = f"arn:aws:sts::{TRUSTED}:assumed-role/app/alice"
    setting = Setting("s3", "eu-west-1", Trust((TRUSTED,)), "Gateway")
    spared = replace(Caller.from_arn(arn), user_id="AROAEXAMPLEROLEID:alice")
    assert "lock-out" not in {f.code for f in analyse(only_this_role, replace(setting, caller=spared)).findings}
    other = replace(Caller.from_arn(arn), user_id="AROAOTHERROLEID00:alice")
    assert "lock-out" in {f.code for f in analyse(only_this_role, replace(setting, caller=other)).findings}
