"""The engineer's answers: everything the builder needs, as one immutable, checkable, savable value."""

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

from tui.policy.errors import InputError
from tui.policy.files import write_private
from tui.policy.identifiers import check_account_id, check_bucket_arn, check_org_id, check_region
from tui.report.messages import Phrase

ANSWERS_FORMAT = 1


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    """Drop duplicates but keep the order people typed, so output is stable."""
    return tuple(dict.fromkeys(values))


@dataclass(frozen=True)
class Answers:
    """What the wizard asks and `generate` takes as flags; one value, so both faces build the same policy."""

    services: tuple[str, ...] = ("s3",)
    accounts: tuple[str, ...] = ()
    org_ids: tuple[str, ...] = ()
    resource_perimeter: bool = False
    public_buckets: tuple[str, ...] = ()
    bucket_arns: tuple[str, ...] = ()
    region: str = "us-east-1"

    def checked(self) -> "Answers":
        """Validate every value and return a normalised copy; raises InputError naming the first bad value."""
        from tui.policy.catalog import load_catalog
        from tui.policy.services import load_services

        known_services = load_services()
        for service in self.services:
            if service not in known_services:
                raise InputError(Phrase("answers", {"variant": "unknown-service", "service": service}))
        catalog = load_catalog()
        for bucket_id in self.public_buckets:
            catalog.get(bucket_id)
        if not self.services:
            raise InputError(Phrase("answers", {"variant": "no-service"}))
        accounts = _unique(check_account_id(a) for a in self.accounts)
        org_ids = _unique(check_org_id(o) for o in self.org_ids)
        if not accounts and not org_ids:
            raise InputError(Phrase("answers", {"variant": "no-trust"}))
        return replace(
            self,
            services=_unique(self.services),
            accounts=accounts,
            org_ids=org_ids,
            public_buckets=_unique(self.public_buckets),
            bucket_arns=_unique(check_bucket_arn(a) for a in self.bucket_arns),
            region=check_region(self.region),
        )

    def with_list(self, name: str, values: tuple[str, ...]) -> "Answers":
        """A copy with the list field `name` (chosen at run time: an editor's field, an adopted suggestion) set."""
        if not isinstance(getattr(self, name, None), tuple):
            raise ValueError(f"{name!r} is not a list field of Answers")
        changes: dict[str, Any] = {name: values}
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data, with a format number so later versions can read old files."""
        data = {key: list(value) if isinstance(value, tuple) else value for key, value in asdict(self).items()}
        return {"format": ANSWERS_FORMAT, **data}

    @classmethod
    def from_dict(cls, data: object, source: str = "answers") -> "Answers":
        """Build from saved data, refusing unknown keys so a typo in a file is not silently ignored."""
        if not isinstance(data, dict):
            raise InputError(Phrase("answers", {"variant": "not-object", "source": source}))
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known - {"format"})
        if unknown:
            raise InputError(Phrase("answers", {"variant": "unknown-keys", "source": source, "keys": ", ".join(map(repr, unknown))}))
        values: dict[str, Any] = {}
        for key, value in data.items():
            if key == "format":
                continue
            if key == "resource_perimeter":
                if not isinstance(value, bool):
                    raise InputError(Phrase("answers", {"variant": "perimeter-bool", "source": source}))
                values[key] = value
            elif key == "region":
                if not isinstance(value, str):
                    raise InputError(Phrase("answers", {"variant": "region-str", "source": source}))
                values[key] = value
            else:
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    raise InputError(Phrase("answers", {"variant": "list-of-strings", "source": source, "key": key}))
                values[key] = tuple(value)
        return cls(**values)


def load_answers(path: str | Path, check: bool = True) -> Answers:
    """Read an answers file written by the wizard (or by hand); `check=False` leaves checking to the caller,
    who may first replace some values (the CLI's flags override the file's). Read like a policy file
    (bounded, regular files only, no duplicate keys); its JSON nests 2 levels (object > list)."""
    from tui.policy.parsing import read_file_text, strict_json

    source = Phrase("source", {"variant": "answers-file", "path": str(path)})
    data = strict_json(read_file_text(Path(path), source), source, max_depth=2)
    answers = Answers.from_dict(data, source=source)
    return answers.checked() if check else answers


def save_answers(answers: Answers, path: str | Path) -> Path:
    """Save answers privately (0600): they name the accounts that are trusted."""
    return write_private(path, json.dumps(answers.to_dict(), indent=2) + "\n")
