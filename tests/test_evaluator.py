"""The local evaluator must agree with IAM, since the wizard trusts it to say a policy blocks account B
and still lets dnf reach the Amazon Linux repos before anything is applied."""

import random

import pytest
from hypothesis import given, target
from hypothesis import strategies as st

from tui.policy.evaluator import Decision, Request, evaluate

ACCOUNT_A = "111122223333"
ACCOUNT_B = "444455556666"
ANY_OBJECT = "arn:aws:s3:::bucket/key"


def allow_all(**extra) -> dict:
    return {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*", **extra}


def condition_holds(condition: dict, context: dict) -> bool:
    """Whether a condition admits the context, seen through an otherwise unconditional Allow."""
    policy = {"Statement": allow_all(Condition=condition)}
    return evaluate(policy, Request("s3:GetObject", ANY_OBJECT, context)).allowed


# --- the seed article's scenario ----------------------------------------------------------------------

AL2023_REPO = "arn:aws:s3:::al2023-repos-eu-west-1-de612dc2"
SEED_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        allow_all(Sid="OnlyAccountA", Condition={"StringEquals": {"aws:PrincipalAccount": ACCOUNT_A}}),
        {
            "Sid": "AwsOwnedRepos",
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": [f"{AL2023_REPO}/*", "arn:aws:s3:::al2023-eu-west-1/*"],
        },
    ],
}
ANONYMOUS = {"aws:PrincipalAccount": "anonymous"}


def test_account_a_reads_its_bucket():
    context = {"aws:PrincipalAccount": ACCOUNT_A, "aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT_A}:role/app"}
    decision = evaluate(SEED_POLICY, Request("s3:GetObject", "arn:aws:s3:::a-data/report.csv", context))
    assert decision == Decision("Allow", ("OnlyAccountA",))


def test_insider_cannot_write_to_account_b():
    context = {"aws:PrincipalAccount": ACCOUNT_B, "aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT_B}:user/insider"}
    decision = evaluate(SEED_POLICY, Request("s3:PutObject", "arn:aws:s3:::b-exfil/dump.tar", context))
    assert decision == Decision("ImplicitDeny", ())
    assert not decision.allowed


def test_anonymous_dnf_reaches_al2023_repo():
    request = Request("s3:GetObject", f"{AL2023_REPO}/core/mirrors/latest/x86_64/mirror.list", ANONYMOUS)
    assert evaluate(SEED_POLICY, request) == Decision("Allow", ("AwsOwnedRepos",))


def test_anonymous_is_denied_elsewhere_and_cannot_write_the_repo():
    assert (
        evaluate(SEED_POLICY, Request("s3:GetObject", "arn:aws:s3:::unrelated/x", ANONYMOUS)).outcome == "ImplicitDeny"
    )
    assert evaluate(SEED_POLICY, Request("s3:PutObject", f"{AL2023_REPO}/x", ANONYMOUS)).outcome == "ImplicitDeny"


def test_aws_default_2008_policy_allows_everything():
    default = {"Version": "2008-10-17", "Statement": [allow_all()]}
    for request in (
        Request("s3:PutObject", "arn:aws:s3:::b-exfil/dump", {"aws:PrincipalAccount": ACCOUNT_B}),
        Request("ec2:DescribeInstances", "*", {}),
        Request("s3:GetObject", ANY_OBJECT, ANONYMOUS),
    ):
        assert evaluate(default, request) == Decision("Allow", ("Statement[0]",))


def test_deny_with_negated_operator_applies_when_key_is_missing():
    """Anonymous requests carry no aws:PrincipalOrgID, so StringNotEquals holds and the Deny applies."""
    policy = {
        "Statement": [
            allow_all(Sid="All"),
            {
                **allow_all(Sid="OutsideOrg", Effect="Deny"),
                "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": "o-abc123"}},
            },
        ]
    }
    assert evaluate(policy, Request("s3:GetObject", ANY_OBJECT, ANONYMOUS)) == Decision("ExplicitDeny", ("OutsideOrg",))
    member = {**ANONYMOUS, "aws:PrincipalAccount": ACCOUNT_A, "aws:PrincipalOrgID": "o-abc123"}
    assert evaluate(policy, Request("s3:GetObject", ANY_OBJECT, member)) == Decision("Allow", ("All",))


# --- combination and labels ---------------------------------------------------------------------------


def test_explicit_deny_wins_and_names_every_matching_deny():
    policy = {
        "Statement": [
            allow_all(Sid="Everything"),
            {"Effect": "Deny", "Principal": "*", "Action": "s3:Put*", "Resource": "*"},
            {"Sid": "NoWrites", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "*"},
            {"Sid": "NoDeletes", "Effect": "Deny", "Principal": "*", "Action": "s3:DeleteObject", "Resource": "*"},
        ]
    }
    assert evaluate(policy, Request("s3:PutObject", ANY_OBJECT)) == Decision(
        "ExplicitDeny", ("Statement[1]", "NoWrites")
    )
    assert evaluate(policy, Request("s3:GetObject", ANY_OBJECT)) == Decision("Allow", ("Everything",))


def test_allow_names_every_matching_allow():
    policy = {
        "Statement": [allow_all(), allow_all(Sid="Reads", Action="s3:Get*"), allow_all(Sid="Ec2", Action="ec2:*")]
    }
    assert evaluate(policy, Request("s3:GetObject", ANY_OBJECT)).statements == ("Statement[0]", "Reads")


def test_statement_may_be_a_single_object():
    assert evaluate({"Statement": allow_all()}, Request("s3:GetObject", ANY_OBJECT)) == Decision(
        "Allow", ("Statement[0]",)
    )


def test_no_statements_is_an_implicit_deny():
    assert evaluate({"Version": "2012-10-17"}, Request("s3:GetObject", ANY_OBJECT)) == Decision("ImplicitDeny")
    assert evaluate({"Statement": []}, Request("s3:GetObject", ANY_OBJECT)) == Decision("ImplicitDeny")


def test_statement_with_another_effect_is_ignored():
    assert not evaluate({"Statement": allow_all(Effect="allow")}, Request("s3:GetObject", ANY_OBJECT)).allowed


# --- Action and Resource ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "action", "expected"),
    [
        ("s3:GetObject", "S3:getobject", True),
        ("S3:GET*", "s3:GetObjectAcl", True),
        ("s3:Get*", "s3:PutObject", False),
        ("s3:?etObject", "s3:GetObject", True),
        ("s3:?etObject", "s3:GGetObject", False),
        ("*", "ec2:DescribeInstances", True),
        ("s3:GetObject", "s3:GetObjectAcl", False),
    ],
)
def test_action_matching_ignores_case_and_expands_wildcards(pattern, action, expected):
    assert evaluate({"Statement": allow_all(Action=pattern)}, Request(action, ANY_OBJECT)).allowed is expected


def test_action_list_and_not_action():
    listed = {"Statement": allow_all(Action=["s3:PutObject", "s3:GetObject"])}
    assert evaluate(listed, Request("s3:GetObject", ANY_OBJECT)).allowed
    all_but_writes = {"Statement": {k: v for k, v in allow_all(NotAction="s3:Put*").items() if k != "Action"}}
    assert evaluate(all_but_writes, Request("s3:GetObject", ANY_OBJECT)).allowed
    assert not evaluate(all_but_writes, Request("s3:PutObject", ANY_OBJECT)).allowed


@pytest.mark.parametrize(
    ("pattern", "resource", "expected"),
    [
        ("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/deep/ly/nested.txt", True),
        ("arn:aws:s3:::bucket/*", "arn:aws:s3:::Bucket/key", False),
        ("arn:aws:s3:::bucket/key", "arn:aws:s3:::bucket/KEY", False),
        ("arn:aws:s3:::bucke?/key", "arn:aws:s3:::bucket/key", True),
        ("arn:aws:s3:::bucke?/key", "arn:aws:s3:::bucke/key", False),
        ("arn:aws:s3:::bucket?key", "arn:aws:s3:::bucket/key", True),
        ("arn:aws:s3:::bucket", "arn:aws:s3:::bucket/key", False),
        ("*", "arn:aws:ec2:eu-west-1:111122223333:instance/i-1", True),
    ],
)
def test_resource_matching_is_case_sensitive_and_star_crosses_slashes(pattern, resource, expected):
    assert evaluate({"Statement": allow_all(Resource=pattern)}, Request("s3:GetObject", resource)).allowed is expected


def test_not_resource():
    statement = {k: v for k, v in allow_all(NotResource="arn:aws:s3:::secret/*").items() if k != "Resource"}
    assert evaluate({"Statement": statement}, Request("s3:GetObject", ANY_OBJECT)).allowed
    assert not evaluate({"Statement": statement}, Request("s3:GetObject", "arn:aws:s3:::secret/k")).allowed


def test_statement_missing_action_or_resource_matches_nothing():
    for element in ("Action", "Resource"):
        statement = {k: v for k, v in allow_all().items() if k != element}
        assert not evaluate({"Statement": statement}, Request("s3:GetObject", ANY_OBJECT)).allowed


# --- Principal ----------------------------------------------------------------------------------------

ROLE_ARN = f"arn:aws:iam::{ACCOUNT_A}:role/app"
CALLER_A = {"aws:PrincipalAccount": ACCOUNT_A, "aws:PrincipalArn": ROLE_ARN}
EC2_SERVICE = {"aws:PrincipalServiceName": "ec2.amazonaws.com"}


@pytest.mark.parametrize(
    ("principal", "context", "expected"),
    [
        ("*", ANONYMOUS, True),
        ({"AWS": "*"}, ANONYMOUS, True),
        ({"AWS": "*"}, {}, True),
        ({"AWS": ACCOUNT_A}, CALLER_A, True),
        ({"AWS": ACCOUNT_A}, {"aws:PrincipalAccount": ACCOUNT_B}, False),
        ({"AWS": ACCOUNT_A}, ANONYMOUS, False),
        ({"AWS": f"arn:aws:iam::{ACCOUNT_A}:root"}, CALLER_A, True),
        ({"AWS": f"arn:aws:iam::{ACCOUNT_B}:root"}, CALLER_A, False),
        ({"AWS": ROLE_ARN}, CALLER_A, True),
        ({"AWS": f"arn:aws:iam::{ACCOUNT_A}:role/other"}, CALLER_A, False),
        ({"AWS": [ACCOUNT_B, ROLE_ARN]}, CALLER_A, True),
        ({"Service": "ec2.amazonaws.com"}, EC2_SERVICE, True),
        ({"Service": "ssm.amazonaws.com"}, EC2_SERVICE, False),
        ({"Federated": "cognito-identity.amazonaws.com"}, CALLER_A, False),
    ],
)
def test_principal(principal, context, expected):
    policy = {"Statement": allow_all(Principal=principal)}
    assert evaluate(policy, Request("s3:GetObject", ANY_OBJECT, context)).allowed is expected


def test_not_principal_inverts():
    statement = {k: v for k, v in allow_all(NotPrincipal={"AWS": ACCOUNT_B}).items() if k != "Principal"}
    assert evaluate({"Statement": statement}, Request("s3:GetObject", ANY_OBJECT, CALLER_A)).allowed
    assert evaluate({"Statement": statement}, Request("s3:GetObject", ANY_OBJECT, ANONYMOUS)).allowed
    denied = Request("s3:GetObject", ANY_OBJECT, {"aws:PrincipalAccount": ACCOUNT_B})
    assert not evaluate({"Statement": statement}, denied).allowed


def test_deny_not_principal_spares_only_callers_named_at_every_level():
    """AWS may check the account, then the role, then the session (IAM user guide, NotPrincipal): naming the
    account spares its root user only; a role session is spared when its role and session are named too."""
    role, session = f"arn:aws:iam::{ACCOUNT_A}:role/Admin", f"arn:aws:sts::{ACCOUNT_A}:assumed-role/Admin/me"
    caller = {"aws:PrincipalAccount": ACCOUNT_A, "aws:PrincipalArn": role, "aws:userid": "AROAEXAMPLE:me"}
    root = {"aws:PrincipalAccount": ACCOUNT_A, "aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT_A}:root"}

    def denied(named: list[str], context: dict) -> bool:
        deny = {"Effect": "Deny", "NotPrincipal": {"AWS": named}, "Action": "*", "Resource": "*"}
        return evaluate({"Statement": [allow_all(), deny]}, Request("s3:GetObject", ANY_OBJECT, context)).outcome == "ExplicitDeny"

    assert denied([ACCOUNT_A], caller) and not denied([ACCOUNT_A], root)
    assert denied([ACCOUNT_A, role], caller)
    assert not denied([ACCOUNT_A, role, session], caller)
    assert denied([ACCOUNT_A, role, session], {**caller, "aws:userid": "AROAEXAMPLE:other"})


def test_statement_without_principal_matches_nothing():
    statement = {k: v for k, v in allow_all().items() if k != "Principal"}
    assert not evaluate({"Statement": statement}, Request("s3:GetObject", ANY_OBJECT, CALLER_A)).allowed


# --- condition operators, both ways -------------------------------------------------------------------

MIDNIGHT = "2024-01-01T00:00:00Z"


@pytest.mark.parametrize(
    ("operator", "policy_value", "request_value", "expected"),
    [
        ("StringEquals", "abc", "abc", True),
        ("StringEquals", "abc", "ABC", False),
        ("StringNotEquals", "abc", "abd", True),
        ("StringNotEquals", "abc", "abc", False),
        ("StringEqualsIgnoreCase", "abc", "ABC", True),
        ("StringEqualsIgnoreCase", "abc", "abd", False),
        ("StringNotEqualsIgnoreCase", "abc", "ABD", True),
        ("StringNotEqualsIgnoreCase", "abc", "ABC", False),
        ("StringLike", "home/*/docs", "home/alice/x/docs", True),
        ("StringLike", "team-??", "team-42", True),
        ("StringLike", "team-??", "team-420", False),
        ("StringLike", "Team*", "team-1", False),
        ("StringNotLike", "Team*", "team-1", True),
        ("StringNotLike", "team*", "team-1", False),
        ("NumericEquals", "10", "10.0", True),
        ("NumericEquals", "10", "11", False),
        ("NumericEquals", "10", "ten", False),
        ("NumericNotEquals", "10", "11", True),
        ("NumericNotEquals", "10", "10", False),
        ("NumericLessThan", "10", "9", True),
        ("NumericLessThan", "10", "10", False),
        ("NumericLessThanEquals", "10", "10", True),
        ("NumericLessThanEquals", "10", "11", False),
        ("NumericGreaterThan", "10", "11", True),
        ("NumericGreaterThan", "10", "10", False),
        ("NumericGreaterThanEquals", "10", "10", True),
        ("NumericGreaterThanEquals", "10", "9", False),
        ("DateEquals", MIDNIGHT, "1704067200", True),
        ("DateEquals", MIDNIGHT, "2024-01-01T01:00:00+01:00", True),
        ("DateEquals", MIDNIGHT, "2024-01-01T00:00:01Z", False),
        ("DateEquals", MIDNIGHT, "not a date", False),
        ("DateNotEquals", MIDNIGHT, "2024-01-01T00:00:01Z", True),
        ("DateNotEquals", MIDNIGHT, "2024-01-01", False),
        ("DateLessThan", MIDNIGHT, "2023-12-31T23:59:59Z", True),
        ("DateLessThan", MIDNIGHT, MIDNIGHT, False),
        ("DateLessThanEquals", MIDNIGHT, MIDNIGHT, True),
        ("DateLessThanEquals", MIDNIGHT, "2024-01-02T00:00:00Z", False),
        ("DateGreaterThan", "1704067200", "2024-06-01T12:00:00Z", True),
        ("DateGreaterThan", MIDNIGHT, MIDNIGHT, False),
        ("DateGreaterThanEquals", MIDNIGHT, MIDNIGHT, True),
        ("DateGreaterThanEquals", MIDNIGHT, "2023-01-01T00:00:00Z", False),
        ("Bool", True, "true", True),
        ("Bool", "true", "false", False),
        ("Bool", False, "false", True),
        ("BinaryEquals", "QmluYXJ5", "QmluYXJ5", True),
        ("BinaryEquals", "QmluYXJ5", "QmluYXJ6", False),
        ("IpAddress", "10.0.0.0/8", "10.1.2.3", True),
        ("IpAddress", "10.0.0.0/8", "192.168.0.1", False),
        ("IpAddress", "10.1.2.3", "10.1.2.3", True),
        ("IpAddress", "2001:db8::/32", "2001:db8::1", True),
        ("IpAddress", "10.0.0.0/8", "::1", False),
        ("IpAddress", "10.0.0.0/8", "not an address", False),
        ("NotIpAddress", "10.0.0.0/8", "192.168.0.1", True),
        ("NotIpAddress", "10.0.0.0/8", "10.0.0.1", False),
        ("ArnEquals", "arn:aws:iam::*:role/Admin", ROLE_ARN.replace("app", "Admin"), True),
        ("ArnLike", "arn:aws:iam::*:role/Admin", ROLE_ARN.replace("app", "admin"), False),
        ("ArnLike", "arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b", True),
        ("ArnLike", "arn:aws:*:us-east-1:111122223333:q", "arn:aws:sqs:eu-west-1:us-east-1:111122223333:q", False),
        ("ArnLike", "arn:aws:sqs:*:111122223333:q", "arn:aws:sqs:eu-west-1:111122223333:q", True),
        ("ArnLike", "*", ROLE_ARN, True),
        ("ArnNotEquals", "arn:aws:iam::*:role/Admin", ROLE_ARN, True),
        ("ArnNotLike", "arn:aws:iam::*:role/*", ROLE_ARN, False),
    ],
)
def test_operator(operator, policy_value, request_value, expected):
    assert condition_holds({operator: {"k": policy_value}}, {"k": request_value}) is expected


