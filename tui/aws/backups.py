"""Backups of endpoint policies: one private file per endpoint per write, so every change has a way back."""

import os
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from tui.policy.documents import pretty
from tui.policy.errors import InputError
from tui.policy.files import write_private

BACKUP_FORMAT = 1


@dataclass(frozen=True)
class Backup:
    """What an endpoint held before a write (`old`) and what was written (`new`)."""

    path: Path
    endpoint_id: str
    region: str
    account: str
    time: str
    action: str
    old: dict | None
    new: dict | None

    def to_dict(self) -> dict:
        return {"path": str(self.path), "endpoint_id": self.endpoint_id, "region": self.region, "account": self.account, "time": self.time, "action": self.action}


def backups_dir() -> Path:
    """$XDG_STATE_HOME/vpce-wizard/backups, defaulting to ~/.local/state as the XDG spec says."""
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "vpce-wizard" / "backups"


def write_backup(endpoint_id: str, region: str, account: str, old: dict | None, new: dict | None, action: str) -> Backup:
    """Write the backup (temp file, fsync, rename, 0600) and return it; raises OSError when it cannot."""
    now = datetime.now(timezone.utc)
    time = now.isoformat(timespec="microseconds").replace("+00:00", "Z")
    path = backups_dir() / f"{endpoint_id}.{now.strftime('%Y%m%dT%H%M%S.%fZ')}.json"
    record = {"format": BACKUP_FORMAT, "endpoint_id": endpoint_id, "region": region, "account": account, "time": time, "action": action, "old": old, "new": new}
    write_private(path, pretty(record) + "\n")
    return Backup(path, endpoint_id, region, account, time, action, old, new)


_RECORD_FIELDS = {
    "endpoint_id": re.compile(r"vpce-[0-9a-f]{8,17}"),
    "region": re.compile(r"[a-z]{2}(-[a-z]+)+-[0-9]{1,2}"),
    "account": re.compile(r"[0-9]{12}"),
    "time": re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]{8,15}Z"),
    "action": re.compile(r"[a-z-]{1,20}"),
}
"""What each field of a backup written by this tool looks like: a file that differs was not written by it,
and its text would otherwise reach the terminal and the rollback plan."""


def _record_problem(record) -> str | None:
    if not isinstance(record, dict):
        return "not a JSON object"
    for name, pattern in _RECORD_FIELDS.items():
        value = record.get(name, "apply" if name == "action" else None)
        if not isinstance(value, str) or not pattern.fullmatch(value):
            return f"its {name} is missing or malformed"
    for name in ("old", "new"):
        if name not in record or not (record[name] is None or isinstance(record[name], dict)):
            return f"its {name} is missing or not a policy object"
    return None


def load_backup(path: str | os.PathLike) -> Backup:
    """Read one backup file (bounded and strict, like every JSON input: tui.policy.parsing); InputError
    (one line) when it is unreadable or not a vpce-wizard backup."""
    from tui.policy.parsing import POLICY_MAX_DEPTH, read_file_text, strict_json

    path = Path(path).expanduser()
    source = f"backup {str(path)!r}"
    record = strict_json(read_file_text(path, source), source, max_depth=1 + POLICY_MAX_DEPTH)
    problem = _record_problem(record)
    if problem:
        raise InputError(f"{source} is not a vpce-wizard backup: {problem}")
    return Backup(path, record["endpoint_id"], record["region"], record["account"], record["time"],
                  record.get("action", "apply"), record["old"], record["new"])


def list_backups(endpoint_id: str | None = None) -> list[Backup]:
    """Backups, newest first, optionally of one endpoint; unreadable files are skipped, not fatal."""
    folder = backups_dir()
    pattern = f"{endpoint_id}.*.json" if endpoint_id else "vpce-*.json"
    backups = []
    for path in folder.glob(pattern) if folder.is_dir() else ():
        try:
            backups.append(load_backup(path))
        except InputError:
            continue
    return sorted(backups, key=lambda b: b.time, reverse=True)


def latest_backup(endpoint_id: str) -> Backup:
    """The latest apply's backup: rolling back twice must not re-apply what the first rollback removed."""
    everything = list_backups(endpoint_id)
    backups = [b for b in everything if b.action == "apply"] or everything
    if not backups:
        raise InputError(f"no backup of {endpoint_id} in {backups_dir()}: list them with `vpce-wizard backups`")
    return backups[0]
