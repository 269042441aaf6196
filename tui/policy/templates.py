"""Loads the JSON data files in `policy_templates/`, which ship inside the wheel as `tui.policy_templates`."""

import json
import pkgutil
from functools import cache
from typing import Any


@cache
def load_template(name: str) -> dict[str, Any]:
    """Parse one shipped data file once per process; they are read-only data. Read through the package's loader
    (`pkgutil.get_data`, which zip imports support too): `importlib.resources` costs the wizard's first paint
    2.5 ms of imports (zipfile among them)."""
    raw = pkgutil.get_data("tui.policy_templates", name)
    assert raw is not None  # noqa: S101 - a regular package's loader always reads files
    data: dict[str, Any] = json.loads(raw.decode("utf-8"))  # our own data files: each is a JSON object
    return data