POSITIVE = ["StringEquals", "StringLike", "NumericEquals", "DateGreaterThan", "Bool", "IpAddress", "ArnLike"]
NEGATED = ["StringNotEquals", "StringNotLike", "NumericNotEquals", "DateNotEquals", "NotIpAddress", "ArnNotLike"]


@pytest.mark.parametrize("operator", POSITIVE)
def test_missing_key_fails_a_positive_operator(operator):
    assert not condition_holds({operator: {"k": "1"}}, {"other": "1"})


@pytest.mark.parametrize("operator", NEGATED)
def test_missing_key_satisfies_a_negated_operator(operator):
    assert condition_holds({operator: {"k": "1"}}, {})


@pytest.mark.parametrize("operator", POSITIVE + NEGATED)
def test_if_exists_holds_when_key_is_missing_and_tests_it_when_present(operator):
    assert condition_holds({operator + "IfExists": {"k": "1"}}, {})
    present = condition_holds({operator: {"k": "10.0.0.1"}}, {"k": "10.0.0.2"})
    assert condition_holds({operator + "IfExists": {"k": "10.0.0.1"}}, {"k": "10.0.0.2"}) is present


def test_null():
    assert condition_holds({"Null": {"aws:PrincipalArn": "true"}}, ANONYMOUS)
    assert not condition_holds({"Null": {"aws:PrincipalArn": "true"}}, CALLER_A)
    assert condition_holds({"Null": {"aws:PrincipalArn": False}}, CALLER_A)
    assert not condition_holds({"Null": {"aws:PrincipalAccount": "true"}}, ANONYMOUS)


