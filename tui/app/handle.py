"""`self.wizard`: the app typed as the WizardApp it is, for the wizard's screens and widgets.

Textual types `self.app` as `App[Any]`, so `self.app.answers` would pass mypy even when misspelt; screens and
widgets that read or change the wizard's state go through `self.wizard` instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.message_pump import MessagePump

if TYPE_CHECKING:
    from tui.app.app import WizardApp


class WizardPart(MessagePump):
    """Mixin for a screen or widget of the wizard (put it before the Textual base class)."""

    @property
    def wizard(self) -> WizardApp:
        """The running app, typed."""
        return cast("WizardApp", self.app)
