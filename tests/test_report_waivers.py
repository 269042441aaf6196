"""`--waivers FILE`: accepted findings leave the exit code but stay visible (text, JSON, SARIF); an expired
waiver suppresses nothing and says so; a malformed waivers file is one error line and exit 2."""

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from tui.cli import main
from tui.policy.errors import InputError
from tui.report.waivers import WaiverState, load_waivers, today

GOLDEN = Path(__file__).parent / "golden" / "report"
OPEN = GOLDEN / "old-version-policy.json"  # valid, with a full-access warning
A = "111122223333"
LATER = (today() + timedelta(days=30)).isoformat()
EARLIER = (today() - timedelta(days=1)).isoformat()


def waivers_file(tmp_path, *waivers) -> str:
    path = tmp_path / "waivers.json"
    path.write_text(json.dumps({"waivers": list(waivers)}))
    return str(path)


def policy_file(tmp_path, doc) -> str:
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(doc, indent=2))
    return str(path)


BROKEN = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3GetObject", "Resource": "*"}]}


def test_a_waived_error_no_longer_fails_validate_but_stays_visible(tmp_path, capsys):
    policy = policy_file(tmp_path, BROKEN)
    waivers = waivers_file(tmp_path, {"code": "bad-action", "file": policy, "reason": "legacy \x1b[31m app", "expires": LATER})
    assert main(["validate", policy]) == 1
    capsys.readouterr()
    assert main(["validate", policy, "--waivers", waivers]) == 0
    out = capsys.readouterr().out
    assert f"        waived until {LATER}: legacy \\x1b[31m app" in out.splitlines()
    assert out.splitlines()[-1].endswith("1 finding(s), 1 waived") and out.splitlines()[-1].startswith("invalid:")
    assert main(["validate", policy, "--waivers", waivers, "--json"]) == 0
    finding = json.loads(capsys.readouterr().out)["findings"][0]
    assert finding["suppressed"] == {"reason": "legacy \x1b[31m app", "expires": LATER}
    assert main(["validate", policy, "--waivers", waivers, "--format", "sarif"]) == 0
    result = json.loads(capsys.readouterr().out)["runs"][0]["results"][0]
    assert result["suppressions"] == [{"kind": "external", "status": "accepted", "justification": "legacy \x1b[31m app",
                                       "properties": {"expires": LATER}}]


def test_an_expired_waiver_fails_again_and_says_it_expired(tmp_path, capsys):
    policy = policy_file(tmp_path, BROKEN)
    waivers = waivers_file(tmp_path, {"code": "bad-action", "file": policy, "reason": "legacy", "expires": EARLIER})
    assert main(["validate", policy, "--waivers", waivers]) == 1
    assert f"        waiver expired on {EARLIER}: legacy" in capsys.readouterr().out.splitlines()
    assert main(["validate", policy, "--waivers", waivers, "--json"]) == 1
    finding = json.loads(capsys.readouterr().out)["findings"][0]
    assert "suppressed" not in finding and finding["waiver_expired"]["expires"] == EARLIER
    assert main(["validate", policy, "--waivers", waivers, "--format", "sarif"]) == 1
    result = json.loads(capsys.readouterr().out)["runs"][0]["results"][0]
    assert "suppressions" not in result and result["properties"]["waiverExpired"]["expires"] == EARLIER


def test_a_waiver_expires_after_its_date_not_on_it(tmp_path):
    path = waivers_file(tmp_path, {"code": "x", "endpoint": "vpce-0123456789abcdef0", "reason": "r", "expires": "2030-01-31"})
    endpoint = "vpce-0123456789abcdef0"
    assert load_waivers(path, on=date(2030, 1, 31)).applied("x", endpoint=endpoint).state is WaiverState.WAIVED
    assert load_waivers(path, on=date(2030, 2, 1)).applied("x", endpoint=endpoint).state is WaiverState.EXPIRED
    assert load_waivers(path, on=date(2030, 1, 1)).applied("x", file=endpoint) is None  # an endpoint waiver is no file waiver


def test_a_waiver_for_another_file_code_or_endpoint_does_not_match(tmp_path, capsys):
    policy = policy_file(tmp_path, BROKEN)
    waivers = waivers_file(
        tmp_path,
        {"code": "bad-action", "file": str(tmp_path / "other.json"), "reason": "r", "expires": LATER},
        {"code": "bad-resource", "file": policy, "reason": "r", "expires": LATER},
        {"code": "bad-action", "endpoint": "vpce-0123456789abcdef0", "reason": "r", "expires": LATER},
    )
    assert main(["validate", policy, "--waivers", waivers]) == 1
    assert "waived" not in capsys.readouterr().out


