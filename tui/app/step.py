"""The frame every wizard step shares: connection line, step trail, body, back/next row and footer."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Input, Static

from tui.app.handle import WizardPart
from tui.app.tick_list import TickList
from tui.app.widgets import ConnectionBar, StepIndicator, TranslatedFooter
from tui.report.i18n import N_, _

STEPS_CSS = "steps.tcss"
"""The styles of every screen but the first (steps and dialogs): Textual reads a screen's CSS_PATH when the
screen first opens, so the first paint parses only app.tcss (its frame and the services step)."""


class StepScreen(WizardPart, Screen):
    """A step. Subclasses compose the body, keep `app.answers` current, and say in `problem` why Next must wait."""

    CSS_PATH = STEPS_CSS
    STEP = ""
    AUTO_FOCUS = None
    """Each step focuses its own main widget (`MAIN`) on mount."""
    MAIN = ""
    """Selector of the widget that takes focus when the step opens, and when esc leaves a text field."""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+n", "app.next", N_("Next"), priority=True),
        Binding("escape", "app.back", N_("Back")),
        Binding("slash", "filter", N_("Filter")),
    ]

    def __init__(self, *, first: bool = False) -> None:
        super().__init__()
        self.first_paint_pending = first
        """True for the first screen drawn until it is: what it draws without comes right after (`complete`)."""

    def compose(self) -> ComposeResult:
        yield ConnectionBar(id="connection")
        yield StepIndicator(self.STEP)
        with Vertical(id="body"):
            yield from self.compose_body()
        if not self.first_paint_pending:
            yield self._navigation()
        yield TranslatedFooter()

    def _navigation(self) -> Horizontal:
        """Back, the step's own actions, Next."""
        return Horizontal(
            Button(_("‹ Back"), id="back", action="app.back", compact=True, disabled=self.STEP == "services"),
            Horizontal(*self.compose_actions(), id="actions"),
            Button(_("Next ›"), id="next", action="app.next", variant="primary", compact=True, disabled=self.STEP == "apply"),
            id="nav",
        )

    def after_first_paint(self) -> None:
        """Called by the app once its first screen is on the terminal."""
        if self.first_paint_pending:
            self.first_paint_pending = False
            self.complete()

    def complete(self) -> None:
        """Mount what the first screen was drawn without. Its Back/Next row: Textual's Button is its costliest
        widget (the largest stylesheet), and the two of them took 10 of the 60 ms of CPU of the first paint."""
        self.mount(self._navigation(), after="#body")

    def compose_body(self) -> ComposeResult:
        yield from ()

    def compose_actions(self) -> ComposeResult:
        """Buttons for the step's own actions, between Back and Next."""
        yield Static()

    def focus_main(self) -> None:
        """Focus the step's main widget (its list), leaving any text field with its text intact."""
        targets = self.query(self.MAIN) if self.MAIN else None
        if targets:
            targets.first().focus()
        else:
            self.set_focus(None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:  # noqa: ARG002 (Textual's signature)
        """`/` only where there is a list to filter."""
        if action == "filter":
            return bool(self.query(TickList))
        return True

    async def action_filter(self) -> None:
        """Show the filter field above the step's lists (mounted on first use: it is not part of the first paint)."""
        if not self.query("#filter"):
            field = Input(placeholder=_("filter: type to narrow the lists; enter or esc returns to the list"), id="filter", compact=True)
            await self.query_one("#body").mount(field, before=0)
        self.query_one("#filter", Input).focus()

    @on(Input.Changed, "#filter")
    def _filter(self, event: Input.Changed) -> None:
        for listing in self.query(TickList).results(TickList):
            listing.apply_filter(event.value)

    @on(Input.Submitted, "#filter")
    def _filter_done(self) -> None:
        self.focus_main()

    def current_filter(self) -> str:
        """What is typed in the filter, for lists mounted after it was typed (endpoints found later)."""
        fields = self.query("#filter").results(Input)
        return next((field.value for field in fields), "")

    def problem(self) -> str | None:
        """Why the wizard cannot move on yet (shown to the user), or None. Called before Next."""
        return None
