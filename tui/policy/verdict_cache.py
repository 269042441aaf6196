"""Verdicts kept on disk between runs, so an audit that runs every day proves each distinct document once.

A fleet of 2,000 endpoints shares a few dozen (document, setting) pairs, and from one audit to the next almost
none of them change; the proof of each takes tens of milliseconds, the lookup well under one. An entry is
keyed by a SHA-256 of everything the verdict depends on: the normalised document, the setting (service,
region, trusted set, caller, endpoint type...) and a fingerprint of the analyser itself (the source of
`tui.policy`, the shipped catalog and service templates, the z3 and Python versions), so a new release, an
edited catalog or a changed trusted set can never be answered from an old entry.

The files live in `$XDG_CACHE_HOME/vpce-wizard/verdicts` (default `~/.cache`), folders 0700 and files 0600
like every other file the tool writes. An entry is read as hostile input: bounded in size, parsed strictly,
rebuilt into typed findings; anything else is a miss and the verdict is proven again. Entries are read only
from the user's own folders and files, closed to group and others, as backups are: a planted "sound" verdict
would fool the audit. `VPCE_WIZARD_VERDICT_CACHE=off` turns the cache off (docs/threat-model.md).
"""

import hashlib
import json
import os
import stat
import sys
from collections.abc import Callable
from dataclasses import asdict
from functools import lru_cache
from pathlib import Path
from typing import Any

from tui.policy.analysis import Analysis, Classification, Finding, Setting, Severity, Witness
from tui.policy.files import why_unsafe, write_private
from tui.report.messages import params_from_json, params_to_json

MAX_ENTRY_BYTES = 256 * 1024
"""A verdict is a few kilobytes; anything bigger in the folder was not written by this tool."""
MAX_ENTRIES = 4096
"""When the folder holds more, the older half is removed (a lost entry costs one proof, nothing else)."""
SWITCH = "VPCE_WIZARD_VERDICT_CACHE"


def enabled() -> bool:
    return os.environ.get(SWITCH, "on").strip().lower() not in ("off", "0", "no", "false")


def folder() -> Path:
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "vpce-wizard" / "verdicts"


def cached(text: str, setting: Setting, prove: Callable[[], Analysis]) -> Analysis:
    """The stored verdict for (text, setting), or `prove()`'s, stored for next time."""
    if not enabled():
        return prove()
    path = folder() / f"{entry_key(text, setting)}.json"
    found = _read(path)
    if found is not None:
        return found
    analysis = prove()
    _write(path, analysis)
    return analysis


def entry_key(text: str, setting: Setting) -> str:
    described = json.dumps([analyser_fingerprint(), text, asdict(setting)], sort_keys=True, ensure_ascii=True)
    return hashlib.sha256(described.encode()).hexdigest()


@lru_cache(maxsize=1)
def analyser_fingerprint() -> str:
    """What the analyser is made of: its source, its data, how an entry's parameters are written (tui/report)
    and the solver, hashed once per process."""
    from importlib import resources
    from importlib.metadata import version

    digest = hashlib.sha256(f"{sys.version}|{version('z3-solver')}".encode())
    report = Path(__file__).parent.parent / "report"  # how findings' parameters are written and read back
    for root in (Path(__file__).parent, report, Path(str(resources.files("tui.policy_templates")))):
        for path in sorted(root.rglob("*")):
            if path.is_file() and path.suffix in (".py", ".json"):
                digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


# --- entries -------------------------------------------------------------------------------------------


def to_entry(analysis: Analysis) -> dict[str, Any]:
    return {"classification": str(analysis.classification),
            "findings": [{"severity": str(f.severity), "code": f.code, "params": params_to_json(f.params),
                          "witness": None if f.witness is None else {
                              "action": f.witness.action, "resource": f.witness.resource, "decision": f.witness.decision,
                              "context": [[k, list(v) if isinstance(v, tuple) else v] for k, v in f.witness.context]}}
                         for f in analysis.findings]}


def from_entry(entry: object) -> Analysis:
    """The typed verdict, or ValueError/KeyError/IndexError/TypeError when the entry is not one this module
    wrote (each finding's sentence is rendered once, so an unknown code or a missing parameter is caught here)."""
    if not isinstance(entry, dict):
        raise TypeError("not an object")
    findings = entry["findings"]
    if not isinstance(findings, list):
        raise TypeError("findings is not a list")
    return Analysis(Classification(entry["classification"]), tuple(_finding(f) for f in findings))


def _finding(item: dict[str, Any]) -> Finding:
    if not isinstance(item["code"], str):
        raise TypeError("code of the wrong type")
    params = params_from_json(item["params"])  # phrases come back as phrases, so a cached verdict still translates
    witness = item["witness"]
    finding = Finding(Severity(item["severity"]), item["code"], params, None if witness is None else _witness(witness))
    _ = finding.message  # a code the catalog lacks, or a parameter its sentence needs, fails here, not where shown
    return finding


def _witness(item: dict[str, Any]) -> Witness:
    context = []
    for key, value in item["context"]:
        if not isinstance(key, str) or not (isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value))):
            raise TypeError("a context value of the wrong type")
        context.append((key, tuple(value) if isinstance(value, list) else value))
    texts = (item["action"], item["resource"], item["decision"])
    if not all(isinstance(text, str) for text in texts):
        raise TypeError("a request field of the wrong type")
    return Witness(*texts[:2], tuple(context), texts[2])


def _read(path: Path) -> Analysis | None:
    if not _private_folders(path.parent):
        return None
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return None
    with os.fdopen(descriptor, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode) or why_unsafe(path, info, 0o600):
            return None
        raw = handle.read(MAX_ENTRY_BYTES + 1)
    if len(raw) > MAX_ENTRY_BYTES:
        return None
    try:
        return from_entry(json.loads(raw.decode("utf-8")))
    except (ValueError, KeyError, IndexError, TypeError):  # not an entry this module wrote: prove it again
        return None


def _write(path: Path, analysis: Analysis) -> None:
    try:
        if path.parent.exists() and not _private_folders(path.parent):
            return
        write_private(path, json.dumps(to_entry(analysis), ensure_ascii=True, sort_keys=True), durable=False)
        _prune(path.parent)
    except OSError:  # a read-only or full disk costs speed, never a verdict
        return


def _private_folders(directory: Path) -> bool:
    """The cache and the folder above it are the user's own real folders, closed to group and others: else
    anyone could plant a verdict there, and the cache is not used (the backups' rule, tui/aws/backups.py)."""
    for folder in (directory.parent, directory):
        try:
            info = folder.lstat()
        except OSError:
            return False
        if not stat.S_ISDIR(info.st_mode) or why_unsafe(folder, info, 0o700):
            return False
    return True


def _prune(directory: Path) -> None:
    entries = list(directory.glob("*.json"))
    if len(entries) <= MAX_ENTRIES:
        return
    by_age = sorted(entries, key=lambda p: p.stat().st_mtime)
    for stale in by_age[: len(by_age) // 2]:
        stale.unlink(missing_ok=True)
