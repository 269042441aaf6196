"""Step 5: choose endpoints by VPC, confirm every diff, watch each endpoint's outcome, roll back if needed.

Planning, writing and rollback run in `tui.aws.apply` inside thread workers that report with typed messages;
this screen only shows them. Every id, reason and error came from AWS: it is shown through `plain`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from itertools import groupby
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Checkbox, DataTable, LoadingIndicator, RadioSet, SelectionList, Static
from textual.widgets.selection_list import Selection

from tui.app.confirm import ConfirmApplyModal
from tui.app.plain import plain
from tui.app.step import StepScreen
from tui.app.targets import TargetsPanel
from tui.app.tick_list import TickList
from tui.app.ticks import TickBox, TickRadio
from tui.policy.errors import WizardError
from tui.report.changes import outcome_details, outcome_word
from tui.report.i18n import N_, _
from tui.report.messages import error_in_language, text_in_language

if TYPE_CHECKING:
    from tui.aws.apply import ApplyPlan, EndpointOutcome
    from tui.aws.discovery import Endpoint

STATUS_STYLES = {"applied": "green", "unchanged": "dim", "refused": "yellow", "failed": "bold red", "overwritten": "bold red"}
"""Each outcome's colour, by its status (its words come from tui.report.changes, shared with the CLI)."""
WORKING_STYLE = "italic"
# The confirm dialog's verb and discovery's "not analysed" label, shown through _().
VERBS_AND_LABELS = (N_("Roll back"), N_("not analysed"))


@dataclass
class PlanReady(Message):
    plan: ApplyPlan
    verb: str


@dataclass
class PlanFailed(Message):
    reason: str


@dataclass
class OutcomeArrived(Message):
    outcome: EndpointOutcome


@dataclass
class RunFinished(Message):
    outcomes: list[EndpointOutcome]


