"""Step 4: per service, the JSON, its size against the limit, the checks (the analyser's proof, the validator's
findings, the scenarios) and the diff.

Everything shown comes from `tui.policy.review` and `tui.policy.analysis`; the screen redraws whenever the
answers change, and the analysis follows in a worker (tui.app.proof).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
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
from tui.app.proof import AnalysisView
from tui.app.step import StepScreen
from tui.app.tick_list import KeyList
from tui.app.widgets import SizeMeter
from tui.policy.errors import WizardError
from tui.report.i18n import N_, _, pad
from tui.report.messages import scenario_name, text_in_language

if TYPE_CHECKING:
    from tui.aws.discovery import Endpoint
    from tui.aws.session import Connection
    from tui.policy.analysis import Caller, Setting
    from tui.policy.review import ServiceReview

SEVERITY_STYLES = {"error": "bold red", "warning": "yellow", "info": "dim"}
SEVERITY_WORDS = (N_("error"), N_("warning"), N_("info"))
"""The validator's severities (the analyser's have their own, in tui.app.proof)."""


def diff_text(review: ServiceReview, endpoints: list[Endpoint]) -> Text:
    """The semantic diff against each discovered endpoint of this service (their policies came from AWS)."""
    from tui.policy.diff import policy_diff

    matching = [e for e in endpoints if e.service == review.service]
    if not matching:
        return Text(_("No {service} endpoint in this region: nothing to compare.").format(service=review.service))
    text = Text()
    for endpoint in matching:
        text.append_text(plain(f"{endpoint.id}  {endpoint.vpc_id}  {endpoint.type}", "bold"))
        text.append("\n")
        if not endpoint.takes_policy:
            text.append_text(plain("  " + _("takes no policy: {reason}").format(reason=text_in_language(endpoint.reason)), "dim"))
            text.append("\n\n")
            continue
        lines = policy_diff(endpoint.policy, review.policy, _("current"), _("new"))
        if not lines:
            text.append("  " + _("already has this policy") + "\n\n", style="green")
        for line in lines:
            text.append_text(plain(line, diff_style(line)))
            text.append("\n")
        text.append("\n")
    return text


def known_caller(connection: Connection | None) -> Caller | None:
    """Who would apply: the connection's identity, looked up once per connection as the apply guard does."""
    if connection is None:
        return None
    from tui.aws.perimeter import caller_of

    if "caller" not in connection.memo:
        connection.memo["caller"] = caller_of(connection)
    return connection.memo["caller"]