def test_for_all_values():
    condition = {"ForAllValues:StringEquals": {"aws:TagKeys": ["team", "cost"]}}
    assert condition_holds(condition, {})
    assert condition_holds(condition, {"aws:TagKeys": []})
    assert condition_holds(condition, {"aws:TagKeys": ["team", "cost"]})
    assert not condition_holds(condition, {"aws:TagKeys": ["team", "owner"]})


def test_for_any_value():
    condition = {"ForAnyValue:StringEquals": {"aws:TagKeys": ["team", "cost"]}}
    assert not condition_holds(condition, {})
    assert not condition_holds(condition, {"aws:TagKeys": []})
    assert condition_holds(condition, {"aws:TagKeys": ["owner", "cost"]})
    assert not condition_holds(condition, {"aws:TagKeys": ["owner"]})
    assert condition_holds({"ForAnyValue:StringEqualsIfExists": {"aws:TagKeys": "team"}}, {})


def test_list_request_value_without_set_operator_matches_if_any_element_does():
    """The documented choice: like ForAnyValue, including for negated operators."""
    assert condition_holds({"StringEquals": {"k": "b"}}, {"k": ["a", "b"]})
    assert not condition_holds({"StringEquals": {"k": "c"}}, {"k": ["a", "b"]})
    assert condition_holds({"StringNotEquals": {"k": "b"}}, {"k": ["a", "b"]})
    assert not condition_holds({"StringNotEquals": {"k": ["a", "b"]}}, {"k": ["a", "b"]})


