"""One operator table: every IAM operator name, in any case, with its prefixes and suffix."""

import pytest

from tui.policy.operators import BASE_OPERATORS, SetQualifier, ValueKind, parse_operator


@pytest.mark.parametrize("name", [operator.name for operator in BASE_OPERATORS.values()])
def test_every_base_operator_parses_in_any_case(name):
    for spelling in (name, name.lower(), name.upper()):
        assert parse_operator(spelling).base.name == name


def test_prefixes_and_suffix():
    operator = parse_operator("forallvalues:StringNotLikeIfExists")
    assert operator.qualifier is SetQualifier.FOR_ALL_VALUES and operator.if_exists and operator.negated
    assert operator.canonical == "ForAllValues:StringNotLikeIfExists"


@pytest.mark.parametrize("name", ["NullIfExists", "ForSomeValues:StringEquals", "StringEqual", "IfExists",
                                  "StringEquaIs", "StringЕquals", "", ":StringEquals"])
def test_names_iam_does_not_define(name):
    assert parse_operator(name) is None


def test_arn_equals_takes_wildcards_like_arn_like():
    assert parse_operator("ArnEquals").base.kind is ValueKind.ARN
    assert parse_operator("ArnEquals").base.comparison == parse_operator("ArnLike").base.comparison
