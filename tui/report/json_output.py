"""The `--json` documents of validate, check and audit. Their shapes are API (golden tests in
tests/golden/report): a waiver only adds `suppressed` (in force) or `waiver_expired` to the findings it matched."""

from collections.abc import Iterable
from typing import Any

from tui.report.results import Item


def waiver_fields(item: Item) -> dict[str, Any]:
    if item.waiver is None:
        return {}
    return {"suppressed" if item.suppressed else "waiver_expired": item.waiver.to_dict()}


def validation_document(items: list[Item], valid: bool, size: int, limit: int) -> dict[str, Any]:
    return {
        "valid": valid, "size": size, "limit": limit,
        "findings": [{"severity": item.severity, "code": item.code, "message": item.message, "path": item.place.path}
                     | item.localised_fields | waiver_fields(item) for item in items],
    }


def with_waivers(finding_dicts: Iterable[dict[str, Any]], items: Iterable[Item]) -> list[dict[str, Any]]:
    """An analyser's finding dicts (`Finding.to_dict`) with the localised message (as `validation_document`
    adds it) and the waiver fields of the matching items."""
    return [entry | item.localised_fields | waiver_fields(item) for entry, item in zip(finding_dicts, items, strict=True)]
