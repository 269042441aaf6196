"""Which screen shows which step, imported only when the step is first opened.

The App looks steps up here so the step modules need not know each other; loading them lazily keeps the
first paint down to the services step's own widgets (the review step alone pulls in Pygments for its JSON).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tui.app.step import StepScreen

STEP_SCREENS = {
    "services": ("tui.app.services_step", "ServicesScreen"),
    "accounts": ("tui.app.accounts_step", "AccountsScreen"),
    "buckets": ("tui.app.buckets_step", "BucketsScreen"),
    "review": ("tui.app.review_step", "ReviewScreen"),
    "apply": ("tui.app.apply_step", "ApplyScreen"),
}


def step_screen(name: str) -> type[StepScreen]:
    """The screen class of the step `name`."""
    module, cls = STEP_SCREENS[name]
    return getattr(import_module(module), cls)
