"""The builder: the seed article's policy, compact account lists, perimeters, AWS-owned buckets, the size limit."""

import json

import pytest

from tui.policy.answers import Answers
from tui.policy.builder import PolicyTooLarge, build_policies, build_policy
from tui.policy.documents import MAX_POLICY_CHARS, minify, policy_size
from tui.policy.errors import InputError

A, B, C = "111122223333", "222233334444", "333344445555"


def checked(**kwargs) -> Answers:
    return Answers(**kwargs).checked()


def statements_by_sid(policy: dict) -> dict:
    return {s.get("Sid"): s for s in policy["Statement"]}


def test_simplest_answer_is_exactly_the_seed_article_policy():
    policy = build_policy(checked(accounts=(A,)), "s3")
    seed = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*",
                       "Condition": {"StringEquals": {"aws:PrincipalAccount": A}}}],
    }
    assert policy == seed
    assert minify(policy) == json.dumps(seed, separators=(",", ":"))


def test_each_extra_account_costs_its_literal_plus_three_characters():
    two = policy_size(build_policy(checked(accounts=(A, B)), "s3"))
    three = policy_size(build_policy(checked(accounts=(A, B, C)), "s3"))
    assert three - two == len(C) + 3


def test_accounts_share_one_list_not_a_statement_each():
    policy = build_policy(checked(accounts=(A, B, C)), "s3")
    assert len(policy["Statement"]) == 1
    assert policy["Statement"][0]["Condition"]["StringEquals"]["aws:PrincipalAccount"] == [A, B, C]


def test_every_statement_uses_principal_star_and_never_not_principal():
    answers = checked(accounts=(A, B), org_ids=("o-abcdefghij",), resource_perimeter=True,
                      public_buckets=("al2023", "ssm-agent"), services=("s3", "ssm", "ec2"))
    for policy in build_policies(answers).values():
        for statement in policy["Statement"]:
            assert statement["Principal"] == "*"
            assert "NotPrincipal" not in statement


def test_resource_perimeter_requires_trusted_owner_in_the_same_statement():
    policy = build_policy(checked(accounts=(A, B), resource_perimeter=True), "dynamodb")
    condition = policy["Statement"][0]["Condition"]["StringEquals"]
    assert condition == {"aws:PrincipalAccount": [A, B], "aws:ResourceAccount": [A, B]}


def test_org_only_perimeter_uses_org_keys():
    policy = build_policy(checked(org_ids=("o-abcdefghij",), resource_perimeter=True), "s3")
    assert policy["Statement"][0]["Condition"]["StringEquals"] == {
        "aws:PrincipalOrgID": "o-abcdefghij", "aws:ResourceOrgID": "o-abcdefghij"}


def test_accounts_and_org_pair_up_because_keys_in_one_statement_are_anded():
    policy = build_policy(checked(accounts=(A,), org_ids=("o-abcdefghij",), resource_perimeter=True), "sts")
    sids = [s["Sid"] for s in policy["Statement"]]
    assert sids == ["AllowTrustedAccountsToAccountResources", "AllowTrustedAccountsToOrgResources",
                    "AllowTrustedOrgsToAccountResources", "AllowTrustedOrgsToOrgResources"]


def test_aws_owned_buckets_are_exact_read_only_and_unconditioned():
    policy = build_policy(checked(accounts=(A,), public_buckets=("al2023", "al2"), region="eu-west-1"), "s3")
    bucket_statement = statements_by_sid(policy)["AllowReadsOfAWSOwnedBuckets"]
    assert bucket_statement["Action"] == "s3:GetObject"
    assert "Condition" not in bucket_statement
    assert "arn:aws:s3:::al2023-repos-eu-west-1-de612dc2/*" in bucket_statement["Resource"]
    assert "arn:aws:s3:::amazonlinux-2-repos-eu-west-1/*" in bucket_statement["Resource"]
    assert not any("*" in arn.split(":::", 1)[1].rsplit("/", 1)[0] for arn in bucket_statement["Resource"])


def test_bucket_arn_without_key_adds_list_bucket():
    policy = build_policy(checked(accounts=(A,), bucket_arns=("arn:aws:s3:::my-public-artifacts",)), "s3")
    assert statements_by_sid(policy)["AllowReadsOfListedPublicBuckets"]["Action"] == ["s3:GetObject", "s3:ListBucket"]


