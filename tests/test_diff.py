"""Semantic comparison: what AWS rewrites is not a change; what changes access is."""

from tui.policy.diff import policy_diff, same_policy

A = "111122223333"
OURS = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalAccount": [A, "444455556666"]}}},
    {"Sid": "Buckets", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": ["arn:aws:s3:::b/*", "arn:aws:s3:::a/*"]},
]}


def test_reordered_and_rewritten_policy_is_the_same():
    rewritten = {"Statement": [
        {"Resource": ["arn:aws:s3:::a/*", "arn:aws:s3:::b/*"], "Action": ["s3:GetObject"], "Principal": {"AWS": "*"}, "Effect": "Allow", "Sid": "Buckets"},
        {"Condition": {"StringEquals": {"AWS:PrincipalAccount": ["444455556666", A]}}, "Resource": "*", "Action": "*", "Principal": "*", "Effect": "Allow"},
    ], "Version": "2012-10-17"}
    assert same_policy(OURS, rewritten)
    assert policy_diff(OURS, rewritten) == []


def test_a_changed_account_is_a_difference_and_the_diff_names_it():
    changed = {**OURS, "Statement": [dict(OURS["Statement"][0], Condition={"StringEquals": {"aws:PrincipalAccount": A}}), OURS["Statement"][1]]}
    assert not same_policy(OURS, changed)
    removed = [line for line in policy_diff(OURS, changed) if line.startswith("-") and not line.startswith("---")]
    assert any("444455556666" in line for line in removed)
    assert any('"aws:PrincipalAccount"' in line for line in policy_diff(OURS, changed)), "keys keep their case when shown"


def test_missing_policy_compares_only_to_missing():
    assert same_policy(None, None)
    assert not same_policy(None, OURS)
    assert policy_diff(None, OURS)[0].startswith("---")
