"""The headless CLI contract: outputs, exit codes, and one-line errors with no traceback."""

import json
import stat

import pytest

from tui.cli import main

A = "111122223333"


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_generate_simplest_is_the_seed_policy(capsys):
    code, out, err = run(capsys, "generate", "--account", A, "--region", "us-east-1", "--format", "json-min")
    assert code == 0
    assert out.strip() == '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalAccount":"111122223333"}}}]}'
    assert "20,480" in err and "as intended" in err


def test_generate_several_services_keys_by_service_and_writes_private_file(capsys, tmp_path):
    target = tmp_path / "policies.json"
    code, out, _ = run(capsys, "generate", "--service", "s3", "--service", "logs", "--account", A,
                       "--public-bucket", "al2023", "--region", "eu-west-1", "-o", str(target))
    assert code == 0 and out == ""
    data = json.loads(target.read_text())
    assert set(data) == {"s3", "logs"}
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_generate_from_answers_file_with_flag_override(capsys, tmp_path):
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({"services": ["s3"], "accounts": [A], "region": "eu-west-1", "public_buckets": ["al2"]}))
    code, out, _ = run(capsys, "generate", "--answers", str(answers), "--region", "us-west-2", "-q")
    assert code == 0
    assert "amazonlinux-2-repos-us-west-2" in out


@pytest.mark.parametrize(
    "argv, named",
    [
        (["generate", "--account", "12345", "--region", "us-east-1"], "'12345'"),
        (["generate", "--account", A, "--region", "mars-1"], "'mars-1'"),
        (["generate", "--account", A, "--region", "us-east-1", "--service", "nosuch"], "'nosuch'"),
        (["generate", "--account", A, "--region", "us-east-1", "--public-bucket", "al9"], "'al9'"),
        (["generate", "--account", A, "--region", "us-east-1", "--bucket-arn", "arn:aws:s3:::al2023-*/*"], "al2023-*"),
        (["generate", "--account", A, "--region", "us-east-1", "--org-id", "org-1"], "'org-1'"),
        (["generate", "--account", A], "--region"),
        (["validate", "/nonexistent/policy.json"], "/nonexistent/policy.json"),
    ],
)
def test_bad_input_is_one_line_exit_2(capsys, argv, named):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("error: ") and named in err
    assert "Traceback" not in err


def test_generate_refuses_oversize_policy_naming_limit(capsys):
    argv = ["generate", "--region", "us-east-1"]
    for n in range(1, 1400):
        argv += ["--account", f"{n:012d}"]
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert "20,480" in err and "--org-id" in err


def test_validate_exit_codes(capsys, tmp_path):
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalAccount": A}}}]}))
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
    broken = tmp_path / "broken.json"
    broken.write_text('{"Version": ')
    assert run(capsys, "validate", str(good))[0] == 0
    code, out, _ = run(capsys, "validate", str(bad), "--json")
    assert code == 1
    report = json.loads(out)
    assert report["valid"] is False and any(f["severity"] == "error" for f in report["findings"])
    code, _, err = run(capsys, "validate", str(broken))
    assert code == 2 and "not valid JSON" in err


def test_simulate_single_request_and_cases(capsys, tmp_path):
    policy = tmp_path / "p.json"
    run(capsys, "generate", "--account", A, "--public-bucket", "al2023", "--region", "eu-west-1", "-q", "-o", str(policy))
    code, out, _ = run(capsys, "simulate", str(policy), "--action", "s3:PutObject", "--resource", "arn:aws:s3:::exfil/x",
                       "--context", "aws:PrincipalAccount=444455556666", "--json")
    assert code == 0 and json.loads(out)["results"][0]["decision"] == "ImplicitDeny"
    cases = tmp_path / "cases.json"
    cases.write_text(json.dumps([
        {"action": "s3:GetObject", "resource": "arn:aws:s3:::al2023-repos-eu-west-1-de612dc2/core/x.rpm",
         "context": {"aws:PrincipalAccount": "anonymous"}, "expect": "Allow"},
        {"action": "s3:PutObject", "resource": "arn:aws:s3:::mine/x", "context": {"aws:PrincipalAccount": A}, "expect": "Allow"},
        {"action": "s3:PutObject", "resource": "arn:aws:s3:::theirs/x", "context": {"aws:PrincipalAccount": "444455556666"}, "expect": "Deny"},
    ]))
    code, out, _ = run(capsys, "simulate", str(policy), "--cases", str(cases), "--json")
    results = json.loads(out)["results"]
    assert code == 0 and [r["decision"] for r in results] == ["Allow", "Allow", "ImplicitDeny"]
    cases.write_text(json.dumps([{"action": "s3:PutObject", "resource": "arn:aws:s3:::t/x", "context": {"aws:PrincipalAccount": "444455556666"}, "expect": "Allow"}]))
    assert run(capsys, "simulate", str(policy), "--cases", str(cases))[0] == 1


def test_catalog_lists_region_expanded_buckets(capsys):
    code, out, _ = run(capsys, "catalog", "--region", "ap-northeast-1", "--json")
    entries = {e["id"]: e for e in json.loads(out)["entries"]}
    assert code == 0 and "arn:aws:s3:::al2023-repos-ap-northeast-1-de612dc2/*" in entries["al2023"]["resources"]
    code, out, _ = run(capsys, "catalog", "--services")
    assert code == 0 and "email-smtp" in out and "no policy" in out


def test_flags_replace_bad_values_of_an_answers_file(capsys, tmp_path):
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({"accounts": ["12"], "region": "mars-1"}))
    code, out, _ = run(capsys, "generate", "--answers", str(answers), "--account", A, "--region", "eu-west-1", "-q")
    assert code == 0 and A in out


def test_non_utf8_and_bad_case_files_are_one_line(capsys, tmp_path):
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe")
    code, _, err = run(capsys, "validate", str(binary))
    assert code == 2 and "not UTF-8" in err and err.count("\n") == 1
    policy = tmp_path / "p.json"
    run(capsys, "generate", "--account", A, "--region", "eu-west-1", "-q", "-o", str(policy))
    cases = tmp_path / "cases.json"
    cases.write_text(json.dumps([{"action": "s3:GetObject", "resource": "arn:aws:s3:::b/k", "context": {"aws:PrincipalAccount": [1, 2]}}]))
    code, _, err = run(capsys, "simulate", str(policy), "--cases", str(cases))
    assert code == 2 and "context" in err


def test_unverified_partitions_are_said_in_catalog_and_generate(capsys):
    code, out, _ = run(capsys, "catalog", "--region", "cn-north-1")
    assert code == 0 and "names verified only in aws" in out
    code, _, err = run(capsys, "generate", "--account", A, "--region", "cn-north-1", "--public-bucket", "al2023")
    assert code == 0 and "not verified" in err
