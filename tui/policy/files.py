"""Private, atomic file writes: policies, answers and backups are security material."""

import os
import tempfile
from pathlib import Path


def _make_private_dirs(directory: Path) -> None:
    """Create missing folders as 0700, so other users cannot even list which endpoints were backed up."""
    missing = []
    while not directory.exists():
        missing.append(directory)
        directory = directory.parent
    for folder in reversed(missing):
        folder.mkdir(mode=0o700, exist_ok=True)


def write_private(path: str | os.PathLike[str], text: str) -> Path:
    """Write text to path with mode 0600 via a synced temp file and a rename, so readers never see half a file."""
    target = Path(path).expanduser()
    _make_private_dirs(target.parent)
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, target)
    except BaseException:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
        raise
    os.chmod(target, 0o600)
    return target
