"""IAM Access Analyzer as a second opinion beside the project's own proofs, asked only when connected.

- `ValidatePolicy` with `policyType=RESOURCE_POLICY` and no `validatePolicyResourceType`: Access Analyzer has
  no VPC endpoint resource type, and for such resources AWS says to leave the type out, which "runs policy
  checks that apply to all resource policies" (API_ValidatePolicy; the type's values are S3 buckets and
  access points, S3 Object Lambda access points, IAM trust policies and DynamoDB tables, none an endpoint).
  Policy validation is not charged.
- `CheckNoNewAccess(existingPolicyDocument, newPolicyDocument, policyType=RESOURCE_POLICY)`: PASS when the new
  policy grants no access the old one did not (API_CheckNoNewAccess). A custom policy check, charged per call.

Neither call can stop anything: a refusal, a throttle or a region without the service is a one-line note,
and the sandbox (moto has no Access Analyzer: its server answers HTTP 500 to every call) is skipped with
the reason. Sources: docs/policy-model.md "Access Analyzer".
"""

from dataclasses import dataclass
from enum import StrEnum

from tui.policy.documents import minify
from tui.report.i18n import _
from tui.report.messages import Phrase, error_message, text_in_language

POLICY_TYPE = "RESOURCE_POLICY"
LOCALES = ("DE", "EN", "ES", "FR", "IT", "JA", "KO", "PT_BR", "ZH_CN", "ZH_TW")
"""ValidatePolicy's `locale` values (botocore's accessanalyzer model)."""
MAX_PAGES = 10
"""ValidatePolicy pages (of up to 100 findings each, its default) read before the rest is summarised:
an endpoint policy is at most 20,480 characters, so real answers fit in one."""
SANDBOX_NOTE = Phrase("analyzer", {"variant": "sandbox"})
OFFLINE_NOTE = Phrase("analyzer", {"variant": "offline"})
"""Notes are `Phrase`s (tui/report/messages.py): English in `--json`, the current language in text."""

_THROTTLED = {"ThrottlingException", "Throttling", "TooManyRequestsException"}
_DENIED = {"AccessDeniedException", "AccessDenied", "UnauthorizedOperation"}


class Status(StrEnum):
    """How asking went; the values are the stable `status` strings of `--json`."""

    ASKED = "asked"
    SKIPPED = "skipped"
    FAILED = "failed"


@dataclass(frozen=True)
class AnalyzerFinding:
    """One ValidatePolicy finding, as AWS worded it (in the requested locale)."""

    finding_type: str
    issue_code: str
    details: str
    learn_more: str
    paths: tuple[str, ...] = ()

    @property
    def severity(self) -> str:
        """On the project's scale: errors and security warnings are AWS's loudest; nothing here is a proof."""
        return {"ERROR": "medium", "SECURITY_WARNING": "medium", "WARNING": "low"}.get(self.finding_type, "info")

    def to_dict(self) -> dict:
        return {"type": self.finding_type, "issue_code": self.issue_code, "details": self.details,
                "learn_more": self.learn_more, "paths": list(self.paths), "severity": self.severity}


@dataclass(frozen=True)
class Validation:
    """ValidatePolicy's answer, or why there is none (`note`)."""

    status: Status
    findings: tuple[AnalyzerFinding, ...] = ()
    note: str = ""

    def to_dict(self) -> dict:
        return {"check": "ValidatePolicy", "status": str(self.status), "note": self.note, "findings": [f.to_dict() for f in self.findings]}

    def lines(self) -> list[str]:
        """Plain lines for the text output (the caller escapes them)."""
        if self.status is not Status.ASKED:
            return [_("Access Analyzer ValidatePolicy {note}").format(note=text_in_language(self.note))]
        if not self.findings:
            return [_("Access Analyzer ValidatePolicy: no findings")]
        return [f"Access Analyzer {f.finding_type} {f.issue_code}{' at ' + ', '.join(f.paths) if f.paths else ''}: {f.details}" for f in self.findings]


@dataclass(frozen=True)
class NewAccessCheck:
    """CheckNoNewAccess's answer: `result` PASS or FAIL when asked, else why not (`note`)."""

    status: Status
    result: str = ""
    message: str = ""
    reasons: tuple[str, ...] = ()
    note: str = ""

    def to_dict(self) -> dict:
        return {"check": "CheckNoNewAccess", "status": str(self.status), "result": self.result, "message": self.message,
                "reasons": list(self.reasons), "note": self.note}

    def line(self) -> str:
        if self.status is not Status.ASKED:
            return _("Access Analyzer CheckNoNewAccess {note}").format(note=text_in_language(self.note))
        why = f" ({'; '.join(self.reasons)})" if self.reasons else ""
        verdict = _("no new access") if self.result == "PASS" else _("may grant new access")
        return _("Access Analyzer CheckNoNewAccess: {result}, {verdict}").format(result=self.result, verdict=verdict) + (
            f": {self.message}" if self.message else "") + why


def locale_for(language: str) -> str:
    """The Access Analyzer locale for the product's language (`ja` -> `JA`, anything else `EN`)."""
    upper = language.upper().replace("-", "_")
    return upper if upper in LOCALES else "EN"


def skip_reason(conn) -> str | None:
    """Why Access Analyzer cannot be asked on this connection (None: it can be)."""
    if conn is None:
        return OFFLINE_NOTE
    if conn.is_sandbox:
        return SANDBOX_NOTE
    return None


