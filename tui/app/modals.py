"""Dialogs that return a typed result to a callback: the help text, and where to save a file."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Markdown

from tui.app.plain import plain
from tui.app.step import STEPS_CSS
from tui.report.i18n import N_, _

HELP = N_("""\
## Keys
| key | does |
|---|---|
| `ctrl+n` / `esc` | next / back (answers are kept); in a text field `esc` only leaves the field |
| `tab` / `shift+tab` | move between fields |
| `space` | tick or untick the highlighted row (✓ = ticked) |
| `↑` `↓` / `j` `k` | move in a list |
| `/` | filter the lists of this step (services, buckets, endpoints) |
| `enter` | add what is typed: one account ID, or a pasted list |
| `delete` | remove the highlighted account or bucket ARN |
| `c` `s` `p` | review: copy, save, resource perimeter on/off |
| `t` `f` `a` | review: Terraform, CloudFormation, save answers |
| `i` | review: check the policy against recent CloudTrail traffic |
| `ctrl+a` `r` | apply: apply the selected endpoints, roll back the highlighted result |
| `ctrl+p` | command palette: every action, the sandbox, any step, the theme |
| `q` / `ctrl+q` | quit (`q` when no text field has focus) |

## The threat
An insider with working credentials in your VPC can sign requests with **their own AWS account** and copy
your data to it through your VPC endpoint; your IAM policies never see those requests.
The **endpoint policy** is the control on that path: it admits only principals and resources of the accounts
you trust, so the insider's account is denied at the endpoint (it does not cover NAT or internet routes,
other regions, or the minutes a change takes to propagate).
AWS-owned **public buckets** (OS repositories, the SSM agent) must stay readable anonymously, so they are
allowed by exact ARN and read-only, never by a wildcard name that anyone could register.
""")

SAVED_PRIVATE = N_("Saved with mode 0600: policies name the accounts you trust.")


class HelpScreen(ModalScreen[None]):
    """F1 / ?: the keys and the threat; the text scrolls with the arrow and page keys, Close stays in view."""

    CSS_PATH = STEPS_CSS

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1,q,question_mark", "dismiss", N_("Close")),
        Binding("j,down", "scroll('down')", N_("Down"), show=False),
        Binding("k,up", "scroll('up')", N_("Up"), show=False),
        Binding("pagedown,space", "scroll('page_down')", N_("Page down"), show=False),
        Binding("pageup", "scroll('page_up')", N_("Page up"), show=False),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="help"):
            with VerticalScroll(id="help-text"):
                yield Markdown(_(HELP))
            with Horizontal(classes="buttons"):
                yield Label(_("↑↓ PgUp PgDn scroll · esc closes"), classes="hint")
                yield Button(_("Close"), id="close", compact=True)

    def on_mount(self) -> None:
        self.query_one("#help-text").focus()

    def action_scroll(self, where: str) -> None:
        text = self.query_one("#help-text", VerticalScroll)
        {"down": text.scroll_down, "up": text.scroll_up, "page_down": text.scroll_page_down, "page_up": text.scroll_page_up}[where]()

    @on(Button.Pressed, "#close")
    def _close(self) -> None:
        self.dismiss()


class PathModal(ModalScreen[Path | None]):
    """Ask where to save; dismisses with the path, or None when cancelled. An existing file is replaced only
    after a second, explicit Save."""

    CSS_PATH = STEPS_CSS

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss", N_("Cancel"))]

    def __init__(self, title: str, default: Path) -> None:
        super().__init__()
        self.title_text = title
        self.default = default
        self.overwrite: Path | None = None
        """The existing file the user was warned about; a second Save of the same path replaces it."""

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield Input(str(self.default), id="path", compact=True)
            yield Label(_(SAVED_PRIVATE), id="path-hint", classes="hint")
            with Horizontal(classes="buttons"):
                yield Button(_("Save"), id="save", variant="primary", compact=True)
                yield Button(_("Cancel"), id="cancel", compact=True)

    @on(Input.Changed, "#path")
    def _path_changed(self) -> None:
        if self.overwrite is not None:
            self.overwrite = None
            self.query_one("#save", Button).label = _("Save")
            self.query_one("#path-hint", Label).update(_(SAVED_PRIVATE))

    @on(Input.Submitted, "#path")
    @on(Button.Pressed, "#save")
    def _finish(self) -> None:
        value = self.query_one("#path", Input).value.strip()
        if not value:
            return
        path = Path(value).expanduser()
        if path.exists() and path != self.overwrite:
            self.overwrite = path
            self.query_one("#save", Button).label = _("Replace")
            self.query_one("#path-hint", Label).update(plain(_("{path} already exists: Save again (enter) replaces it, or change the name.").format(path=path), "bold yellow"))
            return
        self.dismiss(path)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)
