"""What would a candidate endpoint policy do to the traffic CloudTrail recorded? Records in, grouped verdicts out.

Each record that crossed an endpoint becomes the request IAM would evaluate (action, resource, context keys),
is decided by the project's evaluator, and lands in a group (action, resource pattern, principal account or
anonymous) with a verdict (see `Verdict`). A record carries the caller's account and ARN, never its
organization, tags or (for a role session without `sessionIssuer`) its role path; where the policy depends
on such a key, the request is evaluated once for every value class that could matter (absent, each literal
class the policy names, any other value: the abstraction of reference/org-scale.md section 3), and the
decision counts as certain only when all agree. Otherwise the verdict is `undecided`.

Millions of records repeat a few thousand distinct requests: each record is reduced to a signature of the
fields that can change the verdict, and each signature is decided once.
"""

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import cache
from itertools import product
from typing import Any, Literal

from tui.policy import cloudtrail as ct
from tui.policy.catalog import load_catalog
from tui.policy.errors import InputError
from tui.policy.evaluator import Request, evaluate
from tui.policy.identifiers import partition_of
from tui.policy.statements import ReadPolicy, read_policy
from tui.report.messages import Listing, Phrase, error_message


class Verdict(StrEnum):
    OK = "ok"
    """A trusted principal (or a read of an AWS-owned bucket) that the policy allows."""
    INTENDED = "intended"
    """A principal outside the trusted set that the policy denies: the perimeter doing its job."""
    STILL_OPEN = "still-open"
    """A principal outside the trusted set that the policy still allows: the insider's path stays open."""
    WOULD_BREAK = "would-break"
    """A trusted principal, or a read of an AWS-owned bucket, that the policy would deny."""
    ALREADY_DENIED = "already-denied"
    """A request the endpoint's current policy denied (a VpceAccessDenied network activity event)."""
    UNDECIDED = "undecided"
    """The decision or the trust depends on what the record does not carry (organization, tags, role path)."""


FAILING = frozenset({Verdict.WOULD_BREAK, Verdict.STILL_OPEN, Verdict.UNDECIDED})
"""Verdicts that make `impact` exit 1: something breaks, stays open, or cannot be told."""

MAX_COMBINATIONS = 512
"""Evaluations tried for one request with unknown keys; beyond it the request is undecided, not guessed."""
MAX_GROUPS = 50_000
"""Hostile or huge logs may name millions of resources; later new resources fold into one group per action."""
MAX_MEMO = 200_000
MAX_SEGMENTS = 16
OTHER_VALUE = "vpce-wizard-any-other-value"
UNKNOWN_RESOURCE = "arn:aws:vpce-wizard:::unknown-resource"
OTHER_RESOURCES = "(other resources)"

_PRINCIPAL_KEYS_OF_CALLERS = ("aws:principal", "aws:userid", "aws:username", "aws:multifactor", "aws:tokenissuetime")
"""Keys that describe an authenticated caller; anonymous requests carry none but aws:PrincipalAccount."""
_VOLATILE = {"aws:useragent": "userAgent", "aws:vpcsourceip": "sourceIPAddress", "aws:currenttime": "eventTime", "aws:epochtime": "eventTime"}
"""Context keys that come from per-request fields; only a policy that reads them makes them part of a signature."""


@dataclass(frozen=True)
class Trust:
    """The trusted set the engineer intends, and what is known of organization membership.

    `org_of` maps accounts to their organization (from `--org-accounts` or Organizations); `complete_orgs`
    are the organizations whose whole membership `org_of` lists, so an account missing from it is outside them."""

    accounts: frozenset[str] = frozenset()
    orgs: frozenset[str] = frozenset()
    org_of: Mapping[str, str] = field(default_factory=dict, hash=False)
    complete_orgs: frozenset[str] = frozenset()

    def trusts(self, account: str | None) -> bool | None:
        """True, False, or None when it depends on an organization membership nobody told us."""
        if account is None:
            return False
        if account in self.accounts:
            return True
        if not self.orgs:
            return False
        org = self.org_of.get(account)
        if org is not None:
            return org in self.orgs
        return False if self.orgs <= self.complete_orgs else None


