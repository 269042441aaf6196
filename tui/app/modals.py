"""Dialogs that return a typed result to a callback: the help text, and where to save a file."""

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Markdown

HELP = """\
## The threat
An insider with working credentials in your VPC can sign requests with **their own AWS account** and copy
your data to it through your VPC endpoint; your IAM policies never see those requests.
The **endpoint policy** is the control on that path: it admits only principals and resources of the accounts
you trust, so the insider's account is denied at the endpoint (it does not cover NAT or internet routes,
other regions, or the minutes a change takes to propagate).
AWS-owned **public buckets** (OS repositories, the SSM agent) must stay readable anonymously, so they are
allowed by exact ARN and read-only, never by a wildcard name that anyone could register.

## Keys
| key | does |
|---|---|
| `ctrl+n` / `esc` | next / back (answers are kept) |
| `tab` / `shift+tab` | move between fields; `space` or `enter` toggles |
| `delete` | remove the highlighted account or bucket ARN |
| `c` `s` `t` `f` `a` | on the review: copy, save, Terraform, CloudFormation, save answers |
| `p` | on the review: toggle the resource perimeter |
| `ctrl+p` | command palette: every action, the sandbox, any step |
| `ctrl+q` | quit |
"""


class HelpScreen(ModalScreen[None]):
    """F1 / ?: the threat in three sentences and the keys."""

    BINDINGS = [Binding("escape,f1,q,question_mark", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="help"):
            yield Markdown(HELP)
            yield Button("Close", id="close", compact=True)

    def on_button_pressed(self) -> None:
        self.dismiss()


class PathModal(ModalScreen[Path | None]):
    """Ask where to save; dismisses with the path, or None when cancelled."""

    BINDINGS = [Binding("escape", "dismiss", "Cancel")]

    def __init__(self, title: str, default: Path) -> None:
        super().__init__()
        self.title_text = title
        self.default = default

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield Input(str(self.default), id="path", compact=True)
            yield Label("Saved with mode 0600: policies name the accounts you trust.", classes="hint")
            with Horizontal(classes="buttons"):
                yield Button("Save", id="save", variant="primary", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    def on_input_submitted(self) -> None:
        self._finish()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self._finish()
        else:
            self.dismiss(None)

    def _finish(self) -> None:
        value = self.query_one("#path", Input).value.strip()
        if value:
            self.dismiss(Path(value).expanduser())
