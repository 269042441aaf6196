"""The replay core: CloudTrail records -> requests -> grouped verdicts, with honest `undecided`s.

Fixtures in tests/cloudtrail/ are built from the documented record format (sources in each file's `_sources`).
"""

import copy
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tui.policy import impact
from tui.policy.answers import Answers
from tui.policy.builder import build_policies
from tui.policy.cloudtrail import read_records
from tui.policy.errors import InputError
from tui.policy.impact import Scope, Trust, Verdict, impact_groups

FIXTURES = Path(__file__).parent / "cloudtrail"
TRUSTED, FOREIGN = "111122223333", "444455556666"
S3_ENDPOINT, OTHER_ENDPOINT = "vpce-0a1b2c3d4e5f60718", "vpce-0ffffeeee11112222"
TRUST = Trust(accounts=frozenset({TRUSTED}))
S3_ONLY = Scope(services=frozenset({"s3"}))


def fixture_records(name: str) -> list[dict]:
    with open(FIXTURES / name, "rb") as stream:
        return list(read_records(stream))


def s3_policy(*public_buckets: str, **answers) -> dict:
    return build_policies(Answers(accounts=(TRUSTED,), public_buckets=public_buckets, region="eu-west-1", **answers))["s3"]


def verdicts(report) -> dict[tuple[str, str, str], str]:
    return {(g.action, g.resource, g.principal): g.verdict for g in report.groups}


