"""The endpoint-policy validator: each rule fires on the mistake it names and stays quiet on sound policies."""

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from tui.policy.documents import MAX_POLICY_CHARS, minify, policy_size, pretty
from tui.policy.templates import load_template
from tui.policy.validator import ERROR, INFO, SCHEMA_TEMPLATE, WARNING, Finding, has_errors, validate

ACCOUNT = "111122223333"
OTHER_ACCOUNT = "444455556666"
ORG = "o-a1b2c3d4e5"


def allow(**elements) -> dict:
    """A perimeter-style statement: Principal "*", everything, narrowed by whatever is passed."""
    return {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*", **elements}


def policy(*statements: dict, version: str | None = "2012-10-17") -> dict:
    doc = {"Version": version} if version else {}
    doc["Statement"] = list(statements)
    return doc


def account_condition(*accounts: str) -> dict:
    return {"StringEquals": {"aws:PrincipalAccount": list(accounts) if len(accounts) > 1 else accounts[0]}}


def codes(doc_or_text) -> list[str]:
    return [finding.code for finding in validate(doc_or_text)]


def only(doc_or_text, code: str) -> Finding:
    """The one finding with that code; fails if there are none or several."""
    matches = [finding for finding in validate(doc_or_text) if finding.code == code]
    assert len(matches) == 1, validate(doc_or_text)
    return matches[0]


# --- sound policies -------------------------------------------------------------------------------------

AWS_DEFAULT = {"Version": "2008-10-17",
               "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}
SEED_ARTICLE = policy(allow(Condition=account_condition(ACCOUNT)))
MULTI_ACCOUNT = policy(allow(Condition={"StringEquals": {"aws:PrincipalAccount": [ACCOUNT, OTHER_ACCOUNT],
                                                         "aws:ResourceAccount": [ACCOUNT, OTHER_ACCOUNT]}}))
ORG_PERIMETER = policy(
    allow(Sid="AllowRequestsByOrgsIdentitiesToOrgsResources",
          Condition={"StringEquals": {"aws:PrincipalOrgID": ORG, "aws:ResourceOrgID": ORG}}),
    allow(Sid="AllowRequestsByAWSServicePrincipals", Condition={"Bool": {"aws:PrincipalIsAWSService": "true"}}),
)
DENY_STYLE = policy(
    allow(Sid="AllowAll"),
    {"Sid": "DenyOutsideIdentities", "Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*",
     "Condition": {"StringNotEquals": {"aws:PrincipalAccount": [ACCOUNT, OTHER_ACCOUNT]}}},
    {"Sid": "DenyOutsideResources", "Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*",
     "Condition": {"StringNotEqualsIfExists": {"aws:ResourceOrgID": ORG},
                   "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}},
)
S3_DATA_PERIMETER = policy(
    allow(Sid="AllowRequestsByOrgsIdentitiesToOrgsResources",
          Condition={"StringEquals": {"aws:PrincipalOrgID": ORG, "aws:ResourceOrgID": ORG}}),
    allow(Sid="AllowRequestsToAWSOwnedResources", Action="s3:GetObject", Resource=[
        "arn:aws:s3:::al2023-repos-eu-west-1-de612dc2/*",
        "arn:aws:s3:::amazonlinux-2-repos-eu-west-1/*",
        "arn:aws:s3:::aws-ssm-eu-west-1/*",
        "arn:aws:s3:::prod-eu-west-1-starport-layer-bucket/*",
    ]),
    allow(Sid="AllowRequestsByOrgsIdentitiesToAnyResources", Condition={
        "StringEquals": {"aws:PrincipalOrgID": ORG, "aws:PrincipalTag/dp:exclude:resource": "true"}}),
    allow(Sid="AllowOrgPaths", Condition={
        "ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": f"{ORG}/r-ab12/ou-ab12-11111111/*"}}),
)


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        (AWS_DEFAULT, ["full-access", "old-version"]),
        (SEED_ARTICLE, []),
        (MULTI_ACCOUNT, []),
        (ORG_PERIMETER, []),
        (DENY_STYLE, []),
        (S3_DATA_PERIMETER, []),
    ],
    ids=["aws-default", "seed-article", "multi-account", "org-perimeter", "deny-style", "s3-data-perimeter"],
)
def test_sound_policies_give_no_error(doc, expected):
    assert codes(doc) == expected


def test_text_gives_the_same_findings_as_the_document():
    assert validate(pretty(AWS_DEFAULT)) == validate(AWS_DEFAULT)
    assert validate(minify(S3_DATA_PERIMETER)) == []


def test_the_schema_is_a_valid_draft_2020_12_schema():
    Draft202012Validator.check_schema(load_template(SCHEMA_TEMPLATE))


# --- text and shape -------------------------------------------------------------------------------------


def test_text_that_is_not_json_is_one_finding_not_an_exception():
    findings = validate('{"Version": "2012-10-17", "Statement": [')
    assert [(finding.severity, finding.code) for finding in findings] == [("error", "json-syntax")]
    assert "line 1" in findings[0].message


def test_json_that_is_not_an_object_is_refused():
    assert codes("[]") == ["json-syntax"]


@pytest.mark.parametrize(
    ("statement", "path"),
    [
        (allow(Actions="*"), "Statement[0]"),
        (allow(Action=7), "Statement[0].Action"),
        (allow(Resource=["arn:aws:s3:::bucket", None]), "Statement[0].Resource[1]"),
        (allow(Principal={"AWS": ACCOUNT, "Everyone": "*"}), "Statement[0].Principal"),
        (allow(Condition={"StringEquals": {"aws:PrincipalAccount": [ACCOUNT, {"not": "a value"}]}}),
         "Statement[0].Condition.StringEquals.aws:PrincipalAccount[1]"),
        (allow(Condition={"StringEquals": ACCOUNT}), "Statement[0].Condition.StringEquals"),
    ],
    ids=["unknown-element", "action-not-string", "resource-item-not-string", "unknown-principal-type",
         "condition-item-not-scalar", "condition-block-not-object"],
)
def test_schema_errors_point_at_the_element(statement, path):
    finding = only(policy(statement), "schema")
    assert (finding.severity, finding.path) == ("error", path)


def test_one_statement_object_is_accepted_and_located_without_index():
    assert validate({"Version": "2012-10-17", "Statement": allow(Condition=account_condition(ACCOUNT))}) == []
    assert only({"Version": "2012-10-17", "Statement": allow(Action=7)}, "schema").path == "Statement.Action"


def test_an_empty_statement_list_is_refused():
    assert only(policy(), "schema").path == "Statement"


def test_a_policy_without_statement_is_refused():
    assert "Statement" in only({"Version": "2012-10-17"}, "schema").message


@pytest.mark.parametrize("version", ["2012-10-18", "2012-10-17 ", 2012])
def test_bad_version(version):
    finding = only({"Version": version, "Statement": [allow(Condition=account_condition(ACCOUNT))]}, "bad-version")
    assert (finding.severity, finding.path) == ("error", "Version")


@pytest.mark.parametrize("effect", ["allow", "Permit", None])
def test_bad_effect(effect):
    finding = only(policy(allow(Effect=effect, Condition=account_condition(ACCOUNT))), "bad-effect")
    assert (finding.severity, finding.path) == ("error", "Statement[0].Effect")


def test_missing_effect_is_a_bad_effect_on_the_statement():
    statement = allow(Condition=account_condition(ACCOUNT))
    del statement["Effect"]
    finding = only(policy(statement), "bad-effect")
    assert finding.path == "Statement[0]"
    assert finding.message.startswith("Effect is missing")


@pytest.mark.parametrize("principal", ["arn:aws:iam::111122223333:root", ACCOUNT, 1])
def test_bad_principal(principal):
    finding = only(policy(allow(Principal=principal, Condition=account_condition(ACCOUNT))), "bad-principal")
    assert (finding.severity, finding.path) == ("error", "Statement[0].Principal")


# --- principal ------------------------------------------------------------------------------------------


def test_missing_principal():
    statement = allow(Condition=account_condition(ACCOUNT))
    del statement["Principal"]
    finding = only(policy(statement), "missing-principal")
    assert (finding.severity, finding.path) == ("error", "Statement[0]")


def test_not_principal_is_refused():
    statement = allow(NotPrincipal={"AWS": f"arn:aws:iam::{ACCOUNT}:role/Admin"})
    del statement["Principal"]
    finding = only(policy(statement), "not-principal")
    assert (finding.severity, finding.path) == ("error", "Statement[0].NotPrincipal")
    assert "missing-principal" not in codes(policy(statement))


@pytest.mark.parametrize(
    "principal",
    [{"AWS": ACCOUNT}, {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, {"AWS": f"arn:aws-us-gov:iam::{ACCOUNT}:root"}],
)
def test_account_principal_warns_about_the_gateway_root_user_quirk(principal):
    finding = only(policy(allow(Principal=principal, Condition=account_condition(ACCOUNT))), "account-principal")
    assert finding.severity == "warning"
    assert "root user" in finding.message


def test_account_principal_in_a_list_is_located_by_index():
    principal = {"AWS": [f"arn:aws:iam::{ACCOUNT}:role/Reader", OTHER_ACCOUNT]}
    assert only(policy(allow(Principal=principal)), "account-principal").path == "Statement[0].Principal.AWS[1]"


@pytest.mark.parametrize(
    "principal",
    [{"AWS": f"arn:aws:iam::{ACCOUNT}:role/Reader"}, {"AWS": "*"}, {"Service": "ec2.amazonaws.com"}],
)
def test_role_wildcard_and_service_principals_are_no_account_principal(principal):
    assert "account-principal" not in codes(policy(allow(Principal=principal, Condition=account_condition(ACCOUNT))))


# --- Action / Resource ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("element", "code"), [("Action", "action-and-not-action"), ("Resource", "resource-and-not-resource")]
)
def test_element_and_its_negation_together_are_refused(element, code):
    statement = allow(Condition=account_condition(ACCOUNT), **{f"Not{element}": "s3:PutObject"})
    finding = only(policy(statement), code)
    assert (finding.severity, finding.path) == ("error", f"Statement[0].Not{element}")


@pytest.mark.parametrize(("element", "code"), [("Action", "missing-action"), ("Resource", "missing-resource")])
def test_element_missing_is_refused(element, code):
    statement = allow(Condition=account_condition(ACCOUNT))
    del statement[element]
    finding = only(policy(statement), code)
    assert (finding.severity, finding.path) == ("error", "Statement[0]")


def test_negated_elements_alone_are_accepted():
    statement = {"Effect": "Deny", "Principal": "*", "NotAction": ["s3:GetObject"],
                 "NotResource": "arn:aws:s3:::logs/*"}
    assert validate(policy(allow(Condition=account_condition(ACCOUNT)), statement)) == []


# --- conditions -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "operator",
    ["StringEquals", "StringNotEqualsIfExists", "StringEqualsIgnoreCase", "StringNotLike", "ForAnyValue:StringLike",
     "ForAllValues:StringNotEquals", "NumericLessThanEquals", "NumericGreaterThanIfExists", "DateGreaterThan",
     "DateLessThanEqualsIfExists", "Bool", "BoolIfExists", "BinaryEquals", "IpAddress", "NotIpAddressIfExists",
     "ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLikeIfExists", "Null", "stringequals", "foranyvalue:StringLike"],
)
def test_known_condition_operators_are_accepted(operator):
    statement = allow(Condition={operator: {"s3:prefix": "reports/2024"}, **account_condition(ACCOUNT)})
    assert "unknown-condition-operator" not in codes(policy(statement))


