"""Reading a pasted list of trusted account IDs, as people paste them from consoles, sheets and chat.

Separators are commas, semicolons, whitespace and newlines, plus the Japanese 、 (U+3001), ， (U+FF0C) and the
ideographic space (U+3000). The console shows account IDs as 1234-5678-9012, so dashes between digit groups
are dropped. Full-width digits from a Japanese IME are normalised (NFKC) with a note, never passed on as-is.
An organization ID (o-...) is routed to the organization field. Every other value gets its own error that
says what is wrong with it.
"""

import re
import unicodedata
from dataclasses import dataclass

from tui.policy.errors import InputError
from tui.policy.identifiers import ACCOUNT_ID, ORG_ID
from tui.report.i18n import _

SEPARATORS = re.compile("[\\s,;\u3001\uff0c\uff1b\u3000]+")
DASHED_DIGITS = re.compile(r"[0-9]+(-[0-9]+)+")
ACCOUNT_DIGITS = 12
MAX_SHOWN = 40
"""Longest slice of a bad value quoted back in a message."""


@dataclass(frozen=True)
class AccountList:
    """What a paste gave: account IDs in order (no duplicates), organization IDs, per-value errors, notes."""

    accounts: tuple[str, ...] = ()
    org_ids: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    rejected: tuple[str, ...] = ()
    """The values as pasted that gave the problems, so they can be left for the user to fix."""


def _shown(value: str) -> str:
    return repr(value if len(value) <= MAX_SHOWN else value[:MAX_SHOWN] + "…")


def account_problem(value: str) -> str | None:
    """Why `value` (already normalised) is not an account ID, in words; None when it is one."""
    if ACCOUNT_ID.fullmatch(value) and value.isascii():
        return None
    if value.lower().startswith("o-"):
        return _("{value} is an organization ID, not an account ID: it belongs in the organization field").format(value=_shown(value))
    if not value.isascii() or not value.isdigit():
        odd = sorted({c for c in value if not (c.isascii() and c.isdigit())})
        template = (_("{value} has letters ({odd}): an account ID is {digits} digits") if all(c.isalpha() for c in odd)
                    else _("{value} has characters other than digits ({odd}): an account ID is {digits} digits"))
        return template.format(value=_shown(value), odd="".join(odd)[:10], digits=ACCOUNT_DIGITS)
    if len(value) % ACCOUNT_DIGITS == 0:
        return _("{value} has {count} digits: {ids} IDs run together? Separate them with spaces or commas").format(
            value=_shown(value), count=len(value), ids=len(value) // ACCOUNT_DIGITS)
    return _("{value} has {count} digits, not {digits}").format(value=_shown(value), count=len(value), digits=ACCOUNT_DIGITS)


def check_account_entry(value: str) -> str:
    """One typed account ID (dashes and full-width digits accepted), or InputError saying what is wrong."""
    reading = read_account_list(value)
    if reading.problems:
        raise InputError(reading.problems[0])
    if len(reading.accounts) != 1 or reading.org_ids:
        raise InputError(_("one account ID here; paste a list to add several"))
    return reading.accounts[0]


def _normalised(token: str, notes: list[str]) -> str:
    value = unicodedata.normalize("NFKC", token)
    if value != token:
        notes.append(_("{token} was read as {value} (full-width characters normalised)").format(token=token, value=value))
    if DASHED_DIGITS.fullmatch(value):
        value = value.replace("-", "")
    return value


def read_account_list(text: str) -> AccountList:
    """Split and check a pasted list; never raises, so the caller can add the good values and show the rest."""
    accounts: dict[str, None] = {}
    org_ids: dict[str, None] = {}
    problems: list[str] = []
    rejected: list[str] = []
    notes: list[str] = []
    duplicates = 0
    for token in filter(None, SEPARATORS.split(text)):
        value = _normalised(token, notes)
        if value.lower().startswith("o-") and ORG_ID.fullmatch(value):
            org_ids[value] = None
        elif (problem := account_problem(value)) is not None:
            rejected.append(token)
            problems.append(problem if not value.lower().startswith("o-") else
                            _("{value} looks like an organization ID but is not one (o- then 10 to 32 lowercase letters or digits)").format(
                                value=_shown(value)))
        elif value in accounts:
            duplicates += 1
        else:
            accounts[value] = None
    if duplicates:
        notes.append(_("{count} repeated ID(s) counted once").format(count=duplicates))
    return AccountList(tuple(accounts), tuple(org_ids), tuple(problems), tuple(notes), tuple(rejected))
