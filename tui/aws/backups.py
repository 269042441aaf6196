"""Backups of endpoint policies: one private file per endpoint per write, so every change has a way back.

A backup is what `rollback` restores, so a planted one is an attack: whoever can write into the folder could
make a plain `rollback` put `Allow * * *` on an endpoint. Like ssh with `~/.ssh`, the folders must be the
user's own and closed to group and others (else one error naming the fix), and files that are not the
user's own private regular files are not backups.
"""

import fcntl
import os
import re
import stat
import time as clock
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tui.policy.documents import pretty
from tui.policy.errors import InputError, WizardError
from tui.policy.files import _make_private_dirs, why_unsafe, write_private
from tui.policy.identifiers import known_regions
from tui.report.messages import Phrase, error_message

BACKUP_FORMAT = 1
ACTIONS = ("apply", "rollback", "default")
CLOCK_SKEW = timedelta(minutes=5)
LOCK_WAIT_SECONDS = 120.0
"""One endpoint's write (re-read, probe, backup, write, read-back) takes seconds; past this, something is stuck."""


class UnsafeStateError(WizardError):
    """A state folder or file others could have written: using it could restore a planted policy."""


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
        return {"path": str(self.path), "endpoint_id": self.endpoint_id, "region": self.region, "account": self.account, "time": self.time, "action": self.action, "future": self.is_future}

    @property
    def is_future(self) -> bool:
        """Dated after now: no backup this tool wrote can be (a planted file sorts first by its date)."""
        return _parse_time(self.time) > datetime.now(UTC) + CLOCK_SKEW


def state_dir() -> Path:
    """$XDG_STATE_HOME/vpce-wizard, defaulting to ~/.local/state as the XDG spec says."""
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "vpce-wizard"


def backups_dir() -> Path:
    return state_dir() / "backups"


def locks_dir() -> Path:
    return state_dir() / "locks"


def check_private_folder(folder: Path) -> None:
    """The folder (and vpce-wizard's state folder above it) must be the user's own real folder, closed to
    group and others; raises UnsafeStateError naming the fix. A missing folder is fine: it is made 0700."""
    for path in (folder.parent, folder):
        try:
            info = path.lstat()
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise UnsafeStateError(Phrase("backups", {"variant": "folder-unreadable", "path": str(path), "reason": exc.strerror or str(exc)})) from None
        if not stat.S_ISDIR(info.st_mode):
            raise UnsafeStateError(Phrase("backups", {"variant": "folder-not-folder", "path": str(path)}))
        problem = why_unsafe(path, info, 0o700)
        if problem:
            raise UnsafeStateError(Phrase("backups", {"variant": "folder-unsafe", "path": str(path), "problem": problem}))


def _private_folder(folder: Path) -> Path:
    check_private_folder(folder)
    if not folder.exists():
        _make_private_dirs(folder)
        check_private_folder(folder)
    return folder


def _file_problem(path: Path) -> Phrase | None:
    """Why this file must not be trusted as a backup, or None."""
    try:
        info = path.lstat()
    except OSError as exc:
        return Phrase("backup-problem", {"variant": "unreadable", "reason": exc.strerror or str(exc)})
    if not stat.S_ISREG(info.st_mode):
        return Phrase("backup-problem", {"variant": "not-regular"})
    return why_unsafe(path, info, 0o600)


def _parse_time(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def write_backup(endpoint_id: str, region: str, account: str, old: dict | None, new: dict | None, action: str) -> Backup:
    """Write the backup (temp file, fsync, rename, 0600) and return it; raises OSError, or UnsafeStateError
    when the folder is not private."""
    now = datetime.now(UTC)
    time = now.isoformat(timespec="microseconds").replace("+00:00", "Z")
    folder = _private_folder(backups_dir())
    path = folder / f"{endpoint_id}.{now.strftime('%Y%m%dT%H%M%S.%fZ')}.json"
    record = {"format": BACKUP_FORMAT, "endpoint_id": endpoint_id, "region": region, "account": account, "time": time, "action": action, "old": old, "new": new}
    write_private(path, pretty(record) + "\n")
    return Backup(path, endpoint_id, region, account, time, action, old, new)


_RECORD_FIELDS = {
    "endpoint_id": re.compile(r"vpce-[0-9a-f]{8,17}"),
    "region": re.compile(r"[a-z]{2}(-[a-z]+)+-[0-9]{1,2}"),
    "account": re.compile(r"[0-9]{12}"),
    "time": re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]{8,15}Z"),
    "action": re.compile("|".join(ACTIONS)),
}
"""What each field of a backup written by this tool looks like: a file that differs was not written by it,
and its text would otherwise reach the terminal and the rollback plan."""