def test_policy_values_are_or_ed_and_negated_values_must_all_miss():
    assert condition_holds({"StringEquals": {"k": ["a", "b"]}}, {"k": "b"})
    assert not condition_holds({"StringNotEquals": {"k": ["a", "b"]}}, {"k": "b"})
    assert condition_holds({"StringNotEquals": {"k": ["a", "b"]}}, {"k": "c"})


def test_keys_and_operators_are_and_ed():
    both_keys = {"StringEquals": {"aws:PrincipalAccount": ACCOUNT_A, "aws:ResourceAccount": ACCOUNT_A}}
    assert condition_holds(both_keys, {"aws:PrincipalAccount": ACCOUNT_A, "aws:ResourceAccount": ACCOUNT_A})
    assert not condition_holds(both_keys, {"aws:PrincipalAccount": ACCOUNT_A, "aws:ResourceAccount": ACCOUNT_B})
    two_operators = {"StringEquals": {"aws:PrincipalAccount": ACCOUNT_A}, "Bool": {"aws:SecureTransport": "true"}}
    assert condition_holds(two_operators, {"aws:PrincipalAccount": ACCOUNT_A, "aws:SecureTransport": "true"})
    assert not condition_holds(two_operators, {"aws:PrincipalAccount": ACCOUNT_A, "aws:SecureTransport": "false"})


