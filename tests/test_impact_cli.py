"""`vpce-wizard impact` as scripts use it: JSON shape, exit codes, one-line errors, escaping, and the trail's
S3 bucket (gzipped log files under AWSLogs/...) read from the emulator over HTTP."""

import contextlib
import gzip
import io
import json
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber

from tui.cli import main

FIXTURES = Path(__file__).parent / "cloudtrail"
TRUSTED = "111122223333"
S3_ENDPOINT = "vpce-0a1b2c3d4e5f60718"


def run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def policy_file(tmp_path) -> str:
    code, _, _ = run(["generate", "--account", TRUSTED, "--region", "eu-west-1", "--public-bucket", "al2023",
                      "--public-bucket", "ecr-layers", "-q", "-o", str(tmp_path / "policy.json")])
    assert code == 0
    return str(tmp_path / "policy.json")


def test_json_output_has_the_documented_shape_and_passes_when_nothing_breaks(policy_file):
    code, out, err = run(["impact", "--policy", policy_file, "--events", str(FIXTURES), "--trusted-account", TRUSTED,
                          "--endpoint", S3_ENDPOINT, "--json"])
    data = json.loads(out)
    assert (data["events"], data["considered"]) == (16, 8)
    assert {g["verdict"] for g in data["groups"]} == {"ok", "intended", "already-denied"}
    assert all(set(g) == {"action", "resource", "principal", "count", "verdict", "suggestion", "first_seen", "last_seen"} for g in data["groups"])
    assert code == 0 and err == ""


def test_a_would_break_group_exits_1_and_names_the_catalog_entry(tmp_path):
    narrow = tmp_path / "narrow.json"
    run(["generate", "--account", TRUSTED, "--region", "eu-west-1", "-q", "-o", str(narrow)])
    code, out, _ = run(["impact", "--policy", str(narrow), "--events", str(FIXTURES / "s3-endpoint.json"),
                        "--trusted-account", TRUSTED, "--service", "s3"])
    assert code == 1
    assert "would-break" in out and "-> catalog al2023" in out and "-> catalog ecr-layers" in out
    assert out.strip().splitlines()[-1].startswith("10 record(s) read, 9 replayed: ")


def test_malformed_and_truncated_files_are_reported_and_skipped(policy_file, tmp_path):
    good = (FIXTURES / "s3-endpoint.json").read_bytes()
    (tmp_path / "a-good.json.gz").write_bytes(gzip.compress(good))
    (tmp_path / "b-truncated.json.gz").write_bytes(gzip.compress(good)[:400])
    (tmp_path / "c-malformed.json").write_text('{"Records": [ {"eventName": }')
    code, _out, err = run(["impact", "--policy", policy_file, "--events", str(tmp_path), "--trusted-account", TRUSTED])
    warnings = [line for line in err.splitlines() if line.startswith("warning: ")]
    assert [Path(line.split(": ")[1]).name for line in warnings] == ["b-truncated.json.gz", "c-malformed.json"]
    assert "Traceback" not in err and code == 0
    data = json.loads(run(["impact", "--policy", policy_file, "--events", str(tmp_path), "--trusted-account", TRUSTED, "--json"])[1])
    assert [Path(p["source"]).name for p in data["problems"]] == ["b-truncated.json.gz", "c-malformed.json"]


def test_hostile_strings_from_records_are_escaped_in_text_mode(policy_file, tmp_path):
    record = json.loads((FIXTURES / "s3-endpoint.json").read_text())["Records"][3]
    record["eventName"] = "PutObject\x1b]0;owned\x07"
    record["requestParameters"]["bucketName"] = "exfil\x1b[2J\u202e"
    (tmp_path / "hostile.json").write_text(json.dumps({"Records": [record]}))
    _code, out, _ = run(["impact", "--policy", policy_file, "--events", str(tmp_path), "--trusted-account", TRUSTED, "--service", "s3"])
    assert "\x1b" not in out and "\u202e" not in out and "\x07" not in out
    assert "PutObject\\x1b]0;owned\\x07" in out and "exfil\\x1b[2J\\u202e" in out