@dataclass(frozen=True)
class Scope:
    """Which records count: through one endpoint (or any endpoint of the given services), since when."""

    endpoint: str | None = None
    services: frozenset[str] | None = None
    """IAM service prefixes (s3, ecr, ...); None means every record that crossed an endpoint."""
    since: str = ""
    """ISO 8601 UTC lower bound on eventTime (CloudTrail writes `YYYY-MM-DDTHH:MM:SSZ`, so text order is time order)."""
    denials_only: bool = False


@dataclass(frozen=True)
class ImpactGroup:
    action: str
    resource: str
    principal: str
    count: int
    verdict: Verdict
    suggestion: str
    """`catalog <id>`, `trust account <id>`, `trust org <o-...>`, for undecided `unknown: <keys>`, or ""."""
    first_seen: str
    last_seen: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "action": self.action, "resource": self.resource, "principal": self.principal, "count": self.count,
            "verdict": str(self.verdict), "suggestion": self.suggestion,
            "first_seen": self.first_seen, "last_seen": self.last_seen,
        }


@dataclass(frozen=True)
class ImpactReport:
    events: int
    """Records read."""
    considered: int
    """Records that crossed an endpoint in scope and were replayed."""
    groups: tuple[ImpactGroup, ...]
    problems: tuple[tuple[str, str], ...] = ()
    """(source, problem) for files or records that were skipped."""

    @property
    def failing(self) -> bool:
        return any(group.verdict in FAILING for group in self.groups)

    def to_dict(self) -> dict[str, Any]:
        return {
            "events": self.events,
            "considered": self.considered,
            "groups": [group.to_dict() for group in self.groups],
            "problems": [{"source": source, "problem": problem} for source, problem in self.problems],
        }


# --- the policy's shape: which keys and values can change a decision --------------------------------------


@dataclass(frozen=True)
class _Shape:
    keys: frozenset[str]
    """Condition keys the policy reads, lower-cased."""
    values: Mapping[str, tuple[str, ...]]
    """Per key, one literal for each class of policy values that behave alike (appear in the same blocks)."""
    resources: tuple[str, ...]
    """One literal per Resource/NotResource pattern."""
    resource_patterns: tuple[str, ...]
    volatile: tuple[str, ...]
    """Record fields (userAgent, ...) that feed keys the policy reads."""
    variables: frozenset[str]
    """Keys read through policy variables; a resource pattern with one may match any segment of a resource."""


def _statements(policy: dict[str, Any]) -> list[dict[str, Any]]:
    statements = policy.get("Statement", [])
    statements = [statements] if isinstance(statements, dict) else statements
    return [s for s in statements if isinstance(s, dict)] if isinstance(statements, list) else []


def _strings(value: object) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [item if isinstance(item, str) else str(item).lower() if isinstance(item, bool) else str(item) for item in items]


def _literal(pattern: str) -> str:
    """A value a wildcard pattern matches: the representative of the values it stands for."""
    return pattern.replace("*", "x").replace("?", "x")


_VARIABLE = re.compile(r"\$\{([A-Za-z0-9:/_.-]+)\}")


def _shape(policy: dict[str, Any]) -> _Shape:
    blocks: dict[tuple[str, str], set[int]] = {}
    patterns: list[str] = []
    block_id = 0
    for statement in _statements(policy):
        condition = statement.get("Condition")
        for block in (condition.values() if isinstance(condition, dict) else ()):
            for key, listed in (block.items() if isinstance(block, dict) else ()):
                block_id += 1
                for value in _strings(listed):
                    blocks.setdefault((key.lower(), _literal(value)), set()).add(block_id)
        principal = statement.get("Principal")
        if isinstance(principal, dict):
            for entry in _strings(principal.get("AWS", [])):
                if entry.startswith("arn:") and not entry.endswith(":root"):
                    blocks.setdefault(("aws:principalarn", entry), set()).add(-1)
        for element in ("Resource", "NotResource"):
            if element in statement:
                patterns.extend(_strings(statement[element]))
    variables = frozenset(variable.lower() for variable in _VARIABLE.findall(json.dumps(policy)))
    for variable in variables:  # `${aws:PrincipalTag/team}` reads that key too
        blocks.setdefault((variable, OTHER_VALUE), set()).add(-2)
    values: dict[str, dict[frozenset[int], str]] = {}
    for (key, literal), ids in blocks.items():
        values.setdefault(key, {}).setdefault(frozenset(ids), literal)
    keys = frozenset(values)
    return _Shape(
        keys=keys,
        values={key: tuple(classes.values()) for key, classes in values.items()},
        resources=tuple(dict.fromkeys(_literal(p) for p in patterns)),
        resource_patterns=tuple(dict.fromkeys(patterns)),
        volatile=tuple(dict.fromkeys(field for key, field in _VOLATILE.items() if key in keys)),
        variables=variables,
    )


