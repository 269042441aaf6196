"""The AWS sub-commands through `tui.cli.main`, against moto's server: exit codes and one-line errors."""

import json

import pytest

from tui.aws.sandbox import perimeter_policy
from tui.cli import main
from tui.policy.documents import pretty


@pytest.fixture
def policy_file(tmp_path, aws_env):
    path = tmp_path / "s3.json"
    path.write_text(pretty(perimeter_policy(aws_env.account, "eu-west-1")))
    return str(path)


def one_line_error(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert "Traceback" not in "\n".join(err)
    return err[-1]


def test_apply_json_then_backups_then_rollback(aws_env, policy_file, capsys):
    s3 = aws_env.endpoints[("eu-west-1", "s3")]
    assert main(["apply", "--endpoint", s3, "--policy", policy_file, "--yes", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["outcomes"][0]["status"] == "applied" and out["connection"].startswith("sandbox")
    assert main(["backups", "--endpoint", s3, "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)["backups"]) == 1
    assert main(["rollback", "--endpoint", s3, "--yes"]) == 0
    assert "applied" in capsys.readouterr().out


def test_apply_without_yes_and_without_a_terminal_refuses(aws_env, policy_file, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    assert main(["apply", "--endpoint", aws_env.endpoints[("eu-west-1", "s3")], "--policy", policy_file]) == 2
    assert "pass --yes" in one_line_error(capsys)


def test_apply_asks_on_a_terminal(aws_env, policy_file, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: "n")
    assert main(["apply", "--endpoint", aws_env.endpoints[("eu-west-1", "s3")], "--policy", policy_file]) == 1
    captured = capsys.readouterr()
    assert "+" in captured.out and "nothing changed" in captured.err  # the diff was shown


def test_dry_run_and_unknown_endpoint(aws_env, policy_file, capsys):
    s3 = aws_env.endpoints[("eu-west-1", "s3")]
    assert main(["apply", "--endpoint", s3, "--policy", policy_file, "--dry-run"]) == 0
    assert "dry-run" in capsys.readouterr().out
    assert main(["apply", "--endpoint", "vpce-0123456789abcdef0", "--policy", policy_file, "--yes"]) == 1
    assert "not found in eu-west-1" in capsys.readouterr().out


def test_audit_json_exits_1_on_high_findings(aws_env, capsys):
    assert main(["audit", "--region", "eu-west-1", "--region", "us-east-1", "--json"]) == 1
    endpoints = json.loads(capsys.readouterr().out)["endpoints"]
    assert len(endpoints) == 16 and set(endpoints[0]) >= {"id", "region", "service", "type", "findings"}
    perimeter = next(e for e in endpoints if e["region"] == "us-east-1" and e["service"] == "s3")
    assert [f["code"] for f in perimeter["findings"] if f["severity"] != "info"] == []


def test_audit_of_a_perimeter_only_vpc_passes(aws_env, policy_file, capsys):
    main(["apply", "--endpoint", aws_env.endpoints[("eu-west-1", "s3")], "--policy", policy_file, "--yes"])
    capsys.readouterr()
    assert main(["audit", "--trusted-account", aws_env.account]) == 1  # the interface endpoints are still open
    out = capsys.readouterr().out
    assert "HIGH" in out and "16" not in out.splitlines()[-1] and out.splitlines()[-1].startswith("8 endpoint(s)")


def test_no_credentials_is_one_line(sandbox, capsys):
    assert main(["audit", "--region", "eu-west-1", "--endpoint-url", sandbox.url]) == 1
    assert one_line_error(capsys) == "error: no AWS credentials found: run `aws configure`, `aws sso login`, or pass --profile"


def test_no_region_is_one_line(capsys, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    assert main(["audit"]) == 1
    assert "no AWS region" in one_line_error(capsys)


def test_unreachable_endpoint_is_one_line(capsys, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setattr("time.sleep", lambda seconds: None)
    assert main(["--region", "eu-west-1", "audit", "--endpoint-url", "http://127.0.0.1:9"]) == 1
    assert "cannot reach the AWS endpoint" in one_line_error(capsys)


def test_backups_when_there_are_none(capsys):
    assert main(["backups"]) == 0
    assert "no backups in" in capsys.readouterr().err


def test_bad_trusted_account_is_an_input_error(aws_env, capsys):
    assert main(["audit", "--trusted-account", "12345"]) == 2
    assert "not 12 digits" in one_line_error(capsys)


@pytest.mark.parametrize("argv", [["audit", "--region", "mars-1"], ["--region", "eu-west-9", "rollback", "--endpoint", "vpce-0123456789abcdef0"]])
def test_a_region_that_does_not_exist_is_an_input_error(aws_env, capsys, argv):
    assert main(argv) == 2
    assert "does not exist" in one_line_error(capsys)


def test_an_unparseable_answer_from_the_endpoint_is_one_line(aws_env, capsys, monkeypatch):
    from botocore.parsers import ResponseParserError

    def broken(*args, **kwargs):
        raise ResponseParserError("Unable to parse response, invalid XML received")

    monkeypatch.setattr("tui.aws.audit.discover", broken)
    assert main(["audit"]) == 1
    assert "failed" in one_line_error(capsys)


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["apply", "--endpoint", "notanid", "--policy", "p.json", "--yes"], "'notanid'"),
        (["rollback", "--endpoint", "vpce-XYZ"], "'vpce-XYZ'"),
        (["audit", "--vpc-id", "vpc-nope"], "'vpc-nope'"),
        (["audit", "--endpoint-url", "notaurl"], "'notaurl'"),
    ],
)
def test_malformed_ids_and_urls_are_input_errors(aws_env, capsys, argv, named):
    assert main(argv) == 2
    error = one_line_error(capsys)
    assert named in error


def test_a_file_that_is_not_utf8_is_one_line(aws_env, capsys, tmp_path):
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe")
    assert main(["apply", "--endpoint", "vpce-0123456789abcdef0", "--policy", str(binary), "--yes"]) == 2
    assert "not UTF-8" in one_line_error(capsys)


def test_text_output_shows_each_outcomes_warnings(aws_env, policy_file, capsys):
    endpoint = aws_env.endpoints[("eu-west-1", "s3")]
    assert main(["apply", "--endpoint", endpoint, "--policy", str(policy_file), "--yes"]) == 0
    assert main(["rollback", "--endpoint", endpoint, "--default", "--yes"]) == 0
    assert "warning: ResetPolicy was ignored" in capsys.readouterr().out


def test_rolling_back_twice_does_not_reapply_what_the_first_rollback_removed(aws_env, policy_file, capsys):
    endpoint = aws_env.endpoints[("eu-west-1", "s3")]
    assert main(["apply", "--endpoint", endpoint, "--policy", str(policy_file), "--yes"]) == 0
    assert main(["rollback", "--endpoint", endpoint, "--yes"]) == 0
    capsys.readouterr()
    assert main(["rollback", "--endpoint", endpoint, "--yes", "--json"]) == 0
    assert [o["status"] for o in json.loads(capsys.readouterr().out)["outcomes"]] == ["unchanged"]


def test_end_of_input_at_the_prompt_is_a_no(aws_env, policy_file, capsys, monkeypatch):
    def end_of_input(prompt):
        raise EOFError

    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", end_of_input)
    assert main(["apply", "--endpoint", aws_env.endpoints[("eu-west-1", "s3")], "--policy", policy_file]) == 1
    assert "nothing changed" in capsys.readouterr().err


def test_audit_apply_and_backups_speak_japanese(aws_env, policy_file, capsys):
    s3 = aws_env.endpoints[("eu-west-1", "s3")]
    assert main(["apply", "--endpoint", s3, "--policy", policy_file, "--yes", "--lang", "ja"]) == 0
    captured = capsys.readouterr()
    assert "接続先: sandbox" in captured.err and "(バックアップ: " in captured.out
    assert main(["audit", "--region", "eu-west-1", "--trusted-account", aws_env.account, "--lang", "ja"]) == 1
    out = capsys.readouterr().out
    assert out.splitlines()[-1].startswith("8 個のエンドポイント: ")
    assert "信頼できる範囲の外のプリンシパルを許可します" in out and "admits principals" not in out
    assert "フルアクセス" in out and "full access" not in out  # the open endpoints' classification
