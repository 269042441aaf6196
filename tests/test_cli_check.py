"""`vpce-wizard check`: the analyser offline, with audit's JSON shape, exit codes, and witnesses that replay."""

import json

from tui.cli import main

A = "111122223333"
OPEN = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*",
                                                 "Condition": {"Bool": {"aws:SecureTransport": "true"}}}]}
SEED = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*",
                                                 "Condition": {"StringEquals": {"aws:PrincipalAccount": A}}}]}


def check(tmp_path, capsys, doc, *extra) -> tuple[int, dict]:
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(doc) if not isinstance(doc, str) else doc)
    code = main(["check", str(path), "--region", "eu-west-1", "--trusted-account", A, "--json", *extra])
    return code, json.loads(capsys.readouterr().out) if code != 2 else {}


def test_an_open_policy_is_high_with_a_witness_that_replays(tmp_path, capsys):
    code, verdict = check(tmp_path, capsys, OPEN)
    assert code == 1 and verdict["classification"] == "trusts outside the given accounts"
    finding = next(f for f in verdict["findings"] if f["code"] == "foreign-principals")
    cases = tmp_path / "cases.json"
    cases.write_text(json.dumps([{**finding["witness"], "expect": "Allow"}]))
    assert main(["simulate", str(tmp_path / "policy.json"), "--cases", str(cases)]) == 0
    assert finding["witness"]["context"]["aws:PrincipalAccount"] != A


def test_the_seed_policy_is_an_identity_perimeter(tmp_path, capsys):
    code, verdict = check(tmp_path, capsys, SEED)
    assert code == 0 and verdict["classification"] == "identity perimeter"
    assert {f["code"] for f in verdict["findings"] if f["severity"] == "high"} == set()


def test_the_caller_is_locked_out_by_a_tls_deny(tmp_path, capsys):
    deny = {"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "true"}}}
    doc = {**SEED, "Statement": [*SEED["Statement"], deny]}
    code, verdict = check(tmp_path, capsys, doc, "--caller-arn", f"arn:aws:sts::{A}:assumed-role/Admin/me")
    lock = next(f for f in verdict["findings"] if f["code"] == "lock-out")
    assert code == 1 and lock["witness"]["context"]["aws:SecureTransport"] == "true" and "Statement[1]" in lock["message"]


def test_grammar_errors_are_findings_and_non_policies_exit_2(tmp_path, capsys):
    not_principal = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "NotPrincipal": {"AWS": A}, "Action": "*", "Resource": "*"}]}
    code, verdict = check(tmp_path, capsys, not_principal)
    assert code == 1 and "invalid-policy" in {f["code"] for f in verdict["findings"]}
    assert check(tmp_path, capsys, {"Version": "2012-10-17"})[0] == 2
    assert check(tmp_path, capsys, "[1, 2]")[0] == 2


def test_duplicate_keys_are_an_ambiguous_document(tmp_path, capsys):
    text = '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*","Effect":"Allow"}]}'
    code, verdict = check(tmp_path, capsys, text)
    assert code == 1 and verdict["findings"][0]["code"] == "ambiguous-document"
