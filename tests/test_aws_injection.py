"""Terminal injection through the CLI, against moto's server over HTTP: whoever can set one endpoint's policy
(or a service name, or where the state folder lives) puts OSC (window title, OSC 52 clipboard), CSI (clear
screen), C1 and bidi characters and Rich markup in front of the operator. `audit`, `apply` (its diff),
`rollback` and `backups` must show all of it as visible escapes: no ESC, no C1, no bidi character reaches
the terminal, and `--json` stays exact JSON."""

import json
import re

import boto3
import pytest

from tui.aws.sandbox import perimeter_policy
from tui.cli import main
from tui.policy.documents import pretty

HOSTILE = "\x1b]2;PWNED\x1b\\\x1b]52;c;ZXZpbA==\x07\x1b[2J\x9b31m\u202egnp.exe[link=http://x]y[/link][/]"
RAW_CONTROLS = re.compile("[\x1b\x80-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def hostile_policy() -> dict:
    """A document AWS would store (moto stores any string): the hostile text in a Sid, a resource, a
    condition key and an account value, so it appears in diffs, findings and validator reasons."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": f"Sid{HOSTILE}",
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::bucket{HOSTILE}/*",
                "Condition": {"StringEquals": {f"aws:Principal{HOSTILE}": [f"1111{HOSTILE}"]}},
            },
            {"Effect": "Allow", "Principal": "*", "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::drop{HOSTILE}/*"},
        ],
    }


@pytest.fixture
def hostile(aws_env, tmp_path, monkeypatch):
    """The S3 endpoint holds the hostile policy, the VPC's name is hostile, and so is the state folder's path."""
    ec2 = boto3.client("ec2", endpoint_url=aws_env.url, region_name="eu-west-1")
    s3 = aws_env.endpoints[("eu-west-1", "s3")]
    ec2.modify_vpc_endpoint(VpcEndpointId=s3, PolicyDocument=json.dumps(hostile_policy(), ensure_ascii=False))
    vpc = ec2.describe_vpc_endpoints(VpcEndpointIds=[s3])["VpcEndpoints"][0]["VpcId"]
    ec2.create_tags(Resources=[vpc], Tags=[{"Key": "Name", "Value": HOSTILE}])
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / f"state{HOSTILE}"))
    policy = tmp_path / "perimeter.json"
    policy.write_text(pretty(perimeter_policy(aws_env.account, "eu-west-1")))
    return s3, str(policy)


def run(capsys, argv, stream="both") -> tuple[int, str]:
    """Exit code and output (stdout, stderr or both), after checking both streams hold no raw control."""
    code = main(argv)
    captured = capsys.readouterr()
    output = captured.out + captured.err
    assert "Traceback" not in output
    found = sorted({hex(ord(c)) for c in RAW_CONTROLS.findall(output)})
    assert not found, f"{argv[0]} printed raw control characters {found}"
    return code, {"out": captured.out, "err": captured.err, "both": output}[stream]


def test_audit_apply_rollback_and_backups_show_hostile_text_escaped(hostile, capsys):
    s3, policy = hostile
    code, audit = run(capsys, ["audit"])
    assert code == 1 and "\\x1b]2;PWNED" in audit and "\\u202e" in audit and "\\x9b" in audit
    code, applied = run(capsys, ["apply", "--endpoint", s3, "--policy", policy, "--yes"])
    assert code == 0 and "\\x1b[2J" in applied and "[link=http://x]y[/link][/]" in applied  # markup shown, not obeyed
    assert "(backup: " in applied and "state\\x1b]2;PWNED" in applied
    code, listed = run(capsys, ["backups"])
    assert code == 0 and s3 in listed and "\\x1b]52;c;" in listed
    code, refused = run(capsys, ["rollback", "--endpoint", s3, "--yes"])
    assert code == 1 and "use --force" in refused
    code, restored = run(capsys, ["rollback", "--endpoint", s3, "--yes", "--force"])
    assert code == 0 and "applied" in restored and "\\x1b]2;PWNED" in restored


def test_json_output_is_exact_and_ascii(hostile, capsys):
    s3, policy = hostile
    code, out = run(capsys, ["audit", "--json"], "out")
    report = json.loads(out)
    messages = [f["message"] for e in report["endpoints"] if e["id"] == s3 for f in e["findings"]]
    assert any(HOSTILE in m for m in messages)  # exact: the JSON reader gets the original text back
    assert out.isascii()
    code, out = run(capsys, ["apply", "--endpoint", s3, "--policy", policy, "--yes", "--json"], "out")
    backup = json.loads(out)["outcomes"][0]["backup"]
    assert code == 0 and "state\x1b]2;PWNED\x1b\\\x1b]52;c;ZXZpbA==\x07\x1b[2J\x9b31m\u202e" in backup and out.isascii()


def test_error_lines_are_escaped(aws_env, capsys, tmp_path):
    code, out = run(capsys, ["rollback", "--endpoint", aws_env.endpoints[("eu-west-1", "s3")], "--backup", str(tmp_path / f"x{HOSTILE}.json"), "--yes"])
    assert code == 2 and out.strip().splitlines()[-1].startswith("error: refusing backup")
    code, out = run(capsys, ["apply", "--endpoint", f"vpce-{HOSTILE}", "--policy", "-", "--yes"])
    assert code == 2 and "error:" in out