def _keys_matter(prefix: str, patterns: Iterable[str]) -> bool:
    """Whether some pattern tells objects under `prefix` (`arn:aws:s3:::bucket/`) apart, so the object key is
    significant; a pattern that matches all of them (`bucket/*`, `*`) or none does not."""
    for pattern in patterns:
        cut = min((i for i in (pattern.find("*"), pattern.find("?")) if i >= 0), default=-1)
        if cut < 0:
            if pattern.startswith(prefix):
                return True
            continue
        head, tail = pattern[:cut], pattern[cut:]
        overlaps = prefix.startswith(head) or head.startswith(prefix)
        if overlaps and (tail.strip("*") or (head.startswith(prefix) and len(head) > len(prefix))):
            return True
    return False


# --- the catalog of AWS-owned buckets --------------------------------------------------------------------


@cache
def _catalog_policies(region: str) -> tuple[tuple[str, ReadPolicy, tuple[str, ...]], ...]:
    """Each catalog entry as the one-statement policy that admits it, so admission is decided by the same
    evaluator (and wildcard matching) as the candidate policy. A region no one knows (records are hostile)
    has no AWS-owned buckets."""
    try:
        partition_of(region)
    except InputError:
        return ()
    entries = []
    for entry in load_catalog().entries:
        arns = tuple(entry.arns(region))
        if arns:
            statement = {"Effect": "Allow", "Principal": "*", "Action": list(entry.actions), "Resource": list(arns)}
            entries.append((entry.id, read_policy({"Statement": [statement]}), arns))
    return tuple(entries)


@cache
def _catalog_by_bucket(region: str) -> tuple[dict[str, tuple[Any, ...]], tuple[Any, ...]]:
    """Catalog policies by the bucket ARN their resources name, and those whose bucket part has a wildcard:
    most resources are in no catalog bucket and need no evaluation at all."""
    by_bucket: dict[str, list[Any]] = {}
    anywhere = []
    for entry_id, policy, arns in _catalog_policies(region):
        buckets = {arn.split("/", 1)[0] for arn in arns}
        if any("*" in bucket or "?" in bucket for bucket in buckets):
            anywhere.append((entry_id, policy))
        for bucket in buckets:
            by_bucket.setdefault(bucket, []).append((entry_id, policy))
    return {bucket: tuple(entries) for bucket, entries in by_bucket.items()}, tuple(anywhere)


def catalog_entry_for(action: str, resource: str, region: str) -> str | None:
    """The id of the catalog entry that admits this read (e.g. `ecr-layers`), if any."""
    by_bucket, anywhere = _catalog_by_bucket(region)
    for entry_id, policy in (*by_bucket.get(resource.split("/", 1)[0], ()), *anywhere):
        if evaluate(policy, Request(action, resource)).allowed:
            return str(entry_id)
    return None


def _catalog_patterns(region: str) -> tuple[str, ...]:
    return tuple(arn for _, _, arns in _catalog_policies(region) for arn in arns)


def _partition(region: object) -> str:
    try:
        return partition_of(region) if isinstance(region, str) else "aws"
    except InputError:
        return "aws"


# --- one record -> one classified request ----------------------------------------------------------------


@dataclass(frozen=True)
class _Call:
    """What one record says about the request, in the evaluator's terms."""

    action: str
    resources: tuple[str, ...]
    """The resource, or (when the record does not name it) one candidate per class that could matter."""
    resource_label: str
    principal: str
    account: str | None
    anonymous: bool
    known: dict[str, Any]
    unknown: dict[str, Any]
    region: str
    resource_account: str | None


