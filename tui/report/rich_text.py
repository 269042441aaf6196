"""Findings as Rich `Text` for the wizard: the same lines as the CLI, styled, never parsed as markup.

Imports rich only (no textual), so the report layer stays importable by headless code; only the wizard
imports this module.
"""

from collections.abc import Iterable

from rich.text import Text

from tui.report.escape import visible
from tui.report.i18n import _, pad
from tui.report.results import Item

SEVERITY_STYLES = {"error": "bold red", "high": "bold red", "warning": "yellow", "medium": "yellow",
                   "low": "cyan", "info": "cyan"}
WAIVED_STYLE = "dim italic"


def findings_text(items: Iterable[Item]) -> Text:
    """One line per finding (severity, message), and under a waived one what waives it and until when."""
    text = Text()
    for item in items:
        text.append(pad(_(item.severity), 8), style=WAIVED_STYLE if item.suppressed else SEVERITY_STYLES.get(item.severity, ""))
        text.append(visible(item.localised_message), style=WAIVED_STYLE if item.suppressed else "")
        text.append("\n")
        if item.waiver is not None:
            text.append(f"        {item.waiver.message}\n", style=WAIVED_STYLE if item.suppressed else "yellow")
    return text
