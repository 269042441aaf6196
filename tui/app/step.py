"""The frame every wizard step shares: connection line, step trail, body, back/next row and footer."""

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Footer, Static

from tui.app.widgets import ConnectionBar, StepIndicator


class StepScreen(Screen):
    """A step. Subclasses compose the body, keep `app.answers` current, and say in `problem` why Next must wait."""

    STEP = ""
    BINDINGS = [
        Binding("ctrl+n", "app.next", "Next", priority=True),
        Binding("escape", "app.back", "Back"),
    ]

    def compose(self) -> ComposeResult:
        yield ConnectionBar(id="connection", markup=False)
        yield StepIndicator(self.STEP)
        with Vertical(id="body"):
            yield from self.compose_body()
        with Horizontal(id="nav"):
            yield Button("‹ Back", id="back", action="app.back", compact=True, disabled=self.STEP == "services")
            with Horizontal(id="actions"):
                yield from self.compose_actions()
            yield Button("Next ›", id="next", action="app.next", variant="primary", compact=True, disabled=self.STEP == "apply")
        yield Footer()

    def compose_body(self) -> ComposeResult:
        yield from ()

    def compose_actions(self) -> ComposeResult:
        """Buttons for the step's own actions, between Back and Next."""
        yield Static()

    def problem(self) -> str | None:
        """Why the wizard cannot move on yet (shown to the user), or None. Called before Next."""
        return None