def test_condition_key_names_ignore_case_on_both_sides():
    assert condition_holds({"StringEquals": {"AWS:PRINCIPALACCOUNT": ACCOUNT_A}}, {"aws:principalaccount": ACCOUNT_A})
    assert condition_holds({"Null": {"Aws:PrincipalArn": "false"}}, {"AWS:PrincipalARN": ROLE_ARN})


def test_policy_values_may_be_numbers_and_bools():
    assert condition_holds({"StringEquals": {"aws:PrincipalAccount": int(ACCOUNT_A)}}, CALLER_A)
    assert condition_holds({"NumericLessThanEquals": {"s3:max-keys": [5, 10]}}, {"s3:max-keys": "7"})
    assert condition_holds({"Bool": {"aws:SecureTransport": [True]}}, {"aws:SecureTransport": "true"})


@pytest.mark.parametrize("operator", ["StringEqualz", "NullIfExists", "ForSomeValues:StringEquals"])
def test_unknown_operator_fails_closed(operator):
    """An Allow with an unknown operator does not apply; a Deny with one does."""
    unknown = {operator: {"k": "v"}}
    request = Request("s3:GetObject", ANY_OBJECT, {"k": "v"})
    assert evaluate({"Statement": allow_all(Condition=unknown)}, request).outcome == "ImplicitDeny"
    deny = {**allow_all(Sid="Odd", Effect="Deny"), "Condition": unknown}
    assert evaluate({"Statement": [allow_all(), deny]}, request) == Decision("ExplicitDeny", ("Odd",))