class _Replay:
    """Decides and groups records one at a time; memory grows with distinct requests, not with records."""

    def __init__(self, policy: dict[str, Any] | None, trust: Trust, scope: Scope):
        self.policy = read_policy(policy or {})  # read once: cold paths evaluate it many times
        self.trust = trust
        self.scope = scope
        self.shape = _shape(policy or {})
        self.events = 0
        self.considered = 0
        self.memo: dict[tuple[Any, ...], Any] = {}
        self.groups: dict[tuple[Any, ...], Any] = {}
        self.keys_matter: dict[str, bool] = {}
        self.malformed = 0

    # The hot path: no evaluation, one tuple per record.
    def feed(self, record: dict[str, Any]) -> None:  # noqa: PLR0912 (inlined on purpose: it runs once per record)
        self.events += 1
        get = record.get
        endpoint = get("vpcEndpointId")
        if not endpoint or (self.scope.endpoint and endpoint != self.scope.endpoint):
            return
        denied = get("errorCode") == ct.VPCE_ACCESS_DENIED
        if self.scope.denials_only and not denied:
            return
        time = get("eventTime")
        if time.__class__ is not str:
            time = ""
        if time < self.scope.since:
            return
        try:
            signature = self._signature(record, endpoint, denied)
            entry = self.memo.get(signature)
            if entry is None:
                entry = self._classify(record, endpoint, denied)
                if len(self.memo) >= MAX_MEMO:
                    self.memo.clear()
                self.memo[signature] = entry
        except (TypeError, AttributeError):  # a field of the wrong JSON type: a hostile or broken record
            self.malformed += 1
            return
        if entry is False:
            return
        self.considered += 1
        group = self.groups.get(entry)
        if group is None:
            if len(self.groups) >= MAX_GROUPS:
                entry = (entry[0], OTHER_RESOURCES, *entry[2:])
                group = self.groups.get(entry)
            if group is None:
                self.groups[entry] = [1, time, time]
                return
        group[0] += 1
        if time < group[1]:
            group[1] = time
        elif time > group[2]:
            group[2] = time

    def _signature(self, record: dict[str, Any], endpoint: str, denied: bool) -> tuple[Any, ...]:
        get = record.get
        identity = get("userIdentity") or {}
        issuer = ((identity.get("sessionContext") or {}).get("sessionIssuer") or {}).get("arn")
        params = get("requestParameters")
        bucket = key = owner = None
        if params and "bucketName" in params:
            bucket = params["bucketName"]
            key = params.get("key")
            if key is not None and not self._object_keys_matter(bucket, get("awsRegion")):
                key = ""
            owner = ct.bucket_owner(get("resources"), bucket) if isinstance(bucket, str) else None
            version = params.get("versionId") is not None
            resources = None
        else:
            version = False
            resources = ct.first_resource(get("resources"))
        return (
            endpoint, get("eventSource"), get("eventName"), denied, get("awsRegion"), identity.get("type"),
            identity.get("accountId"), issuer or identity.get("arn"), identity.get("invokedBy"),
            bucket, key, owner, version, resources, "tlsDetails" in record,
            *(get(name) for name in self.shape.volatile),
        )

    def _object_keys_matter(self, bucket: str, region: object) -> bool:
        """Cached per bucket: most policies and catalog entries treat all objects of a bucket alike."""
        cache_key = f"{region}/{bucket}"
        matters = self.keys_matter.get(cache_key)
        if matters is None:
            prefix = f"arn:{_partition(region)}:s3:::{bucket}/"
            region_patterns = _catalog_patterns(region) if isinstance(region, str) and region else ()
            matters = _keys_matter(prefix, self.shape.resource_patterns + region_patterns)
            self.keys_matter[cache_key] = matters
        return matters

    # The cold path: once per distinct signature.
    def _classify(self, record: dict[str, Any], endpoint: str, denied: bool) -> tuple[Any, ...] | Literal[False]:
        call = self._call(record, endpoint)
        if call is None:
            return False
        if self.scope.services is not None and not self.scope.endpoint and call.action.split(":", 1)[0] not in self.scope.services:
            return False
        trusted = self.trust.trusts(None if call.anonymous else call.account)
        catalog_entry = catalog_entry_for(call.action, call.resources[0], call.region) if call.region else None
        if denied:
            wanted = bool(catalog_entry) or trusted is True
            verdict, suggestion = Verdict.ALREADY_DENIED, self._suggestion(call, catalog_entry) if wanted else ""
        else:
            verdict, suggestion = self._verdict(call, trusted, catalog_entry)
        return (call.action, call.resource_label, call.principal, verdict, suggestion)

    def _verdict(self, call: _Call, trusted: bool | None, catalog_entry: str | None) -> tuple[Verdict, str]:
        allowed, unknown_keys = self._decide(call)
        if allowed is None:
            keys = Listing([Phrase("impact-hint", {"variant": "the-resource"}) if key == "the resource" else key for key in unknown_keys])
            variant = "unknown-org-keys" if any(key.endswith("orgid") for key in unknown_keys) else "unknown"
            return Verdict.UNDECIDED, Phrase("impact-hint", {"variant": variant, "keys": keys})
        wanted = True if catalog_entry else trusted
        if wanted is None:
            return Verdict.UNDECIDED, Phrase("impact-hint", {"variant": "unknown-org", "account": call.account})
        if wanted:
            return (Verdict.OK, "") if allowed else (Verdict.WOULD_BREAK, self._suggestion(call, catalog_entry))
        return (Verdict.STILL_OPEN, "") if allowed else (Verdict.INTENDED, "")

    def _suggestion(self, call: _Call, catalog_entry: str | None) -> str:
        if catalog_entry:
            return Phrase("impact-hint", {"variant": "catalog", "entry": catalog_entry})
        if call.anonymous or not call.account:
            return ""
        org = self.trust.org_of.get(call.account)
        if call.account not in self.trust.accounts and org in self.trust.orgs:
            return Phrase("impact-hint", {"variant": "trust-org", "org": org})
        return Phrase("impact-hint", {"variant": "trust-account", "account": call.account})

    def _decide(self, call: _Call) -> tuple[bool | None, list[str]]:
        """Allowed, denied, or None when what the record lacks could change it, with the names of the keys
        (or "the resource") that do change it."""
        dimensions = {"the resource": call.resources, **call.unknown}
        combinations = 1
        for values in dimensions.values():
            combinations *= len(values)
        if combinations > MAX_COMBINATIONS:
            return None, [name for name, values in dimensions.items() if len(values) > 1]
        names = list(dimensions)
        outcomes = {}
        for values in product(*dimensions.values()):
            resource, unknown = values[0], zip(names[1:], values[1:], strict=True)
            context = dict(call.known)
            context.update((key, value) for key, value in unknown if value is not None)
            outcomes[values] = evaluate(self.policy, Request(call.action, resource, context)).allowed
        if len(set(outcomes.values())) == 1:
            return next(iter(outcomes.values())), []
        return None, [name for index, name in enumerate(names) if _changes_outcome(outcomes, index)]

    def _call(self, record: dict[str, Any], endpoint: str) -> _Call | None:
        source, name = record.get("eventSource"), record.get("eventName")
        if not isinstance(source, str) or not isinstance(name, str) or not source or not name:
            return None
        identity = record.get("userIdentity")
        identity = identity if isinstance(identity, dict) else {}
        region = aws_region if isinstance(aws_region := record.get("awsRegion"), str) else ""
        params = record.get("requestParameters")
        action = ct.iam_action(source, name, params)
        anonymous = ct.is_anonymous(identity)
        account = identity.get("accountId") if isinstance(identity.get("accountId"), str) else None
        resources, label, resource_account = self._resource(record, action, region)
        known, unknown = self._context(record, endpoint, identity, anonymous, account, resource_account)
        for key in self.shape.variables & unknown.keys():  # the value that would make `.../${key}/*` match
            segments = dict.fromkeys(part for part in re.split(r"[/:]", resources[0]) if part)
            unknown[key] = [*unknown[key], *list(segments)[:MAX_SEGMENTS]]
        principal = "anonymous" if anonymous else account or identity.get("invokedBy") or identity.get("type") or "unknown"
        return _Call(action, resources, label, str(principal), account, anonymous, known, unknown, region, resource_account)

    def _resource(self, record: dict[str, Any], action: str, region: str) -> tuple[tuple[str, ...], str, str | None]:
        """(candidate resource ARNs, the group's resource pattern, the resource's account when recorded)."""
        s3 = ct.s3_resource(record.get("requestParameters"))
        if s3:
            bucket, key = s3
            bucket_arn = f"arn:{_partition(region)}:s3:::{bucket}"
            owner = ct.bucket_owner(record.get("resources"), bucket)
            if key:
                return (f"{bucket_arn}/{key}",), f"{bucket_arn}/*", owner
            if action in _OBJECT_ACTIONS:  # e.g. DeleteObjects: the keys are in the body, not the record
                inside = tuple(r for r in self.shape.resources if r.startswith(bucket_arn + "/"))
                return (f"{bucket_arn}/vpce-wizard-unknown-key", *inside), f"{bucket_arn}/*", owner
            return (bucket_arn,), bucket_arn, owner
        arn, owner = ct.first_resource(record.get("resources"))
        if arn:
            return (arn,), arn, owner
        return (UNKNOWN_RESOURCE, *self.shape.resources), "*", None

    def _context(self, record: dict[str, Any], endpoint: str, identity: dict[str, Any], anonymous: bool, account: str | None, resource_account: str | None) -> tuple[dict[str, Any], dict[str, Any]]:
        """Keys the policy reads, split into known values and candidate values (None = absent)."""
        facts = self._facts(record, endpoint, identity, anonymous, account, resource_account)
        known, unknown = {}, {}
        for key in self.shape.keys:
            if key in facts:
                value = facts[key]
                if isinstance(value, list):
                    unknown[key] = value
                elif value is not None:
                    known[key] = value
            elif anonymous and key.startswith(_PRINCIPAL_KEYS_OF_CALLERS):
                continue  # absent for anonymous callers
            else:
                unknown[key] = list(dict.fromkeys((None, *self.shape.values.get(key, ()), OTHER_VALUE)))
        if "aws:principalaccount" not in self.shape.keys and isinstance(facts.get("aws:principalaccount"), str):
            known["aws:principalaccount"] = facts["aws:principalaccount"]  # account principals read it
        return known, unknown

    def _facts(self, record: dict[str, Any], endpoint: str, identity: dict[str, Any], anonymous: bool, account: str | None, resource_account: str | None) -> dict[str, Any]:
        """What the record tells about each key: a value, None (absent), or a list of candidates."""
        facts: dict[str, Any] = {"aws:sourcevpce": endpoint, "aws:sourceip": None}
        region = record.get("awsRegion")
        if isinstance(region, str):
            facts["aws:requestedregion"] = region
        facts["aws:securetransport"] = "true" if isinstance(record.get("tlsDetails"), dict) else ["true", "false"]
        for key, name in _VOLATILE.items():
            value = record.get(name)
            if isinstance(value, str) and key != "aws:epochtime":
                facts[key] = value
        if anonymous:
            facts["aws:principalaccount"] = "anonymous"
            facts["aws:principaltype"] = "Anonymous"
        else:
            self._caller_facts(facts, identity, account)
        if resource_account:
            facts["aws:resourceaccount"] = resource_account
            facts["aws:resourceorgid"] = self._org_candidates(resource_account, "aws:resourceorgid")
        else:
            facts["aws:resourceaccount"] = [None, *self.shape.values.get("aws:resourceaccount", ()), OTHER_VALUE]
        return facts

    def _caller_facts(self, facts: dict[str, Any], identity: dict[str, Any], account: str | None) -> None:
        kind = identity.get("type")
        if kind == "AWSService":
            facts["aws:principalisawsservice"] = "true"
            service = identity.get("invokedBy")
            facts["aws:principalservicename"] = service if isinstance(service, str) else None
            return
        facts["aws:principalisawsservice"] = "false"
        facts["aws:principalservicename"] = None
        if account:
            facts["aws:principalaccount"] = account
            facts["aws:principalorgid"] = self._org_candidates(account, "aws:principalorgid")
        if kind in ct.PRINCIPAL_TYPES:
            facts["aws:principaltype"] = ct.PRINCIPAL_TYPES[kind]
        arn, certain = ct.principal_arn(identity)
        if arn and certain:
            facts["aws:principalarn"] = arn
        elif arn:  # a role whose path the record does not give: try each path the policy names
            head, name = arn.split(":role/", 1)
            paths = {v.split(":role/", 1)[1].rpartition("/")[0] for v in self.shape.values.get("aws:principalarn", ()) if ":role/" in v}
            paths |= {"", "vpce-wizard-unknown-path"}
            facts["aws:principalarn"] = [f"{head}:role/{path}/{name}" if path else arn for path in sorted(paths)]
        else:
            facts["aws:principalarn"] = [*self.shape.values.get("aws:principalarn", ()), OTHER_VALUE]

    def _org_candidates(self, account: str, key: str) -> str | list[str | None]:
        org = self.trust.org_of.get(account)
        if org is not None:
            return org
        named = self.shape.values.get(key, ())
        if self.trust.complete_orgs:
            return [None, OTHER_VALUE, *(v for v in named if v not in self.trust.complete_orgs)]
        return [None, *named, OTHER_VALUE]

    def report(self, problems: Iterable[tuple[str, str]] = ()) -> ImpactReport:
        merged: dict[tuple[Any, ...], list[Any]] = {}
        for (action, resource, principal, verdict, suggestion), (count, first, last) in self.groups.items():
            group = merged.setdefault((action, resource, principal, verdict), [0, first, last, []])
            group[0] += count
            group[1], group[2] = min(group[1], first), max(group[2], last)
            if suggestion and suggestion not in group[3]:
                group[3].append(suggestion)
        groups = [
            ImpactGroup(action, resource, principal, count, verdict, Listing(suggestions, "; "), first, last)
            for (action, resource, principal, verdict), (count, first, last, suggestions) in merged.items()
        ]
        groups.sort(key=lambda g: (_ORDER[g.verdict], -g.count, g.action, g.resource, g.principal))
        problems = list(problems)
        if self.malformed:
            problems.append(("records", Phrase("log-problem", {"variant": "wrong-types", "count": self.malformed})))
        return ImpactReport(self.events, self.considered, tuple(groups), tuple(problems))


