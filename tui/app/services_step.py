"""Step 1: which services get a policy, with their endpoint types, policy support and discovered endpoints."""

from __future__ import annotations

from dataclasses import replace

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Label, Select, SelectionList, Static
from textual.widgets.selection_list import Selection

from tui.app.step import StepScreen
from tui.app.tick_list import TickList
from tui.policy.identifiers import known_regions
from tui.policy.services import load_services
from tui.report.i18n import N_, _, pad

COLUMNS = ((N_("service"), 16), (N_("endpoint type"), 19), (N_("policy"), 10), (N_("found"), 7))
"""The list's column headings and widths in terminal columns (the rows hold ASCII names)."""


class ServicesScreen(StepScreen):
    STEP = "services"
    MAIN = "#services"

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="region-row"):
            yield Label(_("Region") + " ", classes="field-label")
            if self.first_paint_pending:  # the region as text, its selector right after the first paint (`complete`)
                yield Label(self.wizard.answers.region, id="region-text")
            else:
                yield self._region_selector()
            yield Static(id="found")
        yield Label("      " + "".join(pad(_(word), width) for word, width in COLUMNS) + _("title"), classes="columns")
        yield TickList(id="services")

    def on_mount(self) -> None:
        self.watch(self.app, "endpoints", lambda _: self._fill())
        self.watch(self.app, "answers", lambda _: self._sync(), init=False)
        self.query_one("#services").focus()

    def _region_selector(self) -> Select:
        return Select([(r, r) for r in known_regions()], value=self.wizard.answers.region, allow_blank=False, id="region", compact=True)

    def complete(self) -> None:
        """The region selector replaces the region's text: Textual's Select (a list in an overlay, with its
        stylesheets) took 7 of the first paint's 45 ms of CPU."""
        super().complete()
        text = self.query_one("#region-text")
        self.query_one("#region-row").mount(self._region_selector(), before=text)
        text.remove()

    def _fill(self) -> None:
        """Rebuild the rows: the endpoint counts change when discovery finishes or the region changes."""
        app = self.wizard
        endpoints = app.endpoints
        chosen = set(app.answers.services)
        rows = []
        for name, template in load_services().items():
            count = "-" if endpoints is None else str(sum(e.service == name for e in endpoints))
            support = _("policy") if template.policy_supported else _("none")
            prompt = Text(f"{name:<16}{'/'.join(template.endpoint_types):<19}{pad(support, 10)}{count:<7}{_(template.title)}")
            if not template.policy_supported:
                prompt.stylize("dim")
            rows.append(Selection(prompt, name, name in chosen, id=name, disabled=not template.policy_supported))
        self.query_one("#services", TickList).set_rows(rows)
        found = self.query_one("#found", Static)
        if endpoints is None:
            found.update("  " + (_("not connected: no endpoints to count") if app.connection is None else _("looking for endpoints…")))
        else:
            found.update("  " + _("{count} endpoint(s) found").format(count=len(endpoints)))

    def _sync(self) -> None:
        listing = self.query_one("#services", TickList)
        wanted = set(self.wizard.answers.services)
        if set(listing.selected) != wanted:
            self._fill()
        for region in self.query("#region").results(Select):  # none before the first paint is complete
            if region.value != self.wizard.answers.region:
                region.value = self.wizard.answers.region
        for text in self.query("#region-text").results(Label):
            text.update(self.wizard.answers.region)

    @on(SelectionList.SelectedChanged, "#services")
    def _chosen(self, event: SelectionList.SelectedChanged) -> None:
        order = list(load_services())
        self.wizard.services_chosen = True
        self.wizard.answers = replace(self.wizard.answers, services=tuple(sorted(event.selection_list.selected, key=order.index)))

    @on(Select.Changed, "#region")
    def _region(self, event: Select.Changed) -> None:
        if isinstance(event.value, str):
            self.wizard.set_region(event.value)

    def problem(self) -> str | None:
        return None if self.wizard.answers.services else _("Choose at least one service (space toggles the highlighted one).")
