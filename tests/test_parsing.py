"""The one JSON reader (tui.policy.parsing), the ASCII-only identifiers, and the validator rules they feed."""

import json
import math

import pytest

from tui.policy.errors import InputError
from tui.policy.identifiers import (
    check_account_id,
    check_bucket_name,
    check_endpoint_id,
    check_org_id,
    normalise_pasted,
)
from tui.policy.parsing import (
    DUPLICATE_KEY,
    MAX_TEXT_BYTES,
    NON_FINITE_NUMBER,
    POLICY_MAX_DEPTH,
    Parsed,
    decode_utf8,
    parse_json,
    parse_policy,
    read_file_text,
    strict_json,
)
from tui.policy.validator import validate

STATEMENT = {"Sid": "A", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}


def policy(**changes) -> dict:
    statement = {key: value for key, value in {**STATEMENT, **changes}.items() if value is not None}
    return {"Version": "2012-10-17", "Statement": [statement]}


def codes(findings) -> set[str]:
    return {finding.code for finding in findings}


def errors_at(findings) -> dict[str, str]:
    return {finding.path: finding.code for finding in findings if finding.severity == "error"}


# --- parsing ---------------------------------------------------------------------------------------------


def test_duplicate_keys_are_reported_with_their_path_at_every_depth():
    text = ('{"Statement": [{"Effect": "Deny", "Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*",'
            ' "Condition": {"Bool": {"aws:SecureTransport": "true", "aws:SecureTransport": "false"}}}], "Statement": []}')
    parsed = parse_policy(text)
    assert [(a.code, a.path) for a in parsed.ambiguities] == [
        (DUPLICATE_KEY, "Statement"),
    ]  # the second Statement replaced the first, so its inner duplicates are gone from the document
    inner = parse_policy(text.rsplit(', "Statement": []', 1)[0] + "}")
    assert [a.path for a in inner.ambiguities] == ["Statement[0].Effect", "Statement[0].Condition.Bool.aws:SecureTransport"]
    assert inner.doc["Statement"][0]["Effect"] == "Allow"  # what Python's json would have applied silently


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e999", "-1e999", "9" * 4301, "-" + "1" * 5000])
def test_non_finite_numbers_are_ambiguities_not_values_or_crashes(number):
    parsed = parse_policy(f'{{"Statement": {{"Condition": {{"NumericLessThan": {{"s3:max-keys": [1, {number}]}}}}}}}}')
    (ambiguity,) = parsed.ambiguities
    assert ambiguity.code == NON_FINITE_NUMBER
    assert ambiguity.path == "Statement.Condition.NumericLessThan.s3:max-keys[1]"
    assert not math.isfinite(parsed.doc["Statement"]["Condition"]["NumericLessThan"]["s3:max-keys"][1])
    assert len(ambiguity.message) < 200  # a 5,000-digit number is not quoted whole


def test_integers_up_to_the_limit_stay_exact():
    assert parse_json("[%s]" % ("7" * 4300), "x", max_depth=1).value == [int("7" * 4300)]


def test_nesting_is_measured_before_parsing():
    assert parse_json("[" * POLICY_MAX_DEPTH + "]" * POLICY_MAX_DEPTH, "x", max_depth=POLICY_MAX_DEPTH).value
    with pytest.raises(InputError, match=r"nests deeper than 7 levels at line 2 column 7"):
        parse_policy('{"Statement":\n[[[[[[[]]]]]]]}')
    with pytest.raises(InputError, match="nests deeper"):
        parse_policy("[" * 200_000)  # no RecursionError


def test_brackets_inside_strings_do_not_count_as_nesting():
    parsed = parse_policy(json.dumps(policy(Sid="[{" * 1000 + '\\"[[[')))
    assert parsed.doc["Statement"][0]["Sid"].startswith("[{[{")


def test_text_over_the_limit_is_refused():
    with pytest.raises(InputError, match="reads at most"):
        parse_policy(" " * (MAX_TEXT_BYTES + 1))


def test_one_byte_order_mark_and_crlf_are_accepted_but_not_two_marks():
    text = json.dumps(policy(), indent=2).replace("\n", "\r\n")
    assert parse_policy("\ufeff" + text).doc == policy()
    with pytest.raises(InputError, match="not valid JSON"):
        parse_policy("\ufeff\ufeff" + text)


