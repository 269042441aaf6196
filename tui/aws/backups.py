"""Backups of endpoint policies: one private file per endpoint per write, so every change has a way back."""

import json
import os
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


def load_backup(path: str | os.PathLike) -> Backup:
    """Read one backup file; InputError (one line) when it is missing or not a vpce-wizard backup."""
    path = Path(path).expanduser()
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        return Backup(path, record["endpoint_id"], record["region"], record["account"], record["time"], record.get("action", "apply"), record["old"], record["new"])
    except OSError as exc:
        raise InputError(f"cannot read backup {str(path)!r}: {exc.strerror or exc}") from None
    except (ValueError, KeyError, TypeError):
        raise InputError(f"{str(path)!r} is not a vpce-wizard backup") from None


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