@pytest.mark.parametrize(("argv", "message"), [
    (["--events", "tests/cloudtrail", "--trusted-account", TRUSTED], "--policy is required"),
    (["--policy", "{policy}", "--events", "tests/cloudtrail"], "name the trusted set"),
    (["--policy", "{policy}", "--events", "tests/cloudtrail", "--trusted-account", "12"], "not 12 digits"),
    (["--policy", "{policy}", "--events", "tests/cloudtrail", "--trusted-account", TRUSTED, "--since", "soon"], "--since"),
    (["--policy", "{policy}", "--events", "tests/cloudtrail", "--trusted-account", TRUSTED, "--endpoint", "vpce-x"], "endpoint ID"),
    (["--policy", "{policy}", "--events", "missing-folder", "--trusted-account", TRUSTED], "no such file"),
    (["--policy", "{policy}", "--events", "tests/cloudtrail", "--trusted-account", TRUSTED, "--service", "nope"], "unknown service"),
    (["--policy", "{default}", "--events", "tests/cloudtrail", "--trusted-account", TRUSTED], "names no service"),
    (["--policy", "{policy}", "--events", "tests/cloudtrail", "--trusted-org", "o-a1b2c3d4e5", "--org-accounts", "{policy}"], "--org-accounts"),
    (["--policy", "{policy}", "--trail-bucket", "https://bucket", "--trusted-account", TRUSTED], "s3://bucket/prefix"),
])
def test_bad_input_is_one_error_line_and_exit_2(argv, message, policy_file, tmp_path):
    default = tmp_path / "default.json"
    default.write_text('{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}')
    argv = [a.format(policy=policy_file, default=default) for a in argv]
    code, out, err = run(["impact", *argv])
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1 and err.startswith("error: ") and message in err


def test_progress_shows_on_a_terminal_only(policy_file, monkeypatch):
    monkeypatch.setattr("tui.commands.impact.PROGRESS_EVERY", 2)
    argv = ["impact", "--policy", policy_file, "--events", str(FIXTURES), "--trusted-account", TRUSTED, "--service", "s3"]
    _, _, piped = run(argv)
    assert "record(s) read" not in piped

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    out, err = Terminal(), Terminal()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        main(argv)
    assert "\r  2 file(s), 16 record(s) read" in err.getvalue()
    with contextlib.redirect_stdout(Terminal()), contextlib.redirect_stderr(err := Terminal()):
        main([*argv, "--json"])
    assert err.getvalue() == ""


def test_denials_and_suggest_trust_need_no_policy():
    code, out, _ = run(["impact", "--events", str(FIXTURES), "--denials", "--json"])
    assert code == 0 and [g["verdict"] for g in json.loads(out)["groups"]] == ["already-denied"]
    code, out, _ = run(["impact", "--events", str(FIXTURES), "--suggest-trust", "--json"])
    endpoints = {e["endpoint"]: e["principals"] for e in json.loads(out)["endpoints"]}
    assert code == 0 and endpoints[S3_ENDPOINT][0] == {"principal": TRUSTED, "org": "", "count": 3}


def test_org_accounts_file_decides_org_trust(policy_file, tmp_path):
    members = tmp_path / "org.json"
    members.write_text(json.dumps({"o-a1b2c3d4e5": [TRUSTED]}))
    base = ["impact", "--policy", policy_file, "--events", str(FIXTURES / "s3-endpoint.json"), "--trusted-org", "o-a1b2c3d4e5", "--json"]
    unknown = json.loads(run(base)[1])
    assert "undecided" in {g["verdict"] for g in unknown["groups"]}
    known = json.loads(run([*base, "--org-accounts", str(members)])[1])
    assert "undecided" not in {g["verdict"] for g in known["groups"]}


def test_impact_on_files_imports_neither_textual_nor_boto3(policy_file):
    argv = ["impact", "--policy", policy_file, "--events", str(FIXTURES), "--trusted-account", TRUSTED, "--json"]
    probe = (f"import contextlib, io, sys, json\nfrom tui.cli import main\nwith contextlib.redirect_stdout(io.StringIO()):\n    main({argv!r})\n"
             "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))")
    loaded = set(json.loads(subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.splitlines()[-1]))
    assert not {"textual", "boto3", "botocore"} & loaded


# --- AWS sources --------------------------------------------------------------------------------------