class ApplyScreen(StepScreen):
    STEP = "apply"
    MAIN = ".vpc"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+a", "apply", N_("Apply…"), priority=True),
        Binding("r", "rollback", N_("Roll back")),
    ]

    def compose_body(self) -> ComposeResult:
        with RadioSet(id="target-kind", compact=True):
            yield TickRadio(_("this account's endpoints"), value=True, id="kind-account")
            yield TickRadio(_("several accounts: org, OU or a list"), id="kind-org")
        with Vertical(id="one-account"):
            yield Static(id="apply-status")
            yield LoadingIndicator(id="apply-loading")
            yield VerticalScroll(id="vpcs", can_focus=False)
            yield Static(id="run-status")
            yield DataTable(id="outcomes", cursor_type="row")
        yield TargetsPanel(id="targets")

    @property
    def org_mode(self) -> bool:
        """Organization targets chosen instead of this account's endpoints."""
        return self.query_one("#kind-org", TickRadio).value

    @on(RadioSet.Changed, "#target-kind")
    def _kind_changed(self) -> None:
        """Show either this account's endpoint lists or the organization targets; neither loses its state."""
        self.query_one("#one-account").display = not self.org_mode
        self.query_one("#targets").display = self.org_mode
        if self.org_mode:
            self.query_one("#targets-scope").focus()

    def compose_actions(self) -> ComposeResult:
        yield TickBox(_("dry run"), id="dry-run", compact=True)
        yield Button(_("Apply…"), id="apply", action="screen.apply", variant="error", compact=True)
        yield Button(_("Roll back"), id="rollback", action="screen.rollback", compact=True)
        yield Button(_("Start sandbox"), id="sandbox", action="app.start_sandbox", compact=True)

    def on_mount(self) -> None:
        self.outcomes: dict[str, EndpointOutcome | None] = {}
        self.actions: dict[str, str] = {}
        """The action (apply, rollback, default) of each result row's latest run."""
        self.picked: list[str] = []
        """Endpoints the user selected; kept while endpoints are looked up again."""
        self.query_one("#outcomes", DataTable).add_columns(_("Endpoint"), _("Result"), _("Details"))
        self.watch(self.app, "endpoints", lambda _: self._show_endpoints())
        self.watch(self.app, "connection", lambda _: self._show_endpoints(), init=False)
        self.wizard.refresh_endpoints_if_stale()

    async def _show_endpoints(self) -> None:
        """The chosen services' endpoints, one list per VPC; those that take no policy are disabled with the reason."""
        app = self.wizard
        connection, endpoints = app.connection, app.endpoints
        offline = connection is None
        self.query_one("#sandbox").display = offline
        self.query_one("#apply-loading").display = not offline and endpoints is None
        status = self.query_one("#apply-status", Static)
        box = self.query_one("#vpcs", VerticalScroll)
        if offline:
            await box.remove_children()
            status.update(_("Applying needs AWS. You are offline; every other step works. Start the sandbox (a local AWS "
                            "emulator with demo endpoints) to try this step, or restart with --profile / --region."))
            self.query_one("#sandbox").focus()
            return
        if endpoints is None:
            kept = " " + _("({count} selected endpoint(s) kept)").format(count=len(self.picked)) if self.picked else ""
            status.update(_("Looking for endpoints in {region}…").format(region=app.answers.region) + kept)
            return
        await box.remove_children()
        chosen = [e for e in endpoints if e.service in app.answers.services]
        lists = [self._vpc_list(vpc, list(members)) for vpc, members in groupby(sorted(chosen, key=lambda e: (e.vpc_id, e.id)), key=lambda e: e.vpc_id)]
        gone = [i for i in self.picked if i not in {e.id for e in chosen if e.takes_policy}]
        self.picked = [i for i in self.picked if i not in gone]
        message = _("{count} endpoint(s) of the chosen services in {region}; space selects, ctrl+a applies.").format(
            count=len(chosen), region=app.answers.region)
        if gone:
            message += " " + _("No longer listed, so unselected: {endpoints}.").format(endpoints=", ".join(gone))
        status.update(plain(message))
        await box.mount_all(lists or [Static(_("No endpoint of the chosen services here: choose services or a region that has some."))])
        if self.current_filter():
            for listing in lists:
                listing.apply_filter(self.current_filter())
        if lists and not isinstance(self.focused, DataTable):  # someone picking a result row keeps their place
            lists[0].focus()

    def _vpc_list(self, vpc: str, members: list[Endpoint]) -> TickList:
        rows = [Selection(self._prompt(e), e.id, e.id in self.picked, disabled=not e.takes_policy) for e in members]
        listing = TickList(*rows, classes="vpc")
        listing.border_title = plain(vpc)
        return listing

    @staticmethod
    def _prompt(endpoint: Endpoint) -> Text:
        prompt = plain(f"{endpoint.id}  {endpoint.service:<12} {endpoint.type:<9} ")
        if endpoint.takes_policy:
            prompt.append_text(plain(_(endpoint.classification), "italic"))
        else:
            prompt.append_text(plain(_("no policy: {reason}").format(reason=text_in_language(endpoint.reason)), "dim"))
        return prompt

    @on(SelectionList.SelectedChanged, ".vpc")
    def _picked(self) -> None:
        self.picked = self.selected()

    def selected(self) -> list[str]:
        return [value for listing in self.query(".vpc").results(TickList) for value in listing.selected]

    def action_apply(self) -> None:
        if self.org_mode:
            self.query_one(TargetsPanel).plan()
            return
        app = self.wizard
        if app.connection is None:
            app.notify(_("Offline: start the sandbox or reconnect to apply."), severity="error")
            return
        if app.endpoints is None:
            app.notify(_("Still looking for endpoints: wait a moment, your selection is kept."), severity="warning")
            return
        ids = self.selected()
        if not ids:
            app.notify(_("Select at least one endpoint (space)."), severity="error")
            return
        try:
            reviews = app.good_reviews()
        except WizardError as exc:
            app.say(str(exc), severity="error")
            return
        from tui.aws.apply import plan_apply

        endpoints = {e.id: e for e in app.endpoints}
        chosen = {i: reviews.get(endpoints[i].service or "") for i in ids}
        changes = {i: review.policy for i, review in chosen.items() if review is not None}
        regions = {i: endpoints[i].region for i in changes}
        self.plan(partial(plan_apply, app.connection, changes, regions=regions), "Apply")

    def action_rollback(self) -> None:
        if self.org_mode:
            self.wizard.say(_("Organization targets are rolled back from the command line, every backed-up endpoint of the "
                              "targets at once: vpce-wizard rollback --org (or --ou / --accounts) --region R"), severity="warning", timeout=15)
            return
        table = self.query_one("#outcomes", DataTable)
        if not self.outcomes or table.cursor_row is None:
            self.app.notify(_("Nothing to roll back yet: apply first, then pick a result row."), severity="warning")
            return
        endpoint_id = list(self.outcomes)[table.cursor_row]
        outcome = self.outcomes[endpoint_id]
        if outcome is None:
            self.app.notify(_("That endpoint is still being written."), severity="warning")
            return
        if self.actions.get(endpoint_id) != "apply" or outcome.status != "applied":
            word = outcome_word(outcome, self.actions.get(endpoint_id, "apply"))
            self.wizard.say(_("{endpoint}: {outcome}, so there is no apply of this run to roll back.").format(endpoint=endpoint_id, outcome=word), severity="warning")
            return
        from tui.aws.rollback import plan_rollback

        self.plan(partial(plan_rollback, self.wizard.connection, outcome.endpoint_id, outcome.backup_path), "Roll back")

    @work(thread=True, exclusive=True, group="apply")
    def plan(self, make_plan: Callable[[], ApplyPlan], verb: str) -> None:
        """Read the endpoints and plan (no writes), then ask for confirmation on the UI thread."""
        self.app.call_from_thread(self._busy, _("{verb}: reading the endpoints and planning…").format(verb=_(verb)))
        from tui.aws.errors import translate

        try:
            plan = make_plan()
        except Exception as exc:  # noqa: BLE001 - a worker must report, never die: translate says what failed
            self.post_message(PlanFailed(error_in_language(translate(exc))))
            return
        self.post_message(PlanReady(plan, verb))

    def _busy(self, message: str) -> None:
        self.query_one("#run-status", Static).update(message)
        self.query_one("#apply-loading").display = True

    @on(PlanFailed)
    def _failed(self, message: PlanFailed) -> None:
        self.query_one("#apply-loading").display = False
        self.query_one("#run-status", Static).update(plain(message.reason, "bold red"))
        self.wizard.say(message.reason, severity="error")

    @on(PlanReady)
    def _confirm(self, message: PlanReady) -> None:
        plan, verb = message.plan, message.verb
        self.query_one("#apply-loading").display = False
        dry_run = self.query_one("#dry-run", Checkbox).value

        def decided(yes: bool | None) -> None:
            if yes:
                self._start_rows(plan)
                self.execute(plan, dry_run)
            else:
                self.query_one("#run-status", Static).update(_("{verb} cancelled: nothing was written.").format(verb=_(verb)))

        self.app.push_screen(ConfirmApplyModal(plan, verb, dry_run), decided)

    @work(thread=True, exclusive=True, group="apply")
    def execute(self, plan: ApplyPlan, dry_run: bool) -> None:
        """Write endpoint by endpoint; each outcome is shown as it arrives, failures beside successes."""
        from tui.aws.apply import execute_plan

        outcomes = execute_plan(self.wizard.connection, plan, dry_run=dry_run, on_progress=lambda o: self.post_message(OutcomeArrived(o)))
        self.post_message(RunFinished(outcomes))

    def _start_rows(self, plan: ApplyPlan) -> None:
        """One row per endpoint, in the order they were first written: a later run updates its row in place."""
        self._busy(_("Writing {count} endpoint(s)…").format(count=len(plan.writes)))
        table = self.query_one("#outcomes", DataTable)
        table.display = True
        for item in plan.items:
            key = item.endpoint.id
            self.actions[key] = item.action
            working = Text(_("working"), style=WORKING_STYLE)
            if key in self.outcomes:
                table.update_cell(key, table.ordered_columns[1].key, working)
                table.update_cell(key, table.ordered_columns[2].key, "")
            else:
                table.add_row(plain(key), working, "", key=key)
            self.outcomes[key] = None

    @on(OutcomeArrived)
    def _show_outcome(self, message: OutcomeArrived) -> None:
        outcome = message.outcome
        self.outcomes[outcome.endpoint_id] = outcome
        word = outcome_word(outcome, self.actions.get(outcome.endpoint_id, "apply"))
        table = self.query_one("#outcomes", DataTable)
        style = STATUS_STYLES.get(str(outcome.status), "cyan")
        table.update_cell(outcome.endpoint_id, table.ordered_columns[1].key, Text(word, style=style), update_width=True)
        table.update_cell(outcome.endpoint_id, table.ordered_columns[2].key, plain(outcome_details(outcome)), update_width=True)

    @on(RunFinished)
    def _finished(self, message: RunFinished) -> None:
        outcomes = message.outcomes
        self.query_one("#apply-loading").display = False
        words = [outcome_word(o, self.actions.get(o.endpoint_id, "apply")) for o in outcomes]
        summary = _(", ").join(_("{count} {outcome}").format(count=words.count(word), outcome=word) for word in dict.fromkeys(words))
        failed = any(o.status in ("failed", "overwritten") for o in outcomes)
        hint = " " + _("Pick an applied row and press r to roll it back.") if _("applied") in words else ""
        done = _("Done: {summary}.").format(summary=summary)
        self.query_one("#run-status", Static).update(Text(done + hint, style="bold red" if failed else "bold"))
        self.app.notify(done, severity="error" if failed else "information")
        self.wizard.classified_for = None  # the labels describe the policies this run replaced until discovery relabels
        self.wizard.discover_endpoints(self.wizard.connection, self.wizard.answers.region)
