"""What a policy admits, proven: each question is a formula handed to an SMT solver (z3), and every answer
carries a witness request that `vpce-wizard simulate --cases` replays to the stated decision.

Questions (docs/policy-model.md):
1. foreign-principals: can anyone outside the trusted accounts and orgs (anonymous included) be allowed
   anything but an intended exception? Intended exceptions are data: read-only actions on bucket ARNs of
   the catalog (any region), and callers that are AWS service principals (aws:PrincipalIsAWSService).
2. foreign-resources / no-resource-perimeter: can a trusted caller reach a resource owned outside the set?
3. foreign-writes / wildcard-bucket: can an outsider write to a resource the policy names, or read a bucket
   whose name holds a wildcard (anyone can create a matching bucket)?
4. lock-out: is one of the service's common actions denied to the real caller (or, without one, to some
   trusted principal) on a plain HTTPS request through this endpoint?
5. aws-owned-buckets-blocked: which default AWS-owned buckets can no anonymous reader reach?
A solver `unknown` (bounded by z3's deterministic resource limit, so the verdict is the same on every
machine) or a witness that does not replay is never "sound": it is the high finding `unproven`.
"""

import json
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import lru_cache, partial
from typing import TYPE_CHECKING, Any, TypeVar

from tui.policy.catalog import CatalogEntry, load_catalog
from tui.policy.evaluator import Request, evaluate
from tui.policy.evidence import (
    allowed,
    anonymous_context,
    can_carry,
    fresh_account,
    is_read_only,
    never_denied,
    on_its_face,
    role_context,
)
from tui.policy.exceptions import (
    anonymous_read,
    blocked_default_buckets,
    bucket_entries_blocked_message,
    read_only_actions,
    reads_only,
    sample_object,
)
from tui.policy.identifiers import partition_of
from tui.policy.requestmodel import ANONYMOUS, IDENTITY_KEYS_ABSENT_WHEN_ANONYMOUS, canonical_key, is_principal_tag
from tui.policy.services import ServiceTemplate, TemplateException, load_services
from tui.policy.statements import ReadPolicy, Statement, read_policy
from tui.policy.wildcards import glob, has_wildcard, wildcard_match
from tui.report.messages import ANALYSIS_MESSAGES, Listing, Phrase, Term, localised, message

if TYPE_CHECKING:
    import z3

    from tui.policy.parsing import Parsed
    from tui.policy.symbolic import PolicyFormula

