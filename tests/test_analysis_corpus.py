"""Acceptance corpus of the symbolic analyser: each policy with the verdict a careful engineer would give.

`tests/analysis_corpus/index.json` maps each policy file (or `builder:NAME`, a policy `generate` builds from
the given answers) to its setting and expectation: `verdict` (open / perimeter / lock-out), `codes` (the
exact set of non-info finding codes), `info` (info codes that must be present), `absent` (codes that must
not be), `why`, and `xfail` where the analyser is known to fall short. Every witness of every finding is
replayed through `vpce-wizard simulate --cases` in-process.
"""

import json
from pathlib import Path

import pytest

from tui.cli import main
from tui.policy import verdict_cache
from tui.policy.analysis import Analysis, Caller, Classification, Setting, Severity, Trust, analyse
from tui.policy.answers import Answers
from tui.policy.builder import build_policy

CORPUS = Path(__file__).parent / "analysis_corpus"
INDEX: dict[str, dict] = json.loads((CORPUS / "index.json").read_text())
DENIED_WITNESSES = {"lock-out", "aws-owned-buckets-blocked"}
"""Findings whose witness is a refused request; every other witness is an allowed one."""
OPEN = {Classification.FULL_ACCESS, Classification.TRUSTS_OUTSIDE}
PERIMETER = {Classification.IDENTITY_PERIMETER, Classification.IDENTITY_RESOURCE_PERIMETER}


def verdict(analysis: Analysis) -> str:
    """open > lock-out > perimeter, as an engineer reads the analysis; anything else is named as is."""
    high = {f.code for f in analysis.findings if f.severity is Severity.HIGH}
    if analysis.classification in OPEN or any(code.startswith("foreign-") for code in high):
        return "open"
    if "lock-out" in high:
        return "lock-out"
    if analysis.classification in PERIMETER and not high:
        return "perimeter"
    return str(analysis.classification)


def setting_of(entry: dict) -> Setting:
    caller = Caller.from_arn(entry["caller"]) if entry.get("caller") else None
    return Setting(entry["service"], entry["region"], Trust(tuple(entry["accounts"]), tuple(entry["orgs"])),
                   entry.get("endpoint_type", ""), entry.get("vpc_id"), entry.get("endpoint_id"), caller,
                   entry.get("resource_perimeter"))


def policy_file(name: str, entry: dict, tmp_path: Path) -> Path:
    """The corpus file, or the builder's policy for the entry's answers written to a temporary file."""
    if not name.startswith("builder:"):
        return CORPUS / name
    answers = Answers(**{k: tuple(v) if isinstance(v, list) else v for k, v in entry["answers"].items()}, region=entry["region"])
    path = tmp_path / "built.json"
    path.write_text(json.dumps(build_policy(answers.checked(), entry["service"])))
    return path


def replay(path: Path, cases: list[dict], tmp_path: Path, capsys) -> list[dict]:
    """`vpce-wizard simulate PATH --cases CASES --json`, run in-process; the results it prints."""
    cases_path = tmp_path / "cases.json"
    cases_path.write_text(json.dumps(cases))
    capsys.readouterr()
    code = main(["simulate", str(path), "--cases", str(cases_path), "--json"])
    captured = capsys.readouterr()
    assert captured.out, captured.err
    results = json.loads(captured.out)["results"]
    assert code == (0 if all(r["met"] for r in results) else 1), captured.err
    return results


def _param(name: str, entry: dict):
    marks = [pytest.mark.xfail(reason=entry["xfail"], strict=False)] if entry.get("xfail") else []
    return pytest.param(name, id=name.removesuffix(".json"), marks=marks)


def test_corpus_is_big_and_every_file_is_indexed():
    files = {path.name for path in CORPUS.glob("*.json")} - {"index.json"}
    assert files == {name for name in INDEX if not name.startswith("builder:")}
    assert len(INDEX) >= 40
    assert {entry["verdict"] for entry in INDEX.values()} == {"open", "perimeter", "lock-out"}


@pytest.mark.parametrize("name", [_param(name, entry) for name, entry in INDEX.items()])
def test_verdict_codes_and_witness_replays(name, tmp_path, capsys):
    entry = INDEX[name]
    path = policy_file(name, entry, tmp_path)
    analysis = analyse(json.loads(path.read_text()), setting_of(entry))
    codes = {f.code for f in analysis.findings if f.severity is not Severity.INFO}
    info = {f.code for f in analysis.findings if f.severity is Severity.INFO}
    summary = [(str(f.severity), f.code, f.message) for f in analysis.findings]
    assert verdict(analysis) == entry["verdict"], summary
    assert codes == set(entry["codes"]), summary
    assert set(entry.get("info", ())) <= info, summary
    assert not set(entry.get("absent", ())) & (codes | info), summary
    assert verdict_cache.from_entry(json.loads(json.dumps(verdict_cache.to_entry(analysis)))) == analysis  # kept on disk intact

    proofless = [f.code for f in analysis.findings if f.witness is None and f.severity is not Severity.INFO and f.code != "unproven"]
    assert not proofless, summary
    witnessed = [f for f in analysis.findings if f.witness is not None]
    cases = [f.witness.case() for f in witnessed]
    for finding, case in zip(witnessed, cases, strict=True):
        assert case["expect"] == ("Deny" if finding.code in DENIED_WITNESSES else "Allow"), (finding.code, case)
    if cases:
        results = replay(path, cases, tmp_path, capsys)
        assert [r["met"] for r in results] == [True] * len(cases), results
