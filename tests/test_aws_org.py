"""Organization-wide audit, apply and rollback against the emulator over HTTP: an organization of 3 member
accounts (Organizations CreateAccount, entered with STS AssumeRole, separate state each) plus the caller, in
2 regions. Failures the emulator cannot produce (AssumeRole denied) are injected on the wire."""

import json
import os
from pathlib import Path

import pytest
from botocore.awsrequest import AWSResponse

from tui.aws.backups import list_backups
from tui.aws.discovery import parse_policy
from tui.aws.org_sandbox import _client, member_credentials, seed_organization
from tui.aws.perimeter import FULL_ACCESS_POLICY
from tui.cli import main
from tui.policy.answers import Answers
from tui.policy.builder import build_policy
from tui.policy.diff import same_policy
from tui.policy.documents import minify, pretty

REGIONS = ("eu-west-1", "us-east-1")
BOTH = ["--region", REGIONS[0], "--region", REGIONS[1]]


class _Body:
    def __init__(self, data: bytes):
        self.data = data

    def stream(self, **_):
        yield self.data


def sts_denied(message: str = "injected AccessDenied") -> AWSResponse:
    xml = f"<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>{message}</Message></Error><RequestId>r-1</RequestId></ErrorResponse>"
    return AWSResponse("https://sts.test", 403, {}, _Body(xml.encode()))


def deny_assume_role(conn, account: str, message: str = "injected AccessDenied") -> None:
    """AssumeRole into `account` answers AccessDenied on the wire (moto's never fails)."""

    def handler(request, **_):
        body = request.body.decode() if isinstance(request.body, bytes) else str(request.body or "")
        if "Action=AssumeRole" in body and f"%3A%3A{account}%3Arole" in body:
            return sts_denied(message)
        return None

    conn.client("sts").meta.events.register("before-send.sts", handler)


@pytest.fixture
def org(aws_env):
    """3 members with an S3 gateway and an SSM interface endpoint per region; the caller has the sandbox's."""
    return seed_organization(aws_env.url, 3, REGIONS)


def everyone(org) -> tuple[str, ...]:
    return (org.management, *org.members)


@pytest.fixture
def policy_file(tmp_path, org):
    """A perimeter trusting the caller and every member, with no region-specific buckets."""
    path = tmp_path / "p.json"
    path.write_text(pretty(build_policy(Answers(services=("s3",), accounts=everyone(org), region="eu-west-1").checked(), "s3")))
    return str(path)


def held(url: str, account: str, region: str, endpoint_id: str, management: str):
    credentials = None if account == management else member_credentials(url, account)
    ec2 = _client(url, "ec2", region, credentials)
    return parse_policy(ec2.describe_vpc_endpoints(VpcEndpointIds=[endpoint_id])["VpcEndpoints"][0].get("PolicyDocument"))


def s3_endpoints(aws_env, org) -> dict[tuple[str, str], str]:
    """(account, region) -> the S3 endpoint, members and caller."""
    found = {(a, r): e for (a, r, s), e in org.endpoints.items() if s == "s3"}
    found.update({(org.management, r): aws_env.endpoints[(r, "s3")] for r in REGIONS})
    return found


def hook_connect(monkeypatch, hook):
    """Run `hook(conn)` on the caller's connection the CLI makes, to inject faults on its wire."""
    import tui.aws.session

    real = tui.aws.session.connect

    def connect(target):
        conn = real(target)
        hook(conn)
        return conn

    monkeypatch.setattr(tui.aws.session, "connect", connect)


def test_audit_org_lists_every_endpoint_with_its_account(org, capsys):
    assert main(["audit", "--org", *BOTH, "--json"]) == 1  # the default policies are full access: high
    out = json.loads(capsys.readouterr().out)
    assert out["errors"] == [] and out["targets"] == 8
    accounts = {e["account"] for e in out["endpoints"]}
    assert accounts == set(everyone(org))
    assert len(out["endpoints"]) == 16 + 3 * 2 * 2
    member_s3 = [e for e in out["endpoints"] if e["account"] == org.members[0] and e["service"] == "s3"]
    assert {e["region"] for e in member_s3} == set(REGIONS) and all(e["classification"] == "full access" for e in member_s3)


