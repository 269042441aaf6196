"""SARIF 2.1.0 (OASIS, https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html) for CI tools.

Rule ids are the finding codes and `level` follows the severity (error / warning / note). Findings in a
policy file get a physical location (the file and the line of the statement or element), which code
scanning tools draw on the file; audit's findings live on endpoints, not in files, so they get logical
locations (account/region/endpoint), which SARIF allows and which tools list without a file annotation.
A waived finding keeps its place with a `suppressions` entry (kind external: the waivers file).
"""

import hashlib
import os
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from tui import __version__
from tui.report.results import Item

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
FINGERPRINT = "vpceWizardFinding/v1"


def sarif_log(items: Iterable[Item], command: str) -> dict[str, Any]:
    """One run of one command (validate, check or audit) as a SARIF log."""
    items = list(items)
    first: dict[str, Item] = {}
    for item in items:
        first.setdefault(item.code, item)
    rules = [first[code] for code in sorted(first)]
    index = {item.code: position for position, item in enumerate(rules)}
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [{
            "tool": {"driver": {
                "name": "vpce-wizard", "version": __version__,
                "rules": [_rule(item) for item in rules],
            }},
            "automationDetails": {"id": f"vpce-wizard/{command}/"},
            "columnKind": "unicodeCodePoints",
            "results": [_result(item, index[item.code]) for item in items],
        }],
    }


def _rule(item: Item) -> dict[str, Any]:
    """A rule per finding code. GitHub code scanning wants the descriptions and help text; the full
    description is the first finding's message (a code's findings differ only in their parameters)."""
    return {
        "id": item.code, "name": item.code,
        "shortDescription": {"text": item.code.replace("-", " ").capitalize()},
        "fullDescription": {"text": item.message[:1024]},
        "help": {"text": f"vpce-wizard finding `{item.code}`: docs/cli.md lists what validate, check and audit report."},
        "defaultConfiguration": {"level": str(item.level)},
    }


def _result(item: Item, rule_index: int) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": item.code, "ruleIndex": rule_index, "level": str(item.level),
        "message": {"text": item.message},
        "locations": [_location(item)],
        "partialFingerprints": {FINGERPRINT: _fingerprint(item)},
        "properties": _properties(item),
    }
    if item.waiver is not None and item.suppressed:
        waiver = item.waiver.waiver
        result["suppressions"] = [{
            "kind": "external", "status": "accepted", "justification": waiver.reason,
            "properties": {"expires": waiver.expires.isoformat()},
        }]
    return result


def _location(item: Item) -> dict[str, Any]:
    place = item.place
    if place.endpoint_id:
        qualified = "/".join(part for part in (place.account, place.region, place.endpoint_id) if part)
        return {"logicalLocations": [{"name": place.endpoint_id, "fullyQualifiedName": qualified, "kind": "resource"}]}
    location: dict[str, Any] = {}
    if place.file and place.file != "-":
        location["physicalLocation"] = {"artifactLocation": {"uri": artifact_uri(place.file)},
                                        "region": {"startLine": place.line or 1}}
    name = place.path or "the policy"
    location["logicalLocations"] = [{"name": name, "fullyQualifiedName": name, "kind": "object"}]
    return location


def artifact_uri(path: str) -> str:
    """A relative path stays relative (CI tools resolve it against the checkout); an absolute one is a file URI."""
    if os.path.isabs(path):
        return "file://" + quote(os.path.abspath(path).replace(os.sep, "/"))
    return quote(os.path.normpath(path).replace(os.sep, "/"))


def _fingerprint(item: Item) -> str:
    """Stable across runs and line moves: the code, where it is, and the finding's parameters."""
    place = item.place
    key = "\x1f".join((item.code, place.endpoint_id or place.file or "", place.path, repr(sorted(item.params.items()))))
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _properties(item: Item) -> dict[str, Any]:
    properties: dict[str, Any] = {"severity": item.severity, **item.localised_fields}
    if item.params:
        properties["params"] = {key: value if isinstance(value, (int, float)) else str(value)
                                for key, value in item.params.items()}
    if item.witness is not None:
        properties["witness"] = item.witness.to_dict()
    if item.place.account:
        properties["account"] = item.place.account
    if item.place.region:
        properties["region"] = item.place.region
    if item.waiver is not None and not item.suppressed:
        properties["waiverExpired"] = item.waiver.to_dict()
    return properties
