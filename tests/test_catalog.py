"""The AWS-owned bucket catalog: exact names, region exceptions and suffixes, and sound data."""

import re

import pytest

from tui.policy.catalog import load_catalog
from tui.policy.identifiers import check_bucket_arn, known_regions


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


def test_entries_are_read_only_with_sources_and_known_groups():
    catalog = load_catalog()
    ids = [entry.id for entry in catalog.entries]
    assert len(ids) == len(set(ids))
    for required in ("al2023", "al2", "al1", "ssm-agent", "ssm-patching", "cloudwatch-agent", "codedeploy-agent",
                     "ecr-layers", "imagebuilder", "elastic-beanstalk", "cloudformation"):
        assert required in ids
    for entry in catalog.entries:
        assert entry.group in catalog.groups
        assert set(entry.actions) <= {"s3:GetObject", "s3:ListBucket"}
        assert re.match(r"https://", entry.source)
    assert catalog.defaults() == ["al2023", "al2", "ssm-agent"]