@pytest.mark.parametrize(
    "operator",
    ["StringEqual", "StringEqualsIfExist", "NullIfExists", "IfExists", "ForSomeValues:StringEquals",
     "ForAnyValue:", "StringMatches", "Arn:ArnLike"],
)
def test_unknown_condition_operators_are_refused(operator):
    statement = allow(Condition={operator: {"s3:prefix": "reports/2024"}, **account_condition(ACCOUNT)})
    finding = only(policy(statement), "unknown-condition-operator")
    assert (finding.severity, finding.path) == ("error", f"Statement[0].Condition.{operator}")


def test_null_if_exists_says_why():
    statement = allow(Condition={"NullIfExists": {"aws:PrincipalOrgID": "false"}, **account_condition(ACCOUNT)})
    assert "Null takes no IfExists" in only(policy(statement), "unknown-condition-operator").message


SENSITIVE_KEY_SPELLINGS = ["aws:PrincipalAccount", "aws:PrincipalOrgID", "aws:ResourceAccount", "aws:ResourceOrgID",
                  "aws:SourceAccount", "aws:SourceOrgID", "aws:SourceVpc", "aws:SourceVpce", "aws:VpceAccount",
                  "aws:VpceOrgID", "AWS:PRINCIPALACCOUNT", "aws:principalorgid"]


