"""One escaping function for every string that came from AWS, a file or a user before it reaches a screen.

Whoever can set one endpoint's policy can put bytes in front of the operator: ESC starts terminal control
sequences (OSC 2 sets the window title, OSC 52 writes the clipboard, CSI clears the screen), C1 codes do the
same on some terminals, and bidi controls reorder what is read. `visible` turns each of them into a visible
escape such as `\\x1b` or `\\u202e`, so the text is shown, never obeyed. Rich/Textual markup is a separate
concern: the wizard shows such text as plain `Text`/`Content`, never as markup.
"""

import re

_BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_UNSAFE = re.compile(f"[\\x00-\\x1f\\x7f-\\x9f{_BIDI_CONTROLS}\\u2028\\u2029\\ufeff\\ud800-\\udfff]")


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: object) -> str:
    """The text with every control, C1, bidi, line-separator and lone-surrogate character shown as an escape.

    Newlines and tabs are escaped too: a value from outside is one line wherever it is shown.
    """
    return _UNSAFE.sub(_escaped, text if isinstance(text, str) else str(text))


def visible_lines(text: str) -> str:
    """Multi-line text we built (a diff, a table) whose lines may hold outside values: keep the newlines."""
    return "\n".join(visible(line) for line in text.split("\n"))
