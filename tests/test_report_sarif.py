"""`--format sarif`: documents valid against the vendored SARIF 2.1.0 schema, rule ids = finding codes, levels
from severities, physical locations on the statement's line for files and logical ones for endpoints."""

import json
from functools import cache
from pathlib import Path

import pytest
from jsonschema import Draft4Validator

from tui.cli import main
from tui.report.locations import line_of, path_lines, statement_path
from tui.report.messages import VALIDATOR_MESSAGES, message

HERE = Path(__file__).parent
GOLDEN = HERE / "golden" / "report"
A = "111122223333"


@cache
def sarif_validator() -> Draft4Validator:
    schema = json.loads((HERE / "sarif" / "sarif-schema-2.1.0.json").read_text())
    Draft4Validator.check_schema(schema)
    return Draft4Validator(schema)


def sarif(capsys, *argv) -> tuple[int, dict]:
    code = main([*argv, "--format", "sarif"])
    log = json.loads(capsys.readouterr().out)
    errors = sorted(sarif_validator().iter_errors(log), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]
    return code, log


def test_the_schema_rejects_what_it_should():
    """The vendored schema is really enforced: a result without a message, or a bad level, fails."""
    bad = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"ruleId": "r", "level": "fatal"}]}]}
    assert list(sarif_validator().iter_errors(bad))


def test_validate_sarif_puts_each_finding_on_its_line(capsys):
    path = GOLDEN / "broken-policy.json"
    code, log = sarif(capsys, "validate", str(path))
    assert code == 1
    run = log["runs"][0]
    results = run["results"]
    text_lines = path.read_text().splitlines()
    rule_ids = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    assert rule_ids == sorted(set(rule_ids)) and {r["ruleId"] for r in results} == set(rule_ids)
    assert all(rule_ids[r["ruleIndex"]] == r["ruleId"] for r in results)
    by_code = {r["ruleId"]: r for r in results}
    assert by_code["bad-action"]["level"] == "error" and by_code["wildcard-bucket"]["level"] == "warning"
    action = by_code["bad-action"]["locations"][0]["physicalLocation"]
    assert action["artifactLocation"]["uri"].endswith("tests/golden/report/broken-policy.json")
    assert '"s3GetObject"' in text_lines[action["region"]["startLine"] - 1]
    sid = by_code["duplicate-sid"]["locations"][0]["physicalLocation"]["region"]["startLine"]
    assert text_lines[sid - 1].strip() == '"Sid": "Same",' and sid > 5  # the second statement's Sid, not the first
    missing_version = by_code["missing-version"]["locations"][0]["physicalLocation"]["region"]["startLine"]
    assert missing_version == 1
    assert by_code["wildcard-bucket"]["properties"]["params"] == {"resource": "arn:aws:s3:::amazonlinux-*/*"}
    assert by_code["bad-action"]["message"]["text"] == "'s3GetObject' is not service:ActionName (letters, digits, hyphens, * and ?) or \"*\""


def test_a_relative_path_stays_relative(capsys, monkeypatch):
    monkeypatch.chdir(HERE)
    _, log = sarif(capsys, "validate", "golden/report/old-version-policy.json")
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]}
    assert uris == {"golden/report/old-version-policy.json"}


def test_check_sarif_points_at_the_statement_that_admits_the_witness(capsys, tmp_path):
    doc = {"Version": "2012-10-17", "Statement": [
        {"Sid": "Trusted", "Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*",
         "Condition": {"StringEquals": {"aws:PrincipalAccount": A}}},
        {"Sid": "Open", "Effect": "Allow", "Principal": "*", "Action": "s3:PutObject", "Resource": "*"},
    ]}
    path = tmp_path / "p.json"
    path.write_text(json.dumps(doc, indent=2))
    code, log = sarif(capsys, "check", str(path), "--region", "eu-west-1", "--trusted-account", A)
    assert code == 1
    foreign = next(r for r in log["runs"][0]["results"] if r["ruleId"] == "foreign-principals")
    assert foreign["level"] == "error" and foreign["properties"]["severity"] == "high"
    line = foreign["locations"][0]["physicalLocation"]["region"]["startLine"]
    assert path.read_text().splitlines()[line - 1].strip() == "{"
    assert '"Sid": "Open"' in path.read_text().splitlines()[line]
    assert foreign["properties"]["witness"]["action"] == "s3:PutObject"


