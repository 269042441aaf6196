"""The AWS-owned bucket catalog: exact names, region exceptions and suffixes, and sound data."""

import copy
import re

import jsonschema
import pytest

from tui.policy.catalog import load_catalog
from tui.policy.identifiers import check_bucket_arn, known_regions
from tui.policy.templates import load_template


def test_ssm_distributor_bucket_region_exception():
    ssm = load_catalog().get("ssm-agent")
    assert "arn:aws:s3:::us-east-1-birdwatcher-prod/*" in ssm.arns("us-east-1")
    af = ssm.arns("af-south-1")
    assert "arn:aws:s3:::aws-ssm-distributor-file-af-south-1/*" in af
    assert not any("birdwatcher" in arn for arn in af)


def test_patch_manager_suffixes():
    patching = load_catalog().get("ssm-patching")
    assert "arn:aws:s3:::aws-patch-manager-us-east-1-1970c647d/*" in patching.arns("us-east-1")
    assert "arn:aws:s3:::patch-baseline-snapshot-me-south-1-uduvl7q8/*" in patching.arns("me-south-1")
    assert "arn:aws:s3:::patch-baseline-snapshot-eu-west-1/*" in patching.arns("eu-west-1")


def test_region_without_a_published_suffix_leaves_that_bucket_out():
    arns = load_catalog().get("ssm-patching").arns("mx-central-1")
    assert not any("aws-patch-manager-mx-central-1" in arn for arn in arns)
    assert "arn:aws:s3:::patch-baseline-snapshot-mx-central-1/*" in arns


def test_cloudformation_region_without_dashes():
    assert "arn:aws:s3:::cloudformation-custom-resource-response-uswest2/*" in load_catalog().get("cloudformation").arns("us-west-2")


@pytest.mark.parametrize("region", known_regions())
def test_every_entry_expands_to_exact_valid_arns_in_every_region(region):
    for entry in load_catalog().entries:
        for arn in entry.arns(region):
            assert "{" not in arn, arn
            check_bucket_arn(arn)
            bucket = arn.split(":::", 1)[1].split("/", 1)[0]
            assert "*" not in bucket and "?" not in bucket


def test_entries_are_read_only_unless_marked_as_writes_and_have_sources_and_known_groups():
    catalog = load_catalog()
    ids = [entry.id for entry in catalog.entries]
    assert len(ids) == len(set(ids))
    for required in ("al2023", "al2", "al1", "ssm-agent", "ssm-patching", "cloudwatch-agent", "codedeploy-agent",
                     "ecr-layers", "imagebuilder", "elastic-beanstalk", "cloudformation", "eks-binaries", "codeartifact",
                     "ssm-document-categories", "emr-logs", "registry-k8s-io"):
        assert required in ids
    for entry in catalog.entries:
        assert entry.group in catalog.groups
        if entry.write:
            assert not entry.default and "s3:PutObject" in entry.actions
        else:
            assert set(entry.actions) <= {"s3:GetObject", "s3:ListBucket"}
        assert all(re.match(r"https://", source) for source in entry.sources)
        assert re.fullmatch(r"20\d\d-\d\d-\d\d", entry.checked)
    assert catalog.defaults() == ["al2023", "al2", "ssm-agent"]


# --- the data files match their JSON Schemas (the schemas ship beside them) ------------------------------------

def _schema_check(data_name: str, schema_name: str, data=None) -> list[str]:
    schema = load_template(schema_name)
    jsonschema.Draft202012Validator.check_schema(schema)
    data = load_template(data_name) if data is None else data
    return [error.message for error in jsonschema.Draft202012Validator(schema).iter_errors(data)]


@pytest.mark.parametrize(("data_name", "schema_name"), [
    ("aws_owned_buckets.json", "aws_owned_buckets.schema.json"),
    ("services.json", "services.schema.json"),
])
def test_shipped_data_matches_its_schema(data_name, schema_name):
    assert _schema_check(data_name, schema_name) == []


def _catalog_with(**changes) -> dict:
    data = copy.deepcopy(load_template("aws_owned_buckets.json"))
    data["entries"][0].update(changes)
    return data


@pytest.mark.parametrize("changes", [
    {"resources": ["arn:{partition}:s3:::al2023-repos-*/*"]},  # a wildcard bucket name anyone could register
    {"checked": "last week"},
    {"source": "http://example.com/not-https"},
    {"actions": ["s3:PutObject"]},  # a write not marked as one
    {"write": True, "default": True, "actions": ["s3:PutObject"]},  # a write may never be a default
    {"owner": "someone"},
])
def test_schema_refuses_unsafe_or_unsourced_entries(changes):
    assert _schema_check("aws_owned_buckets.json", "aws_owned_buckets.schema.json", _catalog_with(**changes))


