"""Step 2: who is trusted: account IDs checked as they are typed, an optional organization, the perimeter switch."""

from dataclasses import replace

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Input, Label, Switch

from tui.app.list_editor import CheckedBy, ListEditor, show_validation
from tui.app.step import StepScreen
from tui.policy.identifiers import check_account_id, check_org_id

PERIMETER = "Also deny requests to resources owned by accounts you do not trust, so trusted credentials cannot copy data out to the insider's bucket."


class AccountList(ListEditor):
    """Trusted account IDs, marking the caller's own."""

    def label_for(self, value: str) -> str:
        connection = self.app.connection
        return f"{value}  (your account)" if connection and value == connection.account_id else value


class AccountsScreen(StepScreen):
    STEP = "accounts"

    def compose_body(self) -> ComposeResult:
        yield Label("Trusted AWS account IDs: principals and resources of these accounts may use the endpoint.")
        yield AccountList("accounts", check_account_id, "12-digit account ID, then enter", id="accounts")
        yield Label("Organization ID (optional): trusts every account in your AWS Organization.")
        org = self.app.answers.org_ids[0] if self.app.answers.org_ids else ""
        yield Input(org, placeholder="o-a1b2c3d4e5", id="org", validators=[CheckedBy(check_org_id)], valid_empty=True, compact=True)
        yield Label("", id="org-error", classes="error", markup=False)
        with Horizontal(classes="switch-row"):
            yield Switch(self.app.answers.resource_perimeter, id="perimeter")
            yield Label(f"[b]Resource perimeter.[/b] {PERIMETER}", id="perimeter-text")

    def on_mount(self) -> None:
        self.watch(self.app, "answers", lambda answers: setattr(self.query_one("#perimeter", Switch), "value", answers.resource_perimeter))
        self.query_one("#accounts Input").focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        show_validation(self.query_one("#org-error", Label), event.validation_result)
        org = event.value.strip()
        if event.validation_result is None or event.validation_result.is_valid:
            self.app.answers = replace(self.app.answers, org_ids=(org,) if org else ())

    def on_switch_changed(self, event: Switch.Changed) -> None:
        if event.value != self.app.answers.resource_perimeter:
            self.app.answers = replace(self.app.answers, resource_perimeter=event.value)

    def problem(self) -> str | None:
        if problem := self.query_one(AccountList).commit():
            return problem
        org = self.query_one("#org", Input)
        result = org.validate(org.value)
        if result is not None and not result.is_valid:
            return result.failure_descriptions[0]
        answers = self.app.answers
        return None if answers.accounts or answers.org_ids else "Trust at least one account ID or an organization ID."
