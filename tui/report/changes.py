"""Plans and outcomes of apply and rollback in words: one rendering for the CLI (`tui.commands`) and the wizard
(`tui.app`), so both say the same thing in both languages. Reasons, refusals and warnings are `Phrase`s
(`tui.aws.apply.said`), said here in the current language; their English `str` is what `--json` keeps.

Lines come back unescaped: the CLI passes each through `visible`, the wizard through `plain`, as they do for
every line that holds values from AWS or a backup file.
"""

from collections.abc import Iterator, Mapping
from enum import StrEnum
from typing import Protocol

from tui.report.i18n import N_, _, pad
from tui.report.messages import text_in_language

STATUS_WORDS = (N_("applied"), N_("unchanged"), N_("refused"), N_("failed"), N_("dry-run"), N_("overwritten"),
                N_("unreachable"), N_("skipped"))
"""`Status` and `TargetStatus` values (tui/aws), as the CLI's first column says them."""
PAST_TENSE: Mapping[str, str] = {"apply": N_("applied"), "rollback": N_("rolled back"), "default": N_("restored the default")}
DRY_RUN: Mapping[str, str] = {"apply": N_("dry run: would apply"), "rollback": N_("dry run: would roll back"),
                              "default": N_("dry run: would restore the default")}
DIFF_LABELS = (N_("current"), N_("new"))
"""The labels of `tui.policy.diff.policy_diff`'s header lines."""
STATUS_COLUMN = 9
TARGET_STATUS_COLUMN = 11


class Kind(StrEnum):
    """What a line of a planned change is, which the wizard colours."""

    REFUSED = "refused"
    UNCHANGED = "unchanged"
    DIFF = "diff"
    WARNING = "warning"


class _Endpoint(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def region(self) -> str: ...
    @property
    def service(self) -> str | None: ...
    @property
    def service_name(self) -> str: ...
    @property
    def type(self) -> str: ...


class _Change(Protocol):
    @property
    def endpoint(self) -> _Endpoint: ...
    @property
    def diff(self) -> list[str]: ...
    @property
    def refusal(self) -> str | None: ...
    @property
    def unchanged(self) -> bool: ...
    @property
    def warnings(self) -> list[str]: ...


class _Outcome(Protocol):
    @property
    def endpoint_id(self) -> str: ...
    @property
    def region(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def reason(self) -> str: ...
    @property
    def backup_path(self) -> str | None: ...
    @property
    def warnings(self) -> tuple[str, ...]: ...


def endpoint_heading(endpoint: _Endpoint, account: str | None = None) -> str:
    """`vpce-1 (s3, Gateway, eu-west-1)`; across accounts `111122223333 eu-west-1 vpce-1 (s3, Gateway)`."""
    service = endpoint.service or endpoint.service_name or _("unknown service")
    if account is None:
        return f"{endpoint.id} ({service}, {endpoint.type or '?'}, {endpoint.region})"
    return f"{account} {endpoint.region} {endpoint.id} ({service}, {endpoint.type or '?'})"


def change_lines(item: _Change) -> Iterator[tuple[Kind, str]]:
    """What one planned change would do: its refusal, "unchanged", or its diff; then its warnings."""
    if item.refusal:
        yield Kind.REFUSED, _("refused: {reason}").format(reason=text_in_language(item.refusal))
    elif item.unchanged:
        yield Kind.UNCHANGED, _("unchanged: it already holds this policy")
    else:
        for index, line in enumerate(item.diff):
            yield Kind.DIFF, _diff_header(line) if index < 2 else line
    for warning in item.warnings:
        yield Kind.WARNING, warning_line(warning)


def _diff_header(line: str) -> str:
    """`--- current` / `+++ new` in the current language; a policy line is never looked up."""
    marker, _space, label = line.partition(" ")
    return f"{marker} {_(label)}" if marker in ("---", "+++") and label in DIFF_LABELS else line


def warning_line(warning: str) -> str:
    return _("warning: {message}").format(message=text_in_language(warning))


def status_word(status: str) -> str:
    """A `Status` or `TargetStatus` value in the current language (the value itself in English)."""
    return _(str(status))


def outcome_line(outcome: _Outcome, account: str | None = None) -> str:
    """`dry-run   vpce-1 eu-west-1: would write the new policy; ...`, with the backup when one was written."""
    where = f"{account} " if account else ""
    backup = " " + _("(backup: {path})").format(path=outcome.backup_path) if outcome.backup_path else ""
    return (f"{pad(status_word(outcome.status), STATUS_COLUMN)} {where}{outcome.endpoint_id} {outcome.region}: "
            f"{text_in_language(outcome.reason)}{backup}")


def target_error_line(status: str, account: str, region: str, message: str) -> str:
    """A target (account and region) that could not be planned, audited or changed."""
    return f"{pad(status_word(status), TARGET_STATUS_COLUMN)} {account} {region}: {text_in_language(message)}"


def outcome_word(outcome: _Outcome, action: str) -> str:
    """What happened, in the wizard's words: the status with the run's action (apply, rollback, default)."""
    action = getattr(outcome, "action", None) or action
    if outcome.status == "applied":
        return _(PAST_TENSE.get(action, "applied"))
    if outcome.status == "dry-run":
        return _(DRY_RUN.get(action, N_("dry run")))
    return status_word(outcome.status)


def outcome_details(outcome: _Outcome) -> str:
    """The wizard's details cell: the reason, the backup and the warnings, one after another."""
    backup = _("backup {path}").format(path=outcome.backup_path) if outcome.backup_path else ""
    parts = [text_in_language(outcome.reason) if outcome.reason else "", backup, *map(text_in_language, outcome.warnings)]
    return _("; ").join(part for part in parts if part)


def confirm_question(count: int, label: str) -> str:
    """The CLI's question before writing (answered y or yes, in every language)."""
    return _("Write {count} endpoint policy(ies) in {label}? [y/N] ").format(count=count, label=label)