class ReviewScreen(StepScreen):
    STEP = "review"
    MAIN = "#review-services"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "app.copy", N_("Copy")),
        Binding("s", "app.save", N_("Save")),
        Binding("t", "app.export('terraform')", "Terraform", show=False),
        Binding("f", "app.export('cloudformation')", "CFN", show=False),
        Binding("a", "app.save_answers", N_("Answers"), show=False),
        Binding("p", "app.toggle_perimeter", N_("Perimeter")),
        Binding("i", "traffic", N_("Traffic"), show=False),
    ]

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="review-row"):
            yield KeyList(id="review-services")
            with Vertical(id="review-detail"):
                yield SizeMeter(id="meter")
                yield Static(id="perimeter-state")
                with TabbedContent(id="review-tabs"):
                    with TabPane(_("Policy"), id="policy-tab"), VerticalScroll():
                        yield Static(id="policy-json")
                    with TabPane(_("Checks"), id="checks-tab"), VerticalScroll():
                        yield Button(_("Check against recent traffic… (i)"), id="traffic", action="screen.traffic", compact=True)
                        yield AnalysisView(id="analysis")
                        yield Static(id="findings")
                        yield DataTable(id="scenarios", cursor_type="row", zebra_stripes=True)
                    with TabPane(_("Diff"), id="diff-tab"), VerticalScroll():
                        yield Static(id="diff")

    def compose_actions(self) -> ComposeResult:
        yield Button(_("Copy"), action="app.copy", compact=True)
        yield Button(_("Save"), action="app.save", compact=True)
        yield Button("Terraform", action="app.export('terraform')", compact=True)
        yield Button("CloudFormation", action="app.export('cloudformation')", compact=True)
        yield Button(_("Answers"), action="app.save_answers", compact=True)

    def on_mount(self) -> None:
        self.query_one("#scenarios", DataTable).add_columns(_("As intended"), _("Decision"), _("Scenario"))
        self.watch(self.app, "answers", lambda _: self._refresh())
        self.watch(self.app, "answers", lambda answers: self._show_perimeter(answers.resource_perimeter))
        self.watch(self.app, "endpoints", lambda _: self._show_service())
        self.query_one("#review-services").focus()

    def _show_perimeter(self, on_now: bool) -> None:
        self.query_one("#perimeter-state", Static).update(
            Text.assemble(_("resource perimeter") + " ", (_("ON"), "bold green") if on_now else (_("off"), "bold yellow"), " " + _("(p toggles)")))

    def _reviews(self) -> dict[str, ServiceReview] | None:
        try:
            return reviews_for(self.wizard.answers)
        except WizardError as exc:
            self.query_one("#meter", SizeMeter).update(plain(_("Cannot build yet: {reason}. Go back (esc) to fix it.").format(reason=exc), "bold red"))
            return None

    def _refresh(self) -> None:
        """Rebuild the service list (✓ good, ✗ errors or failed checks) and redraw the selected service."""
        listing = self.query_one("#review-services", OptionList)
        reviews = self._reviews() or {}
        listing.clear_options()
        listing.add_options([Option(f"{'✓' if r.ok else '✗'} {name}", id=name) for name, r in reviews.items()])
        if reviews:
            names = list(reviews)
            if self.wizard.current_service not in reviews:
                self.wizard.current_service = names[0]
            listing.highlighted = names.index(self.wizard.current_service)
        self._show_service()

    @on(OptionList.OptionHighlighted, "#review-services")
    def _service_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id and event.option.id != self.wizard.current_service:
            self.wizard.current_service = event.option.id
            self._show_service()

    def _show_service(self) -> None:
        reviews = self._reviews()
        review = reviews.get(self.wizard.current_service) if reviews else None
        if review is None:
            for widget in ("#policy-json", "#findings", "#diff"):
                self.query_one(widget, Static).update("")
            self.query_one("#scenarios", DataTable).clear()
            self.query_one("#analysis", AnalysisView).clear()
            return
        self.query_one("#meter", SizeMeter).show(review.service, review.size)
        self.query_one("#policy-json", Static).update(Syntax(review.text, "json", theme="ansi_dark", background_color="default"))
        self._show_checks(review)
        self.query_one("#analysis", AnalysisView).analyse(*self._analysis_request(review))
        self.query_one("#diff", Static).update(self._diff(review))

    def _analysis_request(self, review: ServiceReview) -> tuple[Hashable, dict, Callable[[], Setting]]:
        """(what the verdict depends on, the policy, how to build its Setting in the worker): the wizard's
        trusted set, service, region and resource perimeter, the endpoints' type when they share one, and the
        connection's caller when connected (finding its role's path and tags may ask AWS)."""
        answers = self.wizard.answers.checked()
        connection = self.wizard.connection
        types = {e.type for e in self.wizard.endpoints or () if e.service == review.service}
        endpoint_type = types.pop() if len(types) == 1 else ""

        def setting() -> Setting:
            from tui.policy.analysis import Setting, Trust

            return Setting(review.service, answers.region, Trust(answers.accounts, answers.org_ids), endpoint_type,
                           caller=known_caller(connection), resource_perimeter=answers.resource_perimeter or None,
                           listed_buckets=answers.bucket_arns)

        return (answers, review.service, endpoint_type, connection), review.policy, setting

    def _show_checks(self, review: ServiceReview) -> None:
        findings = Text("\n" + _("Validator (AWS's grammar and limits) and catalog notes:") + "\n", style="bold")
        for finding in review.findings:
            findings.append(pad(_(finding.severity), 8), style=SEVERITY_STYLES.get(finding.severity, ""))
            findings.append_text(plain(finding.localised()))
            findings.append("\n")
        if not review.findings:
            findings.append(_("No findings: the validator is satisfied.") + "\n", style="green")
        self.query_one("#findings", Static).update(findings)
        table = self.query_one("#scenarios", DataTable)
        table.clear()
        for result in review.results:
            decision = _("Allow") if result.decision.allowed else _("Deny")
            intended = Text(_("✓ yes"), style="green") if result.passed else Text(_("✗ NO"), style="bold red")
            table.add_row(intended, Text(decision, style="green" if result.decision.allowed else "red"), plain(scenario_name(result.scenario)))

    def _diff(self, review: ServiceReview) -> Text:
        if self.wizard.connection is None:
            return Text(_("Offline: connect (or start the sandbox from the palette, ctrl+p) to compare with the endpoints' current policies."))
        if self.wizard.endpoints is None:
            return Text(_("Looking for endpoints…"))
        return diff_text(review, self.wizard.endpoints)

    def action_traffic(self) -> None:
        """Replay CloudTrail records against the highlighted service's policy (a dialog; needs a good policy)."""
        from tui.app.traffic import TrafficModal

        if self.wizard.ready_reviews() is not None:
            self.app.push_screen(TrafficModal(self.wizard.current_service))

    def problem(self) -> str | None:
        try:
            self.wizard.good_reviews()
        except WizardError as exc:
            return str(exc)
        return None
