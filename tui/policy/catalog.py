"""The catalog of public S3 buckets that workloads reach through an S3 endpoint, expanded per region.

Most are AWS-owned; a separate group (`owner: third-party`) holds buckets of other projects, such as
registry.k8s.io's image layers. Write exceptions (`write: true`) are never defaults.
"""

from dataclasses import dataclass
from functools import cache
from typing import Any

from tui.policy.errors import InputError
from tui.policy.identifiers import partition_of
from tui.policy.templates import load_template
from tui.report.messages import Phrase


@dataclass(frozen=True)
class CatalogEntry:
    """One use (an OS repo, an agent) and the exact bucket ARNs it needs."""

    id: str
    title: str
    group: str
    why: str
    access: str
    default: bool
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    region_values: dict[str, Any]
    partitions_verified: tuple[str, ...]
    source: str
    checked: str
    """The date (UTC, YYYY-MM-DD) the names were last compared with the source."""
    owner: str = "aws"
    write: bool = False
    see_also: tuple[str, ...] = ()

    @property
    def third_party(self) -> bool:
        """Owned by someone other than AWS: allowing it trusts that owner's bucket policies."""
        return self.owner != "aws"

    @property
    def sources(self) -> tuple[str, ...]:
        """Every page the entry's names come from, the main source first."""
        return (self.source, *self.see_also)

    def arns(self, region: str) -> list[str]:
        """Exact ARNs for one region; a resource whose per-region name is unknown there is left out."""
        partition = partition_of(region)
        names = {"partition": partition, "region": region, "region_nodash": region.replace("-", "")}
        for key, table in self.region_values.items():
            value = table.get(region, table.get("default"))
            if value is not None:
                names[key] = value.format(**names)
        expanded = []
        for template in self.resources:
            try:
                expanded.append(template.format(**names))
            except KeyError:
                continue  # e.g. Patch Manager has no published suffix for this region
        return expanded

    def verified_in(self, region: str) -> bool:
        """Whether the names were checked for the region's partition (China and GovCloud are not)."""
        return partition_of(region) in self.partitions_verified


@dataclass(frozen=True)
class Catalog:
    """All entries with their groups, in the order the data file gives."""

    groups: dict[str, str]
    entries: tuple[CatalogEntry, ...]

    def get(self, entry_id: str) -> CatalogEntry:
        """The entry with that id, or an InputError listing the ids that exist."""
        for entry in self.entries:
            if entry.id == entry_id:
                return entry
        known = ", ".join(entry.id for entry in self.entries)
        raise InputError(Phrase("catalog", {"variant": "unknown-id", "id": entry_id, "known": known}))

    def defaults(self) -> list[str]:
        """Ids chosen when the engineer has not chosen: the buckets almost every EC2 fleet needs."""
        return [entry.id for entry in self.entries if entry.default]


@cache
def load_catalog() -> Catalog:
    """Read policy_templates/aws_owned_buckets.json once."""
    data = load_template("aws_owned_buckets.json")
    entries = tuple(
        CatalogEntry(
            id=raw["id"],
            title=raw["title"],
            group=raw["group"],
            why=raw["why"],
            access=raw["access"],
            default=raw.get("default", False),
            actions=tuple(raw["actions"]),
            resources=tuple(raw["resources"]),
            region_values=raw.get("region_values", {}),
            partitions_verified=tuple(raw["partitions_verified"]),
            source=raw["source"],
            checked=raw["checked"],
            owner=raw.get("owner", "aws"),
            write=raw.get("write", False),
            see_also=tuple(raw.get("see_also", ())),
        )
        for raw in data["entries"]
    )
    return Catalog(groups=data["groups"], entries=entries)
