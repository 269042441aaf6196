"""Step 2: who is trusted: account IDs (typed or pasted as a list), an optional organization, the perimeter switch.

Reading a pasted list is the core's (`tui.policy.account_lists`); this screen adds what is good, leaves what is
not in the field, and says per value what is wrong.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Input, Label, Switch

from tui.app.list_editor import CheckedBy, ListEditor, PasteInput, show_validation
from tui.app.plain import plain
from tui.app.step import StepScreen
from tui.policy.account_lists import AccountList, check_account_entry, read_account_list
from tui.policy.identifiers import check_org_id
from tui.report.i18n import N_, _

PERIMETER = N_("Also deny requests to resources owned by accounts you do not trust, so trusted credentials cannot copy data out to the insider's bucket.")
MAX_PROBLEMS_SHOWN = 4


def reading_text(reading: AccountList) -> Text:
    """The errors (one line per value, the first few) and notes of a pasted list, as plain text."""
    lines = list(reading.problems[:MAX_PROBLEMS_SHOWN])
    if len(reading.problems) > MAX_PROBLEMS_SHOWN:
        lines.append(_("… and {count} more value(s) that are not account IDs").format(count=len(reading.problems) - MAX_PROBLEMS_SHOWN))
    text = plain("\n".join(lines)) if lines else Text()
    for note in reading.notes:
        if text:
            text.append("\n")
        text.append_text(plain(_("note: {note}").format(note=note), "italic"))
    return text


class AccountEditor(ListEditor):
    """Trusted account IDs, marking the caller's own; a paste or an enter adds every good ID of a list at once."""

    def compose(self):
        yield from super().compose()
        yield Label("", id="account-count", classes="hint")

    def label_for(self, value: str) -> Text:
        connection = self.wizard.connection
        return plain(_("{account}  (your account)").format(account=value) if connection and value == connection.account_id else value)

    def _show(self) -> None:
        super()._show()
        count = len(self._values())
        self.query_one("#account-count", Label).update(_("{count} trusted account(s)").format(count=count) if count else _("no account trusted yet"))

    left_over = ""
    """What the last commit left in the field: its errors and notes are already shown."""

    def show_typed(self, event: Input.Changed) -> None:
        if event.value == self.left_over:
            return
        reading = read_account_list(event.value)
        error = self.query_one(".error", Label)
        if reading.problems or len(reading.accounts) + len(reading.org_ids) <= 1:
            show_validation(error, event.validation_result if not reading.problems else None)
            if reading.problems:
                error.update(reading_text(reading))
        else:
            error.update(_("{count} account ID(s) ready: enter adds them").format(count=len(reading.accounts)))

    def commit(self) -> str | None:
        """Add every good ID typed or pasted; bad ones stay in the field, each with its error."""
        field = self.query_one(PasteInput)
        reading = read_account_list(field.value)
        known = self._values()
        new = tuple(a for a in reading.accounts if a not in known)
        answers = self.wizard.answers
        changes: dict[str, Any] = {"accounts": known + new} if new else {}
        org_note = ""
        if reading.org_ids:
            if not answers.org_ids:
                changes["org_ids"] = reading.org_ids[:1]
                org_note = _("{org} went to the organization field").format(org=reading.org_ids[0])
            elif reading.org_ids[0] not in answers.org_ids:
                problem = _("{org} is a second organization ID: one is already set (change it in its field)").format(org=reading.org_ids[0])
                reading = replace(reading, problems=(*reading.problems, problem), rejected=reading.rejected + reading.org_ids[:1])
        if changes:
            self.wizard.answers = replace(answers, **changes)
        self.left_over = field.value = " ".join(reading.rejected)
        notes = reading.notes + ((org_note,) if org_note else ()) + ((_("{count} account ID(s) added").format(count=len(new)),) if len(new) > 1 else ())
        self.query_one(".error", Label).update(reading_text(replace(reading, notes=notes)))
        return reading.problems[0] if reading.problems else None


class AccountsScreen(StepScreen):
    STEP = "accounts"
    MAIN = "#accounts OptionList"

    def compose_body(self) -> ComposeResult:
        yield Label(_("Trusted AWS account IDs: type one, or paste a list (commas, spaces or lines). Enter adds."))
        yield AccountEditor("accounts", check_account_entry, _("12-digit account ID(s), then enter"), id="accounts")
        yield Label(_("Organization ID (optional): trusts every account in your AWS Organization."))
        org = self.wizard.answers.org_ids[0] if self.wizard.answers.org_ids else ""
        yield Input(org, placeholder="o-a1b2c3d4e5", id="org", validators=[CheckedBy(check_org_id)], valid_empty=True, compact=True)
        yield Label("", id="org-error", classes="error")
        with Horizontal(classes="switch-row"):
            yield Switch(self.wizard.answers.resource_perimeter, id="perimeter")
            yield Label(Content.from_markup("[b]$title[/b] $text", title=_("Resource perimeter."), text=_(PERIMETER)), id="perimeter-text")

    def on_mount(self) -> None:
        self.watch(self.app, "answers", self._answers_changed)
        self.query_one("#accounts Input").focus()

    def _answers_changed(self, answers) -> None:
        self.query_one("#perimeter", Switch).value = answers.resource_perimeter
        org = self.query_one("#org", Input)
        if answers.org_ids and org.value.strip() != answers.org_ids[0]:
            org.value = answers.org_ids[0]

    @on(Input.Changed, "#org")
    def _org_typed(self, event: Input.Changed) -> None:
        show_validation(self.query_one("#org-error", Label), event.validation_result)
        org = event.value.strip()
        if event.validation_result is None or event.validation_result.is_valid:
            self.wizard.answers = replace(self.wizard.answers, org_ids=(org,) if org else ())

    @on(Switch.Changed, "#perimeter")
    def _perimeter(self, event: Switch.Changed) -> None:
        if event.value != self.wizard.answers.resource_perimeter:
            self.wizard.answers = replace(self.wizard.answers, resource_perimeter=event.value)

    def problem(self) -> str | None:
        if problem := self.query_one(AccountEditor).commit():
            return problem
        org = self.query_one("#org", Input)
        result = org.validate(org.value)
        if result is not None and not result.is_valid:
            return result.failure_descriptions[0]
        answers = self.wizard.answers
        return None if answers.accounts or answers.org_ids else _("Trust at least one account ID or an organization ID.")
