"""Golden outputs of the report commands, captured before the typed report layer replaced their formatting:
`--json` shapes (and the text lines) must not change by accident. Regenerate deliberately with
`VPCE_UPDATE_GOLDEN=1 pytest tests/test_report_golden.py` and review the diff."""

import json
import os
import re
from pathlib import Path

import pytest

from tui.aws.sandbox import perimeter_policy
from tui.cli import main
from tui.policy.documents import pretty

GOLDEN = Path(__file__).parent / "golden" / "report"
POLICIES = ("broken", "more-broken", "ambiguous", "old-version")
A = "111122223333"
def normalised(text: str, sandbox) -> str:
    """Stable text: the emulator's URL and random endpoint and VPC IDs named after what they are."""
    import boto3

    ec2 = {region: boto3.client("ec2", region_name=region, endpoint_url=sandbox.url) for region in {r for r, _ in sandbox.endpoints}}
    for (region, service), endpoint_id in sandbox.endpoints.items():
        text = text.replace(endpoint_id, f"vpce-{region}-{service}")
    for region, client in ec2.items():
        for vpc in client.describe_vpcs()["Vpcs"]:
            text = text.replace(vpc["VpcId"], f"vpc-{region}")
    return text.replace(sandbox.url, "SANDBOX_URL")


def in_stable_order(text: str, form: str) -> str:
    """Audit lists endpoints by ID, which the emulator draws at random: compare them sorted by name, after
    checking the JSON is printed exactly as `print_json` prints it."""
    if form == "json":
        data = json.loads(text)
        assert json.dumps(data, indent=2) + "\n" == text
        data["endpoints"].sort(key=lambda e: e["id"])
        return json.dumps(data, indent=2) + "\n"
    blocks = re.split(r"\n(?=\S)", text.rstrip("\n"))
    return "\n".join(sorted(blocks[:-1]) + blocks[-1:]) + "\n"


def assert_golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get("VPCE_UPDATE_GOLDEN"):
        path.write_text(actual)
    assert actual == path.read_text(), f"{name} changed; regenerate only if on purpose"


def run(capsys, *argv) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


@pytest.mark.parametrize("policy", POLICIES)
@pytest.mark.parametrize("form", ["text", "json"])
def test_validate(capsys, policy, form):
    code, out = run(capsys, "validate", str(GOLDEN / f"{policy}-policy.json"), *(["--json"] if form == "json" else []))
    assert code == (0 if policy == "old-version" else 1)
    assert_golden(f"validate-{policy}.{form}", out)


@pytest.mark.parametrize("policy", ["broken", "ambiguous", "old-version"])
@pytest.mark.parametrize("form", ["text", "json"])
def test_check(capsys, policy, form):
    code, out = run(capsys, "check", str(GOLDEN / f"{policy}-policy.json"), "--region", "eu-west-1",
                    "--trusted-account", A, *(["--json"] if form == "json" else []))
    assert code == 1
    assert_golden(f"check-{policy}.{form}", out)


@pytest.mark.parametrize("form", ["text", "json"])
def test_simulate_cases(capsys, tmp_path, form):
    cases = tmp_path / "cases.json"
    cases.write_text(json.dumps([
        {"action": "s3:GetObject", "resource": "arn:aws:s3:::b/k", "context": {"aws:PrincipalAccount": A}, "expect": "Allow"},
        {"action": "s3:PutObject", "resource": "*", "context": {"aws:PrincipalAccount": "999988887777"}, "expect": "Allow"},
        {"action": "s3:GetObject", "resource": "arn:aws:s3:::b/k"},
    ]))
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "Trusted", "Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*",
        "Condition": {"StringEquals": {"aws:PrincipalAccount": A}}}]}))
    code, out = run(capsys, "simulate", str(seed), "--cases", str(cases), *(["--json"] if form == "json" else []))
    assert code == 1
    assert_golden(f"simulate-cases.{form}", out)


@pytest.mark.parametrize("form", ["text", "json"])
def test_audit(aws_env, capsys, form):
    code, out = run(capsys, "audit", "--region", "eu-west-1", "--region", "us-east-1", *(["--json"] if form == "json" else []))
    assert code == 1
    assert_golden(f"audit.{form}", in_stable_order(normalised(out, aws_env), form))


@pytest.mark.parametrize("form", ["text", "json"])
def test_apply_dry_run(aws_env, capsys, tmp_path, form):
    policy = tmp_path / "s3.json"
    policy.write_text(pretty(perimeter_policy(aws_env.account, "eu-west-1")))
    endpoints = [aws_env.endpoints[("eu-west-1", "s3")], aws_env.endpoints[("eu-west-1", "ssm")], "vpce-0123456789abcdef0"]
    argv = ["apply", "--policy", str(policy), "--dry-run", *(f"--endpoint={e}" for e in endpoints)]
    code, out = run(capsys, *argv, *(["--json"] if form == "json" else []))
    assert code == 1  # the unknown endpoint fails
    assert_golden(f"apply-dry-run.{form}", normalised(out, aws_env))