def one_policy(statement: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", **statement}]}


def test_the_s3_fixture_gets_the_verdicts_the_issue_defines():
    report = impact_groups(s3_policy("al2023"), fixture_records("s3-endpoint.json"), TRUST, S3_ONLY)
    assert verdicts(report) == {
        ("s3:GetObject", "arn:aws:s3:::data-111122223333/*", TRUSTED): Verdict.OK,
        ("s3:PutObject", "arn:aws:s3:::data-111122223333/*", TRUSTED): Verdict.OK,
        ("s3:GetObject", "arn:aws:s3:::al2023-repos-eu-west-1-de612dc2/*", "anonymous"): Verdict.OK,
        ("s3:PutObject", "arn:aws:s3:::exfil-444455556666/*", FOREIGN): Verdict.INTENDED,
        ("s3:GetObject", "arn:aws:s3:::exfil-444455556666/*", FOREIGN): Verdict.INTENDED,
        ("s3:GetObject", "arn:aws:s3:::prod-eu-west-1-starport-layer-bucket/*", "999988887777"): Verdict.WOULD_BREAK,
    }
    denied = [g for g in report.groups if g.verdict == Verdict.ALREADY_DENIED]
    assert [(g.action, g.principal, g.count) for g in denied] == [("s3:PutObject", FOREIGN, 1)]
    assert report.events == 10 and report.considered == 9  # the record without vpcEndpointId is never replayed
    assert report.failing


def test_counts_and_first_and_last_seen_cover_every_record_of_a_group():
    report = impact_groups(s3_policy("al2023"), fixture_records("s3-endpoint.json"), TRUST, S3_ONLY)
    reads = next(g for g in report.groups if g.principal == "anonymous")
    assert (reads.count, reads.first_seen, reads.last_seen) == (2, "2026-11-22T10:01:00Z", "2026-11-22T10:02:00Z")


def test_a_missing_catalog_entry_is_a_would_break_with_the_entry_that_admits_it():
    report = impact_groups(s3_policy(), fixture_records("s3-endpoint.json"), TRUST, S3_ONLY)
    by_resource = {g.resource: g for g in report.groups if g.verdict == Verdict.WOULD_BREAK}
    assert by_resource["arn:aws:s3:::al2023-repos-eu-west-1-de612dc2/*"].suggestion == "catalog al2023"
    assert by_resource["arn:aws:s3:::prod-eu-west-1-starport-layer-bucket/*"].suggestion == "catalog ecr-layers"


def test_with_the_catalog_entries_the_same_traffic_passes():
    records = [r for r in fixture_records("s3-endpoint.json") if r.get("errorCode") is None]
    report = impact_groups(s3_policy("al2023", "ecr-layers"), records, TRUST, Scope(endpoint=S3_ENDPOINT))
    assert {g.verdict for g in report.groups} == {Verdict.OK, Verdict.INTENDED}
    assert not report.failing


def test_the_default_full_access_policy_leaves_the_insider_path_open():
    default = one_policy({"Action": "*", "Resource": "*"})
    report = impact_groups(default, fixture_records("s3-endpoint.json"), TRUST, Scope(endpoint=S3_ENDPOINT))
    insider = [g for g in report.groups if g.principal == FOREIGN and g.verdict != Verdict.ALREADY_DENIED]
    assert insider and {g.verdict for g in insider} == {Verdict.STILL_OPEN}


def test_an_endpoint_scope_ignores_records_of_other_endpoints():
    records = fixture_records("s3-endpoint.json")
    everywhere = impact_groups(s3_policy("al2023"), records, TRUST, S3_ONLY)
    one = impact_groups(s3_policy("al2023"), records, TRUST, Scope(endpoint=S3_ENDPOINT))
    assert everywhere.considered - one.considered == 1
    assert ("s3:GetObject", "arn:aws:s3:::exfil-444455556666/*", FOREIGN) not in verdicts(one)


def test_records_of_other_services_are_out_of_an_s3_scope():
    records = fixture_records("s3-endpoint.json") + fixture_records("ssm-ecr.json")
    report = impact_groups(s3_policy("al2023"), records, TRUST, S3_ONLY)
    assert {g.action.split(":")[0] for g in report.groups} == {"s3"}


def test_ssm_agent_calls_and_ecr_pulls_of_the_trusted_account_pass_an_account_perimeter():
    policy = one_policy({"Action": "*", "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalAccount": [TRUSTED]}}})
    scope = Scope(services=frozenset({"ssm", "ec2messages", "ssmmessages", "ecr"}))
    report = impact_groups(policy, fixture_records("ssm-ecr.json"), TRUST, scope)
    assert verdicts(report) == {
        ("ssm:UpdateInstanceInformation", "arn:aws:ec2:eu-west-1:111122223333:instance/i-0123456789abcdef0", TRUSTED): Verdict.OK,
        ("ec2messages:GetMessages", "*", TRUSTED): Verdict.OK,
        ("ssmmessages:CreateControlChannel", "*", TRUSTED): Verdict.OK,
        ("ssm:GetParameter", "arn:aws:ssm:eu-west-1:444455556666:parameter/app/db-password", FOREIGN): Verdict.INTENDED,
        ("ecr:GetDownloadUrlForLayer", "arn:aws:ecr:eu-west-1:111122223333:repository/app", TRUSTED): Verdict.OK,
        ("ecr:BatchGetImage", "arn:aws:ecr:eu-west-1:111122223333:repository/app", TRUSTED): Verdict.OK,
    }


def test_a_policy_that_forgets_the_agent_breaks_it_and_says_whom_to_trust():
    policy = one_policy({"Action": "ssm:GetParameter", "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalAccount": [TRUSTED]}}})
    report = impact_groups(policy, fixture_records("ssm-ecr.json"), TRUST, Scope(services=frozenset({"ssm"})))
    broken = [g for g in report.groups if g.verdict == Verdict.WOULD_BREAK]
    assert [(g.action, g.suggestion) for g in broken] == [("ssm:UpdateInstanceInformation", f"trust account {TRUSTED}")]


# --- undecided: only certain when every value the record cannot carry gives the same outcome -------------

ORG = "o-a1b2c3d4e5"
ORG_POLICY = one_policy({"Action": "*", "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalOrgID": ORG}}})