def validate_policy(conn, policy: dict | str, region: str | None = None, locale: str = "EN") -> Validation:
    """ValidatePolicy for an endpoint policy: a document, or the text exactly as AWS stores it (so Access
    Analyzer reads what AWS reads, duplicate keys and all). One call per distinct (document, region, locale)
    a connection asks about, so an audit of many endpoints that share a policy asks once."""
    skipped = skip_reason(conn)
    if skipped:
        return Validation(Status.SKIPPED, note=skipped)
    region = region or conn.region
    key = ("access-analyzer:validate", policy if isinstance(policy, str) else minify(policy), region, locale_for(locale))
    if key not in conn.memo:
        conn.memo[key] = _validate(conn.client("accessanalyzer", region), key[1], key[3], region)
    return conn.memo[key]


def _validate(client, document: str, locale: str, region: str) -> Validation:
    findings: list[AnalyzerFinding] = []
    request = {"policyDocument": document, "policyType": POLICY_TYPE, "locale": locale}
    try:
        for _ in range(MAX_PAGES):
            page = client.validate_policy(**request)
            findings += [_finding(raw) for raw in page.get("findings", []) if isinstance(raw, dict)]
            token = page.get("nextToken")
            if not token:
                return Validation(Status.ASKED, tuple(findings))
            request["nextToken"] = token
    except Exception as exc:  # noqa: BLE001 - a second opinion never stops the run: one note
        return Validation(Status.FAILED, tuple(findings), _failure("ValidatePolicy", exc, region))
    return Validation(Status.ASKED, tuple(findings), Phrase("analyzer", {"variant": "more-findings", "count": len(findings)}))


def check_no_new_access(conn, existing: dict | str, new: dict, region: str | None = None) -> NewAccessCheck:
    """Whether `new` grants access `existing` (a document, or the text AWS stores) did not, in Access
    Analyzer's reading (asked once per pair)."""
    skipped = skip_reason(conn)
    if skipped:
        return NewAccessCheck(Status.SKIPPED, note=skipped)
    region = region or conn.region
    key = ("access-analyzer:no-new-access", existing if isinstance(existing, str) else minify(existing), minify(new), region)
    if key not in conn.memo:
        conn.memo[key] = _check_no_new_access(conn.client("accessanalyzer", region), key[1], key[2], region)
    return conn.memo[key]


def _check_no_new_access(client, existing: str, new: str, region: str) -> NewAccessCheck:
    try:
        answer = client.check_no_new_access(existingPolicyDocument=existing, newPolicyDocument=new, policyType=POLICY_TYPE)
    except Exception as exc:  # noqa: BLE001 - a second opinion never stops the run: one note
        return NewAccessCheck(Status.FAILED, note=_failure("CheckNoNewAccess", exc, region))
    reasons = tuple(_reason(raw) for raw in answer.get("reasons", []) if isinstance(raw, dict))
    return NewAccessCheck(Status.ASKED, str(answer.get("result", "")), str(answer.get("message", "")), reasons)


def _finding(raw: dict) -> AnalyzerFinding:
    paths = tuple(_path(location.get("path", [])) for location in raw.get("locations", []) if isinstance(location, dict))
    return AnalyzerFinding(str(raw.get("findingType", "")), str(raw.get("issueCode", "")), str(raw.get("findingDetails", "")),
                           str(raw.get("learnMoreLink", "")), paths)


def _path(elements) -> str:
    """A finding's location as a JSON path (`Statement[1].Condition`), the form the validator uses."""
    text = ""
    for element in elements if isinstance(elements, list) else []:
        if not isinstance(element, dict):
            continue
        if "index" in element:
            text += f"[{element['index']}]"
        elif "key" in element:
            text += ("." if text else "") + str(element["key"])
        elif "value" in element:
            text += ("." if text else "") + str(element["value"])
    return text


def _reason(raw: dict) -> str:
    where = raw.get("statementId") or (f"statement {raw['statementIndex']}" if "statementIndex" in raw else "")
    return f"{where}: {raw.get('description', '')}" if where else str(raw.get("description", ""))


def _failure(operation: str, exc: Exception, region: str) -> str:
    """One line that says why Access Analyzer gave no answer and what would fix it."""
    from botocore import exceptions as bce

    from tui.aws.errors import error_code, translate

    code = error_code(exc)
    params: dict[str, object] = {"code": code, "operation": operation, "region": region}
    if code in _DENIED:
        return Phrase("analyzer", {"variant": "denied", **params})
    if code in _THROTTLED:
        return Phrase("analyzer", {"variant": "throttled", **params})
    if isinstance(exc, (bce.EndpointConnectionError, bce.UnknownEndpointError)):
        return Phrase("analyzer", {"variant": "unreachable", **params})
    if code in ("UnrecognizedClientException", "InvalidAction"):
        return Phrase("analyzer", {"variant": "unavailable", **params})
    if code in ("ValidationException", "InvalidParameterException", "UnprocessableEntityException"):
        message = exc.response.get("Error", {}).get("Message", "") if hasattr(exc, "response") else ""
        return Phrase("analyzer", {"variant": "refused", **params, "detail": f": {message}" if message else ""})
    return Phrase("analyzer", {"variant": "error", "error": error_message(translate(exc, operation))})


def summary(validation: Validation | None, no_new_access: NewAccessCheck | None = None) -> dict:
    """The JSON added beside the project's own findings (`access_analyzer`), only when it was asked for."""
    record: dict = {}
    if validation is not None:
        record["validate_policy"] = validation.to_dict()
    if no_new_access is not None:
        record["check_no_new_access"] = no_new_access.to_dict()
    return record
