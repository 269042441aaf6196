"""Waivers: findings a team has accepted for a while, so CI passes on them without hiding them.

A waiver names a finding code and the policy file or the endpoint it concerns, says why, and expires. A
matching waiver takes the finding out of the exit code; the finding is still printed (text: "waived until
DATE: reason"), listed in `--json` (`suppressed`) and in SARIF (`suppressions`, kind external). After its
date a waiver suppresses nothing and the finding says that its waiver expired, so an accepted risk comes
back to the team instead of lasting forever. The file is read with the strict reader and checked against
`policy_templates/waivers.schema.json`: a malformed file is one `error:` line and exit 2.
"""

import os
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from tui.policy.errors import InputError
from tui.report.escape import visible
from tui.report.messages import WAIVER_MESSAGES, Phrase, localised

if TYPE_CHECKING:
    from jsonschema import ValidationError

SCHEMA_TEMPLATE = "waivers.schema.json"
WAIVERS_MAX_DEPTH = 4
"""document > waivers list > waiver > value."""


class WaiverState(StrEnum):
    """What a waiver does to the finding it matches."""

    WAIVED = "waived"
    EXPIRED = "waiver-expired"


@dataclass(frozen=True)
class Waiver:
    """One accepted finding, of a policy file (its path as given on the command line) or of an endpoint."""

    code: str
    file: str | None
    endpoint: str | None
    reason: str
    expires: date

    def matches(self, code: str, file: str | None, endpoint: str | None) -> bool:
        if code != self.code:
            return False
        if self.endpoint is not None:
            return self.endpoint == endpoint
        return file is not None and self.file is not None and _same_file(self.file, file)

    def to_dict(self) -> dict[str, str]:
        return {"reason": self.reason, "expires": self.expires.isoformat()}


@dataclass(frozen=True)
class AppliedWaiver:
    """A waiver that matched a finding, and whether it still holds on the day of the run."""

    waiver: Waiver
    state: WaiverState

    @property
    def suppresses(self) -> bool:
        return self.state is WaiverState.WAIVED

    @property
    def message(self) -> str:
        """"waived until DATE: reason" or "waiver expired on DATE: reason" (the reason escaped: it is file text)."""
        params = {"expires": self.waiver.expires.isoformat(), "reason": visible(self.waiver.reason)}
        return localised(str(self.state), params, WAIVER_MESSAGES)

    def to_dict(self) -> dict[str, str]:
        return self.waiver.to_dict()


def _same_file(waived: str, given: str) -> bool:
    """Paths compare after normalisation, both taken relative to the working directory."""
    return os.path.normcase(os.path.abspath(waived)) == os.path.normcase(os.path.abspath(given))


def today() -> date:
    """The UTC date: a waiver expires at the same moment on every CI runner."""
    return datetime.now(UTC).date()


@dataclass(frozen=True)
class Waivers:
    """The waivers of one file, and the day they are judged on."""

    items: tuple[Waiver, ...] = ()
    on: date | None = None

    def applied(self, code: str, file: str | None = None, endpoint: str | None = None) -> AppliedWaiver | None:
        """The first waiver for this code and place: in force if one still holds, else an expired one."""
        matching = [w for w in self.items if w.matches(code, file, endpoint)]
        if not matching:
            return None
        day = self.on or today()
        current = [w for w in matching if w.expires >= day]
        if current:
            return AppliedWaiver(current[0], WaiverState.WAIVED)
        return AppliedWaiver(max(matching, key=lambda w: w.expires), WaiverState.EXPIRED)


NO_WAIVERS = Waivers()


def load_waivers(path: str | None, on: date | None = None) -> Waivers:
    """The waivers in a file (none without one); InputError, one line, when the file is not a waivers file."""
    if path is None:
        return NO_WAIVERS
    from tui.policy.parsing import read_file_text, read_stdin_text, strict_json

    source = Phrase("source", {"variant": "stdin"} if path == "-" else {"variant": "waivers-file", "path": visible(repr(path))})
    text = read_stdin_text() if path == "-" else read_file_text(path, source)
    data: Any = strict_json(text, source, max_depth=WAIVERS_MAX_DEPTH)
    _check_shape(data, source)
    return Waivers(tuple(_waiver(item, index, source) for index, item in enumerate(data["waivers"])), on)


def _check_shape(data: object, source: Phrase) -> None:
    from jsonschema import Draft202012Validator

    from tui.policy.templates import load_template

    error = next(iter(Draft202012Validator(load_template(SCHEMA_TEMPLATE)).iter_errors(data)), None)
    if error is not None:
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
        shown = visible(where.lstrip(".")) or Phrase("waivers-where", {"variant": "document"})
        raise InputError(Phrase("waivers", {"variant": "shape", "source": source, "where": shown, "detail": _shape_message(error)}))


def _shape_message(error: "ValidationError") -> str:
    """jsonschema's message (worded as the validator words it, so it translates), shortened where it would
    echo a whole waiver back; escaped, as it quotes the file."""
    from tui.policy.validator import _schema_params

    if error.validator == "oneOf":
        return Phrase("waivers", {"variant": "one-of"})
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        known = error.schema.get("properties", {})
        extra = ", ".join(repr(name) for name in error.instance if name not in known)
        return Phrase("waivers", {"variant": "not-allowed", "extra": visible(extra), "allowed": ", ".join(known)})
    text = str(error.message)
    if len(text) > 200:
        return visible(text[:197] + "...")
    params = _schema_params(error)
    return Phrase("schema", {name: visible(value) if isinstance(value, str) else value for name, value in params.items()}, "validator")


def _waiver(item: dict[str, str], index: int, source: Phrase) -> Waiver:
    try:
        expires = date.fromisoformat(item["expires"])
    except ValueError:
        raise InputError(Phrase("waivers", {"variant": "bad-date", "source": source, "index": index, "value": visible(repr(item["expires"]))})) from None
    return Waiver(item["code"], item.get("file"), item.get("endpoint"), item["reason"], expires)
