"""The review's "Check against recent traffic": replay CloudTrail records against the reviewed policy before it
is applied, and show what it would deny that was allowed, grouped, with the catalog entry or trust that would
admit it (tui.policy.impact, the core behind `vpce-wizard impact`).

Logs come from a file or folder, or, when connected, from the trail's bucket (`s3://bucket/prefix`); reading
them takes a worker with progress. Every record field is hostile: it is shown through `plain`, never markup.
A suggested catalog entry or trusted account can be adopted from here; the check then runs again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Input, Label, Static

from tui.app.handle import WizardPart
from tui.app.plain import plain
from tui.app.step import STEPS_CSS
from tui.report.i18n import N_, _
from tui.report.messages import text_in_language

if TYPE_CHECKING:
    from tui.policy.cloudtrail import LogSource
    from tui.policy.impact import ImpactGroup, ImpactReport

VERDICT_STYLES = {N_("would-break"): "bold red", N_("still-open"): "bold red", N_("undecided"): "yellow",
                  N_("already-denied"): "dim", N_("intended"): "green", N_("ok"): "green"}
"""The impact verdicts (tui.policy.impact.Verdict), shown through _(), and their colours."""


def adoptable(suggestion: str) -> tuple[str, str] | None:
    """The first suggestion the wizard can act on: ("catalog", id), ("account", id) or ("org", id)."""
    for part in suggestion.split("; "):
        words = part.split()
        if len(words) == 2 and words[0] == "catalog":
            return "catalog", words[1]
        if len(words) == 3 and words[:2] == ["trust", "account"]:
            return "account", words[2]
        if len(words) == 3 and words[:2] == ["trust", "org"]:
            return "org", words[2]
    return None


def summary_text(report: ImpactReport) -> Text:
    """Records read and replayed, the count per verdict, and every skipped file or record with its reason."""
    totals: dict[str, int] = {}
    for group in report.groups:
        totals[group.verdict] = totals.get(group.verdict, 0) + group.count
    text = Text(_("{events:,} record(s) read, {considered:,} replayed: ").format(events=report.events, considered=report.considered))
    for index, (verdict, count) in enumerate(totals.items()):
        text.append(", " if index else "")
        text.append(f"{count:,} {_(verdict)}", style=VERDICT_STYLES.get(verdict, ""))
    if not totals:
        text.append(_("nothing crossed an endpoint of this service"), style="yellow")
    for source, problem in report.problems:
        text.append("\n")
        text.append_text(plain(_("skipped {source}: {problem}").format(source=source, problem=text_in_language(problem)), "yellow"))
    return text


@dataclass
class TrafficProgress(Message):
    files: int


@dataclass
class TrafficChecked(Message):
    report: ImpactReport | None
    problem: str = ""


class TrafficModal(WizardPart, ModalScreen[None]):
    """Pick the logs, replay them against one service's reviewed policy, and show the groups by verdict."""

    CSS_PATH = STEPS_CSS

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", N_("Close")),
        Binding("a", "adopt", N_("Adopt suggestion")),
    ]

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service
        self.groups: list[ImpactGroup] = []

    def compose(self) -> ComposeResult:
        where = _("a CloudTrail log file or folder (.json, .json.gz)")
        if self.wizard.connection is not None:
            where = _("a CloudTrail log file or folder (.json, .json.gz), or the trail's bucket as s3://bucket/prefix")
        with Vertical(id="dialog", classes="traffic"):
            yield Label(_("Check the {service} policy against recent traffic: what would it deny that was allowed?").format(service=self.service),
                        classes="dialog-title")
            with Horizontal(classes="input-row"):
                yield Input(placeholder=where, id="traffic-source", compact=True)
                yield Input(placeholder=_("since (7d, 24h, 2026-11-01)"), id="traffic-since", compact=True)
            yield Static(id="traffic-status")
            yield DataTable(id="traffic-groups", cursor_type="row", zebra_stripes=True)
            with Horizontal(classes="buttons"):
                yield Label(_("a adopts a row's suggestion"), classes="hint")
                yield Button(_("Check"), id="traffic-check", variant="primary", compact=True)
                yield Button(_("Close"), id="traffic-close", compact=True)

    def on_mount(self) -> None:
        self.query_one("#traffic-groups", DataTable).add_columns(_("Verdict"), _("Count"), _("Action"), _("Principal"), _("Suggestion"), _("Resource"))
        self.query_one("#traffic-source", Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#traffic-check")
    def action_check(self) -> None:
        source = self.query_one("#traffic-source", Input).value.strip()
        if not source:
            self.query_one("#traffic-status", Static).update(Text(_("Give a log file or folder first."), style="bold red"))
            return
        try:
            policy = self.wizard.good_reviews()[self.service].policy
            answers = self.wizard.answers.checked()
        except Exception as exc:  # noqa: BLE001 - WizardError or KeyError: say why, keep the dialog
            self.query_one("#traffic-status", Static).update(plain(_("The {service} policy is not ready: {reason}").format(service=self.service, reason=exc), "bold red"))
            return
        self.query_one("#traffic-status", Static).update(Text(_("reading the logs…"), style="italic"))
        self.replay(source, self.query_one("#traffic-since", Input).value.strip(), policy, answers, self.wizard.connection)

    @work(thread=True, exclusive=True, group="traffic")
    def replay(self, source: str, since: str, policy: dict, answers, connection) -> None:
        """Read, replay and group in this thread; progress and the report come back as messages."""
        from tui.policy.errors import WizardError

        try:
            report = replay_traffic(source, since, policy, answers, connection, lambda files: self.post_message(TrafficProgress(files)))
        except WizardError as exc:  # a bad path, date or bucket URL: one line in the dialog
            self.post_message(TrafficChecked(None, str(exc)))
            return
        except Exception as exc:  # noqa: BLE001 - AWS failures (bucket listing): translated, never a traceback
            from tui.aws.errors import translate
            from tui.report.messages import Phrase, error_in_language

            self.post_message(TrafficChecked(None, error_in_language(translate(exc, Phrase("aws-action", {"variant": "trail-bucket"})))))
            return
        self.post_message(TrafficChecked(report))

    @on(TrafficProgress)
    def _progress(self, message: TrafficProgress) -> None:
        self.query_one("#traffic-status", Static).update(Text(_("reading the logs… {count:,} file(s) so far").format(count=message.files), style="italic"))

    @on(TrafficChecked)
    def _checked(self, message: TrafficChecked) -> None:
        status = self.query_one("#traffic-status", Static)
        table = self.query_one("#traffic-groups", DataTable)
        table.clear()
        if message.report is None:
            status.update(plain(message.problem, "bold red"))
            self.groups = []
            return
        status.update(summary_text(message.report))
        self.groups = list(message.report.groups)
        for group in self.groups:
            table.add_row(Text(_(str(group.verdict)), style=VERDICT_STYLES.get(group.verdict, "")), f"{group.count:,}",
                          plain(group.action), plain(group.principal), plain(text_in_language(group.suggestion)), plain(group.resource))
        if self.groups:
            table.focus()

    def action_adopt(self) -> None:
        """Tick the highlighted row's suggested catalog entry (or trust its account or org), then check again."""
        table = self.query_one("#traffic-groups", DataTable)
        if not self.groups or table.cursor_row is None or not 0 <= table.cursor_row < len(self.groups):
            return
        suggestion = adoptable(self.groups[table.cursor_row].suggestion)
        if suggestion is None:
            self.app.notify(_("This row has no suggestion the wizard can adopt."), severity="warning")
            return
        kind, value = suggestion
        answers = self.wizard.answers
        field = {"catalog": "public_buckets", "account": "accounts", "org": "org_ids"}[kind]
        if value not in getattr(answers, field):
            self.wizard.answers = answers.with_list(field, (*getattr(answers, field), value))
        self.wizard.say(_("Adopted: {kind} {value}. Checking the new policy against the same traffic.").format(kind=kind, value=value), title=_("Traffic"))
        self.action_check()

    @on(Button.Pressed, "#traffic-close")
    def _close(self) -> None:
        self.dismiss()


def replay_traffic(source: str, since: str, policy: dict, answers, connection, on_files: Callable[[int], object]) -> ImpactReport:
    """The impact report of `policy` for the records in `source` (a local path, or s3://... when connected)."""
    from datetime import UTC, datetime

    from tui.policy.cloudtrail import local_sources, records_from
    from tui.policy.errors import InputError
    from tui.policy.impact import Scope, Trust, impact_groups, parse_since, policy_services

    problems: list[tuple[str, str]] = []
    files = 0

    def on_file(_name: str) -> None:
        nonlocal files
        files += 1
        on_files(files)

    scope = Scope(services=policy_services(policy), since=parse_since(since, datetime.now(UTC)) if since else "")
    trust = Trust(frozenset(answers.accounts), frozenset(answers.org_ids))
    if source.startswith("s3://"):
        if connection is None:
            raise InputError(_("reading the trail's bucket needs AWS: connect first, or give a downloaded log folder"))
        from tui.aws import trail

        trail.parse_s3_url(source)
        if trust.orgs and (members := trail.organization_members(connection)) is not None:
            trust = replace(trust, org_of=members[0], complete_orgs=members[1])
        sources: Iterable[LogSource] = trail.trail_sources(connection, source, scope.since)
    else:
        sources = local_sources([source])
    return impact_groups(policy, records_from(sources, lambda name, problem: problems.append((name, problem)), on_file), trust, scope, problems)
