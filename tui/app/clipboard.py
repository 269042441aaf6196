"""Copying a policy honestly: the system clipboard when pyperclip can reach one, else OSC 52, plus a file.

OSC 52 is written blind (the terminal never says whether it took it), so that route always saves a file too;
terminals known to ignore OSC 52 get only the file.
"""

import os
from pathlib import Path

import pyperclip
from textual.app import App

from tui.policy.files import write_private
from tui.report.i18n import _


def _terminal_ignores_osc52() -> bool:
    """macOS Terminal and the Linux console drop OSC 52 silently."""
    return os.environ.get("TERM_PROGRAM") == "Apple_Terminal" or os.environ.get("TERM") in ("linux", "dumb")


def copy_text(app: App, text: str, fallback: Path) -> str:
    """Copy `text` and return a message that says which route worked, or where the text was saved instead."""
    try:
        pyperclip.copy(text)
        return _("Copied to the system clipboard.")
    except pyperclip.PyperclipException:
        reason = _("pyperclip found no xclip, xsel, wl-clipboard or pbcopy")
    try:
        saved = _("saved to {path}").format(path=write_private(fallback, text))
    except OSError as exc:
        saved = _("could not save {path} ({reason}): use Save to pick another place").format(path=fallback, reason=exc.strerror or exc)
    if _terminal_ignores_osc52():
        return _("No clipboard available ({reason}; this terminal ignores OSC 52); {saved}.").format(reason=reason, saved=saved)
    app.copy_to_clipboard(text)
    return _("No system clipboard ({reason}); sent via OSC 52, which your terminal may ignore; also {saved}.").format(reason=reason, saved=saved)
