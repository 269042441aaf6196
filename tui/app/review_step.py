"""Step 4: per service, the JSON, its size against the limit, the findings, the scenarios and the diff.

Everything shown comes from `tui.policy.review`; the screen redraws whenever the answers change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.syntax import Syntax
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, DataTable, OptionList, Static, TabbedContent, TabPane
from textual.widgets.option_list import Option

from tui.app.app import reviews_for
from tui.app.confirm import diff_style
from tui.app.plain import plain
from tui.app.step import StepScreen
from tui.app.tick_list import KeyList
from tui.app.widgets import SizeMeter
from tui.policy.errors import WizardError

if TYPE_CHECKING:
    from tui.aws.discovery import Endpoint
    from tui.policy.review import ServiceReview

SEVERITY_STYLES = {"error": "bold red", "warning": "yellow", "info": "dim"}


def diff_text(review: ServiceReview, endpoints: list[Endpoint]) -> Text:
    """The semantic diff against each discovered endpoint of this service (their policies came from AWS)."""
    from tui.policy.diff import policy_diff

    matching = [e for e in endpoints if e.service == review.service]
    if not matching:
        return Text(f"No {review.service} endpoint in this region: nothing to compare.")
    text = Text()
    for endpoint in matching:
        text.append_text(plain(f"{endpoint.id}  {endpoint.vpc_id}  {endpoint.type}", "bold"))
        text.append("\n")
        if not endpoint.takes_policy:
            text.append_text(plain(f"  takes no policy: {endpoint.reason}", "dim"))
            text.append("\n\n")
            continue
        lines = policy_diff(endpoint.policy, review.policy, "current", "new")
        if not lines:
            text.append("  already has this policy\n\n", style="green")
        for line in lines:
            text.append_text(plain(line, diff_style(line)))
            text.append("\n")
        text.append("\n")
    return text


class ReviewScreen(StepScreen):
    STEP = "review"
    MAIN = "#review-services"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "app.copy", "Copy"),
        Binding("s", "app.save", "Save"),
        Binding("t", "app.export('terraform')", "Terraform", show=False),
        Binding("f", "app.export('cloudformation')", "CFN", show=False),
        Binding("a", "app.save_answers", "Answers", show=False),
        Binding("p", "app.toggle_perimeter", "Perimeter"),
    ]

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="review-row"):
            yield KeyList(id="review-services")
            with Vertical(id="review-detail"):
                yield SizeMeter(id="meter")
                yield Static(id="perimeter-state")
                with TabbedContent(id="review-tabs"):
                    with TabPane("Policy", id="policy-tab"), VerticalScroll():
                        yield Static(id="policy-json")
                    with TabPane("Checks", id="checks-tab"), VerticalScroll():
                        yield Static(id="findings")
                        yield DataTable(id="scenarios", cursor_type="row", zebra_stripes=True)
                    with TabPane("Diff", id="diff-tab"), VerticalScroll():
                        yield Static(id="diff")

    def compose_actions(self) -> ComposeResult:
        yield Button("Copy", action="app.copy", compact=True)
        yield Button("Save", action="app.save", compact=True)
        yield Button("Terraform", action="app.export('terraform')", compact=True)
        yield Button("CloudFormation", action="app.export('cloudformation')", compact=True)
        yield Button("Answers", action="app.save_answers", compact=True)

    def on_mount(self) -> None:
        self.query_one("#scenarios", DataTable).add_columns("As intended", "Decision", "Scenario")
        self.watch(self.app, "answers", lambda _: self._refresh())
        self.watch(self.app, "answers", lambda answers: self._show_perimeter(answers.resource_perimeter))
        self.watch(self.app, "endpoints", lambda _: self._show_service())
        self.query_one("#review-services").focus()

    def _show_perimeter(self, on_now: bool) -> None:
        self.query_one("#perimeter-state", Static).update(
            Text.assemble("resource perimeter ", ("ON", "bold green") if on_now else ("off", "bold yellow"), " (p toggles)"))

    def _reviews(self) -> dict[str, ServiceReview] | None:
        try:
            return reviews_for(self.app.answers)
        except WizardError as exc:
            self.query_one("#meter", SizeMeter).update(plain(f"Cannot build yet: {exc}. Go back (esc) to fix it.", "bold red"))
            return None

    def _refresh(self) -> None:
        """Rebuild the service list (✓ good, ✗ errors or failed checks) and redraw the selected service."""
        listing = self.query_one("#review-services", OptionList)
        reviews = self._reviews() or {}
        listing.clear_options()
        listing.add_options([Option(f"{'✓' if r.ok else '✗'} {name}", id=name) for name, r in reviews.items()])
        if reviews:
            names = list(reviews)
            if self.app.current_service not in reviews:
                self.app.current_service = names[0]
            listing.highlighted = names.index(self.app.current_service)
        self._show_service()

    @on(OptionList.OptionHighlighted, "#review-services")
    def _service_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id and event.option.id != self.app.current_service:
            self.app.current_service = event.option.id
            self._show_service()

    def _show_service(self) -> None:
        reviews = self._reviews()
        review = reviews.get(self.app.current_service) if reviews else None
        if review is None:
            for widget in ("#policy-json", "#findings", "#diff"):
                self.query_one(widget, Static).update("")
            self.query_one("#scenarios", DataTable).clear()
            return
        self.query_one("#meter", SizeMeter).show(review.service, review.size)
        self.query_one("#policy-json", Static).update(Syntax(review.text, "json", theme="ansi_dark", background_color="default"))
        self._show_checks(review)
        self.query_one("#diff", Static).update(self._diff(review))

    def _show_checks(self, review: ServiceReview) -> None:
        findings = Text()
        for finding in review.findings:
            findings.append(f"{finding.severity:<8}", style=SEVERITY_STYLES.get(finding.severity, ""))
            findings.append_text(plain(finding.message))
            findings.append("\n")
        if not review.findings:
            findings.append("No findings: the validator is satisfied.\n", style="green")
        self.query_one("#findings", Static).update(findings)
        table = self.query_one("#scenarios", DataTable)
        table.clear()
        for result in review.results:
            decision = "Allow" if result.decision.allowed else "Deny"
            intended = Text("✓ yes", style="green") if result.passed else Text("✗ NO", style="bold red")
            table.add_row(intended, Text(decision, style="green" if result.decision.allowed else "red"), result.scenario.name)

    def _diff(self, review: ServiceReview) -> Text:
        if self.app.connection is None:
            return Text("Offline: connect (or start the sandbox from the palette, ctrl+p) to compare with the endpoints' current policies.")
        if self.app.endpoints is None:
            return Text("Looking for endpoints…")
        return diff_text(review, self.app.endpoints)

    def problem(self) -> str | None:
        try:
            self.app.good_reviews()
        except WizardError as exc:
            return str(exc)
        return None
