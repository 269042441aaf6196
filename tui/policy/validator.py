"""Checks an endpoint policy before it is applied, because AWS's errors come late and moto checks nothing.

The JSON Schema (`policy_templates/endpoint-policy.schema.json`) checks the shape; the rules here check
what a schema cannot say: the endpoint-policy rules AWS enforces (errors) and perimeter holes that AWS
accepts but an auditor would flag (warnings). Each finding carries a stable kebab-case code and a JSON
path such as `Statement[0].Condition.StringEquals.aws:PrincipalAccount`, so the wizard can point at it.
"""

import itertools
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator, validators
from jsonschema.protocols import Validator

from tui.policy.documents import MAX_POLICY_CHARS, minify
from tui.policy.errors import InputError
from tui.policy.identifiers import ACCOUNT_ID, BUCKET_ARN
from tui.policy.operators import Comparison, Operator, SetQualifier, ValueKind, parse_operator
from tui.policy.parsing import Parsed, parse_policy
from tui.policy.templates import load_template
from tui.report.messages import localised, message


class Severity(StrEnum):
    """error: AWS refuses the policy or the tool must not apply it; warning: a perimeter hole AWS accepts."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


ERROR, WARNING, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO
_SEVERITY_ORDER = {ERROR: 0, WARNING: 1, INFO: 2}

SCHEMA_TEMPLATE = "endpoint-policy.schema.json"

# Global keys that hold system-generated identifiers: AWS refuses wildcards and numeric operators on them.
SENSITIVE_KEYS = frozenset(
    key.lower()
    for key in (
        "aws:PrincipalAccount", "aws:PrincipalOrgID", "aws:ResourceAccount", "aws:ResourceOrgID",
        "aws:SourceAccount", "aws:SourceOrgID", "aws:SourceVpc", "aws:SourceVpce", "aws:VpceAccount",
        "aws:VpceOrgID",
    )
)
# The only global keys that carry several values; every other aws: key is single-valued.
MULTIVALUED_GLOBAL_KEYS = frozenset(
    key.lower()
    for key in ("aws:CalledVia", "aws:PrincipalOrgPaths", "aws:ResourceOrgPaths", "aws:TagKeys",
                "aws:PrincipalServiceNamesList")
)
MIN_LITERAL_RUN = 6

_ROOT_USER_ARN = re.compile(r"arn:aws[a-z-]*:iam::[0-9]{12}:root")
_WILDCARDS = re.compile(r"[*?]")
# IAM action names: service prefix, colon, action name (letters, digits, hyphens; wildcards allowed).
_ACTION = re.compile(r"\*|[A-Za-z0-9*?-]+:[A-Za-z0-9*?-]+")
# ARNs: arn:partition:service:region:account:resource; region and account may be empty (S3) or hold
# other text (`aws` for AWS-owned EC2 prefix lists); the resource part may hold colons and any character.
_RESOURCE = re.compile(r"\*|arn:[A-Za-z0-9*?-]+:[A-Za-z0-9*?-]+:[^:]*:[^:]*:.+", re.DOTALL)
_ESCAPED_SURROGATE = re.compile(r"\\ud[89a-f]", re.IGNORECASE)
_SURROGATE = re.compile("[\ud800-\udfff]")
_ESCAPED_CHARACTER = re.compile(r"\$\{[*?$]\}")  # ${*} is a literal "*" in a policy variable string
# Elements people mistype get their own code and a message that says what is allowed; the rest keep
# jsonschema's message under the code "schema".
_SCHEMA_RULES = {
    ("Version",): "bad-version",
    ("Statement", "Effect"): "bad-effect",
    ("Statement", "Principal"): "bad-principal",
}
_VALUE_KEYWORDS = frozenset({"enum", "const", "type", "required"})


@dataclass(frozen=True)
class Finding:
    """One problem or remark; `path` locates it in the document ("" for the whole policy). The text is
    the code's template (tui/report/messages.py) filled with `params`, so every renderer and language
    says the same thing."""

    severity: Severity
    code: str
    path: str
    params: Mapping[str, object] = field(default_factory=dict, hash=False)

    @property
    def message(self) -> str:
        """The English sentence (renderers may translate the code's template instead)."""
        return message(self.code, self.params)

    def localised(self) -> str:
        """The sentence in the current language."""
        return localised(self.code, self.params)


def has_errors(findings: Iterable[Finding]) -> bool:
    """Whether AWS would refuse the policy or the tool must not apply it."""
    return any(finding.severity == ERROR for finding in findings)


def validate(policy: dict[str, Any] | str | Parsed) -> list[Finding]:
    """Every finding for a policy document, its JSON text, or a parsed text with its ambiguities; errors first.

    Text that is not a JSON object gives one json-syntax finding instead of an exception, since the wizard
    validates half-typed text. Duplicate keys and non-finite numbers in the text are errors: AWS may read
    them differently from this tool.
    """
    if isinstance(policy, str):
        try:
            policy = parse_policy(policy)
        except InputError as exc:
            return [Finding(ERROR, "json-syntax", "", {"detail": str(exc)})]
    doc, ambiguities = (policy.doc, policy.ambiguities) if isinstance(policy, Parsed) else (policy, ())
    minified = minify(doc)
    findings = [
        *(Finding(ERROR, a.code, a.path, a.params) for a in ambiguities),
        *_schema_findings(doc), *_version_rule(doc), *_size_rule(minified), *_surrogate_rule(doc, minified),
    ]
    statements = _statements(doc)
    for path, statement in statements:
        for rule in _STATEMENT_RULES:
            findings.extend(rule(path, statement))
    findings.extend(_duplicate_sids(statements))
    findings.extend(_full_access(statements))
    return sorted(findings, key=lambda finding: _SEVERITY_ORDER[finding.severity])


def shape_errors(doc: dict[str, Any]) -> list[Finding]:
    """The schema's errors alone: a document with none has the shape the evaluator reads."""
    return _schema_findings(doc)


# --- schema ---------------------------------------------------------------------------------------------

_DRAFT_2020_ITEMS = Draft202012Validator.VALIDATORS["items"]


def _accepts_every_string(item_schema: object, schema: dict[str, Any]) -> bool:
    if "prefixItems" in schema or not isinstance(item_schema, dict) or item_schema.keys() != {"type"}:
        return False
    types = item_schema["type"]
    return types == "string" or (isinstance(types, list) and "string" in types)


def _items_skipping_strings(validator: Any, item_schema: Any, instance: Any, schema: dict[str, Any]) -> Iterator[Any]:
    """Draft 2020-12 `items`, except that strings skip an item schema that only checks type and takes them.

    Descending into each of ~1,300 account IDs made one 20 KB policy cost ~10 ms, and the wizard
    re-validates on every keystroke; errors and their paths stay the same.
    """
    if isinstance(instance, list) and _accepts_every_string(item_schema, schema):
        for index, item in enumerate(instance):
            if not isinstance(item, str):
                yield from validator.descend(item, item_schema, path=index)
        return
    yield from _DRAFT_2020_ITEMS(validator, item_schema, instance, schema)


_PolicySchemaValidator = validators.extend(Draft202012Validator, {"items": _items_skipping_strings})


@cache
def _schema_validator() -> Validator:
    """Built once per process: the schema is shipped data and building the validator is not free."""
    return _PolicySchemaValidator(load_template(SCHEMA_TEMPLATE))


def _json_path(parts: Iterable[Any]) -> str:
    path = ""
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def _schema_finding(error: Any) -> Finding:
    path = _json_path(error.absolute_path)
    element = tuple(part for part in error.absolute_path if isinstance(part, str))
    missing = error.validator == "required"
    if missing:
        element += (next(name for name in error.validator_value if name not in error.instance),)
    code = _SCHEMA_RULES.get(element) if error.validator in _VALUE_KEYWORDS else None
    if code is None:
        return Finding(ERROR, "schema", path, _schema_params(error))
    return Finding(ERROR, code, path, {"variant": "missing"} if missing else {})


def _schema_params(error: Any) -> dict[str, object]:
    """A variant of `schema` per kind of error (a wrong JSON type, an unknown element, a missing one...), so it
    translates, when its template words it exactly as jsonschema does; else jsonschema's English message as the
    detail (a newer jsonschema that words it otherwise still reads the same in English)."""
    params = _schema_variant(error)
    if params is not None and message("schema", params) == error.message:
        return params
    return {"detail": error.message}


def _schema_variant(error: Any) -> dict[str, object] | None:
    """The parameters jsonschema fills its message with, under the variant that words it."""
    value, kind = error.validator_value, error.validator
    if kind == "type":
        types = value if isinstance(value, list) else [value]
        return {"variant": "type", "value": repr(error.instance), "types": ", ".join(map(repr, types))}
    if kind == "additionalProperties" and isinstance(error.instance, dict):
        known = error.schema.get("properties", {})
        extras = sorted((name for name in error.instance if name not in known), key=str)
        return {"variant": "unexpected-one" if len(extras) == 1 else "unexpected-many", "unexpected": ", ".join(map(repr, extras))}
    if kind == "required" and isinstance(error.instance, dict):
        return {"variant": "required", "property": repr(next(name for name in value if name not in error.instance))}
    if kind in ("minItems", "minProperties"):
        return {"variant": "non-empty", "value": repr(error.instance)}
    if kind == "const":
        return {"variant": "const", "expected": repr(value)}
    if kind == "enum":
        return {"variant": "enum", "value": repr(error.instance), "choices": repr(value)}
    return None


def _schema_findings(doc: dict[str, Any]) -> list[Finding]:
    return [_schema_finding(error) for error in _schema_validator().iter_errors(doc)]


# --- helpers --------------------------------------------------------------------------------------------


def _statements(doc: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(path, statement) for each statement that is an object; Statement may be one object or a list."""
    statement = doc.get("Statement")
    if isinstance(statement, dict):
        return [("Statement", statement)]
    if isinstance(statement, list):
        return [(f"Statement[{index}]", item) for index, item in enumerate(statement) if isinstance(item, dict)]
    return []


def _indexed_strings(value: object) -> Iterator[tuple[int | None, str]]:
    """The strings of a one-or-many element with their list index (None for a lone string)."""
    if isinstance(value, str):
        yield None, value
    elif isinstance(value, list):
        yield from ((index, item) for index, item in enumerate(value) if isinstance(item, str))


def _strings(value: object) -> list[str]:
    return [item for _, item in _indexed_strings(value)]


def _at(path: str, index: int | None) -> str:
    return path if index is None else f"{path}[{index}]"


def _is_object_arn(arn: str) -> bool:
    """An S3 ARN with a key part (arn:aws:s3:::bucket/...), as opposed to the bucket itself."""
    match = BUCKET_ARN.fullmatch(arn)
    return bool(match and match.group(3))


def _is_unconditioned_allow(statement: dict[str, Any]) -> bool:
    """An Allow with no condition applies to everyone it names, anonymous callers included."""
    return statement.get("Effect") == "Allow" and not statement.get("Condition")


def _allows_everyone(statement: dict[str, Any]) -> bool:
    principal = statement.get("Principal")
    return principal == "*" or (isinstance(principal, dict) and "*" in _strings(principal.get("AWS")))


# --- document rules -------------------------------------------------------------------------------------


def _version_rule(doc: dict[str, Any]) -> Iterator[Finding]:
    """Without a Version IAM reads the 2008 grammar, in which `${...}` policy variables are plain text."""
    if "Version" not in doc:
        yield Finding(WARNING, "missing-version", "")
    elif doc["Version"] == "2008-10-17":
        yield Finding(INFO, "old-version", "Version")


def _size_rule(minified: str) -> Iterator[Finding]:
    """AWS refuses a policy past its limit, counted on the minified form that the tool applies."""
    size = len(minified)
    if size > MAX_POLICY_CHARS:
        yield Finding(ERROR, "policy-too-large", "", {"size": size, "limit": MAX_POLICY_CHARS})


def _strings_with_paths(value: object, path: str = "") -> Iterator[tuple[str, str]]:
    """(path, text) for every key and string value, walked without recursion."""
    stack = [(path, value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, str):
            yield path, item
        elif isinstance(item, dict):
            for key, child in item.items():
                child_path = f"{path}.{key}" if path else key
                yield child_path, key
                stack.append((child_path, child))
        elif isinstance(item, list):
            stack.extend((f"{path}[{index}]", child) for index, child in enumerate(item))


def _surrogate_rule(doc: dict[str, Any], minified: str) -> Iterator[Finding]:
    """A lone UTF-16 surrogate (`"\\ud800"`) is no character: no UTF-8 text can hold it, so AWS cannot
    store it as written. The minified text shows every surrogate as an escape, so most policies skip the walk."""
    if not _ESCAPED_SURROGATE.search(minified):
        return
    for path, text in _strings_with_paths(doc):
        if _SURROGATE.search(text):
            yield Finding(ERROR, "lone-surrogate", path, {"text": text})


def _duplicate_sids(statements: list[tuple[str, dict[str, Any]]]) -> Iterator[Finding]:
    """AWS refuses a policy whose statement IDs repeat."""
    seen = set()
    for path, statement in statements:
        sid = statement.get("Sid")
        if not isinstance(sid, str):
            continue
        if sid in seen:
            yield Finding(ERROR, "duplicate-sid", f"{path}.Sid", {"sid": sid})
        seen.add(sid)


def _full_access(statements: list[tuple[str, dict[str, Any]]]) -> Iterator[Finding]:
    """AWS's default policy lets anyone through, which is the exfiltration path; a Deny elsewhere may be the
    perimeter (the Deny-with-StringNotEquals style), so then the Allow alone says nothing."""
    if any(statement.get("Effect") == "Deny" for _, statement in statements):
        return
    for path, statement in statements:
        if (_is_unconditioned_allow(statement) and _allows_everyone(statement)
                and "*" in _strings(statement.get("Action")) and "*" in _strings(statement.get("Resource"))):
            yield Finding(WARNING, "full-access", path)


# --- statement rules ------------------------------------------------------------------------------------


def _principal_rules(path: str, statement: dict[str, Any]) -> Iterator[Finding]:
    """Endpoint policies need a Principal, and only `"*"` plus conditions means the same on gateway and
    interface endpoints."""
    if "NotPrincipal" in statement:
        yield Finding(ERROR, "not-principal", f"{path}.NotPrincipal")
    elif "Principal" not in statement:
        yield Finding(ERROR, "missing-principal", path)
    elif isinstance(statement["Principal"], dict):
        for index, principal in _indexed_strings(statement["Principal"].get("AWS")):
            if ACCOUNT_ID.fullmatch(principal) or _ROOT_USER_ARN.fullmatch(principal):
                yield Finding(WARNING, "account-principal", _at(f"{path}.Principal.AWS", index), {"principal": principal})


def _element_pair_rules(path: str, statement: dict[str, Any]) -> Iterator[Finding]:
    """Each statement names its actions and its resources exactly once, positively or negatively."""
    for element in ("Action", "Resource"):
        negated = f"Not{element}"
        if element in statement and negated in statement:
            yield Finding(ERROR, f"{element.lower()}-and-not-{element.lower()}", f"{path}.{negated}")
        elif element not in statement and negated not in statement:
            yield Finding(ERROR, f"missing-{element.lower()}", path)


def _has_wildcard(value: str) -> bool:
    return "*" in value or "?" in value


def _wildcard_strings(values: object) -> Iterator[tuple[int | None, str]]:
    """(index, value) for each string value with * or ?; one scan of the joined text skips the usual none."""
    joined = "".join(map(str, values)) if isinstance(values, list) else str(values)
    if _has_wildcard(joined):
        yield from ((index, value) for index, value in _indexed_strings(values) if _has_wildcard(value))


def _has_short_literal_run(value: str) -> bool:
    """True when some wildcard has fewer than six literal characters both right before and right after it."""
    runs = _WILDCARDS.split(_ESCAPED_CHARACTER.sub("_", value))
    return any(max(len(before), len(after)) < MIN_LITERAL_RUN for before, after in itertools.pairwise(runs))


def _sensitive_key_rules(key_path: str, key: str, operator: Operator, values: object) -> Iterator[Finding]:
    """Identifier keys must match exactly: AWS refuses wildcards and numeric operators on them."""
    if operator.base.kind is ValueKind.NUMERIC:
        yield Finding(ERROR, "numeric-operator-on-sensitive-key", key_path, {"key": key})
    for index, value in _indexed_strings(values):
        if not value.isascii():
            yield Finding(ERROR, "non-ascii-identifier", _at(key_path, index), {"key": key, "value": value})
    for index, value in _wildcard_strings(values):
        yield Finding(ERROR, "wildcard-in-sensitive-key", _at(key_path, index), {"key": key, "value": value})


def _literal_run_rule(key_path: str, values: object) -> Iterator[Finding]:
    """AWS refuses string patterns whose wildcards are not anchored by six literal characters."""
    for index, value in _wildcard_strings(values):
        if _has_short_literal_run(value):
            yield Finding(ERROR, "wildcard-needs-literals", _at(key_path, index),
                          {"value": value, "min_literals": MIN_LITERAL_RUN})


def _condition_key_rules(key_path: str, key: str, operator: Operator, values: object, effect: object) -> Iterator[Finding]:
    """The rules for one condition key under one operator."""
    lowered = key.lower()
    if lowered in SENSITIVE_KEYS:
        yield from _sensitive_key_rules(key_path, key, operator, values)
    elif operator.base.kind is ValueKind.STRING and operator.base.comparison is Comparison.LIKE:
        yield from _literal_run_rule(key_path, values)
    single_valued = lowered.startswith("aws:") and lowered not in MULTIVALUED_GLOBAL_KEYS
    if operator.qualifier is SetQualifier.FOR_ALL_VALUES and effect == "Allow" and single_valued:
        yield Finding(WARNING, "for-all-values-single-valued", key_path, {"key": key})


def _condition_rules(path: str, statement: dict[str, Any]) -> Iterator[Finding]:
    """An unknown operator makes AWS refuse the whole policy, so its keys are not judged further."""
    condition = statement.get("Condition")
    if not isinstance(condition, dict):
        return
    for name, block in condition.items():
        operator_path = f"{path}.Condition.{name}"
        operator = parse_operator(name) if name.isascii() else None
        if not name.isascii():
            yield Finding(ERROR, "non-ascii-condition-operator", operator_path, {"operator": name})
        elif operator is None:
            variant = {"variant": "null-if-exists"} if name.lower().endswith("nullifexists") else {}
            yield Finding(ERROR, "unknown-condition-operator", operator_path, {"operator": name, **variant})
        elif isinstance(block, dict):
            for key, values in block.items():
                key_path = f"{operator_path}.{key}"
                if not key.partition("/")[0].isascii():
                    yield Finding(ERROR, "non-ascii-condition-key", key_path, {"key": key})
                    continue
                yield from _condition_key_rules(key_path, key, operator, values, statement.get("Effect"))


def _element_format_rules(path: str, statement: dict[str, Any]) -> Iterator[Finding]:
    """Actions are `service:Action` and resources ARNs (or `*`): `s3GetObject` or `my-bucket/*` match no
    request, so the statement silently grants or denies nothing."""
    for element, pattern, code in (("Action", _ACTION, "bad-action"), ("Resource", _RESOURCE, "bad-resource")):
        for name in (element, f"Not{element}"):
            for index, value in _indexed_strings(statement.get(name)):
                if not pattern.fullmatch(value):
                    yield Finding(ERROR, code, _at(f"{path}.{name}", index), {"value": value})


def _wildcard_bucket_rule(path: str, statement: dict[str, Any]) -> Iterator[Finding]:
    """An unconditioned Allow to a wildcard bucket name admits buckets that anyone can create and fill."""
    if not _is_unconditioned_allow(statement):
        return
    for index, resource in _indexed_strings(statement.get("Resource")):
        match = BUCKET_ARN.fullmatch(resource)
        if match and _has_wildcard(match.group(2)):
            yield Finding(WARNING, "wildcard-bucket", _at(f"{path}.Resource", index), {"resource": resource})


def _list_bucket_rule(path: str, statement: dict[str, Any]) -> Iterator[Finding]:
    """s3:ListBucket is authorised on the bucket ARN, so with object ARNs only it never applies."""
    resources = _strings(statement.get("Resource"))
    if not resources or not all(map(_is_object_arn, resources)):
        return
    for index, action in _indexed_strings(statement.get("Action")):
        if action.lower() == "s3:listbucket":
            yield Finding(WARNING, "list-bucket-on-objects", _at(f"{path}.Action", index))


_STATEMENT_RULES = (
    _principal_rules,
    _element_pair_rules,
    _element_format_rules,
    _condition_rules,
    _wildcard_bucket_rule,
    _list_bucket_rule,
)
