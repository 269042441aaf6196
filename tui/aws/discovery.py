"""Find VPC endpoints and what their policies do: one paginated listing per region, never a call per endpoint."""

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from tui.aws.errors import error_code, translate
from tui.aws.perimeter import Place, Trust, no_policy, stored_verdict
from tui.policy.analysis import Analysis, Finding
from tui.policy.errors import InputError
from tui.policy.parsing import Parsed
from tui.policy.parsing import parse_policy as parse_policy_text
from tui.policy.services import load_services, service_from_endpoint_name
from tui.report.messages import Phrase

NOT_ANALYSED = "not analysed yet"
"""The label of an endpoint listed before its policy is analysed (the wizard shows the list first)."""

NO_POLICY_TYPES = ("GatewayLoadBalancer", "Resource", "ServiceNetwork")
"""Endpoint types that accept no PolicyDocument (botocore documents it for Interface and Gateway only)."""


@dataclass(frozen=True)
class ServiceSupport:
    policy_supported: bool
    types: tuple[str, ...]


@dataclass(frozen=True)
class Endpoint:
    """One VPC endpoint as discovered; `policy` is the parsed current document (None when AWS gave none)."""

    id: str
    region: str
    vpc_id: str
    service_name: str
    service: str | None
    type: str
    state: str
    policy: dict | None
    policy_supported: bool
    takes_policy: bool
    reason: str
    classification: str
    findings: tuple[Finding, ...] = ()
    """What the analyser proves about the policy (see tui.aws.perimeter), each with its witness."""
    stored: str | None = field(default=None, repr=False, compare=False)
    """The PolicyDocument text as AWS returned it, analysed by `labelled`."""

    @property
    def place(self) -> Place:
        return Place(self.service, self.service_name, self.region, self.type, self.vpc_id, self.id)


def _client_error_types():
    from botocore.exceptions import BotoCoreError, ClientError

    return (BotoCoreError, ClientError)


def service_support(conn, region: str, names: Iterable[str] | None = None, *, ask: bool = True) -> dict[str, ServiceSupport]:
    """Which services take a policy in this region, cached on the connection. With `names` (the services of
    the endpoints found), only those are asked for: a few entries instead of AWS's whole catalogue of several
    hundred services and pages; without, the whole catalogue. With `ask=False`, only what the connection has
    read already ({} before that: the templates decide)."""
    key, complete = ("service-support", region), ("service-support-complete", region)
    known: dict[str, ServiceSupport] = conn.memo.setdefault(key, {})
    if not ask or conn.memo.get(complete):
        return known
    wanted = sorted(set(names) - known.keys()) if names is not None else None
    if wanted == []:
        return known
    try:
        known.update(_catalogue(conn, region, wanted))
    except _client_error_types() as exc:
        if wanted is None or error_code(exc) != "InvalidServiceName":
            raise
        wanted = None  # a service that no longer exists (a rejected endpoint's): read the whole catalogue
        known.update(_catalogue(conn, region, None))
    if wanted is None:
        conn.memo[complete] = True
    return known


def _catalogue(conn, region: str, names: list[str] | None) -> dict[str, ServiceSupport]:
    kwargs: dict[str, object] = {"PaginationConfig": {"PageSize": 1000}}
    if names is not None:
        kwargs["ServiceNames"] = names
    pages = conn.client("ec2", region).get_paginator("describe_vpc_endpoint_services").paginate(**kwargs)
    return {
        detail["ServiceName"]: ServiceSupport(
            bool(detail.get("VpcEndpointPolicySupported")),
            tuple(t["ServiceType"] for t in detail.get("ServiceType", [])),
        )
        for page in pages
        for detail in page.get("ServiceDetails", [])
    }


def service_names(raws: list[dict]) -> set[str]:
    """The services of DescribeVpcEndpoints items, to ask the catalogue about those only."""
    return {raw["ServiceName"] for raw in raws if raw.get("ServiceName")}


def enabled_regions(conn) -> list[str]:
    """Regions enabled for the account (what --all-regions means)."""
    try:
        regions = conn.client("ec2").describe_regions(AllRegions=False)["Regions"]
    except _client_error_types() as exc:
        raise translate(exc, "ec2:DescribeRegions") from None
    return sorted(r["RegionName"] for r in regions)


def stored_policy(text: str | None) -> Parsed | None:
    """The stored document with its ambiguities, None when AWS gave none; InputError with the reason when
    it cannot be parsed at all (the audit reports that as unreadable: an attacker must not hide an open
    policy by making it unparseable). Read by the same strict parser as every other policy."""
    if not text:
        return None
    return _read_stored(text)


@lru_cache(maxsize=4096)
def _read_stored(text: str) -> Parsed:
    """Read once per distinct text: a fleet shares a few documents (the caller copies before changing one)."""
    return parse_policy_text(text, "the stored policy")


def parse_policy(text: str | None) -> dict | None:
    """The stored document (the caller's own copy), or None when AWS gave none or it cannot be parsed
    (`stored_policy` says why)."""
    try:
        parsed = stored_policy(text)
    except InputError:
        return None
    return _copied(parsed.doc) if parsed else None


