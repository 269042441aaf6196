"""Where the wizard keeps its own small files: settings in $XDG_CONFIG_HOME, copies in $XDG_STATE_HOME.

Both follow the XDG base directory spec (https://specifications.freedesktop.org/basedir-spec/latest/) and are
written private: a copied policy names the accounts you trust.
"""

import contextlib
import json
import os
from pathlib import Path

from tui.policy.files import write_private

APP_FOLDER = "vpce-wizard"
SETTINGS_FILE = "config.json"
MAX_SETTINGS_BYTES = 64 * 1024
"""A settings file is a few lines; anything bigger is not ours and is ignored."""


def _xdg(variable: str, fallback: str) -> Path:
    value = os.environ.get(variable)
    base = Path(value) if value and os.path.isabs(value) else Path.home() / fallback
    return base / APP_FOLDER


def settings_path() -> Path:
    return _xdg("XDG_CONFIG_HOME", ".config") / SETTINGS_FILE


def state_dir() -> Path:
    """Private files the wizard writes on its own (a copied policy when no clipboard is reachable)."""
    return _xdg("XDG_STATE_HOME", ".local/state")


def load_settings() -> dict:
    """The saved settings, or {} when there are none or they cannot be read (settings never stop the wizard)."""
    try:
        with settings_path().open("rb") as handle:
            data = json.loads(handle.read(MAX_SETTINGS_BYTES + 1)[:MAX_SETTINGS_BYTES])
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def save_setting(name: str, value: str) -> None:
    """Remember one setting; a read-only home only loses the setting, never the session."""
    settings = load_settings()
    settings[name] = value
    with contextlib.suppress(OSError):
        write_private(settings_path(), json.dumps(settings, indent=2) + "\n")