@pytest.mark.parametrize("key", SENSITIVE_KEY_SPELLINGS)
@pytest.mark.parametrize("operator", ["StringLike", "StringEquals"])
def test_wildcards_on_sensitive_keys_are_refused(key, operator):
    statement = allow(Condition={operator: {key: [ACCOUNT, "1111222233*", "o-a1b2c3d4e?"]}})
    findings = [finding for finding in validate(policy(statement)) if finding.code == "wildcard-in-sensitive-key"]
    assert [(finding.severity, finding.path) for finding in findings] == [
        ("error", f"Statement[0].Condition.{operator}.{key}[1]"),
        ("error", f"Statement[0].Condition.{operator}.{key}[2]"),
    ]


@pytest.mark.parametrize("key", SENSITIVE_KEY_SPELLINGS)
def test_exact_values_on_sensitive_keys_are_accepted(key):
    assert validate(policy(allow(Condition={"StringEquals": {key: [ACCOUNT, ORG, "vpc-0123456789abcdef0"]}}))) == []


def test_numeric_operators_on_sensitive_keys_are_refused():
    statement = allow(Condition={"NumericEquals": {"aws:PrincipalAccount": 111122223333}})
    finding = only(policy(statement), "numeric-operator-on-sensitive-key")
    assert (finding.severity, finding.path) == ("error", "Statement[0].Condition.NumericEquals.aws:PrincipalAccount")