def test_an_org_condition_is_undecided_without_membership_and_decided_with_it():
    records = [r for r in fixture_records("s3-endpoint.json") if r["userIdentity"]["accountId"] in (TRUSTED, FOREIGN)]
    unknown = impact_groups(ORG_POLICY, records, Trust(orgs=frozenset({ORG})), Scope(endpoint=S3_ENDPOINT))
    assert {g.verdict for g in unknown.groups} == {Verdict.UNDECIDED, Verdict.ALREADY_DENIED}
    assert {g.suggestion for g in unknown.groups if g.verdict == Verdict.UNDECIDED} == {
        "unknown: aws:principalorgid (pass --org-accounts)"}
    known = Trust(orgs=frozenset({ORG}), org_of={TRUSTED: ORG}, complete_orgs=frozenset({ORG}))
    decided = impact_groups(ORG_POLICY, records, known, Scope(endpoint=S3_ENDPOINT))
    assert {(g.principal, g.verdict) for g in decided.groups} == {
        (TRUSTED, Verdict.OK), (FOREIGN, Verdict.INTENDED), (FOREIGN, Verdict.ALREADY_DENIED)}


def test_an_org_condition_that_cannot_matter_stays_decided():
    """Both OR-ed with the account: whatever the org, the trusted account is allowed."""
    policy = {"Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalAccount": TRUSTED}}},
        {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalOrgID": ORG}}},
    ]}
    record = fixture_records("s3-endpoint.json")[0]
    report = impact_groups(policy, [record], TRUST, Scope(endpoint=S3_ENDPOINT))
    assert [g.verdict for g in report.groups] == [Verdict.OK]


def test_a_role_path_the_record_lacks_makes_a_path_condition_undecided():
    policy = one_policy({"Action": "*", "Resource": "*", "Condition": {"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{TRUSTED}:role/service-role/*"}}})
    with_issuer = fixture_records("s3-endpoint.json")[0]
    without_issuer = copy.deepcopy(with_issuer)
    del without_issuer["userIdentity"]["sessionContext"]
    assert [g.verdict for g in impact_groups(policy, [with_issuer], TRUST, S3_ONLY).groups] == [Verdict.OK]
    unsure = impact_groups(policy, [without_issuer], TRUST, S3_ONLY).groups
    assert [g.verdict for g in unsure] == [Verdict.UNDECIDED] and "aws:principalarn" in unsure[0].suggestion


def test_a_resource_perimeter_is_decided_where_the_record_names_the_owner_and_undecided_elsewhere():
    policy = one_policy({"Action": "*", "Resource": "*", "Condition": {"StringEquals": {
        "aws:PrincipalAccount": TRUSTED, "aws:ResourceAccount": TRUSTED}}})
    s3_read = fixture_records("s3-endpoint.json")[0]  # resources[] names the bucket's owner
    agent = fixture_records("ssm-ecr.json")[1]  # ec2messages:GetMessages names no resource at all
    assert [g.verdict for g in impact_groups(policy, [s3_read], TRUST, S3_ONLY).groups] == [Verdict.OK]
    unsure = impact_groups(policy, [agent], TRUST, Scope(endpoint=agent["vpcEndpointId"])).groups
    assert [(g.verdict, g.suggestion) for g in unsure] == [(Verdict.UNDECIDED, "unknown: aws:resourceaccount")]


def test_a_trusted_org_without_membership_leaves_trust_undecided_even_when_the_policy_is_certain():
    default = one_policy({"Action": "*", "Resource": "*"})
    record = fixture_records("s3-endpoint.json")[3]  # the insider's PutObject
    report = impact_groups(default, [record], Trust(orgs=frozenset({ORG})), Scope(endpoint=S3_ENDPOINT))
    assert [g.verdict for g in report.groups] == [Verdict.UNDECIDED]
    assert "--org-accounts" in report.groups[0].suggestion


def test_anonymous_callers_carry_only_the_anonymous_account():
    """`aws:PrincipalAccount` is "anonymous"; a Null check on aws:PrincipalArn sees it absent."""
    policy = one_policy({"Action": "s3:GetObject", "Resource": "*", "Condition": {
        "StringEquals": {"aws:PrincipalAccount": "anonymous"}, "Null": {"aws:PrincipalArn": "true"}}})
    reads = [r for r in fixture_records("s3-endpoint.json") if r["userIdentity"]["accountId"] == "ANONYMOUS_PRINCIPAL"]
    lowercase = copy.deepcopy(reads[0])
    lowercase["userIdentity"]["accountId"] = "anonymous"  # the other spelling seen in public logs
    report = impact_groups(policy, [*reads, lowercase], Trust(accounts=frozenset({TRUSTED})), S3_ONLY)
    assert [(g.principal, g.verdict, g.count) for g in report.groups] == [("anonymous", Verdict.OK, 3)]