def _copied(value: Any) -> Any:
    """A copy of a parsed JSON document (objects, arrays, scalars; depth bounded by the parser), several
    times faster than copy.deepcopy, which a 2,000-endpoint listing paid once per endpoint."""
    if isinstance(value, dict):
        return {key: _copied(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copied(item) for item in value]
    return value


def _endpoint_type(raw: dict, service: str | None, support: ServiceSupport | None) -> str:
    """The API's type; when missing, the only type the service offers, else Interface (the common case)."""
    if raw.get("VpcEndpointType"):
        return raw["VpcEndpointType"]
    types = support.types if support and support.types else load_services()[service].endpoint_types if service in load_services() else ()
    return types[0] if len(types) == 1 else "Interface"


def _why_no_policy(endpoint_type: str, service_name: str, policy_supported: bool) -> str:
    """"" when the endpoint takes a policy, else why not: a `Phrase` (English as its value, said in the language
    of wherever it is shown: the wizard's lists, refusals, audit findings)."""
    if endpoint_type in NO_POLICY_TYPES:
        return Phrase("no-policy", {"variant": "type", "type": endpoint_type})
    if service_name.startswith("com.amazonaws.vpce."):
        return Phrase("no-policy", {"variant": "partner"})
    if not policy_supported:
        return Phrase("no-policy", {"variant": "unsupported"})
    return ""


def endpoint_from_api(raw: dict, region: str, support: dict[str, ServiceSupport], trust: Trust | None) -> Endpoint:
    """Build an Endpoint from a DescribeVpcEndpoints item, classifying its policy against `trust`; with no
    trust its policy is read but not yet analysed (`labelled` does that later, or never: apply re-reads
    endpoints for their documents only)."""
    service_name = raw.get("ServiceName", "")
    service = service_from_endpoint_name(service_name)
    known = support.get(service_name)
    if known is not None:
        policy_supported = known.policy_supported
    else:
        template = load_services().get(service or "")
        policy_supported = template.policy_supported if template else True
    endpoint_type = _endpoint_type(raw, service, known)
    reason = _why_no_policy(endpoint_type, service_name, policy_supported)
    text = raw.get("PolicyDocument")
    endpoint_id, vpc_id = raw["VpcEndpointId"], raw.get("VpcId", "")
    if reason:
        assessment: Analysis | None = no_policy(reason)
    elif trust is not None:
        assessment = stored_verdict(text, Place(service, service_name, region, endpoint_type, vpc_id, endpoint_id), trust)
    else:
        assessment = None
    return Endpoint(
        id=endpoint_id, region=region, vpc_id=vpc_id, service_name=service_name, service=service,
        type=endpoint_type, state=raw.get("State", ""), policy=parse_policy(text), policy_supported=policy_supported,
        takes_policy=not reason, reason=reason, classification=str(assessment.classification) if assessment else NOT_ANALYSED,
        findings=assessment.findings if assessment else (), stored=text,
    )


def labelled(endpoint: Endpoint, trust: Trust) -> Endpoint:
    """The endpoint with the analyser's verdict on its stored document against `trust`."""
    if not endpoint.takes_policy:
        return endpoint
    assessment = stored_verdict(endpoint.stored, endpoint.place, trust)
    return replace(endpoint, classification=str(assessment.classification), findings=assessment.findings)


def describe_endpoints(conn, region: str, ids: list[str] | None = None, filters: list[dict] | None = None) -> list[dict]:
    """Raw DescribeVpcEndpoints items of one region, all pages."""
    kwargs: dict[str, object] = {"Filters": filters or []}
    if ids:
        kwargs["VpcEndpointIds"] = ids
    else:
        kwargs["PaginationConfig"] = {"PageSize": 1000}
    pages = conn.client("ec2", region).get_paginator("describe_vpc_endpoints").paginate(**kwargs)
    return [item for page in pages for item in page.get("VpcEndpoints", [])]


def _filters(region: str, vpc_id: str | None, services: list[str] | None) -> list[dict]:
    filters = []
    if vpc_id:
        filters.append({"Name": "vpc-id", "Values": [vpc_id]})
    if services:
        names = [s if s.startswith("com.") else f"com.amazonaws.{region}.{s}" for s in services]
        filters.append({"Name": "service-name", "Values": names})
    return filters


def _discover_region(conn, region: str, vpc_id, services, trust: Trust | None, on_region, catalogue: bool) -> list[Endpoint]:
    try:
        raws = describe_endpoints(conn, region, filters=_filters(region, vpc_id, services))
        support = service_support(conn, region, service_names(raws), ask=catalogue) if raws else {}
    except _client_error_types() as exc:
        raise translate(exc, Phrase("aws-action", {"variant": "listing-endpoints", "region": region})) from None
    endpoints = [endpoint_from_api(raw, region, support, trust) for raw in raws]
    if on_region:
        on_region(region, len(endpoints))
    return endpoints


def default_trust(conn, trusted_accounts=None, trusted_orgs=()) -> Trust:
    """The user's trusted set, or the caller's own account when none is given."""
    return Trust(tuple(trusted_accounts or (conn.account_id,)), tuple(trusted_orgs or ()))


def discover(conn, regions=None, vpc_id=None, services=None, *, trusted_accounts=None, trusted_orgs=(), on_region=None,
             analysed: bool = True, catalogue: bool = True) -> list[Endpoint]:
    """All endpoints of the regions (default: the connection's), several regions at once, sorted by region and id.

    Policies are classified against the trusted accounts and orgs (default: the caller's account), unless
    `analysed` is False (the wizard lists endpoints first and labels them with `labelled` afterwards);
    `on_region(region, count)` is called as each region finishes, for a progress display. With `catalogue`
    False, which services take a policy comes from the templates unless AWS's catalogue was read already
    (`service_support`): one call fewer, for a first look at the list.
    """
    regions = list(dict.fromkeys(regions or [conn.region]))
    trust = default_trust(conn, trusted_accounts, trusted_orgs) if analysed else None
    with ThreadPoolExecutor(max_workers=min(8, len(regions))) as pool:
        per_region = list(pool.map(lambda region: _discover_region(conn, region, vpc_id, services, trust, on_region, catalogue), regions))
    return sorted((e for endpoints in per_region for e in endpoints), key=lambda e: (e.region, e.id))