FULL_ACCESS_POLICY = {"Version": "2008-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}
"""The document AWS attaches when an endpoint has no custom policy (as DescribeVpcEndpoints returns it)."""

_SOLVER_LOCK = threading.Lock()
_T = TypeVar("_T")

RLIMIT = 4_000_000
RETRY_SEEDS = (None, 7)
RLIMIT_PER_LITERAL = 20_000
"""The bound grows with the policy: z3 spends resource units merely reading a 1,300-account list."""

"""z3's deterministic work bound per question: real policies need well under 1% of it (benchmarks/)."""


class Severity(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"


SEVERITY_ORDER = tuple(Severity)


class Classification(StrEnum):
    FULL_ACCESS = "full access"
    IDENTITY_PERIMETER = "identity perimeter"
    IDENTITY_RESOURCE_PERIMETER = "identity+resource perimeter"
    TRUSTS_OUTSIDE = "trusts outside the given accounts"
    LOCKS_OUT = "locks out trusted callers"
    UNPROVEN = "unproven"
    NO_POLICY = "no policy possible"


@dataclass(frozen=True)
class Trust:
    """The accounts and organizations the user trusts."""

    accounts: tuple[str, ...] = ()
    orgs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Caller:
    """The identity apply runs as (from GetCallerIdentity), as IAM puts it in the request context.

    `path` and `tags` are None when unknown (iam:GetRole not allowed, or an SSO role): conditions on them
    are then treated as possibly denying. `name` is the session name of an assumed role or a federated user,
    or an IAM user's name: what aws:userid ends with, or aws:username holds.
    """

    account: str
    principal_type: str
    role_name: str | None = None
    arn: str | None = None
    path: str | None = None
    org_id: str | None = None
    tags: tuple[tuple[str, str], ...] | None = None
    name: str | None = None
    user_id: str | None = None
    """GetCallerIdentity's UserId, when the caller is the connection's own."""

    @property
    def userid(self) -> str | None:
        """aws:userid: GetCallerIdentity's UserId when known, else what the ARN tells without IAM's unique
        ids: the account for the root user, `ACCOUNT:NAME` for a federated user (IAM user guide, "IAM policy
        elements: Variables and tags", the aws:userid column; AWS re:Post, "iam-policy-variables-federated")."""
        if self.user_id:
            return self.user_id
        if self.principal_type == "Account":
            return self.account
        if self.principal_type == "FederatedUser" and self.name:
            return f"{self.account}:{self.name}"
        return None

    @classmethod
    def from_arn(cls, arn: str, org_id: str | None = None) -> "Caller":
        """Read what STS GetCallerIdentity returns: an assumed-role, federated-user, user or root ARN."""
        from tui.policy.errors import InputError

        fields = arn.split(":", 5)
        if len(fields) != 6 or fields[0] != "arn" or not fields[4].isascii() or not fields[4].isdigit() or len(fields[4]) != 12:
            raise InputError(Phrase("caller-arn", {"variant": "not-arn", "arn": arn}))
        partition, service, account, resource = fields[1], fields[2], fields[4], fields[5]
        if service == "sts" and resource.startswith("assumed-role/") and resource.count("/") >= 2:
            # the path is unknown until iam:GetRole; an IAM Identity Center role sits under
            # /aws-reserved/sso.amazonaws.com/, plus the Identity Center region unless that is us-east-1
            # (see `_role_paths`), so its ARN cannot be read from the session ARN either
            _, role, session = resource.split("/", 2)
            return cls(account, "AssumedRole", role, None, None, org_id, None, session)
        if service == "sts" and resource.startswith("federated-user/") and len(resource) > len("federated-user/"):
            # a GetFederationToken session: its aws:PrincipalArn is this ARN (IAM user guide, global condition
            # keys, aws:PrincipalArn); session tags are unknown
            return cls(account, "FederatedUser", None, arn, None, org_id, None, resource.split("/", 1)[1])
        if service == "iam" and resource == "root":
            return cls(account, "Account", None, f"arn:{partition}:iam::{account}:root", "/", org_id, ())
        if service == "iam" and resource.startswith("user/"):
            return cls(account, "User", None, arn, None, org_id, None, resource.rsplit("/", 1)[1])
        raise InputError(Phrase("caller-arn", {"variant": "kind", "arn": arn}))


@dataclass(frozen=True)
class Setting:
    """Everything a verdict depends on besides the policy; hashable, so verdicts are cached by it."""

    service: str
    region: str
    trust: Trust
    endpoint_type: str = ""
    vpc_id: str | None = None
    endpoint_id: str | None = None
    caller: Caller | None = None
    resource_perimeter: bool | None = None
    listed_buckets: tuple[str, ...] = ()
    """Bucket ARNs the user declared public on purpose (`--bucket-arn`): intended exceptions like the catalog's."""


@dataclass(frozen=True)
class Witness:
    """A concrete request that proves a finding, and the decision the policy gives it."""

    action: str
    resource: str
    context: tuple[tuple[str, str | tuple[str, ...]], ...]
    decision: str

    @classmethod
    def of(cls, request: Request, outcome: str) -> "Witness":
        """A request the evaluator decided, as a witness (multi-valued keys as tuples)."""
        context = tuple((key, tuple(value) if isinstance(value, list) else value) for key, value in request.context.items())
        return cls(request.action, request.resource, context, outcome)

    def request(self) -> Request:
        return Request(self.action, self.resource, {k: list(v) if isinstance(v, tuple) else v for k, v in self.context})

    def to_dict(self) -> dict[str, Any]:
        return {"action": self.action, "resource": self.resource,
                "context": {k: list(v) if isinstance(v, tuple) else v for k, v in self.context}}

    def case(self) -> dict[str, Any]:
        """The witness as a `simulate --cases` entry."""
        expect = "Allow" if self.decision == "Allow" else "Deny"
        return {**self.to_dict(), "expect": expect}


@dataclass(frozen=True)
class Finding:
    """One answer of the analysis: a stable code and its parameters (the text is the code's template in
    tui/report/messages.py, so every renderer and language says the same), with the request that proves it."""

    severity: Severity
    code: str
    params: Mapping[str, object] = field(default_factory=dict, hash=False)
    witness: Witness | None = None

    @property
    def message(self) -> str:
        """The English sentence (JSON and SARIF keep it; text output shows `localised()`)."""
        return message(self.code, self.params, ANALYSIS_MESSAGES)

    def localised(self) -> str:
        """The sentence in the current language."""
        return localised(self.code, self.params, ANALYSIS_MESSAGES)

    def to_dict(self) -> dict[str, Any]:
        return {"severity": str(self.severity), "code": self.code, "message": self.message,
                "witness": self.witness.to_dict() if self.witness else None}


@dataclass(frozen=True)
class Analysis:
    classification: Classification
    findings: tuple[Finding, ...] = ()

    @property
    def high(self) -> bool:
        return any(f.severity is Severity.HIGH for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        return {"classification": str(self.classification), "findings": [f.to_dict() for f in self.findings]}


def sorted_findings(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    return tuple(sorted(findings, key=lambda f: SEVERITY_ORDER.index(f.severity)))


# --- entry point -----------------------------------------------------------------------------------------


def analyse(policy: dict[str, Any], setting: Setting) -> Analysis:
    """Every question for one endpoint's policy; cached by the normalised policy and the setting."""
    return _analyse_cached(*_cache_key(policy, setting))


def blocking_findings(policy: dict[str, Any], setting: Setting) -> tuple[Finding, ...]:
    """Only what blocks apply, lock-out first: the lock-out question for the setting's caller, and `unproven`
    where it (or the request model) cannot be decided. The apply guard needs nothing else, so it skips the
    openness questions, the costly ones; cached apart from `analyse`."""
    return _blocking_cached(*_cache_key(policy, setting))


def _cache_key(policy: dict[str, Any], setting: Setting) -> tuple[str, Setting]:
    """The normalised policy and the setting, without the endpoint and VPC ids when the policy cannot test them."""
    text = json.dumps(policy, sort_keys=True, ensure_ascii=True)
    lowered = text.lower()
    if "aws:sourcevpce" not in lowered and "aws:sourcevpc" not in lowered:
        setting = replace(setting, vpc_id=None, endpoint_id=None)  # they cannot change the verdict
    return text, setting


def analyse_parsed(parsed: "Parsed", setting: Setting) -> Analysis:
    """The analysis of a parsed document, with what stands beside the proof: a high `ambiguous-document`
    when AWS's reading is unknown (duplicate keys, non-finite numbers), and grammar errors AWS would refuse."""
    from tui.policy.validator import validate

    analysis = analyse(parsed.doc, setting)
    extra = [Finding(Severity.MEDIUM, "invalid-policy", {"code": f.code, "location": f"{f.path}: " if f.path else "",
                                                        "detail": Phrase(f.code, f.params, "validator")})
             for f in validate(parsed.doc) if f.severity == "error"]
    if parsed.ambiguities:
        doubts = Listing([Phrase("doubt", {"path": a.path, "detail": Phrase(a.code, a.params, "validator")}) if a.path
                          else Phrase("doubt", {"variant": "document", "detail": Phrase(a.code, a.params, "validator")})
                          for a in parsed.ambiguities[:3]], "; ")
        extra.insert(0, Finding(Severity.HIGH, "ambiguous-document", {"doubts": doubts}))
    if not extra:
        return analysis
    classification = Classification.UNPROVEN if parsed.ambiguities and not analysis.high else analysis.classification
    return Analysis(classification, sorted_findings((*extra, *analysis.findings)))


def analyse_stored(text: str | None, setting: Setting) -> tuple[dict[str, Any] | None, Analysis]:
    """(the document, the verdict) for a PolicyDocument as AWS returned it: no text is AWS's full-access
    default; text that cannot be parsed is a high `unreadable` finding (an attacker must not hide an open
    policy by breaking its JSON)."""
    from tui.policy.errors import InputError
    from tui.policy.parsing import parse_policy

    if not text:
        return None, analyse(FULL_ACCESS_POLICY, setting)
    try:
        parsed = parse_policy(text, "the stored policy")
    except InputError as exc:
        return None, Analysis(Classification.UNPROVEN, (Finding(Severity.HIGH, "unreadable", {"detail": str(exc)}),))
    return parsed.doc, analyse_parsed(parsed, setting)


@lru_cache(maxsize=256)
def _analyse_cached(text: str, setting: Setting) -> Analysis:
    from tui.policy import verdict_cache

    return verdict_cache.cached(text, setting, lambda: _prove(text, setting))


def _prove(text: str, setting: Setting) -> Analysis:
    policy = json.loads(text)
    if _beyond_solver(policy):
        return Analysis(Classification.UNPROVEN, (_BEYOND_SOLVER,))
    evident = _open_by_example(policy, setting)
    if evident is not None:
        return evident
    return _answered(policy, setting, lambda analyser: analyser.run())


def _answered(policy: dict[str, Any], setting: Setting, ask: "Callable[[_Analyser], _T]") -> _T:
    """`ask`'s answer without the solver when the document settles every question on its face
    (tui/policy/evidence.py: AWS's default policy on most endpoints), else with it."""
    if setting.caller is None and on_its_face(read_policy(policy)):
        try:
            return ask(_Analyser(policy, setting, solver=False))
        except _NeedsSolver:
            pass
    from tui.policy import symbolic  # imports z3: only where the solver runs

    with _SOLVER_LOCK:  # z3 contexts are not thread-safe; audit discovers regions in threads
        symbolic.fresh_context()
        return ask(_Analyser(policy, setting))


_BEYOND_SOLVER = Finding(Severity.HIGH, "unproven", {"variant": "beyond-solver"})


@lru_cache(maxsize=256)
def _blocking_cached(text: str, setting: Setting) -> tuple[Finding, ...]:
    policy = json.loads(text)
    if _beyond_solver(policy):
        return (_BEYOND_SOLVER,)
    return _answered(policy, setting, lambda analyser: analyser.blocking())


def _open_by_example(policy: dict[str, Any], setting: Setting) -> Analysis | None:
    """An exception on a bucket name with wildcards is open on its face: anyone can create a matching
    bucket. One anonymous request to such a bucket, allowed by the evaluator, proves it without the solver,
    whose regex search on many-wildcard patterns is slow (a stored `*x*x*x...*y` is hostile input)."""
    if setting.service != "s3":
        return None
    read = read_policy(policy)
    partition = _partition(setting.region)
    context = {"aws:PrincipalAccount": ANONYMOUS, "aws:SecureTransport": "true", "aws:RequestedRegion": setting.region,
               **({"aws:SourceVpce": setting.endpoint_id} if setting.endpoint_id else {}),
               **({"aws:SourceVpc": setting.vpc_id} if setting.vpc_id else {})}
    exceptions = (*catalog_arns(setting.region), *setting.listed_buckets)
    for statement in read.statements:
        if statement.effect != "Allow" or statement.resource is None or statement.resource.negated:
            continue
        for pattern in statement.resource.patterns:
            prefix = f"arn:{partition}:s3:::"
            if not pattern.startswith(prefix) or not has_wildcard(pattern[len(prefix):].split("/", 1)[0]) or "${" in pattern:
                continue
            resource = pattern.replace("*", "vpce-wizard-probe").replace("?", "x")
            if any(wildcard_match(arn, resource) for arn in exceptions):
                continue
            for action, variant in (("s3:PutObject", "anonymous-write"), ("s3:GetObject", "anonymous-read")):
                request = Request(action, resource, context)
                decision = evaluate(read, request)
                if decision.allowed:
                    witness = Witness.of(request, decision.outcome)
                    shown = pattern if len(pattern) <= 120 else pattern[:117] + "..."
                    return Analysis(Classification.TRUSTS_OUTSIDE, (
                        Finding(Severity.HIGH, "wildcard-bucket", {"variant": variant, "pattern": shown}, witness),
                        Finding(Severity.INFO, "not-asked")))
    return None


# --- the questions ---------------------------------------------------------------------------------------


class _NeedsSolver(Exception):
    """A question the document does not settle on its face: the analysis is run again with the solver."""


class _Analyser:
    def __init__(self, policy: dict[str, Any], setting: Setting, *, solver: bool = True, examples: bool = True):
        """`solver=False` answers from the document's face alone (raising _NeedsSolver where it cannot);
        `examples=False` asks the solver everything (tests compare the two)."""
        self.doc = policy
        self.policy: ReadPolicy = read_policy(policy)
        self.setting = setting
        self.template: ServiceTemplate | None = load_services().get(setting.service)
        self.partition = _partition(setting.region)
        self.findings: list[Finding] = []
        self._outsiders: dict[int, bool] = {}
        """Per Allow statement (by index): whether some outsider may meet its principal and conditions."""
        self.unproven = False
        self.face = examples and setting.caller is None and on_its_face(self.policy)
        """Answers from the document's face: for the trusted set, not a named caller (whose identity only the
        solver's model can tell a request could carry, e.g. a caller ARN of another partition)."""
        self.solver = solver
        self.exception_globs = self._exception_globs()
        self.write_exceptions = self._write_exceptions()
        if any(s.principal and s.principal.canonical_users for s in self.policy.statements):
            # an S3 canonical user ID names an account no request key carries, and which one is unknown offline
            self._unproven({"variant": "canonical-user"})
        if solver:
            self._prepare_solver()
        elif not can_carry(self._fixed_values()):
            raise _NeedsSolver

    def _prepare_solver(self) -> None:
        import z3  # imported only where the solver runs

        from tui.policy import symbolic

        self.symbolic = symbolic
        self.z3 = z3
        self.formula = self._formula()
        self.budget = RLIMIT + RLIMIT_PER_LITERAL * sum(len(key.literals) for key in self.formula.keys.values())
        self.base = self._base()
        self.model_empty = self._check(self.base)[0] != self.z3.sat
        if self.model_empty:  # an empty request space would make every question "safe"
            self._unproven({"variant": "inconsistent-model"})
        for name, key in self.formula.keys.items():  # too many clauses on a multivalued key: not every request is modelled
            if key.truncated:
                self._unproven({"variant": "resource-limit",
                                "question": _question("many-values", count=symbolic.MAX_VALUES, key=canonical_key(name))})

    # --- set-up ------------------------------------------------------------------------------------------

    def _formula(self) -> "PolicyFormula":
        setting, trust = self.setting, self.setting.trust
        literals: dict[str, set[str]] = {
            "aws:principalaccount": {ANONYMOUS, *trust.accounts},
            "aws:principalorgid": set(trust.orgs),
            "aws:resourceaccount": set(trust.accounts),
            "aws:resourceorgid": set(trust.orgs),
        }
        caller = setting.caller
        mentioned = {clause.key for s in self.policy.statements for clause in s.clauses}
        if caller:  # every value the caller's identity carries must be one the model can hold
            literals["aws:principalaccount"].add(caller.account)
            literals["aws:resourceaccount"].add(caller.account)
            if caller.org_id:
                literals["aws:principalorgid"].add(caller.org_id)
                literals["aws:resourceorgid"].add(caller.org_id)
            if caller.arn:
                literals["aws:principalarn"] = {caller.arn}
            for tag, tag_value in caller.tags or ():
                if f"aws:principaltag/{tag.lower()}" in mentioned:
                    literals.setdefault(f"aws:principaltag/{tag.lower()}", set()).add(tag_value)
            if caller.userid:
                literals.setdefault("aws:userid", set()).add(caller.userid)
            if caller.principal_type == "User" and caller.name and "aws:username" in mentioned:
                literals.setdefault("aws:username", set()).add(caller.name)
        for key, value in self._fixed_values().items():
            if value is not None:
                literals.setdefault(key, set()).add(value)
        linked = set()
        if "aws:principalarn" in mentioned or any(s.principal and (s.principal.arns or s.principal.sessions or s.principal_negated)
                                                  for s in self.policy.statements):
            linked |= {"aws:principalaccount", "aws:principalarn"}
        if "aws:principalorgpaths" in mentioned:
            linked |= {"aws:principalorgid", "aws:principalorgpaths"}
        if caller and caller.principal_type == "AssumedRole" and caller.name and "aws:userid" in mentioned:
            linked.add("aws:userid")  # compared as a string: it ends with the session name
        keys = ["aws:principalaccount", "aws:principalorgid", "aws:principalisawsservice", "aws:resourceaccount",
                "aws:resourceorgid", "aws:principalarn"]
        federated = bool(caller and caller.principal_type == "FederatedUser")
        return self.symbolic.PolicyFormula(self.policy, literals, keys, linked, arn_partition=self.partition, federated_caller=federated)

    def _fixed_values(self) -> dict[str, str | None]:
        """Keys fixed by where the request flows; None when the endpoint is not known."""
        return {"aws:sourcevpce": self.setting.endpoint_id, "aws:sourcevpc": self.setting.vpc_id,
                "aws:requestedregion": self.setting.region}

    def _exception_globs(self) -> list[Any]:
        """Catalog bucket ARNs (every region) that some Allow statement may reach: the intended exceptions."""
        patterns = [p for s in self.policy.statements if s.effect == "Allow" and s.resource and not s.resource.negated
                    for p in s.resource.patterns]
        if any(s.effect == "Allow" and s.resource and s.resource.negated for s in self.policy.statements):
            patterns.append("*")
        named = set(patterns)
        candidates = [*catalog_arns(self.setting.region), *self.setting.listed_buckets,
                      *(arn for arn in catalog_arns_everywhere() if arn in named)]
        return [arn for arn in dict.fromkeys(candidates)
                if any(wildcard_match(p, arn) or wildcard_match(arn, p) for p in patterns)]

    # --- shared constraints ------------------------------------------------------------------------------

    def _base(self) -> list[Any]:
        z3, f = self.z3, self.formula
        constraints = f.domain()
        account = f.key("aws:principalaccount")
        anonymous = account.is_value(ANONYMOUS)
        constraints.append(account.present)
        for name in f.keys:
            if name in IDENTITY_KEYS_ABSENT_WHEN_ANONYMOUS or is_principal_tag(name):
                constraints.append(z3.Implies(anonymous, z3.Not(f.key(name).present)))
        service = self._service_caller()
        constraints.append(z3.Implies(z3.Not(anonymous), f.key("aws:principalisawsservice").present))
        constraints.append(z3.Implies(z3.And(z3.Not(anonymous), z3.Not(service)), f.key("aws:principalarn").present))
        if "aws:principalservicename" in f.keys:  # "present in the request when the call is made by an AWS service
            # principal" (IAM user guide, global condition keys, aws:PrincipalServiceName)
            constraints.append(z3.Implies(f.key("aws:principalservicename").present, service))
        if "aws:principaltype" in f.keys:
            kind = f.key("aws:principaltype")
            constraints.append(z3.If(anonymous, kind.is_value("Anonymous"), z3.And(kind.present, z3.Not(kind.is_value("Anonymous")))))
        if "aws:userid" in f.keys and not f.key("aws:userid").exact_only:
            constraints.append(z3.Implies(anonymous, f.key("aws:userid").is_value(ANONYMOUS)))
        constraints += self._links(anonymous)
        if self.setting.service != "ec2":  # EBS and some EC2 actions carry no aws:ResourceAccount (reference §6)
            constraints.append(f.key("aws:resourceaccount").present)
        for key, value in self._fixed_values().items():
            if key in f.keys:
                constraints.append(f.key(key).is_value(value) if value else f.key(key).present)
        if "aws:sourceip" in f.keys:  # absent on requests through a VPC endpoint (reference §1.2)
            constraints.append(z3.Not(f.key("aws:sourceip").present))
        self.unshaped = list(constraints)
        """The request model without the shape of actions and resources: a wider space, so what it refutes is
        refuted, and z3 refutes identity questions far faster without the resource languages."""
        return constraints + self._request_shape()

    def _request_shape(self) -> list[Any]:
        """Requests through this endpoint are the service's own actions on ARNs (or `*`), as AWS writes them."""
        z3, symbolic, f = self.z3, self.symbolic, self.formula
        prefix = self.template.sample_read.action.split(":")[0] if self.template and self.template.sample_read else None
        service = symbolic.literal_re(f"{prefix}:", True) if prefix else z3.Concat(z3.Plus(z3.Union(z3.Range("a", "z"), z3.Range("0", "9"), z3.Re("-"))), z3.Re(":"))
        name = z3.Concat(z3.Union(z3.Range("A", "Z"), z3.Range("a", "z")), z3.Star(z3.Union(z3.Range("A", "Z"), z3.Range("a", "z"), z3.Range("0", "9"))))
        arn = symbolic.literal_re(f"arn:{self.partition}:", False)
        visible = _visible_char(z3)
        if self.setting.service == "s3":
            # legacy buckets (us-east-1, before March 2018) may hold upper case letters and underscores
            # (S3 user guide, "General purpose bucket naming rules"): a policy can name one an insider owns
            letter_or_digit = z3.Union(z3.Range("a", "z"), z3.Range("A", "Z"), z3.Range("0", "9"))
            bucket = z3.Concat(letter_or_digit, z3.Plus(z3.Union(letter_or_digit, z3.Re("."), z3.Re("-"), z3.Re("_"))))
            bucket_arn = z3.Concat(symbolic.literal_re(f"arn:{self.partition}:s3:::", False), bucket,
                                   z3.Option(z3.Concat(z3.Re("/"), z3.Star(visible))))
            # resources of an account: access points (arn:aws:s3:REGION:ACCOUNT:accesspoint/NAME/object/KEY, and
            # multi-Region ones with no region), which endpoint policies name (S3 user guide, "Configuring IAM
            # policies for using access points"), and S3 Control's jobs and Storage Lens configurations, which an
            # S3 interface endpoint also carries; requests for `*` (s3:ListAllMyBuckets) too
            digits = z3.Loop(z3.Range("0", "9"), 12, 12)
            region = z3.Star(z3.Union(z3.Range("a", "z"), z3.Range("0", "9"), z3.Re("-")))
            owned = z3.Concat(symbolic.literal_re(f"arn:{self.partition}:s3:", False), region, z3.Re(":"), digits,
                              z3.Re(":"), z3.Plus(visible))
            resource = z3.Union(bucket_arn, owned, z3.Re("*"))
        else:  # service:region:account:resource, the shape `simulate --cases` accepts (tui/commands/policy.py)
            lower = z3.Union(z3.Range("a", "z"), z3.Range("0", "9"), z3.Re("-"))
            colon = z3.Re(":")
            fields = z3.Concat(z3.Plus(lower), colon, z3.Star(lower), colon, z3.Star(z3.Diff(visible, colon)), colon, z3.Plus(visible))
            resource = z3.Union(z3.Concat(arn, fields), z3.Re("*"))
        return [z3.InRe(f.action, z3.Concat(service, name)), z3.InRe(f.resource, resource)]

    def _service_caller(self) -> "z3.BoolRef":
        return self.formula.key("aws:principalisawsservice").is_value("true")

    def _links(self, anonymous: "z3.BoolRef") -> list[Any]:
        """aws:PrincipalArn names the account; each org path starts with the org id."""
        z3, f, symbolic = self.z3, self.formula, self.symbolic
        constraints = []
        arn, account = f.key("aws:principalarn"), f.key("aws:principalaccount")
        rest = f.arn_rest
        if rest is not None:
            constraints.append(z3.Implies(z3.And(arn.present, z3.Not(anonymous)), z3.Length(rest) > 0))
        elif not arn.exact_only and not account.exact_only:
            rest = z3.String("principal-arn-rest")
            shaped = arn.strings[0] == z3.Concat(f.arn_head(self.partition), account.strings[0], symbolic.sval(":"), rest)
            constraints.append(z3.Implies(z3.And(arn.present, z3.Not(anonymous)), z3.And(shaped, z3.Length(rest) > 0)))
        if rest is not None and f.arn_service is not None:  # `arn:P:sts::A:federated-user/NAME` (GetFederationToken)
            federated = f.arn_service == symbolic.sval("sts")
            name = z3.String("aws:principalarn#federated-user")
            constraints += [z3.Or(f.arn_service == symbolic.sval("iam"), federated),
                            z3.Implies(federated, z3.And(rest == z3.Concat(symbolic.sval("federated-user/"), name),
                                                         z3.InRe(name, symbolic.federated_user_name_re())))]
        if "aws:principalorgpaths" in f.keys and not f.key("aws:principalorgid").exact_only:
            paths, org = f.key("aws:principalorgpaths"), f.key("aws:principalorgid")
            constraints.append(z3.Implies(paths.present, org.present))
            constraints.append(z3.Implies(org.present, z3.And(paths.present, z3.Or(paths.used))))  # both or neither (IAM's condition-keys page)
            for used, index in paths.slots():
                prefix = z3.Concat(org.strings[0], symbolic.sval("/"))
                constraints.append(z3.Implies(z3.And(paths.present, used), z3.PrefixOf(prefix, paths.strings[index])))
        return constraints

    def _trusted(self) -> "z3.BoolRef":
        z3, f, trust = self.z3, self.formula, self.setting.trust
        return z3.Or(f.key("aws:principalaccount").one_of(trust.accounts), f.key("aws:principalorgid").one_of(trust.orgs))

    def _outsider(self) -> "z3.BoolRef":
        return self.z3.And(self.z3.Not(self._trusted()), self.z3.Not(self._service_caller()))

    def _read_only(self) -> "z3.BoolRef":
        return self.symbolic.in_any_glob(self.formula.action, [glob(a) for a in read_only_actions()], ignore_case=True)

    def _resource_in(self, patterns: Iterable[str]) -> "z3.BoolRef":
        return self.symbolic.in_any_glob(self.formula.resource, [glob(p) for p in patterns])

    def _intended_exception(self) -> "z3.BoolRef":
        return self.z3.Or(self.z3.And(self._read_only(), self._resource_in(self.exception_globs)), self._documented_exception())

    def _write_exceptions(self) -> list[tuple[CatalogEntry, list[str]]]:
        """Catalog write entries (e.g. EMR's log bucket) the policy names exactly, with their ARNs."""
        named = set(self._named_patterns())
        found = []
        for entry in load_catalog().entries:
            if not entry.write:
                continue
            arns = [arn for arn in dict.fromkeys((*entry.arns(self.setting.region), *catalog_write_arns_everywhere(entry.id))) if arn in named]
            if arns:
                found.append((entry, arns))
        return found

    def _documented_exception(self) -> "z3.BoolRef":
        """Requests the data documents as needed from outside: catalog write entries (their actions on their
        ARNs) and the service template's exceptions (anonymous actions on resources the trusted set owns)."""
        z3, f, trust, symbolic = self.z3, self.formula, self.setting.trust, self.symbolic
        cases = [z3.And(symbolic.in_any_glob(f.action, [glob(a) for a in entry.actions], ignore_case=True), self._resource_in(arns))
                 for entry, arns in self.write_exceptions]
        owned = z3.Or(f.key("aws:resourceaccount").one_of(trust.accounts), f.key("aws:resourceorgid").one_of(trust.orgs))
        cases += [z3.And(f.key("aws:principalaccount").is_value(ANONYMOUS) if exception.principal == ANONYMOUS else z3.BoolVal(True), owned,
                         symbolic.in_any_glob(f.action, [glob(a) for a in exception.actions], ignore_case=True))
                  for exception in self._template_exceptions()]
        return z3.Or(cases) if cases else z3.BoolVal(False)

    def _template_exceptions(self) -> tuple[TemplateException, ...]:
        return self.template.exceptions if self.template else ()

    # --- solving -----------------------------------------------------------------------------------------

    def _settle(self, example: Request | None, solve: Callable[[], Witness | str | None]) -> Witness | str | None:
        """An existence question's answer: on a document that is on its face, an example the evaluator
        allows is a witness by itself (tui/policy/evidence.py); otherwise `solve` asks the solver, which the
        solver-free run cannot do."""
        if self.face and example is not None:
            decision = allowed(self.policy, example)
            if decision is not None:
                return Witness.of(example, decision.outcome)
        if not self.solver:
            raise _NeedsSolver
        return solve()

    def _fixed_context(self) -> dict[str, str]:
        """The request keys fixed by where the request flows, as a request context."""
        return {canonical_key(key): value for key, value in self._fixed_values().items() if value}

    def _write_example(self, caller_account: str | None) -> Request | None:
        """The service's sample write on a resource of an account nobody trusts, by an anonymous caller
        (None) or a role of `caller_account`: outside every intended exception, or None."""
        if self.template is None or self.template.sample_write is None:
            return None
        owner = fresh_account(self.setting.trust.accounts)
        action, resource = self.template.sample_write.for_account(self.setting.region, owner)
        context = anonymous_context(owner, self._fixed_context()) if caller_account is None else \
            role_context(caller_account, owner, self.partition, self._fixed_context())
        request = Request(action, resource, context)
        return request if self._outside_exceptions(request) else None

    def _outside_exceptions(self, request: Request) -> bool:
        """Whether a concrete request lies outside every intended exception (`_intended_exception`, read in
        Python for an example, where the solver is not asked)."""
        if is_read_only(request.action, read_only_actions()):
            return False
        if any(any(wildcard_match(a, request.action, ignore_case=True) for a in entry.actions) and any(wildcard_match(arn, request.resource) for arn in arns)
               for entry, arns in self.write_exceptions):
            return False
        owner, trust = request.context.get("aws:ResourceAccount"), self.setting.trust
        owned = owner in trust.accounts or request.context.get("aws:ResourceOrgID") in trust.orgs
        return not (owned and any(wildcard_match(a, request.action, ignore_case=True) for e in self._template_exceptions() for a in e.actions))

    def _solve(self, question: Phrase, constraints: list[Any], expect_allowed: bool, target: "z3.BoolRef | None" = None,
               examples: Iterable[Any] = ()) -> Witness | str | None:
        """A replayed witness, None when the question is proven unsatisfiable, or "unproven". `target`
        narrows "allowed" to one statement applying with no Deny (see `_solve_each`); each of `examples`
        (a constraint) is tried first, as a likely witness, before the question is asked in full."""
        z3 = self.z3
        decided = target if target is not None else self.formula.allowed if expect_allowed else z3.Not(self.formula.allowed)
        asked = [*self.base, *constraints, decided]
        narrowed = [[*asked, example] for example in examples]
        narrowed += [[*asked, *self._hint()]] if expect_allowed else []
        if self.formula.unknowns:  # undecided parts read as the evaluator does: a witness that replays
            narrowed.insert(len(narrowed) - bool(expect_allowed), [*asked, *self._hint(), self.formula.evaluator_reading] if expect_allowed else [*asked, self.formula.evaluator_reading])
        for attempt in narrowed:  # each only narrows the search: without a replayed witness there, ask in full
            result, model = self._check(attempt)
            if result == z3.sat:
                witness = self._witness(model, self._polished(model, asked))
                decision = evaluate(self.policy, witness.request())
                if decision.allowed == expect_allowed:
                    return replace(witness, decision=decision.outcome)
        result, model = self._check(asked)
        if result == z3.unsat:
            return None
        if result != z3.sat:
            self._unproven({"variant": "resource-limit", "question": question})
            return "unproven"
        witness = self._witness(model, self._polished(model, asked))
        decision = evaluate(self.policy, witness.request())
        if decision.allowed != expect_allowed:
            self._unproven({"variant": "no-replay", "question": question, "action": witness.action,
                            "resource": witness.resource, "outcome": decision.outcome})
            return "unproven"
        return replace(witness, decision=decision.outcome)

    def _hint(self) -> list[Any]:
        """A plainly named resource of a fresh account: most open policies admit it, and the solver finds such
        a witness at once, where the open search for a resource outside the exceptions can stall. A witness
        found under the hint is a real one; without one the question is asked in full."""
        if self.template is None or self.template.sample_write is None:
            return []
        _, resource = self.template.sample_write.for_account(self.setting.region, "999999999000")
        hint = [self.formula.resource == self.symbolic.sval(resource)]
        if self._template_exceptions():  # they cover the trusted owners' resources: hint at the ARN's foreign owner
            trust = self.setting.trust
            hint += [self.z3.Not(self.formula.key("aws:resourceaccount").one_of(trust.accounts)),
                     self.z3.Not(self.formula.key("aws:resourceorgid").one_of(trust.orgs))]
        return hint

    def _check(self, asked: list[Any]) -> tuple[Any, Any]:
        """(sat/unsat/unknown, model) within the work bound, on a fresh solver each time: z3's incremental
        mode (push/pop) skips the preprocessing its string theory needs and runs many times slower. Its string
        search can stall on one path and finish at once on another, so an unknown is retried under a fixed
        other seed (still deterministic)."""
        z3 = self.z3
        result = z3.unknown
        for seed in RETRY_SEEDS:
            solver = z3.Solver()
            solver.set("rlimit", self.budget)
            if seed is not None:
                solver.set("random_seed", seed)
            solver.add(asked)
            result = solver.check()
            if result == z3.sat:
                return result, solver.model()
            if result == z3.unsat:
                return result, None
        return result, None

    def _polished(self, model: Any, constraints: list[Any]) -> tuple[Any, Any]:
        """A witness people can read: the service's everyday action on a plainly named resource when that
        request satisfies the question too (checked by evaluating the constraints, no further solving)."""
        z3, f, symbolic = self.z3, self.formula, self.symbolic
        samples = [s for s in (self.template.sample_write, self.template.sample_read) if s] if self.template else []
        found_action, found_resource = model.eval(f.action, model_completion=True), model.eval(f.resource, model_completion=True)
        question = z3.And(constraints)
        for sample in samples:
            action, resource = (symbolic.sval(text) for text in sample.for_account(self.setting.region, "999999999000"))
            for candidate in ((action, resource), (action, found_resource), (found_action, resource)):
                pairs = [(f.action, candidate[0]), (f.resource, candidate[1])]
                if z3.is_true(model.eval(z3.substitute(question, *pairs), model_completion=True)):
                    return candidate
        return found_action, found_resource

    def _unproven(self, params: Mapping[str, object]) -> None:
        self.unproven = True
        self.findings.append(Finding(Severity.HIGH, "unproven", params))

    def _witness(self, model: Any, request: tuple[Any, Any]) -> Witness:
        f = self.formula
        taken: set[str] = set()
        context = {}
        for name, key in sorted(f.keys.items()):
            value = key.witness_value(model, taken)
            if value is not None:
                context[canonical_key(name)] = tuple(value) if isinstance(value, list) else value
        account = context.get("aws:PrincipalAccount")
        arn = context.get("aws:PrincipalArn")
        arn_unnamed = arn is None or (f.key("aws:principalarn").exact_only
                                      and arn not in f.key("aws:principalarn").literals)
        if account and account != ANONYMOUS and context.get("aws:PrincipalIsAWSService") != "true" and arn_unnamed:
            caller = self.setting.caller
            role = caller.role_name if caller and caller.account == account and caller.role_name else "vpce-wizard-witness"
            context["aws:PrincipalArn"] = caller.arn if caller and caller.account == account and caller.arn else f"arn:{self.partition}:iam::{account}:role/{role}"
        action, resource = (self.symbolic.python_string(value) for value in request)
        return Witness(action, resource, tuple(context.items()), "")

    # --- questions ---------------------------------------------------------------------------------------

    def run(self) -> Analysis:
        named = self._ask_named_resources()
        outside = self._ask_foreign_principals(reads_too=not named)
        reached = self._ask_foreign_resources()
        locked = self._ask_lock_out()
        self._ask_aws_owned_buckets()
        self._note_exceptions()
        full = self._full_access()
        if full:
            classification = Classification.FULL_ACCESS
        elif outside or named or (reached and self._resource_perimeter_intended()):
            classification = Classification.TRUSTS_OUTSIDE
        elif self.unproven:
            classification = Classification.UNPROVEN
        elif locked:
            classification = Classification.LOCKS_OUT
        elif reached:
            classification = Classification.IDENTITY_PERIMETER
        else:
            classification = Classification.IDENTITY_RESOURCE_PERIMETER
        return Analysis(classification, sorted_findings(self.findings))

    def blocking(self) -> tuple[Finding, ...]:
        """The lock-out question alone (after the request model's own check), lock-out findings first."""
        if not self.unproven:
            self._ask_lock_out()
        return tuple(sorted(self.findings, key=lambda f: f.code != "lock-out"))

    def _ask_foreign_principals(self, reads_too: bool = True) -> bool:
        """`reads_too=False` when a named resource already proved the policy open: the reads question is
        the hardest for the solver and would add nothing."""
        question = _question("outsiders-admitted")
        witness = self._settle(self._write_example(None), lambda: self._solve_each(
            question, [self._outsider(), self.z3.Not(self._read_only()), self.z3.Not(self._documented_exception())],
            self._outsider_statements((s, f) for s, f in self.formula.allowing if not self._reads_only(s))))
        if witness is None and reads_too:  # only reads are left: those of the catalog's buckets are intended
            witness = self._settle(None, lambda: self._outsider_reads(question))
        if isinstance(witness, Witness):
            who = describe_caller(witness)
            self.findings.append(Finding(Severity.HIGH, "foreign-principals",
                                         {"who": who, "action": witness.action, "resource": witness.resource}, witness))
        return witness is not None

    def _outsider_statements(self, candidates: Iterable[tuple[Any, Any]] | None = None) -> Iterator[tuple[Any, Any]]:
        """The Allow statements (of `candidates`, default all) whose principal and conditions some outsider can
        meet with no Deny applying, asked without actions, resources and their shapes: a weaker question, so a
        statement it rules out can never admit an outsider. Every outsider question (writes to named
        resources, wildcard buckets, other actions, reads) asks about these only, and each statement is asked
        once, lazily, so a question that finds a witness early asks no further: a stored policy of 150
        statements that admit only trusted roles (ArnLike on the account field) took over two minutes, now
        about ten seconds."""
        z3, not_denied = self.z3, self.z3.Not(self.formula.explicitly_denied)
        for statement, applies in candidates if candidates is not None else self.formula.allowing:
            if statement.index not in self._outsiders:
                result, _ = self._check([*self.unshaped, self._outsider(), self.formula.who[statement.index], not_denied])
                self._outsiders[statement.index] = result != z3.unsat  # undecided stays: later questions decide
            if self._outsiders[statement.index]:
                yield statement, applies

    def _solve_each(self, question: Phrase, constraints: list[Any], statements: Iterable[tuple[Any, Any]] | None = None) -> Witness | str | None:
        """Allowed requests asked one Allow statement at a time: "this statement applies and no Deny does"
        is allowed, and a small formula is far easier for the solver than the whole policy at once."""
        z3 = self.z3
        not_denied = z3.Not(self.formula.explicitly_denied)
        for _statement, applies in statements if statements is not None else self.formula.allowing:
            witness = self._solve(question, constraints, True, z3.And(applies, not_denied))
            if witness is not None:
                return witness
        return None

    def _outsider_reads(self, question: Phrase) -> Witness | str | None:
        """Reads outside the intended exceptions, asked statement by statement. A resource pattern that lies
        inside an exception (the same ARN, or under an exception's `/*`) cannot give such a read, so only
        the other patterns are searched: the AWS-owned-bucket statement needs no solving at all."""
        z3 = self.z3
        not_denied = z3.Not(self.formula.explicitly_denied)
        for statement, applies in self._outsider_statements():
            patterns = list(statement.resource.patterns) if statement.resource and not statement.resource.negated else ["*"]
            uncovered = [p for p in patterns if not self._inside_exception(p)]
            if not uncovered:
                continue
            reads = [self._outsider(), self._read_only(), self._resource_in(uncovered)]
            relevant = [arn for arn in self.exception_globs if any(wildcard_match(p, arn) or wildcard_match(arn, p) for p in uncovered)]
            if relevant:
                reads.append(z3.Not(self._resource_in(relevant)))
            witness = self._solve(question, reads, True, z3.And(applies, not_denied))
            if witness is not None:
                return witness
        return None

    @staticmethod
    def _reads_only(statement: Statement) -> bool:
        """Every request the statement admits is read-only: it cannot answer a question about other actions,
        so it is not asked (the solver took a while to see it through the action patterns)."""
        return statement.action is not None and not statement.action.negated and reads_only(statement.action.patterns)

    def _reads_exceptions_only(self, statement: Statement) -> bool:
        """Every request the statement admits is an intended exception's read (the catalog-bucket statement)."""
        resource = statement.resource
        return self._reads_only(statement) and resource is not None and not resource.negated \
            and all(self._inside_exception(pattern) for pattern in resource.patterns)

    def _inside_exception(self, pattern: str) -> bool:
        """Whether every resource the pattern matches is an intended exception's."""
        return pattern in self.exception_globs or any(
            arn.endswith("/*") and not has_wildcard(arn[:-2]) and pattern.startswith(arn[:-1]) for arn in self.exception_globs)

    def _ask_named_resources(self) -> bool:
        """Writes to resources a statement names, and reads of wildcard bucket names, by outsiders."""
        patterns = self._named_patterns()
        if not patterns:
            return False
        if not self.solver:
            raise _NeedsSolver
        z3, found = self.z3, False
        naming = self._outsider_statements((s, f) for s, f in self.formula.allowing
                                           if s.resource and not s.resource.negated and set(s.resource.patterns) & set(patterns) and not self._reads_only(s))
        witness = self._solve_each(_question("outsiders-write-named"),
                                   [self._outsider(), self._resource_in(patterns), z3.Not(self._read_only()), z3.Not(self._documented_exception())],
                                   naming) if patterns else None
        if isinstance(witness, Witness):
            found = True
            pattern = next((p for p in patterns if wildcard_match(p, witness.resource)), witness.resource)
            self.findings.append(Finding(Severity.HIGH, "foreign-writes",
                                         {"who": describe_caller(witness), "pattern": pattern, "action": witness.action}, witness))
        wildcard_buckets = [p for p in patterns if self._is_wildcard_bucket(p)]
        wild = self._outsider_statements((s, f) for s, f in self.formula.allowing if s.resource and set(s.resource.patterns) & set(wildcard_buckets))
        witness = self._solve_each(_question("outsiders-read-wildcard-bucket"),
                                   [self._outsider(), self._resource_in(wildcard_buckets)], wild) if wildcard_buckets else None
        if isinstance(witness, Witness):
            found = True
            pattern = next((p for p in wildcard_buckets if wildcard_match(p, witness.resource)), witness.resource)
            self.findings.append(Finding(Severity.HIGH, "wildcard-bucket", {"who": describe_caller(witness), "pattern": pattern}, witness))
        return found

    def _named_patterns(self) -> list[str]:
        patterns = [p for s in self.policy.statements if s.effect == "Allow" and s.resource and not s.resource.negated
                    for p in s.resource.patterns if p != "*" and "${" not in p]
        return list(dict.fromkeys(patterns))

    @staticmethod
    def _is_wildcard_bucket(pattern: str) -> bool:
        if ":s3:::" not in pattern:
            return False
        return has_wildcard(pattern.split(":::", 1)[1].split("/", 1)[0])

    def _ask_foreign_resources(self) -> bool:
        trust = self.setting.trust
        example = self._write_example(trust.accounts[0]) if trust.accounts else None
        if example is not None and any(wildcard_match(p, example.resource) for p in self._aws_owned_resources()):
            example = None
        witness = self._settle(example, self._solve_foreign_resources)
        if not isinstance(witness, Witness):
            return False
        if self._resource_perimeter_intended():
            self.findings.append(Finding(Severity.HIGH, "foreign-resources",
                                         {"action": witness.action, "account": dict(witness.context).get("aws:ResourceAccount")},
                                         witness))
        else:
            self.findings.append(Finding(Severity.MEDIUM, "no-resource-perimeter", {}, witness))
        return True

    def _solve_foreign_resources(self) -> Witness | str | None:
        z3, f, trust = self.z3, self.formula, self.setting.trust
        owner = f.key("aws:resourceaccount")
        foreign_owner = z3.And(owner.present, z3.Not(owner.one_of(trust.accounts)), z3.Not(f.key("aws:resourceorgid").one_of(trust.orgs)))
        aws_owned = self._resource_in(self._aws_owned_resources())
        return self._solve_each(_question("foreign-resources"),
                                [self._trusted(), z3.Not(self._service_caller()), foreign_owner, z3.Not(self._intended_exception()), z3.Not(aws_owned)],
                                ((s, f) for s, f in self.formula.allowing if not self._reads_exceptions_only(s)))

    def _resource_perimeter_intended(self) -> bool:
        """Only when asked for: a policy may open its resource side on purpose (the data-perimeter examples'
        tag escape hatch), so without the user's word a reachable foreign resource is medium, not high."""
        return bool(self.setting.resource_perimeter)

    def _aws_owned_resources(self) -> list[str]:
        return self.template.aws_owned_resources(self.setting.region) if self.template else []

    # --- lock-out ----------------------------------------------------------------------------------------

    def _ask_lock_out(self) -> bool:
        """Asked action by action: one question per request solves far faster than their disjunction."""
        if self.template is None:
            return False
        fits = False
        for action, resource in self.template.common_requests(self.setting.region, self._owner_account()):
            if self.face and never_denied(self.policy, action, resource, self._locked_accounts()):
                continue
            if not self.solver:
                raise _NeedsSolver
            who, identity = self._locked_identity()
            asked = [identity, self._plain_request(), self.formula.action == self.symbolic.sval(action),
                     self.formula.resource == self.symbolic.sval(resource)]
            witness = self._solve(_question("lock-out", who=who, action=action), asked, False, examples=self._caller_examples())
            if witness is None and not fits:  # "never refused" must not be vacuous: asked once, the caller is the same
                found = self._caller_fits(asked)
                if found != self.z3.sat:
                    if found == self.z3.unknown:
                        self._unproven({"variant": "resource-limit", "question": _question("lock-out", who=who, action=action)})
                    elif not self.model_empty:  # an empty model is already unproven
                        self._unproven({"variant": "caller-not-modelled", "who": who})
                    return False
                fits = True
            if isinstance(witness, Witness):
                decision = evaluate(self.policy, witness.request())
                by = {"variant": "denied", "statements": ", ".join(decision.statements)} if decision.statements else {"variant": "not-allowed"}
                self.findings.append(Finding(Severity.HIGH, "lock-out", {"who": who, "action": action, **by}, witness))
                return True
        return False

    def _caller_fits(self, asked: list[Any]) -> Any:
        """z3's answer to "is some request of the model this caller's `asked` request?", the caller's likeliest
        ARNs tried first as in `_solve` (a concrete ARN is decided at once, the search over every role path is
        slow). Only sat lets "never refused" stand: unknown is unproven too."""
        for example in self._caller_examples():
            if self._check([*self.base, *asked, example])[0] == self.z3.sat:
                return self.z3.sat
        return self._check([*self.base, *asked])[0]

    def _owner_account(self) -> str:
        caller, trust = self.setting.caller, self.setting.trust
        if caller:
            return caller.account
        return trust.accounts[0] if trust.accounts else "210987654321"

    def _locked_accounts(self) -> tuple[str, ...] | None:
        """The accounts the trusted principal of `_locked_identity` may be in (answers on the face are for
        the trusted set only); None when it may be any account of a trusted org."""
        return self.setting.trust.accounts or None

    def _locked_identity(self) -> tuple[Phrase, "z3.BoolRef"]:
        """The caller as IAM sees it, or some principal of a trusted account or org, acting on its own resources."""
        z3, f, symbolic = self.z3, self.formula, self.symbolic
        caller, trust = self.setting.caller, self.setting.trust
        account, owner = f.key("aws:principalaccount"), f.key("aws:resourceaccount")
        service = f.key("aws:principalisawsservice").is_value("false")
        if caller is None:
            if trust.accounts:
                own = z3.Or([z3.And(account.is_value(a), owner.is_value(a)) for a in trust.accounts])
            else:
                in_org = [z3.And(f.key("aws:principalorgid").is_value(o), f.key("aws:resourceorgid").is_value(o)) for o in trust.orgs]
                own = z3.And(z3.Not(account.is_value(ANONYMOUS)), z3.Or(in_org) if in_org else z3.BoolVal(False))
            # a stand-in for the caller `apply` runs as: a role, user or root user (`Caller.from_arn`), never a
            # federated user's session
            not_federated = [f.arn_service == symbolic.sval("iam")] if f.arn_service is not None else []
            return Phrase("caller", {"variant": "trusted"}), z3.And(own, service, *not_federated)
        parts = [account.is_value(caller.account), owner.is_value(caller.account), service]
        kind_key = f.keys.get("aws:principaltype")
        if kind_key is not None:
            parts.append(kind_key.is_value(caller.principal_type))
        arn_key = f.key("aws:principalarn")
        if caller.arn:
            parts.append(arn_key.is_value(caller.arn))
        elif caller.role_name and not arn_key.exact_only:
            prefix = symbolic.literal_re(f"arn:{self.partition}:iam::{caller.account}:role/", False)
            parts += [arn_key.present, z3.InRe(arn_key.strings[0], z3.Concat(prefix, self._role_paths(caller.role_name),
                                                                             symbolic.literal_re(caller.role_name, False)))]
        else:
            parts.append(arn_key.present)
        parts += self._caller_names(caller)
        if caller.org_id:
            parts.append(f.key("aws:principalorgid").is_value(caller.org_id))
            if "aws:resourceorgid" in f.keys:
                parts.append(f.key("aws:resourceorgid").is_value(caller.org_id))
        if caller.tags is not None:
            tags = {name.lower(): value for name, value in caller.tags}
            for name in f.keys:
                if is_principal_tag(name):
                    tag = name.split("/", 1)[1]
                    parts.append(f.key(name).is_value(tags[tag]) if tag in tags else z3.Not(f.key(name).present))
        return Phrase("caller", {"variant": "yours", "caller": caller.arn or caller.account}), z3.And(parts)

    def _caller_names(self, caller: Caller) -> list[Any]:
        """aws:userid and aws:username as IAM sets them for the caller (IAM user guide, "IAM policy elements:
        Variables and tags"): the root user's userid is the account, a federated user's `ACCOUNT:NAME`, an
        assumed role's `ROLE-ID:SESSION` (the role id unknown); aws:username is an IAM user's name and absent
        for every other caller. An IAM user's userid is its unique id: unknown, present."""
        z3, f, parts = self.z3, self.formula, []
        if "aws:userid" in f.keys:
            userid = f.key("aws:userid")
            if caller.userid:
                parts.append(userid.is_value(caller.userid))
            elif caller.principal_type == "AssumedRole" and caller.name and not userid.exact_only and not userid.multivalued:
                parts += [userid.present, z3.SuffixOf(self.symbolic.sval(f":{caller.name}"), userid.strings[0])]
            else:
                parts.append(userid.present)
        if "aws:username" in f.keys:
            username = f.key("aws:username")
            if caller.principal_type == "User":
                parts.append(username.is_value(caller.name) if caller.name else username.present)
            else:
                parts.append(z3.Not(username.present))
        return parts

    def _caller_examples(self) -> list[Any]:
        """The likeliest ARNs of a role caller whose path is unknown (the documented forms for an Identity
        Center role, with this endpoint's region as the Identity Center region), tried first: a concrete ARN
        is decided at once, where the search over every path can exhaust the solver's limit."""
        caller, arn_key = self.setting.caller, self.formula.key("aws:principalarn")
        if caller is None or caller.arn or not caller.role_name or arn_key.exact_only:
            return []
        head = f"arn:{self.partition}:iam::{caller.account}:role/"
        other_region = self.setting.region if self.setting.region != "us-east-1" else "us-east-2"  # us-east-1 adds none
        paths = ["aws-reserved/sso.amazonaws.com/", f"aws-reserved/sso.amazonaws.com/{other_region}/"] \
            if caller.role_name.startswith("AWSReservedSSO_") else [""]
        rest = self.formula.arn_rest
        if rest is not None:  # the same ARNs, said of the part after the account: z3 decides it at once
            return [self.z3.And(arn_key.present, rest == self.symbolic.sval(f"role/{path}{caller.role_name}")) for path in paths]
        return [arn_key.is_value(head + path + caller.role_name) for path in paths]

    def _role_paths(self, role_name: str) -> "z3.ReRef":
        """The paths (after `role/`) a role of this name may have when iam:GetRole could not say: any, except
        that IAM Identity Center's roles (`AWSReservedSSO_...`) sit under `aws-reserved/sso.amazonaws.com/`,
        followed by the Identity Center region unless it is us-east-1 ("If you configure SSO in a Region other
        than us-east-1, add the Region after sso.amazonaws.com", AWS containers blog, "A quick path to Amazon
        EKS single sign-on using AWS SSO")."""
        z3, symbolic = self.z3, self.symbolic
        if role_name.startswith("AWSReservedSSO_"):
            region = z3.Plus(z3.Union(z3.Range("a", "z"), z3.Range("0", "9"), z3.Re("-")))
            return z3.Concat(symbolic.literal_re("aws-reserved/sso.amazonaws.com/", False), z3.Option(z3.Concat(region, z3.Re("/"))))
        return z3.Option(z3.Concat(z3.Star(symbolic._any_char()), z3.Re(symbolic.sval("/"))))

    def _plain_request(self) -> "z3.BoolRef":
        """HTTPS, no optional request keys: the request an SDK sends by default."""
        z3, f = self.z3, self.formula
        parts = []
        identity_or_fixed = {"aws:principalaccount", "aws:principalarn", "aws:principalorgid", "aws:principalorgpaths",
                             "aws:principalisawsservice", "aws:principaltype", "aws:userid", "aws:username",
                             "aws:resourceaccount", "aws:resourceorgid", "aws:resourceorgpaths", "aws:sourcevpce",
                             "aws:sourcevpc", "aws:requestedregion", "aws:currenttime", "aws:epochtime",
                             "aws:principalservicename", "aws:vpcsourceip", "aws:sourceip", "aws:tokenissuetime",
                             "aws:multifactorauthage", "aws:multifactorauthpresent", "aws:viaawsservice", "aws:calledvia"}
        for name, key in f.keys.items():
            if name == "aws:securetransport":
                parts.append(key.is_value("true"))
            elif name not in identity_or_fixed and not is_principal_tag(name):
                parts.append(z3.Not(key.present))
        return z3.And(parts) if parts else z3.BoolVal(True)

    # --- AWS-owned buckets -------------------------------------------------------------------------------

    def _anonymous_read(self, arn: str) -> list[Any]:
        f = self.formula
        return [f.key("aws:principalaccount").is_value(ANONYMOUS), f.action == self.symbolic.sval("s3:GetObject"),
                self._resource_in([arn])]

    def _reached_by_example(self, arn: str) -> bool:
        """One anonymous HTTPS read through this endpoint that is allowed proves the bucket reachable."""
        return evaluate(self.policy, anonymous_read(arn, self._fixed_context())).allowed

    def _ask_aws_owned_buckets(self) -> None:
        """S3 gateway endpoints carry the OS repositories and agent downloads, which are fetched anonymously."""
        if self.setting.service != "s3" or self.setting.endpoint_type not in ("", "Gateway"):
            return
        undecided: list[str] = []

        def reached(arn: str) -> bool:
            """Once one bucket is undecided, the others are not asked: they are the same question about a
            similar name, and each would spend the whole resource limit again (a stored `arn:aws:s3::*:x/*`
            made it 9 limits, about 40 s); one `unproven` already blocks, and an undecided bucket is not
            called blocked."""
            if undecided:
                return True
            answer = self._reached_by_example(arn) or self._settle(None, lambda: self._solve(_question("anonymous-read", arn=arn), self._anonymous_read(arn), True))
            if answer == "unproven":
                undecided.append(arn)
            return answer is not None

        blocked = blocked_default_buckets(self.setting.region, reached)
        if blocked:
            _, closed = blocked[0]
            witness = Witness("s3:GetObject", sample_object(closed[0]), (("aws:PrincipalAccount", ANONYMOUS),), "")
            decision = evaluate(self.policy, witness.request())
            self.findings.append(Finding(Severity.MEDIUM, "aws-owned-buckets-blocked",
                                         {"detail": bucket_entries_blocked_message([e for e, _ in blocked])},
                                         replace(witness, decision=decision.outcome)))

    def _note_exceptions(self) -> None:
        """Intended exceptions in use are reported, never silent (a note, not a verdict: one sample read)."""
        catalog = load_catalog()
        named = set(self._named_patterns())
        for entry in catalog.entries:
            arns = [arn for arn in entry.arns(self.setting.region) if arn in named and arn.endswith("/*")]
            sample = anonymous_read(arns[0]) if arns else None
            if sample and evaluate(self.policy, sample).allowed:
                self.findings.append(Finding(Severity.INFO, "aws-owned-exception", {"title": Term(entry.title), "id": entry.id}))
        self._note_write_exceptions()
        self._note_template_exceptions()
        mentioned = any(c.key in ("aws:principalisawsservice", "aws:principalservicename") for st in self.policy.statements for c in st.clauses) \
            or any(st.principal and st.principal.services for st in self.policy.statements)
        service_allowed = mentioned and self._settle(None, lambda: self._solve(_question("service-principals"), [self._service_caller()], True))
        if isinstance(service_allowed, Witness):
            self.findings.append(Finding(Severity.INFO, "service-principal-exception", {}, service_allowed))

    def _note_write_exceptions(self) -> None:
        """A catalog write exception is intended but costly: medium, naming the entry, with the write it allows."""
        for entry, arns in self.write_exceptions:
            request = anonymous_read(arns[0])
            request = Request(entry.actions[0], request.resource, request.context)
            decision = evaluate(self.policy, request)
            if decision.allowed:
                self.findings.append(Finding(Severity.MEDIUM, "write-exception",
                                             {"actions": ", ".join(entry.actions), "title": Term(entry.title), "id": entry.id},
                                             Witness.of(request, decision.outcome)))

    def _note_template_exceptions(self) -> None:
        """A service template's documented exception in use: info naming the entry and its source, with an
        anonymous request as the witness (the traffic such exceptions exist for)."""
        for exception in self._template_exceptions():
            witness = self._settle(self._exception_example(exception), partial(self._solve_template_exception, exception))
            if isinstance(witness, Witness):
                self.findings.append(Finding(Severity.INFO, "template-exception",
                                             {"actions": ", ".join(exception.actions), "title": Term(exception.title),
                                              "service": self.setting.service, "id": exception.id, "source": exception.source},
                                             witness))

    def _exception_example(self, exception: TemplateException) -> Request | None:
        """The entry's own action, by an anonymous caller, on the sample resource of a trusted owner."""
        trust, action = self.setting.trust, exception.actions[0]
        if has_wildcard(action) or not trust.accounts or self.template is None or self.template.sample_write is None:
            return None
        owner = self._owner_account() if self._owner_account() in trust.accounts else trust.accounts[0]
        _, resource = self.template.sample_write.for_account(self.setting.region, owner)
        return Request(action, resource, anonymous_context(owner, self._fixed_context()))

    def _solve_template_exception(self, exception: TemplateException) -> Witness | str | None:
        z3, f, trust = self.z3, self.formula, self.setting.trust
        owned = z3.Or(f.key("aws:resourceaccount").one_of(trust.accounts), f.key("aws:resourceorgid").one_of(trust.orgs))
        asked = [f.key("aws:principalaccount").is_value(ANONYMOUS), owned,
                 self.symbolic.in_any_glob(f.action, [glob(a) for a in exception.actions], ignore_case=True)]
        named = [f.action == self.symbolic.sval(exception.actions[0])] if not has_wildcard(exception.actions[0]) else []
        # the entry's own action on a plain ARN of a trusted owner reads best
        for narrowed in ([*self._owned_sample_resource(), *named], self._owned_sample_resource(), []):
            witness = self._solve(_question("template-exception", title=Term(exception.title)), [*asked, *narrowed], True)
            if witness is not None:
                return witness
        return None

    def _owned_sample_resource(self) -> list[Any]:
        if self.template is None or self.template.sample_write is None:
            return []
        _, resource = self.template.sample_write.for_account(self.setting.region, self._owner_account())
        return [self.formula.resource == self.symbolic.sval(resource)]

    def _full_access(self) -> bool:
        """Anyone, anonymous included, may write anywhere: AWS's default policy or its equivalent."""
        probe = Request(self.template.sample_write.action if self.template and self.template.sample_write else "s3:PutObject",
                        f"arn:{self.partition}:s3:::vpce-wizard-probe-{ANONYMOUS}/x", {"aws:PrincipalAccount": ANONYMOUS})
        return evaluate(self.policy, probe).allowed and any(f.code == "foreign-principals" for f in self.findings)


_SPACES = "\t\n\v\f\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000"


def _visible_char(z3: Any) -> "z3.ReRef":
    """Printable characters, no controls or spaces, so a witness ARN passes simulate's check. Written as a
    union of ranges: z3 decides a positive character class far faster than a complement."""
    return z3.Union(z3.Range("!", "~"), z3.Range("\u00a1", "\u167f"), z3.Range("\u1681", "\u1fff"),
                    z3.Range("\u200b", "\u2027"), z3.Range("\u202a", "\u202e"), z3.Range("\u2030", "\u205e"),
                    z3.Range("\u2060", "\u2fff"), z3.Range("\u3001", "\ud7ff"), z3.Range("\ue000", "\uffff"))


MAX_CODE_POINT = 0x2FFFF
"""The highest character z3's strings represent; a policy with higher ones is not analysed (unproven)."""


def _beyond_solver(policy: dict[str, Any]) -> bool:
    return any(ord(c) > MAX_CODE_POINT for c in json.dumps(policy, ensure_ascii=False) if not c.isascii())


def describe_caller(witness: Witness) -> Phrase:
    """Who sends the witness request, worded in the language of the finding it goes into."""
    account = dict(witness.context).get("aws:PrincipalAccount")
    if account == ANONYMOUS:
        return Phrase("caller", {"variant": "anonymous"})
    return Phrase("caller", {"variant": "account", "account": account}) if account else Phrase("caller", {"variant": "any"})


def _question(variant: str, **params: object) -> Phrase:
    """A question put to the solver, as `unproven` names it when the solver cannot decide it."""
    return Phrase("question", {"variant": variant, **params})


def _partition(region: str) -> str:
    try:
        return partition_of(region)
    except Exception:  # noqa: BLE001 - an unknown region reads as the commercial partition
        return "aws"


@lru_cache(maxsize=64)
def catalog_arns(region: str) -> tuple[str, ...]:
    """The read-only bucket ARNs of the catalog in one region."""
    return tuple(arn for entry in load_catalog().entries if not getattr(entry, "write", False) for arn in entry.arns(region))


@lru_cache(maxsize=1)
def catalog_arns_everywhere() -> tuple[str, ...]:
    """Every bucket ARN the catalog names, in every known region: the exact names exceptions may use."""
    from tui.policy.identifiers import known_regions

    arns = {arn for entry in load_catalog().entries if not getattr(entry, "write", False)
            for region in known_regions() for arn in entry.arns(region)}
    return tuple(sorted(arns))


@lru_cache(maxsize=16)
def catalog_write_arns_everywhere(entry_id: str) -> tuple[str, ...]:
    """Every ARN of one catalog write entry, in every known region."""
    from tui.policy.identifiers import known_regions

    entry = load_catalog().get(entry_id)
    return tuple(sorted({arn for region in known_regions() for arn in entry.arns(region)}))