def test_not_utf8_names_the_byte():
    with pytest.raises(InputError, match=r"not UTF-8 text \(byte 0xe9 at offset 5\)"):
        decode_utf8(b'{"a":\xe9}', "policy file 'p'")


def test_strict_json_refuses_the_first_ambiguity_with_its_path():
    with pytest.raises(InputError, match=r"at 'accounts': key 'accounts' appears more than once"):
        strict_json('{"accounts": [], "accounts": ["1"]}', "answers file 'a'", max_depth=2)


@pytest.mark.parametrize("text", ["", "null", "[]", '"x"', "1", "{", "{'a': 1}", '{"a": 1} x'])
def test_what_is_not_a_json_object_is_an_input_error(text):
    with pytest.raises(InputError):
        parse_policy(text)


def test_files_are_read_bounded_and_only_when_regular(tmp_path):
    small = tmp_path / "p.json"
    small.write_bytes(b"\xef\xbb\xbf{}")
    assert read_file_text(small, "f") == "\ufeff{}"
    (tmp_path / "big.json").write_bytes(b" " * (MAX_TEXT_BYTES + 1))
    with pytest.raises(InputError, match="larger than 256 KiB"):
        read_file_text(tmp_path / "big.json", "f")
    with pytest.raises(InputError, match="is a directory"):
        read_file_text(tmp_path, "f")
    with pytest.raises(InputError, match="not a regular file"):
        read_file_text("/dev/zero", "f")
    with pytest.raises(InputError, match="the name holds a NUL byte"):
        read_file_text(tmp_path / "a\x00b.json", "f")


# --- identifiers -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("check", "value"), [
    (check_account_id, "１１１１２２２２３３３３"),
    (check_endpoint_id, "vpce-０１２３４５６７８９abcdef0"),
    (check_org_id, "ｏ-abcdefghij"),
    (check_bucket_name, "ｍｙ-bucket"),
])
def test_full_width_input_is_refused_with_a_message_that_says_so(check, value):
    with pytest.raises(InputError, match="full-width characters: type ASCII"):
        check(value)


@pytest.mark.parametrize("value", ["١١١١٢٢٢٢٣٣٣٣", "１１１１２２２２３３３3", "𝟏𝟏𝟏𝟏𝟐𝟐𝟐𝟐𝟑𝟑𝟑𝟑"[:11] + "3"])
def test_only_ascii_digits_are_digits(value):
    with pytest.raises(InputError):
        check_account_id(value)


def test_pasted_text_is_normalised_with_a_note_only_when_it_changes():
    assert normalise_pasted("１１１１２２２２３３３３, ｏ-abcdefghij") == (
        "111122223333, o-abcdefghij", "full-width characters were converted to ASCII (NFKC); check the values")
    assert normalise_pasted("111122223333") == ("111122223333", None)


# --- validator rules fed by the parser ------------------------------------------------------------------


def test_ambiguities_are_validator_errors():
    findings = validate(parse_policy('{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", '
                                     '"Action": "*", "Resource": "*", "Effect": "Allow", "Condition": '
                                     '{"NumericLessThan": {"s3:max-keys": NaN}}}]}'))
    assert errors_at(findings) == {
        "Statement[0].Effect": "duplicate-key",
        "Statement[0].Condition.NumericLessThan.s3:max-keys": "non-finite-number",
    }
    assert validate(json.dumps(policy())) == validate(Parsed(policy()))  # text and parsed agree


