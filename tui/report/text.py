"""Plain-text lines for the CLI: every outside value escaped (`visible`), one finding per line, and under a
waived finding the line that says until when and why."""

from collections.abc import Iterable, Iterator

from tui.report.escape import visible
from tui.report.i18n import _, pad
from tui.report.results import Item


def waiver_lines(item: Item, indent: str) -> Iterator[str]:
    if item.waiver is not None:
        yield f"{indent}{item.waiver.message}"


def validation_lines(items: Iterable[Item]) -> Iterator[str]:
    """validate: `severity code path: message`."""
    for item in items:
        yield f"{pad(_(item.severity), 7)} {item.code:<28} {visible(item.place.path)}: {visible(item.message)}"
        yield from waiver_lines(item, " " * 8)


def analysis_finding_line(finding) -> str:
    """One analyser finding as check, audit and the org commands print it."""
    return f"    {finding.severity.upper():<6} {finding.code}: {visible(finding.message)}"


def analysis_lines(items: Iterable[Item], *, witnesses: bool) -> Iterator[str]:
    """check and audit: one line per finding; check adds the witness request that proves it."""
    for item in items:
        yield analysis_finding_line(item.finding)
        witness = item.finding.witness
        if witnesses and witness:
            yield (f"           witness: {witness.decision} {visible(witness.action)} {visible(witness.resource)} "
                   f"{visible(witness.to_dict()['context'])}")
        yield from waiver_lines(item, " " * 11)


def waived_count(items: Iterable[Item]) -> str:
    """", N waived" for a summary line when waivers suppressed some findings, else nothing."""
    count = sum(item.suppressed for item in items)
    return f", {count} waived" if count else ""