def _record_problem(record) -> Phrase | None:
    if not isinstance(record, dict):
        return Phrase("backup-problem", {"variant": "not-object"})
    for name, pattern in _RECORD_FIELDS.items():
        value = record.get(name, "apply" if name == "action" else None)
        if not isinstance(value, str) or not pattern.fullmatch(value):
            return Phrase("backup-problem", {"variant": "malformed", "name": name})
    if record["region"] not in known_regions():
        return Phrase("backup-problem", {"variant": "no-region", "region": record["region"]})
    try:
        _parse_time(record["time"])
    except ValueError:
        return Phrase("backup-problem", {"variant": "bad-time"})
    for name in ("old", "new"):
        if name not in record or not (record[name] is None or isinstance(record[name], dict)):
            return Phrase("backup-problem", {"variant": "not-policy", "name": name})
    return None


def load_backup(path: str | os.PathLike) -> Backup:
    """Read one backup file (bounded and strict, like every JSON input: tui.policy.parsing); InputError
    (one line) when it is unreadable, not the user's own private file, or not a vpce-wizard backup."""
    from tui.policy.parsing import POLICY_MAX_DEPTH, read_file_text, strict_json

    path = Path(path).expanduser()
    problem = _file_problem(path)
    if problem:
        raise InputError(Phrase("backups", {"variant": "refused", "path": str(path), "problem": problem}))
    source = Phrase("source", {"variant": "backup", "path": str(path)})
    record = strict_json(read_file_text(path, source), source, max_depth=1 + POLICY_MAX_DEPTH)
    problem = _record_problem(record)
    if problem or not isinstance(record, dict):
        raise InputError(Phrase("backups", {"variant": "not-backup", "source": source, "problem": problem}))
    return Backup(path, record["endpoint_id"], record["region"], record["account"], record["time"],
                  record.get("action", "apply"), record["old"], record["new"])


def scan_backups(endpoint_id: str | None = None) -> tuple[list[Backup], list[tuple[Path, str]]]:
    """Backups, newest first, optionally of one endpoint, and the files passed over with the reason. Files
    that are not the user's own private, well-formed backups of the endpoint their name says are not
    evidence of anything: they are reported, never restored."""
    folder = backups_dir()
    check_private_folder(folder)
    pattern = f"{endpoint_id}.*.json" if endpoint_id else "vpce-*.json"
    backups: list[Backup] = []
    ignored: list[tuple[Path, str]] = []
    for path in sorted(folder.glob(pattern)) if folder.is_dir() else ():
        try:
            backup = load_backup(path)
        except InputError as exc:
            ignored.append((path, error_message(exc)))
            continue
        if path.name.startswith(f"{backup.endpoint_id}."):
            backups.append(backup)
        else:
            ignored.append((path, Phrase("backup-problem", {"variant": "other-endpoint", "endpoint": backup.endpoint_id})))
    return sorted(backups, key=lambda b: _parse_time(b.time), reverse=True), ignored


def list_backups(endpoint_id: str | None = None) -> list[Backup]:
    """The backups of `scan_backups`, without the files it passed over."""
    return scan_backups(endpoint_id)[0]


def latest_backup(endpoint_id: str) -> Backup:
    """The latest apply's backup: rolling back twice must not re-apply what the first rollback removed.
    Backups dated in the future are passed over: a planted one would otherwise always be the latest."""
    everything = [b for b in list_backups(endpoint_id) if not b.is_future]
    backups = [b for b in everything if b.action == "apply"] or everything
    if not backups:
        raise InputError(Phrase("backups", {"variant": "none", "endpoint": endpoint_id, "directory": str(backups_dir())}))
    return backups[0]


@contextmanager
def endpoint_lock(endpoint_id: str, wait: float = LOCK_WAIT_SECONDS) -> Iterator[Path]:
    """Hold an exclusive lock for writing one endpoint, shared by every vpce-wizard of this user (processes
    and threads alike: each takes its own open file), so two local writers never interleave re-read,
    backup, write and read-back. Raises UnsafeStateError for an unsafe folder, TimeoutError after `wait`."""
    path = _private_folder(locks_dir()) / f"{endpoint_id}.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        deadline = clock.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if clock.monotonic() > deadline:
                    raise TimeoutError(Phrase("backups", {"variant": "locked", "endpoint": endpoint_id, "seconds": wait, "path": str(path)})) from None
                clock.sleep(0.02)
        yield path
    finally:
        os.close(fd)  # closing the only descriptor of this open file releases the lock