def test_deny_with_unknown_operator_still_needs_its_other_conditions():
    deny = {**allow_all(Effect="Deny"), "Condition": {"Mystery": {"k": "v"}, "StringEquals": {"k": "other"}}}
    assert evaluate({"Statement": [allow_all(), deny]}, Request("s3:GetObject", ANY_OBJECT, {"k": "v"})).allowed


# --- properties ---------------------------------------------------------------------------------------

ACTIONS = ["s3:GetObject", "s3:PutObject", "ec2:DescribeInstances"]
ACTION_PATTERNS = ACTIONS + ["*"] * 3 + ["s3:*", "s3:Get*", "s3:?etObject", "S3:GETOBJECT"]
RESOURCES = [
    "arn:aws:s3:::trusted-data/report.csv",
    f"{AL2023_REPO}/core/mirror.list",
    "arn:aws:s3:::exfil-bucket/dump",
    "arn:aws:ec2:eu-west-1:111122223333:instance/i-1",
]
RESOURCE_PATTERNS = (
    RESOURCES + ["*"] * 3 + ["arn:aws:s3:::trusted-data/*", "arn:aws:s3:::al2023-*/*", "arn:aws:s3:::exfil-bucke?/*"]
)
PRINCIPALS = ["*"] * 4 + [
    {"AWS": "*"},
    {"AWS": ACCOUNT_A},
    {"AWS": f"arn:aws:iam::{ACCOUNT_B}:root"},
    {"AWS": ROLE_ARN},
    {"Service": "ec2.amazonaws.com"},
]
KEY_VALUES = {
    "aws:PrincipalAccount": [ACCOUNT_A, ACCOUNT_B, "anonymous"],
    "aws:PrincipalArn": [ROLE_ARN, "arn:aws:iam::*:role/*", f"arn:aws:iam::{ACCOUNT_B}:user/insider"],
    "aws:SourceIp": ["10.0.0.0/8", "10.1.2.3", "192.168.0.1"],
    "aws:CurrentTime": [MIDNIGHT, "1704067200", "2025-06-01T12:00:00Z"],
    "aws:SecureTransport": ["true", "false"],
    "s3:max-keys": ["5", "10"],
    "aws:TagKeys": ["team", "Team*", "cost"],
}
"""Plausible values per key, so drawn conditions and drawn requests often meet."""
POLICY_ONLY_VALUES = {"aws:SecureTransport": [True, False], "s3:max-keys": [5, 10]}
OPERATORS = [
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
    "NumericEquals",
    "NumericNotEquals",
    "NumericLessThan",
    "NumericGreaterThanEquals",
    "DateEquals",
    "DateNotEquals",
    "DateLessThan",
    "DateGreaterThan",
    "Bool",
    "BinaryEquals",
    "IpAddress",
    "NotIpAddress",
    "ArnEquals",
    "ArnLike",
    "ArnNotEquals",
    "ArnNotLike",
    "Null",
    "StringEqualsIfExists",
    "StringNotLikeIfExists",
    "ForAnyValue:StringEquals",
    "ForAllValues:StringLike",
    "ForAllValues:StringNotEquals",
    "NotARealOperator",
]


def one_or_many(options: list) -> st.SearchStrategy:
    return st.one_of(st.sampled_from(options), st.lists(st.sampled_from(options), min_size=1, max_size=3))


def per_key(value_strategy, min_size: int = 0, max_size: int = len(KEY_VALUES)) -> st.SearchStrategy:
    """A dict over some of the keys, each value drawn from that key's own vocabulary."""
    keys = st.lists(st.sampled_from(sorted(KEY_VALUES)), min_size=min_size, max_size=max_size, unique=True)
    return keys.flatmap(lambda chosen: st.fixed_dictionaries({key: value_strategy(key) for key in chosen}))


