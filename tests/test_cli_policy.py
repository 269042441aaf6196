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
    ("argv", "named"),
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
    code, _out, err = run(capsys, *argv)
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
    good.write_text(json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*",
        "Condition": {"StringEquals": {"aws:PrincipalAccount": A}}}]}))
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


# --- consistency with the AWS commands: region sources, refusals, help, words ------------------------------------

def test_region_given_before_generate_is_kept(capsys):
    code, out, _ = run(capsys, "--region", "ap-south-1", "generate", "--account", A, "--public-bucket", "al2023", "-q")
    assert code == 0 and "arn:aws:s3:::al2023-repos-ap-south-1-de612dc2/*" in out


@pytest.mark.parametrize("variable", ["AWS_REGION", "AWS_DEFAULT_REGION"])
def test_generate_honours_the_region_variables_like_the_aws_commands(capsys, monkeypatch, variable):
    monkeypatch.setenv(variable, "eu-north-1")
    code, out, _ = run(capsys, "generate", "--account", A, "--public-bucket", "al2023", "-q")
    assert code == 0 and "al2023-repos-eu-north-1-de612dc2" in out
    code, out, _ = run(capsys, "generate", "--account", A, "--public-bucket", "al2023", "--region", "sa-east-1", "-q")
    assert code == 0 and "al2023-repos-sa-east-1-de612dc2" in out and "eu-north-1" not in out


def test_aws_region_wins_over_aws_default_region_and_loses_to_an_answers_file(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("AWS_REGION", "eu-west-3")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-north-1")
    code, out, _ = run(capsys, "generate", "--account", A, "--public-bucket", "al2023", "-q")
    assert code == 0 and "al2023-repos-eu-west-3-" in out
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({"services": ["s3"], "accounts": [A], "region": "ap-northeast-2", "public_buckets": ["al2023"]}))
    code, out, _ = run(capsys, "generate", "--answers", str(answers), "-q")
    assert code == 0 and "al2023-repos-ap-northeast-2-" in out


@pytest.mark.parametrize(("argv", "named"), [
    (["--cases", "c.json", "--action", "s3:GetObject"], "not both"),
    (["--cases", "c.json", "--resource", "*"], "not both"),
    (["--action", "s3:GetObject", "--resource", "my-bucket/key"], "'my-bucket/key' is not an ARN"),
    (["--action", "s3:GetObject", "--resource", "s3://my-bucket/key"], "is not an ARN"),
    (["--action", "s3:GetObject", "--resource", "arn:aws:s3:::b\x1b]2;owned\x07"], "\\x1b"),
])
def test_simulate_refuses_mixed_modes_and_non_arn_resources(capsys, tmp_path, argv, named):
    policy = tmp_path / "p.json"
    run(capsys, "generate", "--account", A, "--region", "eu-west-1", "-q", "-o", str(policy))
    code, out, err = run(capsys, "simulate", str(policy), *argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("error: ") and named in err and "\x1b" not in err


def test_simulate_accepts_star_and_refuses_a_non_arn_in_a_cases_file(capsys, tmp_path):
    policy = tmp_path / "p.json"
    run(capsys, "generate", "--account", A, "--region", "eu-west-1", "-q", "-o", str(policy))
    code, out, _ = run(capsys, "simulate", str(policy), "--action", "sts:GetCallerIdentity", "--resource", "*",
                       "--context", f"aws:PrincipalAccount={A}")
    assert code == 0 and out.startswith("Allow")
    cases = tmp_path / "cases.json"
    cases.write_text(json.dumps([{"action": "s3:GetObject", "resource": "bucket-name"}]))
    code, _, err = run(capsys, "simulate", str(policy), "--cases", str(cases))
    assert code == 2 and "case 0 resource 'bucket-name' is not an ARN" in err


def _actions_without_help(parser, path):
    import argparse

    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _actions_without_help(sub, [*path, name])
        elif not isinstance(action, argparse._HelpAction) and action.help in (None, "", argparse.SUPPRESS):
            yield " ".join(path), action.option_strings or [action.dest]


def test_every_option_of_every_command_has_help_text():
    from tui.cli import build_parser

    parser = build_parser()
    assert len(next(a for a in parser._actions if a.dest == "command").choices) >= 9  # the walk reaches the sub-commands
    assert list(_actions_without_help(parser, ["vpce-wizard"])) == []


def test_user_facing_catalog_text_has_no_internal_words(capsys):
    for argv in (["catalog", "--services"], ["catalog", "--services", "--json"], ["catalog", "--json"], ["catalog"]):
        code, out, _ = run(capsys, *argv)
        assert code == 0 and "seed" not in out.lower() and "TODO" not in out


def test_catalog_json_lists_third_party_buckets_separately(capsys):
    code, out, _ = run(capsys, "catalog", "--region", "us-east-2", "--json")
    data = json.loads(out)
    assert code == 0 and data["region"] == "us-east-2"
    assert [e["id"] for e in data["third_party"]] == ["registry-k8s-io"]
    assert data["third_party"][0]["owner"] == "third-party"
    assert data["third_party"][0]["resources"] == ["arn:aws:s3:::prod-registry-k8s-io-us-east-2/*"]
    assert all(e["owner"] == "aws" for e in data["entries"])
    emr_logs = next(e for e in data["entries"] if e["id"] == "emr-logs")
    assert emr_logs["write"] is True and emr_logs["actions"] == ["s3:PutObject"] and emr_logs["default"] is False
    code, out, _ = run(capsys, "catalog", "--region", "us-east-2")
    assert "Third-party public buckets (not owned by AWS):" in out and "(write: s3:PutObject)" in out


def test_check_sources_offline_reports_each_page_and_exits_0(capsys, monkeypatch):
    import urllib.error
    import urllib.request

    from tui.policy.catalog import load_catalog

    def no_network(request, timeout):
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    code, out, err = run(capsys, "catalog", "--check-sources")
    assert code == 0 and err == ""
    entries = load_catalog().entries
    assert out.count("(checked 20") == len(entries)
    assert out.count("unreachable: could not reach it") == sum(len(e.sources) for e in entries)
    assert "https://github.com/kubernetes/registry.k8s.io/blob/main/cmd/archeio/internal/app/buckets.go" in out


def test_check_sources_reports_a_reachable_page_and_an_http_error():
    import http.server
    import threading

    from tui.commands.policy import probe_source

    class Pages(http.server.BaseHTTPRequestHandler):
        def do_HEAD(self):
            self.send_response(200 if self.path == "/here" else 404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Pages)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        assert probe_source(f"{base}/here") == "reachable (HTTP 200)"
        assert probe_source(f"{base}/gone") == "unreachable: HTTP 404"
    finally:
        server.shutdown()
        server.server_close()


def test_a_reader_that_leaves_early_gets_a_failing_status_and_no_traceback():
    """`vpce-wizard check ... | head` must not turn an unread verdict into a pass under `set -o pipefail`:
    a closed pipe ends the run with 141, as a shell reports SIGPIPE, and nothing on stderr."""
    import subprocess
    import sys

    from tui.cli import PIPE_CLOSED

    process = subprocess.Popen([sys.executable, "-m", "tui", "generate", "--account", "111122223333", "--region", "eu-west-1"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # before the first write: every write fails
    error = process.stderr.read()
    assert process.wait(60) == PIPE_CLOSED
    assert b"Traceback" not in error and b"BrokenPipe" not in error
