"""Loads the JSON data files in `policy_templates/`, which ship inside the wheel as `tui.policy_templates`."""

import json
from functools import cache
from importlib import resources
from typing import Any


@cache
def load_template(name: str) -> dict[str, Any]:
    """Parse one shipped data file once per process; they are read-only data."""
    text = resources.files("tui.policy_templates").joinpath(name).read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)  # our own data files: each is a JSON object
    return data