EFFECTS = st.sampled_from(["Allow", "Deny"])
condition_blocks = per_key(lambda key: one_or_many(KEY_VALUES[key] + POLICY_ONLY_VALUES.get(key, [])), 1, 2)
contexts = per_key(
    lambda key: st.one_of(st.sampled_from(KEY_VALUES[key]), st.lists(st.sampled_from(KEY_VALUES[key]), max_size=3)), 3
)


def mostly(element: str) -> st.SearchStrategy:
    """The positive element three times in four: Not- elements rarely match a drawn request."""
    return st.sampled_from([element] * 3 + ["Not" + element])


@st.composite
def statements(draw, effects=EFFECTS) -> dict:
    """Statements drawn from a small vocabulary, so that they often match the drawn requests."""
    statement = {"Effect": draw(effects)}
    statement[draw(mostly("Principal"))] = draw(st.sampled_from(PRINCIPALS))
    statement[draw(mostly("Action"))] = draw(one_or_many(ACTION_PATTERNS))
    statement[draw(mostly("Resource"))] = draw(one_or_many(RESOURCE_PATTERNS))
    condition = draw(st.dictionaries(st.sampled_from(OPERATORS), condition_blocks, max_size=2))
    if condition:
        statement["Condition"] = condition
    return statement


policies = st.lists(statements(), min_size=1, max_size=4).map(
    lambda drawn: {"Version": "2012-10-17", "Statement": [{"Sid": f"S{i}", **s} for i, s in enumerate(drawn)]}
)
requests = st.builds(Request, st.sampled_from(ACTIONS), st.sampled_from(RESOURCES), contexts)


def recase(text: str, rng: random.Random) -> str:
    return "".join(char.upper() if rng.random() < 0.5 else char.lower() for char in text)


def toggle_list(value):
    """A one-element list and its lone value mean the same to IAM."""
    if isinstance(value, list):
        return value[0] if len(value) == 1 else value
    return [value]


def equivalent_statement(statement: dict, rng: random.Random) -> dict:
    rewritten = dict(statement)
    for element in ("Action", "NotAction"):
        if element in statement:
            patterns = statement[element]
            rewritten[element] = (
                recase(patterns, rng) if isinstance(patterns, str) else [recase(p, rng) for p in patterns]
            )
    if "Condition" in statement:
        rewritten["Condition"] = {
            operator: {recase(key, rng): toggle_list(values) for key, values in block.items()}
            for operator, block in statement["Condition"].items()
        }
    return rewritten


def equivalent(policy: dict, request: Request, rng: random.Random) -> tuple[dict, Request]:
    """The same policy and request as AWS would see them, written differently."""
    rewritten = [equivalent_statement(statement, rng) for statement in policy["Statement"]]
    rng.shuffle(rewritten)
    as_object = len(rewritten) == 1 and rng.random() < 0.5
    context = {recase(key, rng): value for key, value in request.context.items()}
    return {**policy, "Statement": rewritten[0] if as_object else rewritten}, Request(
        recase(request.action, rng), request.resource, context
    )


@given(policies, requests, st.randoms(use_true_random=False))
def test_equivalent_policies_agree(policy, request, rng):
    decision = evaluate(policy, request)
    target(len(decision.statements))  # random policies mostly miss; steer to requests that statements decide
    variant_decision = evaluate(*equivalent(policy, request, rng))
    assert (variant_decision.outcome, sorted(variant_decision.statements)) == (
        decision.outcome,
        sorted(decision.statements),
    )


@given(policies, requests, statements(effects=st.just("Allow")))
def test_adding_an_allow_never_takes_access_away(policy, request, extra_allow):
    decision = evaluate(policy, request)
    target(len(decision.statements))
    if decision.allowed:
        assert evaluate({**policy, "Statement": policy["Statement"] + [extra_allow]}, request).allowed


@given(policies, requests, statements(effects=st.just("Deny")))
def test_adding_a_deny_never_grants_access(policy, request, extra_deny):
    decision = evaluate(policy, request)
    target(len(decision.statements))
    if not decision.allowed:
        assert not evaluate({**policy, "Statement": policy["Statement"] + [extra_deny]}, request).allowed