def test_schema_requires_a_checked_date():
    data = _catalog_with()
    del data["entries"][0]["checked"]
    assert any("checked" in message for message in _schema_check("aws_owned_buckets.json", "aws_owned_buckets.schema.json", data))


# --- the entries an EC2/EKS/ECS workload behind an S3 gateway endpoint needs ------------------------------------

def test_aws_ssm_bucket_has_another_name_in_me_south_1():
    ssm = load_catalog().get("ssm-agent")
    assert "arn:aws:s3:::aws-patch-manager-me-south-1-a53fc9dce/*" in ssm.arns("me-south-1")
    assert "arn:aws:s3:::aws-ssm-me-south-1/*" not in ssm.arns("me-south-1")
    assert "arn:aws:s3:::aws-ssm-eu-west-1/*" in ssm.arns("eu-west-1")


def test_distributor_file_bucket_only_in_cape_town_and_milan():
    ssm = load_catalog().get("ssm-agent")
    with_distributor = [r for r in known_regions() if any("aws-ssm-distributor-file-" in arn for arn in ssm.arns(r))]
    assert sorted(with_distributor) == ["af-south-1", "eu-south-1"]


def test_codeartifact_assets_bucket_is_per_region_account():
    codeartifact = load_catalog().get("codeartifact")
    assert codeartifact.arns("us-east-1") == ["arn:aws:s3:::assets-193858265520-us-east-1/*"]
    assert codeartifact.arns("ap-south-1") == ["arn:aws:s3:::assets-681137435769-ap-south-1/*"]
    assert codeartifact.arns("sa-east-1") == []  # not in the CodeArtifact guide's table: left out, not guessed


def test_eks_and_ssm_document_categories():
    catalog = load_catalog()
    assert catalog.get("eks-binaries").arns("us-west-2") == ["arn:aws:s3:::amazon-eks/*"]
    assert catalog.get("ssm-document-categories").arns("eu-west-1") == ["arn:aws:s3:::ssm-document-categories/*"]


def test_emr_log_bucket_is_a_write_named_differently_in_us_east_1():
    emr_logs = load_catalog().get("emr-logs")
    assert emr_logs.write and not emr_logs.default and emr_logs.actions == ("s3:PutObject",)
    assert emr_logs.arns("us-east-1") == ["arn:aws:s3:::aws157-logs-prod/*"]
    assert emr_logs.arns("eu-west-1") == ["arn:aws:s3:::aws157-logs-prod-eu-west-1/*"]


def test_registry_k8s_io_buckets_are_third_party_and_only_where_a_same_region_bucket_exists():
    k8s = load_catalog().get("registry-k8s-io")
    assert k8s.third_party and k8s.owner == "third-party" and k8s.group == "third-party"
    assert k8s.arns("us-east-2") == ["arn:aws:s3:::prod-registry-k8s-io-us-east-2/*"]
    assert k8s.arns("eu-west-2") == ["arn:aws:s3:::767373bbdcb8270361b96548387bf2a9ad0d48758c35-eu-west-2/*"]
    assert k8s.arns("me-south-1") == []  # served from me-central-1's bucket: a gateway endpoint cannot carry that
    assert all(not entry.third_party for entry in load_catalog().entries if entry.group != "third-party")


# --- the review says why risky entries are risky, only in the policies that carry them --------------------------

def _codes(service: str, **answers) -> list[str]:
    from tui.policy.answers import Answers
    from tui.policy.review import review_service

    answers = Answers(services=(service,), accounts=("111122223333",), region="eu-west-1", **answers).checked()
    return [finding.code for finding in review_service(answers, service).findings]


def test_review_warns_about_write_exceptions_and_third_party_buckets():
    codes = _codes("s3", public_buckets=("al2023", "emr-logs", "registry-k8s-io"))
    assert codes.count("write-exception") == 1 and codes.count("third-party-buckets") == 1
    assert "write-exception" not in _codes("s3", public_buckets=("al2023",))
    assert _codes("sts", public_buckets=("emr-logs",)) == []  # no bucket statement there, nothing to warn about


def test_logs_policies_warn_that_syslog_endpoints_drop_anonymous_traffic():
    from tui.policy.answers import Answers
    from tui.policy.review import review_service

    answers = Answers(services=("logs",), accounts=("111122223333",), region="eu-west-1").checked()
    caveats = [f.message for f in review_service(answers, "logs").findings if f.code == "service-caveat"]
    assert len(caveats) == 1 and "syslog" in caveats[0] and "CWL_Syslog_VPCEndpointPolicies" in caveats[0]


def test_docs_catalog_names_every_entry_with_its_source():
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / "docs" / "catalog.md").read_text()
    for entry in load_catalog().entries:
        assert f"`{entry.id}`" in text and entry.source in text, entry.id