def test_numeric_operators_on_other_keys_are_accepted():
    statement = allow(Condition={"NumericLessThanEquals": {"s3:max-keys": "10"}, **account_condition(ACCOUNT)})
    assert validate(policy(statement)) == []


@pytest.mark.parametrize(
    "value",
    ["*", "ab*", "abc*def", "abcde?", "reports/*x*", "*ab*cdefgh"],
)
def test_wildcards_need_six_literal_characters(value):
    statement = allow(Condition={"StringLike": {"s3:prefix": value}, **account_condition(ACCOUNT)})
    finding = only(policy(statement), "wildcard-needs-literals")
    assert (finding.severity, finding.path) == ("error", "Statement[0].Condition.StringLike.s3:prefix")


@pytest.mark.parametrize(
    "value",
    ["abcdef*", "*abcdef", "reports/*", "arn:aws:iam::*:role/admin-*", "home/abcdef?", "abc${*}de*"],
)
def test_wildcards_with_six_literal_characters_are_accepted(value):
    statement = allow(Condition={"StringNotLike": {"aws:PrincipalArn": value}, **account_condition(ACCOUNT)})
    assert validate(policy(statement)) == []


def test_six_literal_rule_checks_each_value_of_a_list_and_set_operators():
    statement = allow(Condition={"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": [f"{ORG}/r-ab12/*", "o-*"]},
                                 **account_condition(ACCOUNT)})
    assert only(policy(statement), "wildcard-needs-literals").path == (
        "Statement[0].Condition.ForAnyValue:StringLike.aws:PrincipalOrgPaths[1]")


def test_stars_in_non_pattern_operators_are_no_wildcards():
    statement = allow(Condition={"StringEquals": {"s3:prefix": "*"}, **account_condition(ACCOUNT)})
    assert validate(policy(statement)) == []


def test_for_all_values_on_a_single_valued_key_in_an_allow_warns():
    statement = allow(Condition={"ForAllValues:StringEquals": {"aws:PrincipalAccount": [ACCOUNT]}})
    finding = only(policy(statement), "for-all-values-single-valued")
    assert (finding.severity, finding.path) == (
        "warning", "Statement[0].Condition.ForAllValues:StringEquals.aws:PrincipalAccount")


@pytest.mark.parametrize(
    "statement",
    [
        {"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*",
         "Condition": {"ForAllValues:StringNotEquals": {"aws:PrincipalAccount": [ACCOUNT]}}},
        allow(Condition={"ForAllValues:StringLike": {"aws:PrincipalOrgPaths": [f"{ORG}/r-ab12/*"]}}),
        allow(Condition={"ForAnyValue:StringEquals": {"aws:PrincipalAccount": [ACCOUNT]}}),
    ],
    ids=["deny", "multivalued-key", "for-any-value"],
)
def test_for_all_values_elsewhere_is_quiet(statement):
    assert "for-all-values-single-valued" not in codes(policy(statement))


