"""Small widgets every step shares: where we are connected, which step this is, and how big a policy is."""

from rich.text import Text
from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Footer, Static
from textual.widgets._footer import FooterKey, FooterLabel

from tui.app.handle import WizardPart
from tui.app.plain import plain
from tui.policy.documents import MAX_POLICY_CHARS
from tui.report.i18n import N_, _

STEPS = (("services", N_("Services")), ("accounts", N_("Accounts")), ("buckets", N_("S3 buckets")), ("review", N_("Review")), ("apply", N_("Apply")))
"""The wizard's steps in order, as (name, English title: show it through `_()`)."""

PALETTE = N_("palette")
"""Textual's own footer word for the command palette, translated with ours."""


class TranslatedFooter(Footer):
    """The footer with every key's description in the current language (bindings are declared in English,
    once, at import time; the footer is composed again whenever the bindings or the screen change)."""

    def compose(self) -> ComposeResult:
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                widget.description = _(widget.description)
                if widget.tooltip:
                    widget.tooltip = _(str(widget.tooltip))
            elif isinstance(widget, FooterLabel):
                widget.update(_(str(widget.render())))
            yield widget


class ConnectionBar(WizardPart, Static):
    """One line naming the AWS target (or "offline"), kept in step with the app's `status` (which holds AWS text)."""

    def on_mount(self) -> None:
        self.watch(self.wizard, "status", lambda status: self.update(plain(status)))


class StepIndicator(WizardPart, Static):
    """The step trail: the current step highlighted, steps that do not apply struck out, every step clickable."""

    def __init__(self, current: str) -> None:
        super().__init__()
        self.current = current

    def on_mount(self) -> None:
        self.watch(self.wizard, "answers", lambda _: self.update(self._trail()))

    def _trail(self) -> Content:
        """Our own words only (no outside text), so markup is safe here and carries the click actions."""
        parts = []
        for number, (name, title) in enumerate(STEPS, 1):
            if name == self.current:
                style = "bold reverse"
            elif name == "buckets" and not self.wizard.wants_buckets:
                style = "dim strike"
            else:
                style = "underline"
            parts.append(f"[{style} @click=app.goto('{name}')] {number} {_(title)} [/]")
        return Content.from_markup("[dim] › [/]".join(parts))


class SizeMeter(Static):
    """A bar for the minified size against AWS's 20,480-character limit; yellow past 80 %, red past the limit."""

    WIDTH = 24

    def show(self, service: str, size: int) -> None:
        fraction = size / MAX_POLICY_CHARS
        filled = min(self.WIDTH, round(fraction * self.WIDTH))
        colour = "red" if fraction > 1 else "yellow" if fraction > 0.8 else "green"
        headroom = MAX_POLICY_CHARS - size
        left = _("{count:,} left").format(count=headroom) if headroom >= 0 else _("{count:,} over").format(count=-headroom)
        meter = Text.assemble(
            (f"{service}  ", "bold"),
            ("█" * filled, colour),
            ("░" * (self.WIDTH - filled), "dim"),
            "  " + _("{size:,} / {limit:,} characters minified ({left})").format(size=size, limit=MAX_POLICY_CHARS, left=left),
        )
        self.update(meter)