def test_a_relative_waiver_path_matches_the_same_file(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    policy_file(tmp_path, BROKEN)
    waivers = waivers_file(tmp_path, {"code": "bad-action", "file": "./policy.json", "reason": "r", "expires": LATER})
    assert main(["validate", str(tmp_path / "policy.json"), "--waivers", waivers]) == 0


def test_check_waives_a_high_finding_of_a_file(tmp_path, capsys):
    doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}
    policy = policy_file(tmp_path, doc)
    argv = ["check", policy, "--region", "eu-west-1", "--trusted-account", A]
    assert main(argv) == 1
    highs = {line.split()[1].rstrip(":") for line in capsys.readouterr().out.splitlines() if line.strip().startswith("HIGH")}
    waivers = waivers_file(tmp_path, *({"code": code, "file": policy, "reason": "sandbox", "expires": LATER} for code in highs))
    assert main([*argv, "--waivers", waivers]) == 0
    assert "waived until" in capsys.readouterr().out
    assert main([*argv, "--waivers", waivers, "--json"]) == 0
    verdict = json.loads(capsys.readouterr().out)
    assert all("suppressed" in f for f in verdict["findings"] if f["severity"] == "high")


def test_audit_waives_one_endpoint_only(aws_env, tmp_path, capsys):
    s3 = aws_env.endpoints[("eu-west-1", "s3")]
    waivers = waivers_file(tmp_path, {"code": "foreign-principals", "endpoint": s3, "reason": "migrating", "expires": LATER})
    assert main(["audit", "--region", "eu-west-1", "--waivers", waivers, "--json"]) == 1  # the other endpoints are open
    endpoints = json.loads(capsys.readouterr().out)["endpoints"]
    waived = [(e["id"], f["code"]) for e in endpoints for f in e["findings"] if "suppressed" in f]
    assert waived == [(s3, "foreign-principals")]


@pytest.mark.parametrize(("content", "named"), [
    ('{"waivers": [{"code": "x", "reason": "r", "expires": "2030-01-01"}]}', 'exactly one of "file"'),
    ('{"waivers": [{"code": "x", "file": "p", "endpoint": "vpce-0123456789abcdef0", "reason": "r", "expires": "2030-01-01"}]}',
     'exactly one of "file"'),
    ('{"waivers": [{"code": "x", "file": "p", "reason": "r", "expires": "2030-02-30"}]}', "is not a date"),
    ('{"waivers": [{"code": "x", "file": "p", "reason": "r", "expires": "soon"}]}', "waivers[0].expires"),
    ('{"waivers": [{"code": "x", "file": "p", "reason": "", "expires": "2030-01-01"}]}', "waivers[0].reason"),
    ('{"waivers": [{"code": "x", "file": "p", "reason": "r", "expires": "2030-01-01", "by": "me"}]}', "'by' not allowed here (allowed: code, file, endpoint, reason, expires)"),
    ('{"waivers": {}}', "waivers"),
    ('[]', "the document"),
    ('{"waivers": [], "waivers": []}', "appears more than once"),
    ('{"waivers": [', "not valid JSON"),
    ('{"waivers": [[[[[[]]]]]]}', "nests deeper"),
])
def test_a_malformed_waivers_file_is_one_line_and_exit_2(tmp_path, capsys, content, named):
    path = tmp_path / "waivers.json"
    path.write_text(content)
    assert main(["validate", str(OPEN), "--waivers", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "Traceback" not in captured.err
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and named in lines[0], lines


def test_a_missing_waivers_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="cannot read waivers file"):
        load_waivers(str(tmp_path / "none.json"))


def test_the_wizard_text_shows_a_waived_finding_dimmed_with_its_waiver(tmp_path):
    from tui.policy.validator import validate
    from tui.report.results import validation_items
    from tui.report.rich_text import findings_text

    policy = policy_file(tmp_path, BROKEN)
    waivers = load_waivers(waivers_file(tmp_path, {"code": "bad-action", "file": policy, "reason": "[b]legacy[/b]", "expires": LATER}))
    text = findings_text(validation_items(validate(BROKEN), policy, None, waivers))
    assert text.plain.splitlines()[1] == f"        waived until {LATER}: [b]legacy[/b]"  # markup stays text
    assert all(span.style == "dim italic" for span in text.spans)


def test_the_documented_waivers_file_is_a_waivers_file(tmp_path):
    import re

    docs = (Path(__file__).parent.parent / "docs" / "cli.md").read_text()
    example = re.search(r"\*\*Waivers\*\*.*?```json\n(.*?)```", docs, re.DOTALL).group(1)
    path = tmp_path / "waivers.json"
    path.write_text(example)
    waivers = load_waivers(str(path), on=date(2026, 1, 1))
    assert [w.code for w in waivers.items] == ["wildcard-bucket", "foreign-principals"]
    assert waivers.applied("foreign-principals", endpoint="vpce-0123456789abcdef0").state is WaiverState.WAIVED


def test_a_policy_file_named_like_an_endpoint_still_matches_by_path(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "vpce-policy.json").write_text(json.dumps(BROKEN))
    waivers = waivers_file(tmp_path, {"code": "bad-action", "file": "vpce-policy.json", "reason": "r", "expires": LATER})
    assert main(["validate", "./vpce-policy.json", "--waivers", waivers]) == 0