# --- statements and the document ------------------------------------------------------------------------


def test_duplicate_sids_are_refused():
    doc = policy(allow(Sid="Trusted", Condition=account_condition(ACCOUNT)),
                 allow(Sid="Trusted", Condition=account_condition(OTHER_ACCOUNT)))
    finding = only(doc, "duplicate-sid")
    assert (finding.severity, finding.path) == ("error", "Statement[1].Sid")


def test_distinct_sids_are_accepted():
    doc = policy(allow(Sid="Trusted", Condition=account_condition(ACCOUNT)),
                 allow(Sid="trusted", Condition=account_condition(OTHER_ACCOUNT)))
    assert validate(doc) == []


def perimeter_of_size(size: int) -> dict:
    """A sound perimeter padded with an Id to exactly `size` minified characters."""
    accounts = [f"{index:012d}" for index in range(1, size // 16)]
    doc = {"Version": "2012-10-17", "Id": "", "Statement": [allow(Condition=account_condition(*accounts))]}
    doc["Id"] = "x" * (size - policy_size(doc))
    assert policy_size(doc) == size
    return doc


def test_a_policy_over_the_limit_is_refused_with_its_size():
    finding = only(perimeter_of_size(MAX_POLICY_CHARS + 1), "policy-too-large")
    assert (finding.severity, finding.path) == ("error", "")
    assert "20,481" in finding.message and "20,480" in finding.message


def test_a_policy_at_the_limit_is_accepted():
    assert validate(perimeter_of_size(MAX_POLICY_CHARS)) == []


def test_size_is_counted_minified_not_as_typed():
    doc = perimeter_of_size(MAX_POLICY_CHARS - 10)
    assert len(pretty(doc)) > MAX_POLICY_CHARS
    assert validate(pretty(doc)) == []


def test_missing_version_warns():
    finding = only(policy(allow(Condition=account_condition(ACCOUNT)), version=None), "missing-version")
    assert (finding.severity, finding.path) == ("warning", "")


def test_old_version_is_information_only():
    finding = only(policy(allow(Condition=account_condition(ACCOUNT)), version="2008-10-17"), "old-version")
    assert (finding.severity, finding.path) == ("info", "Version")
    assert not has_errors(validate(policy(allow(Condition=account_condition(ACCOUNT)), version="2008-10-17")))


# --- perimeter holes ------------------------------------------------------------------------------------


@pytest.mark.parametrize("principal", ["*", {"AWS": "*"}])
def test_full_access_warns(principal):
    finding = only(policy(allow(Principal=principal, Action=["s3:GetObject", "*"])), "full-access")
    assert (finding.severity, finding.path) == ("warning", "Statement[0]")


@pytest.mark.parametrize(
    "doc",
    [
        policy(allow(Condition=account_condition(ACCOUNT))),
        policy(allow(Action="s3:*")),
        policy(allow(Resource="arn:aws:s3:::my-bucket-123/*")),
        policy(allow(Principal={"AWS": f"arn:aws:iam::{ACCOUNT}:role/Reader"})),
        DENY_STYLE,
    ],
    ids=["conditioned", "some-actions", "some-resources", "one-role", "deny-guarded"],
)
def test_narrowed_allows_are_no_full_access(doc):
    assert "full-access" not in codes(doc)


@pytest.mark.parametrize("arn", ["arn:aws:s3:::al2023-repos-*/*", "arn:aws:s3:::aws-ssm-?????????/*", "arn:aws:s3:::*"])
def test_wildcard_bucket_in_an_unconditioned_allow_warns(arn):
    statement = allow(Action="s3:GetObject", Resource=["arn:aws:s3:::aws-ssm-eu-west-1/*", arn])
    finding = only(policy(statement), "wildcard-bucket")
    assert (finding.severity, finding.path) == ("warning", "Statement[0].Resource[1]")
    assert "anyone can create" in finding.message


@pytest.mark.parametrize(
    "statement",
    [
        allow(Action="s3:GetObject", Resource="arn:aws:s3:::aws-ssm-eu-west-1/*"),
        allow(Action="s3:GetObject", Resource="arn:aws:s3:::aws-ssm-eu-west-1/patch-*"),
        allow(Action="s3:GetObject", Resource="arn:aws:s3:::data-*/*", Condition=account_condition(ACCOUNT)),
        {"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::*"},
    ],
    ids=["exact", "key-wildcard", "conditioned", "deny"],
)
def test_exact_conditioned_or_denied_buckets_are_quiet(statement):
    assert "wildcard-bucket" not in codes(policy(statement))


def test_list_bucket_on_object_arns_only_warns():
    statement = allow(Action=["s3:GetObject", "s3:ListBucket"],
                      Resource=["arn:aws:s3:::aws-ssm-eu-west-1/*", "arn:aws:s3:::amazonlinux-2-repos-eu-west-1/*"])
    finding = only(policy(statement), "list-bucket-on-objects")
    assert (finding.severity, finding.path) == ("warning", "Statement[0].Action[1]")


@pytest.mark.parametrize(
    "resource",
    [["arn:aws:s3:::aws-ssm-eu-west-1", "arn:aws:s3:::aws-ssm-eu-west-1/*"], "*"],
    ids=["with-bucket-arn", "everything"],
)
def test_list_bucket_with_a_bucket_arn_is_quiet(resource):
    statement = allow(Action=["s3:GetObject", "s3:listbucket"], Resource=resource, Condition=account_condition(ACCOUNT))
    assert "list-bucket-on-objects" not in codes(policy(statement))


# --- the API --------------------------------------------------------------------------------------------


def test_has_errors_only_counts_errors():
    assert has_errors([Finding(ERROR, "schema", "", {"detail": "x"})])
    assert not has_errors([Finding(WARNING, "full-access", ""), Finding(INFO, "old-version", "Version")])
    assert not has_errors([])


def test_findings_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        Finding(ERROR, "schema", "", {"detail": "x"}).code = "other"


def test_errors_come_before_warnings_and_information():
    doc = {"Version": "2008-10-17", "Statement": [allow(Principal={"AWS": ACCOUNT}, Sid="A"), allow(Sid="A")]}
    assert [finding.severity for finding in validate(doc)] == ["error", "warning", "warning", "info"]


# --- property -------------------------------------------------------------------------------------------

account_ids = st.integers(min_value=0, max_value=10**12 - 1).map(lambda number: f"{number:012d}")
org_ids = st.from_regex(r"o-[a-z0-9]{10,32}", fullmatch=True)


@st.composite
def perimeter_policies(draw) -> dict:
    """What a careful engineer writes: accounts and/or orgs on both sides, exact AWS-owned bucket ARNs."""
    accounts = draw(st.lists(account_ids, min_size=1, max_size=40, unique=True))
    orgs = draw(st.lists(org_ids, max_size=3, unique=True))
    one_or_many = st.sampled_from([lambda values: values, lambda values: values[0] if len(values) == 1 else values])
    shape = draw(one_or_many)
    statements = [allow(Sid="TrustedAccounts", Condition={"StringEquals": {
        "aws:PrincipalAccount": shape(accounts), "aws:ResourceAccount": shape(accounts)}})]
    if orgs:
        statements.append(allow(Sid="TrustedOrgs", Condition={"StringEquals": {
            "aws:PrincipalOrgID": shape(orgs), "aws:ResourceOrgID": shape(orgs)}}))
    if draw(st.booleans()):
        region = draw(st.sampled_from(["us-east-1", "eu-west-1", "ap-southeast-2"]))
        statements.append(allow(Sid="AWSOwnedBuckets", Action="s3:GetObject",
                                Resource=[f"arn:aws:s3:::al2023-repos-{region}-de612dc2/*",
                                          f"arn:aws:s3:::aws-ssm-{region}/*"]))
    return policy(*statements, version=draw(st.sampled_from(["2012-10-17", "2008-10-17"])))


@settings(max_examples=200, deadline=None)
@given(perimeter_policies())
def test_perimeter_policies_give_no_error(doc):
    findings = validate(doc)
    assert not has_errors(findings), findings
    assert {finding.code for finding in findings} <= {"old-version"}
    assert validate(minify(doc)) == findings
