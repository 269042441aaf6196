"""Step 3: the AWS-owned public buckets workloads read through the S3 endpoint, grouped by use, plus custom ARNs."""

from dataclasses import replace

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import SelectionList, Static

from tui.app.list_editor import ListEditor
from tui.app.step import StepScreen
from tui.app.tick_list import TickList
from tui.policy.catalog import load_catalog
from tui.policy.identifiers import check_bucket_arn
from tui.report.i18n import _


class BucketsScreen(StepScreen):
    STEP = "buckets"
    MAIN = ".group"

    def compose_body(self) -> ComposeResult:
        catalog = load_catalog()
        chosen = set(self.wizard.answers.public_buckets)
        with Horizontal(id="buckets-row"):
            with VerticalScroll(id="groups"):
                for group, title in catalog.groups.items():
                    entries = [(_(e.title), e.id, e.id in chosen) for e in catalog.entries if e.group == group]
                    if entries:
                        listing = TickList(*entries, classes="group")
                        listing.border_title = _(title)
                        yield listing
            yield Static(id="bucket-detail")
        yield ListEditor("bucket_arns", check_bucket_arn, _("another public bucket ARN (arn:aws:s3:::name/*), then enter"), id="arns")

    def on_mount(self) -> None:
        first = self.query(".group").first(TickList)
        first.focus()
        self._describe(first.get_option_at_index(0).value)

    def _describe(self, entry_id: str) -> None:
        """Why the highlighted entry is needed and the exact ARNs it adds in the chosen region."""
        entry = load_catalog().get(entry_id)
        region = self.wizard.answers.region
        detail = Text.assemble((_(entry.title), "bold"), "\n", _(entry.why), "\n\n", (_("{access}, in {region}:").format(access=_(entry.access), region=region), "italic"))
        for arn in entry.arns(region) or [_("(none published for this region)")]:
            detail.append(f"\n{arn}", style="cyan")
        if not entry.verified_in(region):
            detail.append("\n\n" + _("Names not verified in this partition."), style="yellow")
        self.query_one("#bucket-detail", Static).update(detail)

    def on_selection_list_selection_highlighted(self, event: SelectionList.SelectionHighlighted) -> None:
        if event.selection_list.has_focus and event.selection is not None:
            self._describe(event.selection.value)

    def on_descendant_focus(self, event) -> None:
        widget = event.widget
        if isinstance(widget, SelectionList) and widget.highlighted is not None:
            self._describe(widget.get_option_at_index(widget.highlighted).value)

    def on_selection_list_selected_changed(self) -> None:
        chosen = {value for listing in self.query(".group").results(TickList) for value in listing.selected}
        ids = tuple(entry.id for entry in load_catalog().entries if entry.id in chosen)
        self.wizard.answers = replace(self.wizard.answers, public_buckets=ids)

    def problem(self) -> str | None:
        return self.query_one(ListEditor).commit()