def test_audit_org_sarif_names_each_account_region_and_endpoint(org, capsys, tmp_path):
    assert main(["audit", "--org", *BOTH, "--format", "sarif"]) == 1
    results = json.loads(capsys.readouterr().out)["runs"][0]["results"]
    places = [r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"].split("/") for r in results]
    assert {account for account, _, _ in places} == set(everyone(org)) and {region for _, region, _ in places} == set(REGIONS)
    waivers = tmp_path / "waivers.json"
    waivers.write_text(json.dumps({"waivers": [
        {"code": r["ruleId"], "endpoint": r["locations"][0]["logicalLocations"][0]["name"], "reason": "r", "expires": "2999-01-01"}
        for r in results if r["level"] == "error"]}))
    assert main(["audit", "--org", *BOTH, "--waivers", str(waivers)]) == 0  # every high finding waived
    assert capsys.readouterr().out.splitlines()[-1].endswith("waived; 0 target(s) not audited")


def test_apply_org_changes_every_s3_endpoint_then_rollback_restores(aws_env, org, policy_file, capsys):
    before = {key: held(aws_env.url, *key, eid, org.management) for key, eid in s3_endpoints(aws_env, org).items()}
    assert main(["apply", "--org", "--service", "s3", "--policy", policy_file, *BOTH, "--yes", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["errors"] == []
    statuses = {(o["account"], o["region"], o["endpoint_id"]): o["status"] for o in out["outcomes"]}
    assert statuses == {(a, r, eid): "applied" for (a, r), eid in s3_endpoints(aws_env, org).items()}
    policy = json.loads(Path(policy_file).read_text())
    for (account, region), eid in s3_endpoints(aws_env, org).items():
        assert same_policy(held(aws_env.url, account, region, eid, org.management), policy)
    backups = {(b.account, b.region, b.endpoint_id) for b in list_backups()}
    assert backups == set(statuses)

    assert main(["rollback", "--org", *BOTH, "--yes", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {o["status"] for o in out["outcomes"]} == {"applied"} and len(out["outcomes"]) == 8
    for key, eid in s3_endpoints(aws_env, org).items():
        assert same_policy(held(aws_env.url, *key, eid, org.management), before[key])


def test_an_unreachable_member_is_reported_and_the_others_succeed(aws_env, org, policy_file, capsys, monkeypatch):
    locked = org.members[1]
    hook_connect(monkeypatch, lambda conn: deny_assume_role(conn, locked, "no \u202e\x9b2J entry"))
    assert main(["apply", "--org", "--service", "s3", "--policy", policy_file, *BOTH, "--yes", "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert {(e["account"], e["region"], e["status"]) for e in out["errors"]} == {(locked, r, "unreachable") for r in REGIONS}
    assert "AccessDenied" in out["errors"][0]["message"] or "access denied" in out["errors"][0]["message"]
    applied = {(o["account"], o["region"]) for o in out["outcomes"] if o["status"] == "applied"}
    assert applied == {(a, r) for a in everyone(org) if a != locked for r in REGIONS}

    assert main(["audit", "--org", *BOTH]) == 1
    text = capsys.readouterr().out
    assert f"unreachable {locked} eu-west-1: cannot assume arn:aws:iam::{locked}:role/OrganizationAccountAccessRole: access denied" in text
    assert "\u202e" not in text
    assert "6 target(s)" not in text and "2 target(s) not audited" in text


def test_waves_stop_after_a_failing_wave(aws_env, org, tmp_path, capsys):
    first, rest = org.members[0], org.members[1:]
    (tmp_path / "w1").write_text(f"{first}\n")
    (tmp_path / "w2").write_text(",".join(rest))
    # the policy leaves the first wave's account out: its endpoints are refused (lock-out), the wave fails
    policy = tmp_path / "p.json"
    policy.write_text(pretty(build_policy(Answers(services=("s3",), accounts=(org.management, *rest), region="eu-west-1").checked(), "s3")))
    code = main(["apply", "--accounts", f"{first},{','.join(rest)}", "--wave", str(tmp_path / "w1"), "--wave", str(tmp_path / "w2"),
                 "--service", "s3", "--policy", str(policy), *BOTH, "--yes"])
    captured = capsys.readouterr()
    assert code == 1 and "stopped after wave 1 of 2" in captured.err
    assert f"vpce-wizard rollback --accounts {first} --region eu-west-1 --region us-east-1 --yes" in captured.err
    for account in rest:  # wave 2 never started
        for region in REGIONS:
            eid = org.endpoints[(account, region, "s3")]
            assert same_policy(held(aws_env.url, account, region, eid, org.management), FULL_ACCESS_POLICY)


def test_healthy_waves_run_in_order(aws_env, org, policy_file, capsys):
    assert main(["apply", "--org", "--canary", "1", "--service", "s3", "--policy", policy_file, *BOTH, "--yes", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [w["healthy"] for w in out["waves"]] == [True, True] and len(out["waves"][0]["accounts"]) == 1
    assert len(out["outcomes"]) == 8 and {o["status"] for o in out["outcomes"]} == {"applied"}


def test_saved_plan_is_private_and_refuses_endpoints_changed_since(aws_env, org, policy_file, tmp_path, capsys):
    plan = tmp_path / "plan.json"
    assert main(["apply", "--org", "--service", "s3", "--policy", policy_file, *BOTH, "--save-plan", str(plan)]) == 0
    assert os.stat(plan).st_mode & 0o777 == 0o600
    saved = json.loads(plan.read_text())
    assert len(saved["endpoints"]) == 8 and all(len(e["current_sha256"]) == 64 and e["diff"] for e in saved["endpoints"])
    assert list_backups() == []  # saving a plan changes nothing
    changed = org.endpoints[(org.members[2], "us-east-1", "s3")]
    ec2 = _client(aws_env.url, "ec2", "us-east-1", member_credentials(aws_env.url, org.members[2]))
    ec2.modify_vpc_endpoint(VpcEndpointId=changed, PolicyDocument=minify({**FULL_ACCESS_POLICY, "Version": "2012-10-17"}))
    capsys.readouterr()
    assert main(["apply", "--plan", str(plan), "--yes", "--json"]) == 1
    outcomes = {o["endpoint_id"]: o for o in json.loads(capsys.readouterr().out)["outcomes"]}
    assert outcomes[changed]["status"] == "refused" and "changed since the plan was saved" in outcomes[changed]["reason"]
    assert sum(o["status"] == "applied" for o in outcomes.values()) == 7


def test_a_policy_naming_another_regions_buckets_is_refused_there(aws_env, org, tmp_path, capsys):
    answers = Answers(services=("s3",), accounts=everyone(org), public_buckets=("al2023",), region="eu-west-1").checked()
    policy = tmp_path / "eu.json"
    policy.write_text(pretty(build_policy(answers, "s3")))
    assert main(["apply", "--accounts", org.members[0], "--service", "s3", "--policy", str(policy), *BOTH, "--yes", "--json"]) == 1
    outcomes = {o["region"]: o for o in json.loads(capsys.readouterr().out)["outcomes"]}
    assert outcomes["eu-west-1"]["status"] == "applied"
    assert outcomes["us-east-1"]["status"] == "refused" and "AWS-owned buckets of eu-west-1" in outcomes["us-east-1"]["reason"]

    # built from answers, each region gets its own buckets
    args = [f"--account={a}" for a in everyone(org)]
    assert main(["apply", "--accounts", org.members[1], *args, "--public-bucket", "al2023", "--service", "s3", *BOTH, "--yes", "--json"]) == 0
    assert {o["status"] for o in json.loads(capsys.readouterr().out)["outcomes"]} == {"applied"}
    eid = org.endpoints[(org.members[1], "us-east-1", "s3")]
    assert "al2023-repos-us-east-1" in json.dumps(held(aws_env.url, org.members[1], "us-east-1", eid, org.management))


def test_an_endpoint_owned_by_cloudformation_is_flagged_before_apply(aws_env, org, policy_file, capsys):
    account = org.members[0]
    eid = org.endpoints[(account, "eu-west-1", "s3")]
    ec2 = _client(aws_env.url, "ec2", "eu-west-1", member_credentials(aws_env.url, account))
    ec2.create_tags(Resources=[eid], Tags=[{"Key": "aws:cloudformation:stack-name", "Value": "net\u202egpj.exe"}])
    assert main(["apply", "--accounts", account, "--service", "s3", "--policy", policy_file, "--region", "eu-west-1", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "owned by CloudFormation stack net\\u202egpj.exe" in out and "generate --format cloudformation" in out and "\u202e" not in out


def test_zero_accounts_is_an_error_never_a_clean_audit(aws_env, org, capsys):
    args = ["audit", "--org", "--region", "eu-west-1"] + [f"--exclude-account={a}" for a in everyone(org)]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "error: no target account in the organization: every account found is excluded" in err and "Traceback" not in err


def test_bad_target_flags_are_one_line_errors(aws_env, tmp_path, capsys):
    policy = tmp_path / "p.json"
    policy.write_text(pretty(FULL_ACCESS_POLICY))
    cases = [
        (["audit", "--accounts", "12345"], "account ID '12345' is not 12 digits"),
        (["audit", "--accounts", str(tmp_path / "missing")], "neither a comma-separated list"),
        (["audit", "--ou", "ou-bad"], "is not an organizational unit ID"),
        (["audit", "--org", "--accounts", "111122223333"], "choose one of --org, --ou and --accounts"),
        (["apply", "--org", "--service", "s3", "--policy", str(policy), "--max-errors", "150%"], "--max-errors '150%'"),
        (["audit", "--org", "--role-name", "bad role"], "--role-name 'bad role'"),
        (["apply", "--plan", str(tmp_path / "nope.json"), "--yes"], "cannot read plan"),
    ]
    for argv, expected in cases:
        assert main(argv) == 2, argv
        err = capsys.readouterr().err.strip().splitlines()
        assert err[-1].startswith("error: ") and expected in err[-1], (argv, err)


def test_max_errors_stops_starting_new_targets(aws_env, org, tmp_path, capsys):
    first, rest = org.members[0], org.members[1:]
    policy = tmp_path / "p.json"  # leaves the first member out: its endpoints are refused (lock-out)
    policy.write_text(pretty(build_policy(Answers(services=("s3",), accounts=(org.management, *rest), region="eu-west-1").checked(), "s3")))
    argv = ["apply", "--org", "--service", "s3", "--policy", str(policy), *BOTH, "--max-concurrency", "1", "--max-errors", "1", "--yes", "--json"]
    assert main(argv) == 1
    out = json.loads(capsys.readouterr().out)
    errors = {(e["account"], e["region"]): e["status"] for e in out["errors"]}
    assert errors == {**{(first, r): "failed" for r in REGIONS}, **{(a, r): "skipped" for a in rest for r in REGIONS}}
    for account in rest:
        for region in REGIONS:
            eid = org.endpoints[(account, region, "s3")]
            assert same_policy(held(aws_env.url, account, region, eid, org.management), FULL_ACCESS_POLICY)


def test_an_unreachable_member_beyond_max_errors_stops_before_any_write(aws_env, org, policy_file, capsys, monkeypatch):
    hook_connect(monkeypatch, lambda conn: deny_assume_role(conn, org.members[0]))
    argv = ["apply", "--org", "--service", "s3", "--policy", policy_file, *BOTH, "--max-errors", "0", "--yes"]
    assert main(argv) == 1
    assert "could not be planned, more than --max-errors allows; nothing changed" in capsys.readouterr().err
    assert list_backups() == []