def put_logs(url: str) -> None:
    """A trail bucket as CloudTrail writes it: gzipped files per day, plus a digest file and a broken file."""
    s3 = boto3.client("s3", region_name="eu-west-1", endpoint_url=url)
    s3.create_bucket(Bucket="org-trail-logs", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    records = json.loads((FIXTURES / "s3-endpoint.json").read_text())["Records"]
    day = "trail/AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/{}/111122223333_CloudTrail_eu-west-1_20261122T0905Z_{}.json.gz"
    s3.put_object(Bucket="org-trail-logs", Key=day.format("22", "a"), Body=gzip.compress(json.dumps({"Records": records[:6]}).encode()))
    s3.put_object(Bucket="org-trail-logs", Key=day.format("22", "b"), Body=gzip.compress(json.dumps({"Records": records[6:]}).encode()))
    s3.put_object(Bucket="org-trail-logs", Key=day.format("01", "old"), Body=gzip.compress(json.dumps({"Records": records}).encode()))
    s3.put_object(Bucket="org-trail-logs", Key=day.format("22", "cut"), Body=gzip.compress(json.dumps({"Records": records}).encode())[:300])
    s3.put_object(Bucket="org-trail-logs", Key="trail/AWSLogs/111122223333/CloudTrail-Digest/eu-west-1/2026/11/22/d.json.gz",
                  Body=gzip.compress(b'{"digestStartTime": "x"}'))


def test_trail_bucket_is_listed_streamed_and_filtered_by_day(aws_env, policy_file):
    put_logs(aws_env.url)
    code, out, err = run(["impact", "--policy", policy_file, "--trail-bucket", "s3://org-trail-logs/trail/AWSLogs/",
                          "--trusted-account", TRUSTED, "--since", "2026-11-20", "--json"])
    data = json.loads(out)
    assert data["events"] >= 10 and data["considered"] >= 9  # the 1 November file is never opened
    assert [p["source"].rsplit("_", 1)[1] for p in data["problems"]] == ["cut.json.gz"]
    assert code == 0 and "Traceback" not in err
    everything = json.loads(run(["impact", "--policy", policy_file, "--trail-bucket", "s3://org-trail-logs/trail",
                                 "--trusted-account", TRUSTED, "--json"])[1])
    assert everything["events"] - data["events"] == 10


def test_a_missing_trail_bucket_is_one_error_line(aws_env, policy_file):
    code, out, err = run(["impact", "--policy", policy_file, "--trail-bucket", "s3://no-such-trail-bucket/x", "--trusted-account", TRUSTED])
    lines = err.strip().splitlines()
    assert code == 1 and out == "" and lines[0].startswith("connected: ")
    assert lines[1:] == ["error: ListObjectsV2 failed (NoSuchBucket): The specified bucket does not exist"]


def test_lookup_events_pages_are_parsed_and_bad_events_reported():
    from types import SimpleNamespace

    from tui.aws.trail import lookup_records

    client = boto3.client("cloudtrail", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x")
    record = json.loads((FIXTURES / "ssm-ecr.json").read_text())["Records"][0]
    with Stubber(client) as stub:
        stub.add_response("lookup_events", {"Events": [{"EventId": "1", "CloudTrailEvent": json.dumps(record)}], "NextToken": "t"},
                          {"LookupAttributes": [{"AttributeKey": "EventSource", "AttributeValue": "ssm.amazonaws.com"}]})
        stub.add_response("lookup_events", {"Events": [{"EventId": "2", "CloudTrailEvent": "{not json"}]},
                          {"LookupAttributes": [{"AttributeKey": "EventSource", "AttributeValue": "ssm.amazonaws.com"}], "NextToken": "t"})
        problems = []
        records = list(lookup_records(SimpleNamespace(client=lambda name: client), None,
                                      lambda source, problem: problems.append(problem), "ssm.amazonaws.com"))
    assert records == [record]
    assert problems == ["event 2 is not a JSON record: skipped"]


def test_organization_members_come_from_organizations_when_readable(aws_env):
    from tui.aws.session import AwsTarget, connect
    from tui.aws.trail import organization_members

    conn = connect(AwsTarget(region="eu-west-1", endpoint_url=aws_env.url, sandbox=True))
    assert organization_members(conn) is None  # no organization: unknown, not an error
    org = conn.client("organizations")
    org_id = org.create_organization(FeatureSet="ALL")["Organization"]["Id"]
    member = org.create_account(Email="member@example.com", AccountName="member")["CreateAccountStatus"]["AccountId"]
    members, complete = organization_members(conn)
    assert members[member] == org_id and complete == frozenset({org_id})


def test_trail_bucket_runs_read_the_organization_to_decide_org_trust(aws_env, policy_file, tmp_path):
    """The caller's organization, read from Organizations, says its own account is a member."""
    org = boto3.client("organizations", region_name="eu-west-1", endpoint_url=aws_env.url)
    org_id = org.create_organization(FeatureSet="ALL")["Organization"]["Id"]
    s3 = boto3.client("s3", region_name="eu-west-1", endpoint_url=aws_env.url)
    s3.create_bucket(Bucket="trail-logs", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    record = json.loads((FIXTURES / "s3-endpoint.json").read_text())["Records"][0]
    record["userIdentity"]["accountId"] = aws_env.account
    key = f"AWSLogs/{aws_env.account}/CloudTrail/eu-west-1/2026/11/22/{aws_env.account}_CloudTrail_eu-west-1_x.json.gz"
    s3.put_object(Bucket="trail-logs", Key=key, Body=gzip.compress(json.dumps({"Records": [record]}).encode()))
    org_policy = tmp_path / "org.json"
    org_policy.write_text(json.dumps({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*",
                                                     "Condition": {"StringEquals": {"aws:PrincipalOrgID": org_id}}}]}))
    code, out, _ = run(["impact", "--policy", str(org_policy), "--trail-bucket", "s3://trail-logs/AWSLogs/", "--trusted-org", org_id, "--json"])
    assert code == 0 and [g["verdict"] for g in json.loads(out)["groups"]] == ["ok"]
