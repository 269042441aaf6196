"""Renderers against golden files; set UPDATE_GOLDEN=1 to rewrite them after an intended change."""

import json
import os
from pathlib import Path

import pytest

from tui.policy.answers import Answers
from tui.policy.builder import build_policies
from tui.policy.errors import InputError
from tui.policy.renderers import FORMATS, render

GOLDEN = Path(__file__).parent / "golden"
ANSWERS = Answers(
    services=("s3", "ecr.api"),
    accounts=("111122223333", "444455556666"),
    resource_perimeter=True,
    public_buckets=("al2023", "ssm-agent"),
    region="eu-west-1",
).checked()
SUFFIX = {"json": "json", "json-min": "min.json", "terraform": "tf", "cloudformation": "yaml"}


@pytest.mark.parametrize("fmt", FORMATS)
def test_render_matches_golden(fmt):
    text = render(build_policies(ANSWERS), fmt)
    golden = GOLDEN / f"s3-ecr.{SUFFIX[fmt]}"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(text)
    assert text == golden.read_text()


def test_json_formats_parse_back_to_the_policies():
    policies = build_policies(ANSWERS)
    assert json.loads(render(policies, "json")) == policies
    assert json.loads(render(policies, "json-min")) == policies
    single = {"s3": policies["s3"]}
    assert json.loads(render(single, "json-min")) == policies["s3"]
    assert " " not in render(single, "json-min").strip()


def test_terraform_escapes_interpolation():
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*",
                                                      "Resource": "arn:aws:s3:::b/${aws:username}/*"}]}
    text = render({"s3": policy}, "terraform")
    assert "$${aws:username}" in text and "/${aws" not in text


def test_cloudformation_policy_reads_back_as_the_same_document():
    yaml = pytest.importorskip("yaml")
    policies = build_policies(ANSWERS)
    template = yaml.safe_load(render(policies, "cloudformation").replace("!Sub ", "").replace("!Ref ", ""))
    assert template["Resources"]["S3VpcEndpoint"]["Properties"]["PolicyDocument"] == policies["s3"]


def test_unknown_format_is_refused():
    with pytest.raises(InputError, match="unknown format"):
        render(build_policies(ANSWERS), "xml")