@pytest.mark.parametrize("operator", ["stringequals", "STRINGEQUALSIFEXISTS", "forAnyValue:StringEquals", "null"])
def test_operator_names_ignore_case_as_the_validator_does(operator):
    """The validator accepts any case; the evaluator must then read the operator, not fail closed."""
    from tui.policy.validator import validate

    values = "false" if operator == "null" else "v"
    policy = {"Version": "2012-10-17", "Statement": [{**allow_all(), "Condition": {operator: {"k": values}}}]}
    assert not [f for f in validate(policy) if f.code == "unknown-condition-operator"]
    assert evaluate(policy, Request("s3:GetObject", ANY_OBJECT, {"k": "v"})).allowed
    assert not evaluate(policy, Request("s3:GetObject", ANY_OBJECT, {"k": "w"})).allowed or operator == "null"


# --- policy variables ---------------------------------------------------------------------------------

OWN_RESOURCES = {
    "Version": "2012-10-17",
    "Statement": [allow_all(Condition={"StringEquals": {"aws:ResourceAccount": "${aws:PrincipalAccount}"}})],
}


def test_a_variable_takes_the_request_value():
    """`aws:ResourceAccount = ${aws:PrincipalAccount}` lets any account use its own buckets: the insider's path."""
    own = {"aws:PrincipalAccount": ACCOUNT_B, "aws:ResourceAccount": ACCOUNT_B}
    assert evaluate(OWN_RESOURCES, Request("s3:PutObject", "arn:aws:s3:::b-exfil/x", own)).allowed
    other = {"aws:PrincipalAccount": ACCOUNT_B, "aws:ResourceAccount": ACCOUNT_A}
    assert not evaluate(OWN_RESOURCES, Request("s3:PutObject", "arn:aws:s3:::a-data/x", other)).allowed


def test_variables_are_plain_text_in_2008_policies():
    old = {**OWN_RESOURCES, "Version": "2008-10-17"}
    own = {"aws:PrincipalAccount": ACCOUNT_B, "aws:ResourceAccount": ACCOUNT_B}
    assert not evaluate(old, Request("s3:PutObject", "arn:aws:s3:::b-exfil/x", own)).allowed
    literal = {"aws:PrincipalAccount": ACCOUNT_B, "aws:ResourceAccount": "${aws:PrincipalAccount}"}
    assert evaluate(old, Request("s3:PutObject", "arn:aws:s3:::b-exfil/x", literal)).allowed


def test_variables_in_resources_defaults_and_escapes():
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
         "Resource": "arn:aws:s3:::home/${aws:userid, 'nobody'}/${*}"}]}
    assert evaluate(policy, Request("s3:GetObject", "arn:aws:s3:::home/AIDA1/*", {"aws:userid": "AIDA1"})).allowed
    assert not evaluate(policy, Request("s3:GetObject", "arn:aws:s3:::home/AIDA1/x", {"aws:userid": "AIDA1"})).allowed
    assert evaluate(policy, Request("s3:GetObject", "arn:aws:s3:::home/nobody/*", {})).allowed


def test_an_unresolvable_variable_fails_closed():
    """The key is absent and there is no default: the Allow does not apply, a Deny does."""
    allow = {"Version": "2012-10-17", "Statement": [allow_all(Condition={"StringEquals": {"aws:ResourceAccount": "${aws:PrincipalTag/team}"}})]}
    assert not evaluate(allow, Request("s3:GetObject", ANY_OBJECT, {"aws:ResourceAccount": "x"})).allowed
    deny = {"Version": "2012-10-17", "Statement": [allow_all(), {**allow_all(), "Effect": "Deny", "Condition": {"StringNotEquals": {"aws:ResourceAccount": "${aws:PrincipalTag/team}"}}}]}
    assert evaluate(deny, Request("s3:GetObject", ANY_OBJECT, {"aws:ResourceAccount": "x"})).outcome == "ExplicitDeny"


def test_unreadable_conditions_fail_closed():
    for condition in ([], {"StringEquals": "x"}, {"StringEquals": {"aws:PrincipalAccount": {"a": 1}}}):
        assert not evaluate({"Statement": [allow_all(Condition=condition)]}, Request("s3:GetObject", ANY_OBJECT, {})).allowed
        deny = {"Statement": [allow_all(), {**allow_all(Condition=condition), "Effect": "Deny"}]}
        assert evaluate(deny, Request("s3:GetObject", ANY_OBJECT, {})).outcome == "ExplicitDeny"


def test_hostile_documents_never_raise():
    for doc in ({"Statement": "x"}, {"Statement": [1, None, "s"]}, {"Statement": [{"Sid": ["a"], "Effect": "Allow",
                "Principal": ["*"], "Action": [1, {}], "Resource": None, "Condition": {"Bool": []}}]}, []):
        assert evaluate(doc, Request("s3:GetObject", ANY_OBJECT, {})).outcome == "ImplicitDeny"
