"""Loads the JSON data files in `policy_templates/`, which ship inside the wheel as `tui.policy_templates`."""

import json
from functools import cache
from importlib import resources


@cache
def load_template(name: str) -> dict:
    """Parse one shipped data file once per process; they are read-only data."""
    text = resources.files("tui.policy_templates").joinpath(name).read_text(encoding="utf-8")
    return json.loads(text)
