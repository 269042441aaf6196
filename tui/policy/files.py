"""Private, atomic file writes: policies, answers and backups are security material."""

import os
import stat
import tempfile
from pathlib import Path

from tui.report.messages import Phrase


def _make_private_dirs(directory: Path) -> None:
    """Create missing folders as 0700, so other users cannot even list which endpoints were backed up."""
    missing = []
    while not directory.exists():
        missing.append(directory)
        directory = directory.parent
    for folder in reversed(missing):
        folder.mkdir(mode=0o700, exist_ok=True)


def write_private(path: str | os.PathLike[str], text: str, *, durable: bool = True) -> Path:
    """Write text to path with mode 0600 via a synced temp file and a rename, so readers never see half a file.
    `durable=False` skips the sync, for files whose loss costs nothing (the verdict cache)."""
    target = Path(path).expanduser()
    _make_private_dirs(target.parent)
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.replace(tmp_name, target)
    except BaseException:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
        raise
    os.chmod(target, 0o600)
    return target


def why_unsafe(path: Path, info: os.stat_result, private_mode: int) -> Phrase | None:
    """Why someone else could have written this folder or file, with the fix; None when it is private."""
    if info.st_uid != os.getuid():
        return Phrase("unsafe", {"variant": "owner", "uid": info.st_uid})
    mode = stat.S_IMODE(info.st_mode)
    if mode & 0o022:
        who = Phrase("writable-by", {"variant": {0o020: "group", 0o002: "others"}.get(mode & 0o022, "both")})
        return Phrase("unsafe", {"variant": "writable", "who": who, "mode": mode, "private_mode": private_mode, "path": str(path)})
    return None