def test_an_object_prefix_in_the_policy_makes_the_key_significant():
    policy = one_policy({"Action": "s3:GetObject", "Resource": "arn:aws:s3:::data-111122223333/reports/*",
                         "Condition": {"StringEquals": {"aws:PrincipalAccount": TRUSTED}}})
    records = [r for r in fixture_records("s3-endpoint.json") if r["requestParameters"]["bucketName"] == "data-111122223333"
               and r["eventName"] == "GetObject" and r.get("vpcEndpointId")]
    other_key = copy.deepcopy(records[0])
    other_key["requestParameters"]["key"] = "secrets/keys.txt"
    report = impact_groups(policy, [*records, other_key], TRUST, S3_ONLY)
    assert sorted((g.verdict, g.count) for g in report.groups) == [(Verdict.OK, 2), (Verdict.WOULD_BREAK, 1)]


# --- cost: identical requests are decided once ---------------------------------------------------------


def test_a_policy_variable_makes_the_key_it_reads_significant():
    """`${aws:PrincipalTag/team}` is a tag the record never carries: the decision cannot be certain."""
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*",
              "Resource": "arn:aws:s3:::data-111122223333/${aws:PrincipalTag/team}/*"}]}
    report = impact_groups(policy, fixture_records("s3-endpoint.json")[:1], TRUST, S3_ONLY)
    assert [g.verdict for g in report.groups] == [Verdict.UNDECIDED]


def test_identical_requests_are_evaluated_once(monkeypatch):
    calls = []
    real = impact.evaluate
    candidate = s3_policy("al2023")

    def counting(policy, request):
        calls.append(request)
        return real(policy, request)

    monkeypatch.setattr(impact, "evaluate", counting)
    template = fixture_records("s3-endpoint.json")[0]
    records = []
    for index in range(500):
        record = copy.deepcopy(template)
        record["requestParameters"]["key"] = f"reports/{index}.csv"
        record["eventTime"] = f"2026-11-22T09:{index % 60:02d}:00Z"
        records.append(record)
    report = impact_groups(candidate, records, TRUST, S3_ONLY)
    assert report.groups[0].count == 500
    assert len(calls) == 1  # and no catalog entry is even tried: none names that bucket


# --- hostile records ------------------------------------------------------------------------------------


def test_records_with_fields_of_the_wrong_type_are_counted_and_skipped():
    good = fixture_records("s3-endpoint.json")[0]
    broken = [
        {**good, "userIdentity": ["not", "an", "object"]},
        {**good, "requestParameters": {"bucketName": {"nested": 1}, "key": "k"}},
        {**good, "eventName": None},
        {**good, "resources": "text"},
    ]
    report = impact_groups(s3_policy(), [*broken, good], TRUST, S3_ONLY)
    assert [(g.verdict, g.count) for g in report.groups] == [(Verdict.OK, 2)]  # the good one and the one with text resources
    assert (report.events, report.considered) == (5, 2)
    assert report.problems == (("records", "2 record(s) with fields of the wrong type skipped"),)


def test_a_region_nobody_knows_is_replayed_without_catalog_buckets():
    record = copy.deepcopy(fixture_records("s3-endpoint.json")[4])  # an anonymous AL2023 read
    record["awsRegion"] = "mars-north-1"
    report = impact_groups(s3_policy("al2023"), [record], TRUST, S3_ONLY)
    assert [(g.principal, g.verdict) for g in report.groups] == [("anonymous", Verdict.STILL_OPEN)]  # no catalog: not wanted