def test_audit_sarif_has_logical_locations_only(aws_env, capsys):
    code, log = sarif(capsys, "audit", "--region", "eu-west-1")
    assert code == 1
    results = log["runs"][0]["results"]
    s3 = aws_env.endpoints[("eu-west-1", "s3")]
    mine = [r for r in results if r["locations"][0]["logicalLocations"][0]["name"] == s3]
    assert {r["ruleId"] for r in mine} >= {"foreign-principals"}
    assert all("physicalLocation" not in r["locations"][0] for r in results)
    assert mine[0]["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == f"{aws_env.account}/eu-west-1/{s3}"


def test_stdin_has_no_physical_location(capsys, monkeypatch):
    import io

    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO((GOLDEN / "old-version-policy.json").read_bytes())))
    _, log = sarif(capsys, "validate", "-")
    assert all("physicalLocation" not in r["locations"][0] for r in log["runs"][0]["results"])


def test_json_and_format_sarif_disagree(capsys):
    assert main(["validate", str(GOLDEN / "old-version-policy.json"), "--json", "--format", "sarif"]) == 2
    assert capsys.readouterr().err.startswith("error: --json and --format sarif disagree")


def test_format_json_is_the_json_alias(capsys):
    assert main(["validate", str(GOLDEN / "broken-policy.json"), "--format", "json"]) == 1
    assert capsys.readouterr().out == (GOLDEN / "validate-broken.json").read_text()


# --- the pieces -------------------------------------------------------------------------------------------


def test_path_lines_follow_nesting_arrays_and_escaped_keys():
    text = '{\n "Statement": [\n  {"Effect": "Allow"},\n  {\n   "Condition": {"StringEquals": {"a\\"b": ["x",\n "y"]}}\n  }\n ]\n}'
    lines = path_lines(text)
    assert lines["Statement[0]"] == 3 and lines["Statement[0].Effect"] == 3 and lines["Statement[1]"] == 4
    assert lines['Statement[1].Condition.StringEquals.a"b[1]'] == 6
    assert line_of(lines, "Statement[1].Condition.Missing[3]") == 5
    assert line_of(lines, "") == 1 and line_of({}, "Statement[9]") == 1


def test_statement_path_reads_sids_and_labels():
    doc = {"Statement": [{"Sid": "A"}, {"Sid": "B"}]}
    assert statement_path(doc, "B") == "Statement[1]" and statement_path(doc, "Statement[0]") == "Statement[0]"
    assert statement_path({"Statement": {"Sid": "A"}}, "A") == "Statement" and statement_path(doc, "C") == ""


def test_every_template_formats_with_its_own_fields():
    import string

    for code, template in VALIDATOR_MESSAGES.items():
        fields = {name for _, name, _, _ in string.Formatter().parse(template) if name}
        params = {name: 1234 if name in ("size", "limit", "min_literals") else "v" for name in fields}
        base, _, variant = code.partition(" (")
        text = message(base, params | ({"variant": variant.rstrip(")")} if variant else {}))
        assert text and not any(f"{{{name}" in text for name in fields), code


@pytest.mark.parametrize("hostile", ["\x1b]2;owned\x07", "\u202eevil"])
def test_hostile_values_are_escaped_in_text_and_kept_exact_in_sarif(capsys, tmp_path, hostile):
    """Text output shows the escape; SARIF (JSON, ASCII-escaped) keeps the exact value in the parameters."""
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": f"s3{hostile}", "Resource": "*"}]}))
    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr().out
    assert hostile not in out and ("\\x1b]2;owned\\x07" in out or "\\u202eevil" in out)
    _, log = sarif(capsys, "validate", str(path))
    bad_action = next(r for r in log["runs"][0]["results"] if r["ruleId"] == "bad-action")
    assert bad_action["properties"]["params"]["value"] == f"s3{hostile}"
