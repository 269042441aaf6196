"""The last stop before AWS changes: every endpoint, its diff, its refusal or warnings, and a typed "yes".

Everything here came from AWS or a backup file (ids, policies, refusals): it is shown through `plain`, never as
markup, so a planted `[link=...]` or an escape sequence in a stored policy stays visible text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from tui.app.plain import plain
from tui.app.step import STEPS_CSS
from tui.report.changes import Kind, change_lines
from tui.report.i18n import N_, _

if TYPE_CHECKING:
    from tui.aws.apply import ApplyPlan

CONFIRM_WORD = "yes"
KIND_STYLES = {Kind.REFUSED: "yellow", Kind.UNCHANGED: "dim", Kind.WARNING: "yellow"}


def diff_style(line: str) -> str:
    """Colours of a unified diff line; the text itself is always shown as it is."""
    return "green" if line.startswith("+") else "red" if line.startswith("-") else "cyan" if line.startswith("@@") else ""


def plan_text(plan: ApplyPlan) -> Text:
    """What the plan would do, endpoint by endpoint, with the semantic diff of each write."""
    text = Text()
    for item in plan.items:
        endpoint = item.endpoint
        text.append_text(plain(f"{endpoint.id}  {endpoint.service or endpoint.service_name}  {endpoint.vpc_id}  {endpoint.region}", "bold"))
        text.append("\n")
        for kind, line in change_lines(item):  # the CLI's words (tui.report.changes), coloured
            text.append_text(plain(f"  {line}", diff_style(line) if kind is Kind.DIFF else KIND_STYLES[kind]))
            text.append("\n")
        text.append("\n")
    return text


class ConfirmApplyModal(ModalScreen[bool]):
    """Dismisses True only after the user types "yes"; anything else, or escape, is a no."""

    CSS_PATH = STEPS_CSS

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss(False)", N_("Cancel"))]
    AUTO_FOCUS: ClassVar[str | None] = "#confirm-input, #cancel"
    """Focused once composed (a query in on_mount can run before the children exist): the input when there is
    something to confirm, else Cancel, since a disabled input cannot take focus."""

    def __init__(self, plan: ApplyPlan, verb: str, dry_run: bool) -> None:
        super().__init__()
        self.plan = plan
        self.verb = verb
        self.dry_run = dry_run

    def compose(self) -> ComposeResult:
        writes = len(self.plan.writes)
        template = (_("{verb} {writes} of {count} endpoint(s) in {where} as a dry run (a permission check only: nothing is written)?")
                    if self.dry_run else _("{verb} {writes} of {count} endpoint(s) in {where}?"))
        title = plain(template.format(verb=_(self.verb), writes=writes, count=len(self.plan.items), where=self.plan.label))
        with Vertical(id="dialog", classes="confirm"):
            yield Label(title, classes="dialog-title", id="confirm-title")
            with VerticalScroll(id="plan"):
                yield Static(plan_text(self.plan), id="plan-text")
            yield Input(placeholder=_('type "{word}" then enter to go ahead').format(word=CONFIRM_WORD), id="confirm-input", disabled=not writes, compact=True)
            yield Label("", id="confirm-hint", classes="hint")
            with Horizontal(classes="buttons"):
                yield Button(_("Dry run") if self.dry_run else _(self.verb), id="go", variant="warning" if self.dry_run else "error",
                             compact=True, disabled=True)
                yield Button(_("Cancel"), id="cancel", compact=True)

    @on(Input.Changed, "#confirm-input")
    def _typed(self, event: Input.Changed) -> None:
        self.query_one("#go", Button).disabled = event.value.strip().lower() != CONFIRM_WORD
        self.query_one("#confirm-hint", Label).update("")

    @on(Input.Submitted, "#confirm-input")
    def _submitted(self, event: Input.Submitted) -> None:
        answer = event.value.strip().lower()
        if answer == CONFIRM_WORD:
            self.dismiss(True)
        elif answer and CONFIRM_WORD.startswith(answer):
            self.query_one("#confirm-hint", Label).update(_('Type the whole word "{word}": a change to AWS needs more than one key.').format(word=CONFIRM_WORD))
        else:
            self.query_one("#confirm-hint", Label).update(_('Only "{word}" goes ahead; esc cancels.').format(word=CONFIRM_WORD))

    @on(Button.Pressed, "#go")
    def _go(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(False)
