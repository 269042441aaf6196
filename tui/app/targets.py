"""The apply step's organization targets: the same rollout as `vpce-wizard apply --org|--ou|--accounts`, from
the wizard (issue 11). Accounts are entered through a named role, each region's policies are built from the
answers, every target is planned (reads only), the whole plan is confirmed with the typed "yes" of the
single-account path, then run; a per-account table shows each target's outcome, and the highlighted row's
endpoints are listed below it.

All AWS work runs in `tui.aws` (`resolve_targets`, `plan_targets`, `run_waves`) inside thread workers that
report with typed messages; account IDs, regions and AWS messages are shown through `plain`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Checkbox, DataTable, Input, Label, Static

from tui.app.confirm import ConfirmApplyModal
from tui.app.handle import WizardPart
from tui.app.plain import plain
from tui.policy.errors import InputError, WizardError
from tui.report.changes import status_word
from tui.report.i18n import N_, _
from tui.report.messages import text_in_language

if TYPE_CHECKING:
    from tui.aws.apply import ApplyPlan
    from tui.aws.fanout import AccountSessions, FanoutReport, TargetResult
    from tui.aws.rollout import TargetPlan
    from tui.aws.targets import Target, TargetSpec
    from tui.policy.answers import Answers

RESULT_STYLES = {N_("planned"): "cyan", N_("applied"): "green", N_("dry run"): "cyan", N_("nothing to change"): "dim",
                 N_("failed"): "bold red", N_("unreachable"): "bold red", N_("skipped"): "yellow", N_("working"): "italic"}
"""Each target's result word (shown through _()) and its colour."""


def target_spec(scope: str, exclude: str, regions: str, default_region: str) -> TargetSpec:
    """The targets typed in the panel: `org` (or nothing) for the whole organization, an OU or root ID, or
    account IDs pasted as on the accounts step; excluded accounts; regions (default: the answers' region)."""
    from tui.aws.targets import TargetSpec, check_ou_id
    from tui.policy.account_lists import read_account_list
    from tui.policy.identifiers import check_region

    scope = scope.strip()
    org = scope.lower() in ("", "org")
    ou = check_ou_id(scope) if scope.startswith(("ou-", "r-")) else None
    accounts: tuple[str, ...] = ()
    if not org and not ou:
        accounts = _accounts(read_account_list(scope), _("targets"))
    excluded = _accounts(read_account_list(exclude), _("exclude")) if exclude.strip() else ()
    chosen = tuple(dict.fromkeys(check_region(r) for r in regions.replace(",", " ").split())) or (default_region,)
    return TargetSpec(org=org, ou=ou, accounts=accounts, exclude=excluded, regions=chosen)


def _accounts(reading, field: str) -> tuple[str, ...]:
    if reading.problems:
        raise InputError(f"{field}: {reading.problems[0]}")
    if reading.org_ids:
        raise InputError(_("{field}: {org} is an organization ID; type org for the whole organization, or an OU ID").format(field=field, org=reading.org_ids[0]))
    if not reading.accounts:
        raise InputError(_("{field}: no account ID").format(field=field))
    return reading.accounts


def combined_plan(plans: list[TargetPlan], label: str) -> ApplyPlan:
    """Every target's plan as one, for the confirm dialog the single-account path uses."""
    from tui.aws.apply import ApplyPlan

    return ApplyPlan([item for plan in plans for item in plan.plan.items], label)


def outcome_word(result: TargetResult, dry_run: bool) -> str:
    """What happened in one target, in words (its endpoints' outcomes are in the detail below the table)."""
    status = str(result.status)
    if status != "ok":
        return status
    if not result.value:
        return "nothing to change"
    return "dry run" if dry_run else "applied"


@dataclass
class TargetsPlanned(Message):
    report: FanoutReport
    sessions: AccountSessions


@dataclass
class TargetsFailed(Message):
    reason: str


@dataclass
class TargetDone(Message):
    result: TargetResult


@dataclass
class TargetsFinished(Message):
    stopped: str


