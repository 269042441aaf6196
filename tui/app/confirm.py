"""The last stop before AWS changes: every endpoint, its diff, its refusal or warnings, and a typed "yes"."""

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static


def plan_text(plan) -> Text:
    """What the plan would do, endpoint by endpoint, with the semantic diff of each write."""
    text = Text()
    for item in plan.items:
        endpoint = item.endpoint
        text.append(f"{endpoint.id}  {endpoint.service or endpoint.service_name}  {endpoint.vpc_id}  {endpoint.region}\n", style="bold")
        if item.refusal:
            text.append(f"  will not change: {item.refusal}\n", style="yellow")
        elif item.unchanged:
            text.append("  already holds this policy: nothing to write\n", style="dim")
        else:
            for line in item.diff:
                style = "green" if line.startswith("+") else "red" if line.startswith("-") else "cyan" if line.startswith("@@") else ""
                text.append(f"  {line}\n", style=style)
        for warning in item.warnings:
            text.append(f"  warning: {warning}\n", style="yellow")
        text.append("\n")
    return text


class ConfirmApplyModal(ModalScreen[bool]):
    """Dismisses True only after the user types "yes"; anything else, or escape, is a no."""

    BINDINGS = [Binding("escape", "dismiss(False)", "Cancel")]

    def __init__(self, plan, verb: str, dry_run: bool) -> None:
        super().__init__()
        self.plan = plan
        self.verb = verb
        self.dry_run = dry_run

    def compose(self) -> ComposeResult:
        writes = len(self.plan.writes)
        mode = " as a dry run (permission check only, nothing written)" if self.dry_run else ""
        with Vertical(id="dialog", classes="confirm"):
            yield Label(f"{self.verb} {writes} of {len(self.plan.items)} endpoint(s) in {self.plan.label}{mode}?", classes="dialog-title")
            with VerticalScroll(id="plan"):
                yield Static(plan_text(self.plan))
            yield Input(placeholder='type "yes" to go ahead', id="confirm-input", disabled=not writes, compact=True)
            with Horizontal(classes="buttons"):
                yield Button(self.verb, id="go", variant="error", compact=True, disabled=True)
                yield Button("Cancel", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#confirm-input" if self.plan.writes else "#cancel").focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.query_one("#go", Button).disabled = event.value.strip().lower() != "yes"

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.value.strip().lower() == "yes":
            self.dismiss(True)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "go")
