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
        yield f"{pad(_(item.severity), 7)} {item.code:<28} {visible(item.place.path)}: {visible(item.localised_message)}"
        yield from waiver_lines(item, " " * 8)


def analysis_lines(items: Iterable[Item], *, witnesses: bool) -> Iterator[str]:
    """check and audit (one account or many): one line per finding; check adds the witness request."""
    for item in items:
        yield f"    {pad(_(item.severity).upper(), 6)} {item.code}: {visible(item.localised_message)}"
        witness = item.witness
        if witnesses and witness:
            request = f"{witness.decision} {visible(witness.action)} {visible(witness.resource)} {visible(witness.to_dict()['context'])}"
            yield "           " + _("witness: {request}").format(request=request)
        yield from waiver_lines(item, " " * 11)


def severity_counts(items: Iterable[Item], severities: Iterable[str]) -> str:
    """`15 high, 15 medium, 0 low, 3 info`: audit's summary, waived findings included."""
    items = list(items)
    return _(", ").join(_("{count} {severity}").format(count=sum(item.severity == severity for item in items), severity=_(severity))
                        for severity in severities)


def waived_count(items: Iterable[Item]) -> str:
    """", N waived" for a summary line when waivers suppressed some findings, else nothing."""
    count = sum(item.suppressed for item in items)
    return _(", {count} waived").format(count=count) if count else ""