def test_suggest_trust_ranks_the_callers_of_each_endpoint():
    records = fixture_records("s3-endpoint.json")
    events, considered, uses = impact.seen_principals(records, Trust(org_of={TRUSTED: ORG}), Scope())
    first = next(use for use in uses if use.endpoint == S3_ENDPOINT)
    assert [(p.principal, p.count) for p in first.principals[:2]] == [(TRUSTED, 3), (FOREIGN, 2)]
    assert first.orgs == ((ORG, 3),)
    assert (events, considered) == (10, 9)


# --- inputs ---------------------------------------------------------------------------------------------


def test_since_accepts_durations_and_dates_and_filters_records():
    now = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
    assert impact.parse_since("2h", now) == "2026-11-22T10:00:00Z"
    assert impact.parse_since("2026-11-22T10:30:00+01:00", now) == "2026-11-22T09:30:00Z"
    with pytest.raises(InputError, match="--since"):
        impact.parse_since("last week", now)
    report = impact_groups(s3_policy("al2023"), fixture_records("s3-endpoint.json"), TRUST,
                           Scope(services=frozenset({"s3"}), since="2026-11-22T12:00:00Z"))
    assert report.considered == 2


def test_org_membership_reads_both_file_shapes_and_rejects_others():
    listing = {"Accounts": [{"Id": TRUSTED, "Arn": f"arn:aws:organizations::999999999999:account/{ORG}/{TRUSTED}"}]}
    assert impact.org_membership(listing, "f") == ({TRUSTED: ORG}, frozenset({ORG}))
    assert impact.org_membership({ORG: [TRUSTED]}, "f") == ({TRUSTED: ORG}, frozenset({ORG}))
    for bad in ([TRUSTED], {ORG: ["12"]}, {"Accounts": [{"Id": TRUSTED}]}, {"not-an-org": [TRUSTED]}):
        with pytest.raises(InputError, match=r"^f: "):
            impact.org_membership(bad, "f")


def test_policy_services_come_from_its_actions():
    assert impact.policy_services(s3_policy("al2023")) == frozenset({"s3"})
    assert impact.policy_services(one_policy({"Action": "*", "Resource": "*"})) is None


@pytest.mark.parametrize(("pattern", "matters"), [
    ("arn:aws:s3:::b/*", False), ("*", False), ("arn:aws:s3:::b*", False), ("arn:aws:s3:::other/*", False),
    ("arn:aws:s3:::b", False), ("arn:aws:s3:::b/reports/*", True), ("arn:aws:s3:::b/k", True), ("arn:aws:s3:::*/secret", True),
])
def test_object_keys_matter_only_when_a_pattern_tells_objects_apart(pattern, matters):
    assert impact._keys_matter("arn:aws:s3:::b/", [pattern]) is matters


def test_a_policy_is_required_unless_only_denials_are_grouped():
    with pytest.raises(InputError):
        impact_groups(None, [], TRUST, Scope())
    assert impact_groups(None, fixture_records("s3-endpoint.json"), Trust(), Scope(denials_only=True)).considered == 1


def test_the_report_serialises_with_the_documented_keys():
    data = impact_groups(s3_policy("al2023"), fixture_records("s3-endpoint.json"), TRUST, S3_ONLY).to_dict()
    assert set(data) >= {"events", "considered", "groups"}
    assert set(data["groups"][0]) == {"action", "resource", "principal", "count", "verdict", "suggestion", "first_seen", "last_seen"}
    json.dumps(data)


def test_groups_are_bounded_when_records_name_endless_resources(monkeypatch):
    monkeypatch.setattr(impact, "MAX_GROUPS", 3)
    template = fixture_records("ssm-ecr.json")[3]  # GetParameter: one group per parameter ARN
    records = []
    for index in range(10):
        record = copy.deepcopy(template)
        record["resources"][0]["ARN"] = f"arn:aws:ssm:eu-west-1:444455556666:parameter/p{index}"
        records.append(record)
    policy = one_policy({"Action": "ssm:*", "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalAccount": TRUSTED}}})
    report = impact_groups(policy, records, TRUST, Scope(services=frozenset({"ssm"})))
    assert len(report.groups) == 4 and sum(g.count for g in report.groups) == 10
    assert [g.count for g in report.groups if g.resource == impact.OTHER_RESOURCES] == [7]
