"""Step 5: choose endpoints by VPC, confirm every diff, watch each endpoint's outcome, roll back if needed.

Planning, writing and rollback run in `tui.aws.apply` inside thread workers; this screen only shows them.
"""

from functools import partial
from itertools import groupby

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Button, Checkbox, DataTable, LoadingIndicator, SelectionList, Static
from textual.widgets.selection_list import Selection

from tui.app.confirm import ConfirmApplyModal
from tui.app.step import StepScreen
from tui.policy.errors import WizardError

STATUS_STYLES = {"applied": "green", "unchanged": "dim", "dry-run": "cyan", "refused": "yellow", "failed": "bold red", "working": "italic"}


class ApplyScreen(StepScreen):
    STEP = "apply"
    BINDINGS = [
        Binding("ctrl+a", "apply", "Apply…", priority=True),
        Binding("r", "rollback", "Roll back"),
    ]

    def compose_body(self) -> ComposeResult:
        yield Static(id="apply-status", markup=False)
        yield LoadingIndicator(id="apply-loading")
        yield VerticalScroll(id="vpcs", can_focus=False)
        yield Static(id="run-status", markup=False)
        yield DataTable(id="outcomes", cursor_type="row")

    def compose_actions(self) -> ComposeResult:
        yield Checkbox("dry run", id="dry-run", compact=True)
        yield Button("Apply…", id="apply", action="screen.apply", variant="error", compact=True)
        yield Button("Roll back", id="rollback", action="screen.rollback", compact=True)
        yield Button("Start sandbox", id="sandbox", action="app.start_sandbox", compact=True)

    def on_mount(self) -> None:
        self.outcomes: dict[str, object] = {}
        self.query_one("#outcomes", DataTable).add_columns("Endpoint", "Status", "Details")
        self.watch(self.app, "endpoints", lambda _: self._show_endpoints())
        self.watch(self.app, "connection", lambda _: self._show_endpoints(), init=False)
        self.app.refresh_endpoints_if_stale()

    async def _show_endpoints(self) -> None:
        """The chosen services' endpoints, one list per VPC; those that take no policy are disabled with the reason."""
        connection, endpoints = self.app.connection, self.app.endpoints
        offline = connection is None
        self.query_one("#sandbox").display = offline
        self.query_one("#apply-loading").display = not offline and endpoints is None
        status = self.query_one("#apply-status", Static)
        box = self.query_one("#vpcs", VerticalScroll)
        await box.remove_children()
        if offline:
            status.update("Applying needs AWS. You are offline; every other step works. Start the sandbox (a local AWS "
                          "emulator with demo endpoints) to try this step, or restart with --profile / --region.")
            return
        if endpoints is None:
            status.update(f"Looking for endpoints in {self.app.answers.region}…")
            return
        chosen = [e for e in endpoints if e.service in self.app.answers.services]
        status.update(f"{len(chosen)} endpoint(s) of the chosen services in {self.app.answers.region}; space selects, ctrl+a applies.")
        lists = []
        for vpc, members in groupby(sorted(chosen, key=lambda e: (e.vpc_id, e.id)), key=lambda e: e.vpc_id):
            rows = [Selection(self._prompt(e), e.id, False, disabled=not e.takes_policy) for e in members]
            listing = SelectionList[str](*rows, classes="vpc")
            listing.border_title = vpc
            lists.append(listing)
        await box.mount_all(lists or [Static("No endpoint of the chosen services here: choose services or a region that has some.")])
        if lists:
            lists[0].focus()

    @staticmethod
    def _prompt(endpoint) -> Text:
        prompt = Text(f"{endpoint.id}  {endpoint.service:<12} {endpoint.type:<9} ")
        if endpoint.takes_policy:
            prompt.append(endpoint.classification, style="italic")
        else:
            prompt.append(f"no policy: {endpoint.reason}", style="dim")
        return prompt

    def selected(self) -> list[str]:
        return [value for listing in self.query(".vpc").results(SelectionList) for value in listing.selected]

    def action_apply(self) -> None:
        if self.app.connection is None:
            self.app.notify("Offline: start the sandbox or reconnect to apply.", severity="error")
            return
        ids = self.selected()
        if not ids:
            self.app.notify("Select at least one endpoint (space).", severity="error")
            return
        try:
            reviews = self.app.good_reviews()
        except WizardError as exc:
            self.app.notify(str(exc), severity="error")
            return
        from tui.aws.apply import plan_apply

        endpoints = {e.id: e for e in self.app.endpoints}
        changes = {i: reviews[endpoints[i].service].policy for i in ids if endpoints[i].service in reviews}
        regions = {i: endpoints[i].region for i in changes}
        self.plan(partial(plan_apply, self.app.connection, changes, regions=regions), "Apply")

    def action_rollback(self) -> None:
        table = self.query_one("#outcomes", DataTable)
        if not self.outcomes or table.cursor_row is None:
            self.app.notify("Nothing to roll back yet: apply first, then pick a result row.", severity="warning")
            return
        outcome = list(self.outcomes.values())[table.cursor_row]
        if not outcome.backup_path:
            self.app.notify(f"{outcome.endpoint_id} has no backup from this run: nothing to roll back.", severity="warning")
            return
        from tui.aws.rollback import plan_rollback

        self.plan(partial(plan_rollback, self.app.connection, outcome.endpoint_id, outcome.backup_path), "Roll back")

    @work(thread=True, exclusive=True, group="apply")
    def plan(self, make_plan, verb: str) -> None:
        """Read the endpoints and plan (no writes), then ask for confirmation on the UI thread."""
        self.app.call_from_thread(self._busy, f"{verb}: reading the endpoints and planning…")
        from tui.aws.errors import translate

        try:
            plan = make_plan()
        except Exception as exc:  # noqa: BLE001 - a worker must report, never die: translate says what failed
            self.app.call_from_thread(self._failed, str(translate(exc)))
            return
        self.app.call_from_thread(self._confirm, plan, verb)

    def _busy(self, message: str) -> None:
        self.query_one("#run-status", Static).update(message)
        self.query_one("#apply-loading").display = True

    def _failed(self, message: str) -> None:
        self.query_one("#apply-loading").display = False
        self.query_one("#run-status", Static).update(Text(message, style="bold red"))
        self.app.notify(message, severity="error")

    def _confirm(self, plan, verb: str) -> None:
        self.query_one("#apply-loading").display = False
        dry_run = self.query_one("#dry-run", Checkbox).value

        def decided(yes: bool | None) -> None:
            if yes:
                self.execute(plan, dry_run)
            else:
                self.query_one("#run-status", Static).update(f"{verb} cancelled: nothing was written.")

        self.app.push_screen(ConfirmApplyModal(plan, verb, dry_run), decided)

    @work(thread=True, exclusive=True, group="apply")
    def execute(self, plan, dry_run: bool) -> None:
        """Write endpoint by endpoint; each outcome is shown as it arrives, failures beside successes."""
        from tui.aws.apply import execute_plan

        self.app.call_from_thread(self._start_rows, plan)
        outcomes = execute_plan(self.app.connection, plan, dry_run=dry_run,
                                on_progress=lambda outcome: self.app.call_from_thread(self._show_outcome, outcome))
        self.app.call_from_thread(self._finished, outcomes)

    def _start_rows(self, plan) -> None:
        self._busy(f"Writing {len(plan.writes)} endpoint(s)…")
        table = self.query_one("#outcomes", DataTable)
        table.display = True
        for item in plan.items:
            key = item.endpoint.id
            if key in self.outcomes:
                table.remove_row(key)
                del self.outcomes[key]
            self.outcomes[key] = None
            table.add_row(key, Text("working", style=STATUS_STYLES["working"]), "", key=key)

    def _show_outcome(self, outcome) -> None:
        self.outcomes[outcome.endpoint_id] = outcome
        details = f"backup {outcome.backup_path}" if outcome.backup_path else ""
        details = "; ".join(filter(None, [outcome.reason, details, *outcome.warnings]))
        table = self.query_one("#outcomes", DataTable)
        table.update_cell(outcome.endpoint_id, table.ordered_columns[1].key, Text(outcome.status, style=STATUS_STYLES.get(outcome.status, "")))
        table.update_cell(outcome.endpoint_id, table.ordered_columns[2].key, details, update_width=True)

    def _finished(self, outcomes) -> None:
        self.query_one("#apply-loading").display = False
        counts = {status: sum(o.status == status for o in outcomes) for status in dict.fromkeys(o.status for o in outcomes)}
        summary = ", ".join(f"{n} {status}" for status, n in counts.items())
        failed = counts.get("failed", 0)
        self.query_one("#run-status", Static).update(Text(f"Done: {summary}. Pick a row and press r to roll it back.", style="bold red" if failed else "bold"))
        self.app.notify(f"Done: {summary}.", severity="error" if failed else "information")
        self.app.discover_endpoints(self.app.connection, self.app.answers.region)
