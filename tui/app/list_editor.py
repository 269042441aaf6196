"""An editable list of identifiers bound to one `Answers` field: typed values are checked by the core as you type."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.validation import ValidationResult, Validator
from textual.widgets import Button, Input, Label, OptionList

from tui.app.handle import WizardPart
from tui.app.plain import plain
from tui.app.tick_list import KeyList
from tui.policy.errors import InputError
from tui.report.i18n import N_, _


class CheckedBy(Validator):
    """A Textual validator around a core `check_*` function, plus an optional duplicate test."""

    def __init__(self, check, existing=lambda: ()) -> None:
        super().__init__()
        self.check = check
        self.existing = existing

    def validate(self, value: str) -> ValidationResult:
        try:
            value = self.check(value)
        except InputError as exc:
            return self.failure(str(exc))
        if value in self.existing():
            return self.failure(_("{value} is already in the list").format(value=value))
        return self.success()


def show_validation(label: Label, result: ValidationResult | None) -> None:
    label.update("" if result is None or result.is_valid else plain(result.failure_descriptions[0]))


class PasteInput(Input):
    """An Input that keeps every line of a paste (the stock one keeps the first line and drops the rest)."""

    @dataclass
    class Pasted(Message):
        input: PasteInput

    def _on_paste(self, event: events.Paste) -> None:
        if event.text:
            text = " ".join(event.text.splitlines())
            if self.selection.is_empty:
                self.insert_text_at_cursor(text)
            else:
                self.replace(text, *self.selection)
            self.post_message(self.Pasted(self))
        event.stop()
        event.prevent_default()  # the stock handler would insert the first line a second time


class ListEditor(WizardPart, Vertical):
    """Input + Add, the error for what is being typed, and the list (delete removes the highlighted value)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("delete", "remove", N_("Remove"), show=False)]

    def __init__(self, field: str, check, placeholder: str, id: str) -> None:  # noqa: A002 (Textual's name)
        super().__init__(id=id, classes="list-editor")
        self.field = field
        self.check = check
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Horizontal(classes="input-row"):
            yield PasteInput(placeholder=self.placeholder, validators=[CheckedBy(self.check, self._values)], valid_empty=True, compact=True)
            yield Button(_("Add"), compact=True)
        yield Label("", classes="error")
        yield KeyList()

    def on_mount(self) -> None:
        self.watch(self.wizard, "answers", lambda _: self._show())

    def _values(self) -> tuple[str, ...]:
        return getattr(self.wizard.answers, self.field)

    def label_for(self, value: str) -> Text:
        return plain(value)

    def _show(self) -> None:
        listing = self.query_one(OptionList)
        values = self._values()
        highlighted = listing.highlighted
        listing.clear_options()
        listing.add_options([self.label_for(v) for v in values])
        listing.display = bool(values)
        if values:
            listing.highlighted = min(highlighted or 0, len(values) - 1)

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        self.show_typed(event)

    def show_typed(self, event: Input.Changed) -> None:
        """Say what is wrong with what is being typed (subclasses say more)."""
        show_validation(self.query_one(".error", Label), event.validation_result)

    @on(Input.Submitted)
    @on(Button.Pressed)
    @on(PasteInput.Pasted)
    def _add(self, event: Message) -> None:
        event.stop()
        self.commit()

    def commit(self) -> str | None:
        """Add what is typed when it is valid; returns the problem when it is not."""
        field = self.query_one(Input)
        if not field.value.strip():
            return None
        result = field.validate(field.value)
        if result is not None and not result.is_valid:
            show_validation(self.query_one(".error", Label), result)
            return result.failure_descriptions[0]
        self.wizard.answers = self.wizard.answers.with_list(self.field, (*self._values(), self.check(field.value)))
        field.clear()
        return None

    def action_remove(self) -> None:
        listing = self.query_one(OptionList)
        values = self._values()
        if listing.highlighted is not None and values:
            gone = values[listing.highlighted]
            self.wizard.answers = self.wizard.answers.with_list(self.field, tuple(v for v in values if v != gone))
            self.wizard.say(_("Removed {value}.").format(value=gone))