def test_listed_buckets_get_their_own_statement_apart_from_aws_owned_ones():
    mine = "arn:aws:s3:::my-public-artifacts/*"
    policy = build_policy(checked(accounts=(A,), public_buckets=("al2023",), bucket_arns=(mine,), region="eu-west-1"), "s3")
    by_sid = statements_by_sid(policy)
    assert mine not in by_sid["AllowReadsOfAWSOwnedBuckets"]["Resource"]
    assert by_sid["AllowReadsOfListedPublicBuckets"]["Resource"] == [mine]
    assert "Condition" not in by_sid["AllowReadsOfListedPublicBuckets"]


def test_a_listed_arn_already_in_the_catalog_is_not_repeated():
    owned = "arn:aws:s3:::al2023-eu-west-1/*"
    policy = build_policy(checked(accounts=(A,), public_buckets=("al2023",), bucket_arns=(owned,), region="eu-west-1"), "s3")
    assert "AllowReadsOfListedPublicBuckets" not in statements_by_sid(policy)
    assert owned in statements_by_sid(policy)["AllowReadsOfAWSOwnedBuckets"]["Resource"]


def test_third_party_and_write_exceptions_are_separate_statements():
    policy = build_policy(checked(accounts=(A,), public_buckets=("al2023", "registry-k8s-io", "emr-logs"), region="eu-west-1"), "s3")
    by_sid = statements_by_sid(policy)
    assert by_sid["AllowReadsOfThirdPartyPublicBuckets"] == {
        "Sid": "AllowReadsOfThirdPartyPublicBuckets", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
        "Resource": ["arn:aws:s3:::prod-registry-k8s-io-eu-west-1/*"]}
    assert by_sid["AllowWritesToAWSOwnedBuckets"]["Action"] == "s3:PutObject"
    assert by_sid["AllowWritesToAWSOwnedBuckets"]["Resource"] == ["arn:aws:s3:::aws157-logs-prod-eu-west-1/*"]
    assert by_sid["AllowReadsOfAWSOwnedBuckets"]["Action"] == "s3:GetObject"


def test_public_buckets_only_go_into_s3_policies():
    policies = build_policies(checked(accounts=(A,), public_buckets=("al2023",), services=("s3", "logs")))
    assert len(policies["logs"]["Statement"]) == 1
    assert len(policies["s3"]["Statement"]) == 2


def test_aws_owned_service_resources_only_with_resource_perimeter():
    off = build_policy(checked(accounts=(A,), services=("ssm",)), "ssm")
    on = build_policy(checked(accounts=(A,), services=("ssm",), resource_perimeter=True, region="eu-west-1"), "ssm")
    assert len(off["Statement"]) == 1
    owned = statements_by_sid(on)["AllowTrustedAccountsToAWSResources"]
    assert "arn:aws:ssm:eu-west-1::parameter/aws/*" in owned["Resource"]
    assert owned["Condition"] == {"StringEquals": {"aws:PrincipalAccount": A}}


def test_partition_follows_region():
    policy = build_policy(checked(accounts=(A,), public_buckets=("al2023",), region="cn-north-1"), "s3")
    assert all(arn.startswith("arn:aws-cn:s3:::") for arn in statements_by_sid(policy)["AllowReadsOfAWSOwnedBuckets"]["Resource"])


def test_output_is_deterministic():
    answers = checked(accounts=(B, A), public_buckets=("ssm-agent", "al2023"), services=("s3",))
    assert minify(build_policy(answers, "s3")) == minify(build_policy(answers, "s3"))


def test_too_many_accounts_is_refused_with_size_limit_and_advice():
    accounts = tuple(f"{n:012d}" for n in range(1, 1400))
    answers = checked(accounts=accounts)
    with pytest.raises(PolicyTooLarge) as error:
        build_policy(answers, "s3")
    message = str(error.value)
    assert f"{MAX_POLICY_CHARS:,}" in message and "--org-id" in message
    assert policy_size(build_policy(answers, "s3", enforce_limit=False)) > MAX_POLICY_CHARS


def test_service_without_policy_support_is_refused():
    with pytest.raises(InputError, match="takes no endpoint policy"):
        build_policy(checked(accounts=(A,), services=("email-smtp",)), "email-smtp")
