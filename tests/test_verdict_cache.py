"""Verdicts kept on disk between runs (tui/policy/verdict_cache.py): a new process reads them instead of
proving again, only for exactly the same document, setting and analyser, and a hostile entry is a miss."""

import json
import os
from dataclasses import replace

import pytest

from tui.policy import analysis, verdict_cache
from tui.policy.analysis import FULL_ACCESS_POLICY, Setting, Trust, analyse

SETTING = Setting("logs", "eu-west-1", Trust(("111122223333",)), "Interface")


def new_process() -> None:
    """What a fresh process has: no verdict in memory."""
    analysis._analyse_cached.cache_clear()


@pytest.fixture
def proofs(monkeypatch):
    """Counts the proofs run (the solver), so a test can tell a read from the disk from a new proof."""
    made = []
    prove = analysis._prove

    def counting(text, setting):
        made.append(setting)
        return prove(text, setting)

    monkeypatch.setattr(analysis, "_prove", counting)
    new_process()
    yield made
    new_process()


def entries() -> list:
    return sorted(verdict_cache.folder().glob("*.json"))


def test_a_new_process_reads_the_verdict_instead_of_proving_it_again(proofs):
    first = analyse(FULL_ACCESS_POLICY, SETTING)
    new_process()
    again = analyse(FULL_ACCESS_POLICY, SETTING)
    assert again == first and len(proofs) == 1
    assert {f.code for f in again.findings} >= {"foreign-principals", "template-exception"}
    assert any(f.witness for f in again.findings)


def test_entries_are_private(proofs):
    analyse(FULL_ACCESS_POLICY, SETTING)
    [entry] = entries()
    assert entry.stat().st_mode & 0o777 == 0o600
    assert verdict_cache.folder().stat().st_mode & 0o777 == 0o700
    assert verdict_cache.folder().parent.stat().st_mode & 0o777 == 0o700


@pytest.mark.parametrize("changed", [
    replace(SETTING, trust=Trust(("111122223333", "444455556666"))),
    replace(SETTING, region="us-east-1"),
    replace(SETTING, service="ssm"),
    replace(SETTING, resource_perimeter=True),
])
def test_a_different_setting_is_proven_anew(proofs, changed):
    analyse(FULL_ACCESS_POLICY, SETTING)
    new_process()
    analyse(FULL_ACCESS_POLICY, changed)
    assert proofs == [SETTING, changed] and len(entries()) == 2


def test_a_changed_document_or_analyser_is_proven_anew(proofs, monkeypatch):
    analyse(FULL_ACCESS_POLICY, SETTING)
    new_process()
    analyse({**FULL_ACCESS_POLICY, "Version": "2012-10-17"}, SETTING)
    assert len(proofs) == 2
    new_process()
    monkeypatch.setattr(verdict_cache, "analyser_fingerprint", lambda: "a newer release")
    analyse(FULL_ACCESS_POLICY, SETTING)
    assert len(proofs) == 3


HOSTILE_ENTRIES = {
    "not json": b"{\"classification\": ",
    "not an object": b"[1, 2]",
    "unknown classification": json.dumps({"classification": "all good", "findings": []}).encode(),
    "unknown severity": json.dumps({"classification": "full access", "findings": [
        {"severity": "fine", "code": "x", "params": {}, "witness": None}]}).encode(),
    "params of the wrong type": json.dumps({"classification": "full access", "findings": [
        {"severity": "high", "code": "x", "params": {"who": {"nested": []}}, "witness": None}]}).encode(),
    "witness of the wrong type": json.dumps({"classification": "full access", "findings": [
        {"severity": "high", "code": "x", "params": {}, "witness": {"action": 1, "resource": "r", "decision": "Allow", "context": []}}]}).encode(),
    "unknown finding code": json.dumps({"classification": "full access", "findings": [
        {"severity": "high", "code": "all-clear", "params": {}, "witness": None}]}).encode(),
    "a parameter its sentence needs is missing": json.dumps({"classification": "full access", "findings": [
        {"severity": "high", "code": "foreign-principals", "params": {}, "witness": None}]}).encode(),
    "huge": b"{" + b" " * (verdict_cache.MAX_ENTRY_BYTES + 10) + b"}",
    "not utf-8": b"\xff\xfe{}",
}


@pytest.mark.parametrize("content", HOSTILE_ENTRIES.values(), ids=HOSTILE_ENTRIES.keys())
def test_an_entry_this_tool_did_not_write_is_a_miss_and_the_verdict_is_proven(proofs, content):
    truth = analyse(FULL_ACCESS_POLICY, SETTING)
    [entry] = entries()
    entry.write_bytes(content)
    new_process()
    assert analyse(FULL_ACCESS_POLICY, SETTING) == truth
    assert len(proofs) == 2
    assert verdict_cache.from_entry(json.loads(entry.read_text())) == truth  # rewritten with the proof


def test_switched_off_nothing_is_kept(proofs, monkeypatch):
    monkeypatch.setenv(verdict_cache.SWITCH, "off")
    analyse(FULL_ACCESS_POLICY, SETTING)
    new_process()
    analyse(FULL_ACCESS_POLICY, SETTING)
    assert len(proofs) == 2 and not verdict_cache.folder().exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through a read-only folder's mode")
def test_a_cache_that_cannot_be_written_costs_speed_not_the_verdict(proofs, tmp_path, monkeypatch):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    monkeypatch.setenv("XDG_CACHE_HOME", str(locked))
    assert analyse(FULL_ACCESS_POLICY, SETTING).classification == "full access"


def test_a_cache_path_that_is_a_file_costs_speed_not_the_verdict(proofs, tmp_path, monkeypatch):
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache folder would be")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    assert analyse(FULL_ACCESS_POLICY, SETTING).classification == "full access"
    new_process()
    assert analyse(FULL_ACCESS_POLICY, SETTING).classification == "full access" and len(proofs) == 2


def test_pruning_keeps_the_folder_bounded(proofs, monkeypatch):
    monkeypatch.setattr(verdict_cache, "MAX_ENTRIES", 4)
    for index in range(6):
        analyse({**FULL_ACCESS_POLICY, "Statement": [{**FULL_ACCESS_POLICY["Statement"][0], "Sid": f"s{index}"}]}, SETTING)
    assert len(entries()) <= 4


@pytest.mark.parametrize("opened", ["entry", "folder"])
def test_an_entry_others_could_have_planted_is_not_read(proofs, opened):
    """A "sound" verdict planted through a group-writable folder or file would fool the audit."""
    truth = analyse(FULL_ACCESS_POLICY, SETTING)
    [entry] = entries()
    planted = json.dumps(verdict_cache.to_entry(replace(truth, findings=())))
    entry.write_text(planted)
    target = entry if opened == "entry" else verdict_cache.folder()
    target.chmod(0o666 if opened == "entry" else 0o777)
    new_process()
    assert analyse(FULL_ACCESS_POLICY, SETTING) == truth and len(proofs) == 2


def test_a_symlinked_entry_is_not_followed(proofs, tmp_path):
    truth = analyse(FULL_ACCESS_POLICY, SETTING)
    [entry] = entries()
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text(json.dumps(verdict_cache.to_entry(replace(truth, findings=()))))
    elsewhere.chmod(0o600)
    entry.unlink()
    entry.symlink_to(elsewhere)
    new_process()
    assert analyse(FULL_ACCESS_POLICY, SETTING) == truth and len(proofs) == 2