@pytest.mark.parametrize(("changes", "path", "code"), [
    ({"Sid": ["a"]}, "Statement[0].Sid", "schema"),
    ({"Sid": 1}, "Statement[0].Sid", "schema"),
    ({"Condition": []}, "Statement[0].Condition", "schema"),
    ({"Condition": {"StringEquals": "x"}}, "Statement[0].Condition.StringEquals", "schema"),
    ({"Sid": "\ud800"}, "Statement[0].Sid", "lone-surrogate"),
    ({"Condition": {"StringEquals": {"aws:PrincipalАccount": "111122223333"}}},
     "Statement[0].Condition.StringEquals.aws:PrincipalАccount", "non-ascii-condition-key"),
    ({"Condition": {"StringLi\u212ae": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/*"}}},
     "Statement[0].Condition.StringLi\u212ae", "non-ascii-condition-operator"),
    ({"Condition": {"StringEquals": {"aws:PrincipalAccount": ["111122223333", "１１１１２２２２３３３３"]}}},
     "Statement[0].Condition.StringEquals.aws:PrincipalAccount[1]", "non-ascii-identifier"),
    ({"Action": "s3GetObject"}, "Statement[0].Action", "bad-action"),
    ({"Action": ["s3:GetObject", "s3:Get Object"]}, "Statement[0].Action[1]", "bad-action"),
    ({"Action": None, "NotAction": "GetObject"}, "Statement[0].NotAction", "bad-action"),
    ({"Resource": "my-bucket/*"}, "Statement[0].Resource", "bad-resource"),
    ({"Resource": ["*", "arn:aws:s3"]}, "Statement[0].Resource[1]", "bad-resource"),
])
def test_grammar_errors_have_a_path(changes, path, code):
    assert errors_at(validate(policy(**changes))).get(path) == code


def test_a_duplicated_sid_list_is_a_schema_error_not_a_crash():
    doc = {"Version": "2012-10-17", "Statement": [policy(Sid=["a"])["Statement"][0]] * 2}
    assert errors_at(validate(doc)) == {"Statement[0].Sid": "schema", "Statement[1].Sid": "schema"}


@pytest.mark.parametrize(("action", "resource"), [
    ("*", "*"), ("s3:*", "arn:aws:s3:::b"), ("execute-api:Invoke", "arn:aws:execute-api:*:111122223333:api/*"),
    ("s3:Get*", "arn:aws:s3:::b/プレフィックス/*"), ("ec2:Describe?pcEndpoints", "arn:aws:ec2:*:aws:prefix-list/*"),
    ("ssm:GetParameter", "arn:aws:ssm:eu-west-1::parameter/aws/*"),
])
def test_real_actions_and_arns_pass(action, resource):
    assert not {"bad-action", "bad-resource"} & codes(validate(policy(Action=action, Resource=resource)))


def test_a_unicode_tag_key_in_a_condition_is_not_a_look_alike():
    """Tag keys may hold letters of any script; the key's name before the `/` must be ASCII."""
    doc = policy(Condition={"StringEquals": {"aws:ResourceTag/部署": "経理", "aws:PrincipalAccount": "111122223333"}})
    assert not [f for f in validate(doc) if f.severity == "error"]


def test_no_pattern_in_the_code_takes_digits_of_other_scripts():
    r"""`\d`, str.isdigit and friends accept `１２３` and `١٢٣`; AWS identifiers are ASCII, so the code says [0-9]
    (or checks isascii() alongside)."""
    import re
    from pathlib import Path

    package = Path(__file__).resolve().parent.parent / "tui"
    unicode_digits = re.compile(r"\\d|\.isdigit\(|\.isdecimal\(|\.isnumeric\(")
    offenders = [
        f"{path.relative_to(package)}:{number}"
        for path in package.rglob("*.py")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if unicode_digits.search(line.split("#", 1)[0]) and ".isascii()" not in line
    ]
    assert offenders == []


def test_a_stored_policy_that_cannot_be_parsed_is_told_apart_from_none():
    """The audit reports an unparseable stored policy as unreadable: the reason must reach it."""
    from tui.aws.discovery import parse_policy as parse_stored
    from tui.aws.discovery import stored_policy

    assert stored_policy(None) is None and stored_policy("") is None
    with pytest.raises(InputError, match="the stored policy nests deeper than 7 levels"):
        stored_policy("[" * 5000)
    with pytest.raises(InputError, match="not valid JSON"):
        stored_policy('{"Statement": NaN')
    parsed = stored_policy('{"Statement": [], "Statement": {"Effect": "Allow"}}')
    assert parsed.doc == {"Statement": {"Effect": "Allow"}} and parsed.ambiguities[0].code == DUPLICATE_KEY
    assert parse_stored("[" * 5000) is None and parse_stored('{"Statement": []}') == {"Statement": []}


def test_full_width_numbers_in_conditions_are_not_numbers():
    """float() reads `１０` as 10; the evaluator must not, or NumericLessThan would match where IAM does not."""
    from tui.policy.evaluator import Request, evaluate

    def decision(limit: str) -> str:
        doc = policy(Condition={"NumericLessThan": {"s3:max-keys": limit}})
        return evaluate(doc, Request("s3:GetObject", "arn:aws:s3:::b/k", {"s3:max-keys": "5"})).outcome

    assert decision("10") == "Allow"
    assert decision("１０") == decision("١٠") == "ImplicitDeny"
