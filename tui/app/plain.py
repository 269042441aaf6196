"""Outside text (AWS, a file, the user) made safe to show: escaped by `visible`, never read as markup."""

from rich.text import Text

from tui.report.escape import visible, visible_lines


def plain(value: object, style: str = "") -> Text:
    """One outside value as literal text: control, C1 and bidi characters shown as escapes, brackets as brackets."""
    return Text(visible(value), style=style)


def plain_lines(value: str, style: str = "") -> Text:
    """Several lines we built around outside values (a diff, a status): newlines kept, everything else escaped."""
    return Text(visible_lines(value), style=style)