def _changes_outcome(outcomes: dict[tuple[Any, ...], bool], index: int) -> bool:
    """Whether two combinations that differ only at `index` are decided differently."""
    seen: dict[tuple[Any, ...], bool] = {}
    for values, allowed in outcomes.items():
        others = values[:index] + values[index + 1:]
        if seen.setdefault(others, allowed) != allowed:
            return True
    return False


_OBJECT_ACTIONS = frozenset({"s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:GetObjectVersion", "s3:DeleteObjectVersion"})
_ORDER = {verdict: index for index, verdict in enumerate(
    (Verdict.WOULD_BREAK, Verdict.STILL_OPEN, Verdict.UNDECIDED, Verdict.ALREADY_DENIED, Verdict.INTENDED, Verdict.OK)
)}


def impact_groups(policy: dict[str, Any] | None, records: Iterable[dict[str, Any]], trust: Trust, scope: Scope = Scope(),
                  problems: Iterable[tuple[str, str]] = ()) -> ImpactReport:
    """Replay records against a candidate policy (None with `scope.denials_only`) and group the verdicts.

    The one core function behind `vpce-wizard impact` and the wizard's "Check against recent traffic";
    `problems` may be a list the record source keeps filling while `records` is consumed."""
    if policy is None and not scope.denials_only:
        raise InputError(Phrase("impact", {"variant": "no-policy"}))
    replay = _Replay(policy, trust, scope)
    for record in records:
        replay.feed(record)
    return replay.report(problems)


