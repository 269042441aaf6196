"""The one table of IAM condition operators, read by the validator, the evaluator and the analyser alike.

Two parsers of operator names once drifted apart (one accepted a spelling the other ignored); with one table
a name means the same thing everywhere. IAM reads operator names case-insensitively. A name is
`[ForAnyValue:|ForAllValues:]<base>[IfExists]`; `Null` takes no IfExists.
"""

from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache


class ValueKind(StrEnum):
    """How request and policy values are compared."""

    STRING = "string"
    NUMERIC = "numeric"
    DATE = "date"
    BOOL = "bool"
    BINARY = "binary"
    IP = "ip"
    ARN = "arn"
    NULL = "null"


class Comparison(StrEnum):
    """What one policy value asks of one request value."""

    EQUALS = "equals"
    LIKE = "like"
    LESS_THAN = "lt"
    LESS_THAN_EQUALS = "le"
    GREATER_THAN = "gt"
    GREATER_THAN_EQUALS = "ge"
    IN_NETWORK = "in-network"
    IS_ABSENT = "is-absent"


class SetQualifier(StrEnum):
    NONE = ""
    FOR_ANY_VALUE = "ForAnyValue"
    FOR_ALL_VALUES = "ForAllValues"


@dataclass(frozen=True)
class BaseOperator:
    """One base operator: its canonical name, value kind, comparison, and whether it is negated."""

    name: str
    kind: ValueKind
    comparison: Comparison
    negated: bool = False
    ignore_case: bool = False


def _family(prefix: str, kind: ValueKind) -> list[BaseOperator]:
    """Numeric and Date share six operators each."""
    return [
        BaseOperator(f"{prefix}Equals", kind, Comparison.EQUALS),
        BaseOperator(f"{prefix}NotEquals", kind, Comparison.EQUALS, negated=True),
        BaseOperator(f"{prefix}LessThan", kind, Comparison.LESS_THAN),
        BaseOperator(f"{prefix}LessThanEquals", kind, Comparison.LESS_THAN_EQUALS),
        BaseOperator(f"{prefix}GreaterThan", kind, Comparison.GREATER_THAN),
        BaseOperator(f"{prefix}GreaterThanEquals", kind, Comparison.GREATER_THAN_EQUALS),
    ]


BASE_OPERATORS: dict[str, BaseOperator] = {
    operator.name.lower(): operator
    for operator in [
        BaseOperator("StringEquals", ValueKind.STRING, Comparison.EQUALS),
        BaseOperator("StringNotEquals", ValueKind.STRING, Comparison.EQUALS, negated=True),
        BaseOperator("StringEqualsIgnoreCase", ValueKind.STRING, Comparison.EQUALS, ignore_case=True),
        BaseOperator("StringNotEqualsIgnoreCase", ValueKind.STRING, Comparison.EQUALS, negated=True, ignore_case=True),
        BaseOperator("StringLike", ValueKind.STRING, Comparison.LIKE),
        BaseOperator("StringNotLike", ValueKind.STRING, Comparison.LIKE, negated=True),
        *_family("Numeric", ValueKind.NUMERIC),
        *_family("Date", ValueKind.DATE),
        BaseOperator("Bool", ValueKind.BOOL, Comparison.EQUALS, ignore_case=True),
        BaseOperator("BinaryEquals", ValueKind.BINARY, Comparison.EQUALS),
        BaseOperator("IpAddress", ValueKind.IP, Comparison.IN_NETWORK),
        BaseOperator("NotIpAddress", ValueKind.IP, Comparison.IN_NETWORK, negated=True),
        BaseOperator("ArnEquals", ValueKind.ARN, Comparison.LIKE),
        BaseOperator("ArnLike", ValueKind.ARN, Comparison.LIKE),
        BaseOperator("ArnNotEquals", ValueKind.ARN, Comparison.LIKE, negated=True),
        BaseOperator("ArnNotLike", ValueKind.ARN, Comparison.LIKE, negated=True),
        BaseOperator("Null", ValueKind.NULL, Comparison.IS_ABSENT),
    ]
}
"""Lower-cased name -> operator. ArnEquals and ArnLike behave identically (both take wildcards)."""


@dataclass(frozen=True)
class Operator:
    """A parsed operator name as written in a policy."""

    base: BaseOperator
    qualifier: SetQualifier = SetQualifier.NONE
    if_exists: bool = False

    @property
    def negated(self) -> bool:
        return self.base.negated

    @property
    def canonical(self) -> str:
        prefix = f"{self.qualifier}:" if self.qualifier else ""
        return f"{prefix}{self.base.name}{'IfExists' if self.if_exists else ''}"


@lru_cache(maxsize=512)
def parse_operator(name: str) -> Operator | None:
    """The operator a name denotes, or None when IAM has no such operator (AWS then refuses the policy)."""
    if not isinstance(name, str) or not name.isascii():
        return None
    qualifier_text, _, rest = name.rpartition(":")
    qualifier = next((q for q in SetQualifier if q and q.lower() == qualifier_text.lower()), None)
    if ":" in name and qualifier is None:
        return None
    lowered = rest.lower()
    if_exists = lowered.endswith("ifexists") and lowered != "ifexists"
    base = BASE_OPERATORS.get(lowered.removesuffix("ifexists") if if_exists else lowered)
    if base is None or (if_exists and base.kind is ValueKind.NULL):
        return None
    return Operator(base, qualifier or SetQualifier.NONE, if_exists)
