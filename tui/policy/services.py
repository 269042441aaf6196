"""Service templates: which endpoint types a service has, whether it takes a policy, and its exceptions."""

from dataclasses import dataclass
from functools import cache
from typing import Any

from tui.policy.identifiers import partition_of
from tui.policy.templates import load_template


@dataclass(frozen=True)
class SampleRequest:
    """A typical read or write of the service, used to build the standard scenarios."""

    action: str
    resource: str

    def for_account(self, region: str, account: str) -> tuple[str, str]:
        """The action and the resource ARN as if the resource lived in `account`."""
        resource = self.resource.format(partition=partition_of(region), region=region, account=account)
        return self.action, resource


@dataclass(frozen=True)
class TemplateException:
    """Requests from outside the trusted identities that a service needs and documents (services.json
    `exceptions`): `actions` by `principal` (`anonymous` or `any` caller) on resources the trusted set owns.
    The analyser reports a policy that admits them as an info finding naming the entry, not as a hole."""

    id: str
    title: str
    principal: str
    actions: tuple[str, ...]
    why: str
    source: str


@dataclass(frozen=True)
class ServiceTemplate:
    """What vpce-wizard knows about one endpoint service."""

    name: str
    title: str
    endpoint_types: tuple[str, ...]
    policy_supported: bool
    public_buckets: bool
    sample_read: SampleRequest | None
    sample_write: SampleRequest | None
    owned_resource_templates: tuple[str, ...]
    notes: str
    warning: str = ""
    """A caveat shown as a warning finding with every policy for this service (with its source)."""
    warning_source: str = ""
    common: tuple[SampleRequest, ...] = ()
    """Further everyday requests (list, describe) that the lock-out question checks beside the samples."""
    exceptions: tuple[TemplateException, ...] = ()

    def common_requests(self, region: str, account: str) -> list[tuple[str, str]]:
        """(action, resource) of the read, write, list and describe requests a trusted caller must keep."""
        samples = [s for s in (self.sample_read, self.sample_write, *self.common) if s is not None]
        return [sample.for_account(region, account) for sample in samples]

    def aws_owned_resources(self, region: str) -> list[str]:
        """AWS-owned ARNs that trusted identities still need when the resource perimeter is on."""
        partition = partition_of(region)
        return [t.format(partition=partition, region=region) for t in self.owned_resource_templates]


def _sample(raw: dict[str, Any] | None) -> SampleRequest | None:
    return SampleRequest(raw["action"], raw["resource"]) if raw else None


@cache
def load_services() -> dict[str, ServiceTemplate]:
    """Read policy_templates/services.json once, keyed by service name, in file order."""
    data = load_template("services.json")
    return {
        raw["name"]: ServiceTemplate(
            name=raw["name"],
            title=raw["title"],
            endpoint_types=tuple(raw["endpoint_types"]),
            policy_supported=raw["policy_supported"],
            public_buckets=raw.get("public_buckets", False),
            sample_read=_sample(raw.get("sample_read")),
            sample_write=_sample(raw.get("sample_write")),
            owned_resource_templates=tuple(raw.get("aws_owned_resources", ())),
            notes=raw.get("notes", ""),
            warning=raw.get("warning", ""),
            warning_source=raw.get("warning_source", ""),
            common=tuple(SampleRequest(c["action"], c["resource"]) for c in raw.get("common_requests", ())),
            exceptions=tuple(TemplateException(e["id"], e["title"], e["principal"], tuple(e["actions"]), e["why"], e["source"])
                             for e in raw.get("exceptions", ())),
        )
        for raw in data["services"]
    }


def service_from_endpoint_name(service_name: str) -> str | None:
    """Map com.amazonaws.<region>.<name> (or com.amazonaws.<name>) to a known service name, if any."""
    parts = service_name.split(".")
    if len(parts) < 3 or parts[0] != "com" or parts[1] != "amazonaws":
        return None
    services = load_services()
    for start in (3, 2):
        candidate = ".".join(parts[start:])
        if candidate in services:
            return candidate
    return None