# --- inputs ---------------------------------------------------------------------------------------------

_SINCE = re.compile(r"([0-9]{1,5})([dhm])")
_UNITS = {"d": "days", "h": "hours", "m": "minutes"}


def parse_since(text: str, now: datetime) -> str:
    """`7d`, `24h`, `30m`, or an ISO date/time, as the ISO UTC lower bound `Scope.since` compares against."""
    relative = _SINCE.fullmatch(text.strip())
    if relative:
        amount, unit = int(relative.group(1)), relative.group(2)
        moment = now - timedelta(**{_UNITS[unit]: amount})
    else:
        try:
            moment = datetime.fromisoformat(text.strip())
        except ValueError:
            raise InputError(Phrase("impact", {"variant": "since", "value": text})) from None
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def org_membership(data: object, source: str) -> tuple[dict[str, str], frozenset[str]]:
    """(account -> org, orgs listed whole) from `{"o-...": ["111122223333", ...]}` or the output of
    `aws organizations list-accounts` (each account's Arn names its organization)."""
    from tui.policy.identifiers import check_account_id, check_org_id

    members: dict[str, str] = {}
    try:
        if isinstance(data, dict) and isinstance(data.get("Accounts"), list):
            for account in data["Accounts"]:
                org = account["Arn"].split(":account/", 1)[1].split("/", 1)[0]
                members[check_account_id(account["Id"])] = check_org_id(org)
        elif isinstance(data, dict):
            for org, accounts in data.items():
                for account in accounts:
                    members[check_account_id(account)] = check_org_id(org)
        else:
            raise InputError(Phrase("impact", {"variant": "org-not-object"}))
    except InputError as exc:
        raise InputError(Phrase("impact", {"variant": "org-in", "source": source, "error": error_message(exc)})) from None
    except (KeyError, IndexError, TypeError, AttributeError):
        raise InputError(Phrase("impact", {"variant": "org-shape", "source": source})) from None
    return members, frozenset(members.values())


