"""Findings placed and judged for a report: where each one is (a policy file's line, or an endpoint), whether
a waiver covers it, and whether it fails the run. The text, JSON and SARIF renderers read only these.

Two finders feed them: the validator (`tui.policy.validator.Finding`: error / warning / info, a JSON path)
and the analyser (`tui.policy.analysis.Finding`: high / medium / low / info, a witness request).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from tui.report.locations import line_of, path_lines, statement_path
from tui.report.waivers import NO_WAIVERS, AppliedWaiver, Waivers

if TYPE_CHECKING:
    from tui.policy import analysis, validator

    AnyFinding = validator.Finding | analysis.Finding


class Level(StrEnum):
    """SARIF's result levels (§3.27.10), which CI tools map to their own (GitHub: error, warning, note)."""

    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


LEVELS: Mapping[str, Level] = {
    "error": Level.ERROR, "warning": Level.WARNING, "info": Level.NOTE,  # validator
    "high": Level.ERROR, "medium": Level.WARNING, "low": Level.NOTE,  # analyser (its "info" is a note too)
}


@dataclass(frozen=True)
class Place:
    """Where a finding is: in a policy file (with the JSON path and its line) or on an endpoint."""

    file: str | None = None
    path: str = ""
    line: int | None = None
    account: str | None = None
    region: str | None = None
    endpoint_id: str | None = None


@dataclass(frozen=True)
class Item:
    """One finding as reported: the finding itself, its place, and the waiver that matched it, if any."""

    finding: "AnyFinding"
    place: Place
    waiver: AppliedWaiver | None = None
    failing: bool = False
    """The finding's severity fails the run (validate: error; check and audit: high)."""

    @property
    def code(self) -> str:
        return self.finding.code

    @property
    def severity(self) -> str:
        return str(self.finding.severity)

    @property
    def level(self) -> Level:
        return LEVELS.get(self.severity, Level.NOTE)

    @property
    def message(self) -> str:
        return self.finding.message

    @property
    def localised_message(self) -> str:
        """The message in the current language, from its code's template in the finder's own table."""
        return self.finding.localised()

    @property
    def localised_fields(self) -> dict[str, str]:
        """`{"message_localised": ...}` for JSON and SARIF when the language is not English, else nothing:
        the documents keep their English message and gain the translation beside it."""
        from tui.report.i18n import DEFAULT_LANGUAGE, current_language

        return {} if current_language() == DEFAULT_LANGUAGE else {"message_localised": self.localised_message}

    @property
    def params(self) -> Mapping[str, object]:
        return getattr(self.finding, "params", {})

    @property
    def witness(self) -> "analysis.Witness | None":
        """The request that proves an analyser's finding (validator findings have none)."""
        return getattr(self.finding, "witness", None)

    @property
    def suppressed(self) -> bool:
        return self.waiver is not None and self.waiver.suppresses

    @property
    def fails(self) -> bool:
        """Whether this finding makes the run exit 1: a failing severity that no waiver in force covers."""
        return self.failing and not self.suppressed


def fails(items: Iterable[Item]) -> bool:
    return any(item.fails for item in items)


def validation_items(findings: Iterable["validator.Finding"], file: str, text: str | None,
                     waivers: Waivers = NO_WAIVERS) -> list[Item]:
    """The validator's findings of one policy file, each at the line of its JSON path."""
    lines = path_lines(text) if text is not None else {}
    items = []
    for finding in findings:
        place = Place(file=file, path=finding.path, line=line_of(lines, finding.path))
        items.append(_judged(finding, place, waivers, finding.severity == "error"))
    return items


def check_items(findings: Iterable["analysis.Finding"], file: str, doc: dict[str, Any], text: str | None,
                waivers: Waivers = NO_WAIVERS) -> list[Item]:
    """The analyser's findings of one policy file, each at the statement that decides its witness request."""
    lines = path_lines(text) if text is not None else {}
    items = []
    for finding in findings:
        path = _deciding_statement(doc, finding)
        place = Place(file=file, path=path, line=line_of(lines, path))
        items.append(_judged(finding, place, waivers, str(finding.severity) == "high"))
    return items


def endpoint_items(findings: Iterable["analysis.Finding"], account: str | None, region: str, endpoint_id: str,
                   waivers: Waivers = NO_WAIVERS) -> list[Item]:
    """The analyser's findings of one endpoint's policy, placed on the endpoint (audit)."""
    place = Place(account=account, region=region, endpoint_id=endpoint_id)
    return [_judged(finding, place, waivers, str(finding.severity) == "high") for finding in findings]


def _judged(finding: "AnyFinding", place: Place, waivers: Waivers, failing: bool) -> Item:
    return Item(finding, place, waivers.applied(finding.code, place.file, place.endpoint_id), failing)


def _deciding_statement(doc: dict[str, Any], finding: "analysis.Finding") -> str:
    """The first statement that decides the finding's witness request; "" (the whole file) without one."""
    if finding.witness is None:
        return ""
    from tui.policy.evaluator import evaluate

    try:
        labels = evaluate(doc, finding.witness.request()).statements
    except (TypeError, ValueError, AttributeError):  # a document the evaluator cannot read: no line, not a crash
        return ""
    return statement_path(doc, labels[0]) if labels else ""