class TargetsPanel(WizardPart, Vertical):
    """Which accounts and regions, how to enter them, and a row per target with its outcome."""

    def compose(self) -> ComposeResult:
        with Horizontal(classes="input-row"):
            yield Input(placeholder=_("org · an OU (ou-...) · account IDs"), id="targets-scope", compact=True)
            yield Input(placeholder=_("exclude accounts"), id="targets-exclude", compact=True)
        with Horizontal(classes="input-row"):
            yield Input(placeholder=_("regions (default: the answers' region)"), id="targets-regions", compact=True)
            yield Input(placeholder=_("role in each account (OrganizationAccountAccessRole)"), id="targets-role", compact=True)
        yield Label(_("ctrl+a plans every target (reads only), then asks before writing anything"), classes="hint")
        yield Static(id="targets-status")
        yield DataTable(id="targets-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="target-detail")

    def on_mount(self) -> None:
        self.query_one("#targets-table", DataTable).add_columns(_("Account"), _("Region"), _("Result"), _("Endpoints"), _("Details"))
        self.results: dict[Target, TargetResult] = {}
        self.words: dict[Target, str] = {}

    def status(self, text: Text | str) -> None:
        self.query_one("#targets-status", Static).update(text)

    # -- plan ----------------------------------------------------------------------------------------------

    def plan(self) -> None:
        """Check what was typed, then plan every target in a worker."""
        app = self.wizard
        if app.connection is None:
            app.notify(_("Offline: start the sandbox or reconnect to reach other accounts."), severity="error")
            return
        try:
            app.good_reviews()
            answers = app.answers.checked()
            scope, exclude, regions = (self.query_one(f"#targets-{name}", Input).value for name in ("scope", "exclude", "regions"))
            spec = target_spec(scope, exclude, regions, answers.region)
            access = self._access()
        except WizardError as exc:
            self.status(plain(str(exc), "bold red"))
            app.say(str(exc), severity="error")
            return
        self.status(Text(_("finding the accounts and planning every target (reads only)…"), style="italic"))
        self._plan(app.connection, spec, access, answers)

    def _access(self):
        from tui.aws.fanout import DEFAULT_ROLE_NAME, RoleAccess

        return RoleAccess(self.query_one("#targets-role", Input).value.strip() or DEFAULT_ROLE_NAME).checked()

    @work(thread=True, exclusive=True, group="targets")
    def _plan(self, connection, spec: TargetSpec, access, answers: Answers) -> None:
        from tui.aws.fanout import AccountSessions
        from tui.aws.rollout import plan_targets
        from tui.aws.targets import resolve_targets

        try:
            targets = resolve_targets(connection, spec)
            sessions = AccountSessions(connection, access)
            report = plan_targets(sessions, targets, policies_for(answers), trust_of(answers))
        except Exception as exc:  # noqa: BLE001 - a worker reports, never dies: AWS failures are translated
            from tui.aws.errors import translate

            self.post_message(TargetsFailed(str(exc) if isinstance(exc, WizardError) else str(translate(exc))))
            return
        self.post_message(TargetsPlanned(report, sessions))

    @on(TargetsFailed)
    def _failed(self, message: TargetsFailed) -> None:
        self.status(plain(message.reason, "bold red"))
        self.wizard.say(message.reason, severity="error")

    @on(TargetsPlanned)
    def _planned(self, message: TargetsPlanned) -> None:
        report = message.report
        self.results = {r.target: r for r in report.results}
        self.words = {r.target: "planned" if r.status == "ok" else str(r.status) for r in report.results}
        self._fill_table()
        plans = [r.value for r in report.ok]
        accounts = len({p.target.account for p in plans if p.plan.writes})
        writes = sum(len(p.plan.writes) for p in plans)
        unreachable = len(report.errors)
        summary = _("{targets} target(s) planned: {writes} endpoint(s) to change in {accounts} account(s)").format(
            targets=len(report.results), writes=writes, accounts=accounts)
        if unreachable:
            summary += "; " + _("{count} target(s) could not be planned (see the table)").format(count=unreachable)
        self.status(plain(summary))
        if not writes:
            self.wizard.notify(_("Nothing to change in these targets."), severity="warning")
            return
        dry_run = self.screen.query_one("#dry-run", Checkbox).value
        label = _("{accounts} account(s) across {regions} region(s)").format(accounts=accounts, regions=len({p.target.region for p in plans}))

        def decided(yes: bool | None) -> None:
            if yes:
                self._run(message.sessions, plans, answers_trust=trust_of(self.wizard.answers.checked()), dry_run=dry_run)
            else:
                self.status(Text(_("Cancelled: nothing was written."), style="bold"))

        self.app.push_screen(ConfirmApplyModal(combined_plan(plans, label), "Apply", dry_run), decided)

    # -- run -----------------------------------------------------------------------------------------------

    def _run(self, sessions: AccountSessions, plans: list[TargetPlan], answers_trust, dry_run: bool) -> None:
        self.dry_run = dry_run
        for plan in plans:
            self.words[plan.target] = "working"
        self._fill_table()
        self.status(Text(_("writing {count} endpoint(s)…").format(count=sum(len(p.plan.writes) for p in plans)), style="italic"))
        self._execute(sessions, plans, answers_trust, dry_run)

    @work(thread=True, exclusive=True, group="targets")
    def _execute(self, sessions: AccountSessions, plans: list[TargetPlan], trust, dry_run: bool) -> None:
        """One wave of every planned target, re-audited after (run_waves); each target reports as it ends."""
        from tui.aws.waves import Wave, run_waves

        wave = Wave(1, tuple(p.target for p in plans))
        results = run_waves(sessions, [wave], {p.target: p for p in plans}, trust, dry_run=dry_run,
                            on_result=lambda result: self.post_message(TargetDone(result)))
        problems = [problem for result in results for problem in result.problems]
        self.post_message(TargetsFinished(problems[0] if problems else ""))

    @on(TargetDone)
    def _target_done(self, message: TargetDone) -> None:
        result = message.result
        self.results[result.target] = result
        self.words[result.target] = outcome_word(result, self.dry_run)
        self._fill_table()

    @on(TargetsFinished)
    def _finished(self, message: TargetsFinished) -> None:
        counts: dict[str, int] = {}
        for word in self.words.values():
            counts[word] = counts.get(word, 0) + 1
        summary = _("Done: {counts} (targets).").format(counts=", ".join(f"{count} {_(word)}" for word, count in counts.items()))
        if message.stopped:
            summary += " " + _("Re-audit: {problem}").format(problem=message.stopped)
        failed = any(word in ("failed", "unreachable", "skipped") for word in self.words.values()) or bool(message.stopped)
        self.status(plain(summary, "bold red" if failed else "bold"))
        self.wizard.say(summary, severity="error" if failed else "information")

    # -- the table -----------------------------------------------------------------------------------------

    def _fill_table(self) -> None:
        table = self.query_one("#targets-table", DataTable)
        row = table.cursor_row
        table.clear()
        for target, result in self.results.items():
            word = self.words.get(target, "")
            table.add_row(plain(target.account), plain(target.region), Text(_(word), style=RESULT_STYLES.get(word, "cyan")),
                          str(_endpoint_count(result)), plain(text_in_language(result.message)))
        if row is not None and 0 <= row < table.row_count:
            table.move_cursor(row=row)
        self._show_detail()

    @on(DataTable.RowHighlighted, "#targets-table")
    def _show_detail(self) -> None:
        """The highlighted target's endpoints: what was planned for each, or how each ended."""
        table = self.query_one("#targets-table", DataTable)
        detail = self.query_one("#target-detail", Static)
        results = list(self.results.values())
        if not results or table.cursor_row is None or not 0 <= table.cursor_row < len(results):
            detail.update("")
            return
        result = results[table.cursor_row]
        detail.update(target_detail(result))


def _endpoint_count(result: TargetResult) -> int:
    value = result.value
    if isinstance(value, list):
        return len(value)
    return len(value.plan.items) if value is not None and hasattr(value, "plan") else 0


def target_detail(result: TargetResult) -> Text:
    """One line per endpoint of a target: its planned change or refusal, or its outcome with the backup."""
    text = Text.assemble((_("endpoints in "), "dim"), plain(result.target.label, "bold"), "\n")
    value: Any = result.value
    if isinstance(value, list):
        for outcome in value:
            backup = "  " + _("backup {path}").format(path=outcome.backup_path) if outcome.backup_path else ""
            text.append_text(plain(f"{outcome.endpoint_id}  {status_word(outcome.status)}  {text_in_language(outcome.reason)}{backup}"))
            text.append("\n")
    elif value is not None and hasattr(value, "plan"):
        for item in value.plan.items:
            what = (_("will not change: {reason}").format(reason=text_in_language(item.refusal)) if item.refusal else
                    _("already holds this policy") if item.unchanged else _("will be changed"))
            text.append_text(plain(f"{item.endpoint.id}  {item.endpoint.service or item.endpoint.service_name}  {what}"))
            text.append("\n")
    elif result.message:
        text.append_text(plain(text_in_language(result.message), "bold red"))
    text.rstrip()
    return text


def policies_for(answers: Answers):
    """region -> {service: policy}, built from the answers once per region (bucket names hold the region)."""
    from tui.policy.builder import build_policy
    from tui.policy.services import load_services

    services = [name for name in answers.services if load_services()[name].policy_supported]
    cache: dict[str, dict] = {}

    def build(region: str) -> dict:
        if region not in cache:
            regional = replace(answers, region=region)
            cache[region] = {name: build_policy(regional, name) for name in services}
        return cache[region]

    return build


def trust_of(answers: Answers):
    """The wizard's trusted set, as audits, guards and wave checks count it."""
    from tui.aws.perimeter import Trust

    return Trust(answers.accounts, answers.org_ids)