def policy_services(policy: dict[str, Any]) -> frozenset[str] | None:
    """The IAM service prefixes a policy's actions name (`s3:GetObject` -> s3); None when it names only `*`."""
    prefixes = {
        action.split(":", 1)[0].lower()
        for statement in _statements(policy)
        for element in ("Action", "NotAction")
        for action in _strings(statement.get(element, []))
        if ":" in action
    }
    return frozenset(prefixes) or None


# --- who uses each endpoint -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SeenPrincipal:
    principal: str
    """An account ID, or `anonymous`, or the AWS service that called."""
    org: str
    count: int


@dataclass(frozen=True)
class EndpointUse:
    endpoint: str
    principals: tuple[SeenPrincipal, ...]
    orgs: tuple[tuple[str, int], ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "endpoint": self.endpoint,
            "principals": [{"principal": p.principal, "org": p.org, "count": p.count} for p in self.principals],
            "orgs": [{"org": org, "count": count} for org, count in self.orgs],
        }


def seen_principals(records: Iterable[dict[str, Any]], trust: Trust, scope: Scope = Scope()) -> tuple[int, int, tuple[EndpointUse, ...]]:
    """(records read, records counted, per endpoint the callers ranked by requests): where a trusted set starts."""
    counts: dict[tuple[str, str], int] = {}
    events = considered = 0
    for record in records:
        events += 1
        endpoint = record.get("vpcEndpointId")
        if not isinstance(endpoint, str) or not endpoint or (scope.endpoint and endpoint != scope.endpoint):
            continue
        time = record.get("eventTime")
        if not isinstance(time, str) or time < scope.since:
            continue
        identity = record.get("userIdentity")
        identity = identity if isinstance(identity, dict) else {}
        if scope.services is not None and not scope.endpoint:
            source = record.get("eventSource")
            if not isinstance(source, str) or ct.iam_prefix(source) not in scope.services:
                continue
        principal = "anonymous" if ct.is_anonymous(identity) else identity.get("accountId") or identity.get("invokedBy") or "unknown"
        key = (endpoint, str(principal))
        counts[key] = counts.get(key, 0) + 1
        considered += 1
    by_endpoint: dict[str, list[SeenPrincipal]] = {}
    for (endpoint, principal), count in counts.items():
        by_endpoint.setdefault(endpoint, []).append(SeenPrincipal(principal, trust.org_of.get(principal, ""), count))
    uses = []
    for endpoint in sorted(by_endpoint):
        principals = sorted(by_endpoint[endpoint], key=lambda p: (-p.count, p.principal))
        orgs: dict[str, int] = {}
        for p in principals:
            if p.org:
                orgs[p.org] = orgs.get(p.org, 0) + p.count
        uses.append(EndpointUse(endpoint, tuple(principals), tuple(sorted(orgs.items(), key=lambda item: (-item[1], item[0])))))
    return events, considered, tuple(uses)
