"""Renderers against golden files; set UPDATE_GOLDEN=1 to rewrite them after an intended change."""

import json
import os
import re
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
    text = render(build_policies(ANSWERS), fmt, ANSWERS.region)
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
    template = yaml.safe_load(render(policies, "cloudformation", "eu-west-1").replace("!Sub ", "").replace("!Ref ", "").replace("!Equals ", ""))
    assert template["Resources"]["S3VpcEndpoint"]["Properties"]["PolicyDocument"] == policies["s3"]


def test_unknown_format_is_refused():
    with pytest.raises(InputError, match="unknown format"):
        render(build_policies(ANSWERS), "xml")


# --- CloudFormation: built for one region, and says so (the bucket names are per region) -------------------------

def test_cloudformation_refuses_to_deploy_outside_the_region_it_was_built_for():
    yaml = pytest.importorskip("yaml")
    text = render(build_policies(ANSWERS), "cloudformation", "eu-west-1")
    template = yaml.safe_load(text.replace("!Sub ", "").replace("!Ref ", "").replace("!Equals ", ""))
    [rule] = template["Rules"].values()
    assert rule["Assertions"][0]["Assert"] == ["AWS::Region", "eu-west-1"]
    assert "eu-west-1" in rule["Assertions"][0]["AssertDescription"] and "--region" in rule["Assertions"][0]["AssertDescription"]
    assert "eu-west-1 only" in template["Description"]


def test_cloudformation_needs_the_region():
    with pytest.raises(InputError, match="region"):
        render(build_policies(ANSWERS), "cloudformation")


def test_cloudformation_golden_passes_cfn_lint():
    """cfn-lint (installed with the sandbox extra) knows the template grammar, including refs inside Rules."""
    pytest.importorskip("cfnlint")
    import subprocess
    import sys

    cfn_lint = Path(sys.executable).with_name("cfn-lint")
    run = subprocess.run([str(cfn_lint), str(GOLDEN / "s3-ecr.yaml")], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr


# --- Terraform: the layout `terraform fmt` leaves unchanged ------------------------------------------------------
#
# How the golden file s3-ecr.tf was established (no terraform binary is available here, so no real
# `terraform fmt` run was made): `terraform fmt` formats with hclwrite.Format from github.com/hashicorp/hcl/v2
# (hclwrite/format.go). Its rules that matter here, read in that source:
#   - indent: two spaces per net open bracket on a line (`jsonencode({` opens one level, `})` closes it);
#   - spaceAfterToken: no space after `(`/`[` or before `)`/`]`/`,`; a space on BOTH sides of `:` (so object
#     keys read `"Version" : "2012-10-17"`);
#   - formatCells: the `=` of consecutive single-line attributes are aligned (`description =` / `type        =`);
#     a line whose value opens a multi-line expression (`policy = jsonencode({`) has no assign cell, so it ends
#     the chain and keeps one space.
# The golden file was then checked with the real formatter: tests/tools/hclfmt/main.go (hclwrite.Format, built
# against Debian's golang-github-hashicorp-hcl-v2-dev 2.14.1) printed it unchanged. test_golden_terraform_is_
# hclwrite_formatted repeats that check wherever Go and that package are installed, and is skipped elsewhere.

HCL_SOURCE = Path("/usr/share/gocode/src/github.com/hashicorp/hcl/v2/hclwrite/format.go")


def test_golden_terraform_follows_hclwrite_rules():
    lines = (GOLDEN / "s3-ecr.tf").read_text().splitlines()
    assert all((len(line) - len(line.lstrip(" "))) % 2 == 0 and "\t" not in line for line in lines)
    assert '  description = "ID of the s3 VPC endpoint (vpce-...)"' in lines and "  type        = string" in lines
    assert "  policy = jsonencode({" in lines and "  })" in lines
    keys = [line for line in lines if re.match(r'\s*"[^"]*" : ', line)]
    assert len(keys) > 10 and not any(re.match(r'\s*"[^"]*":', line) for line in lines)


def test_golden_terraform_parses_as_hcl_and_carries_the_policies():
    hcl2 = pytest.importorskip("hcl2")
    data = hcl2.loads((GOLDEN / "s3-ecr.tf").read_text())
    policies = build_policies(ANSWERS)
    resources = {name.strip('"'): body for block in data["resource"] for kind in block.values() for name, body in kind.items()}
    assert set(resources) == {"s3", "ecr_api"}
    for name, service in (("s3", "s3"), ("ecr_api", "ecr.api")):
        expression = resources[name]["policy"]
        assert expression.startswith("${jsonencode(") and expression.endswith(")}")
        as_json = expression[len("${jsonencode("):-2].replace('" = ', '": ')
        assert json.loads(as_json) == policies[service]


def test_golden_terraform_is_hclwrite_formatted(tmp_path):
    """The formatter terraform fmt uses leaves the golden file unchanged (needs Go and Debian's hcl v2 source)."""
    import shutil
    import subprocess

    go = shutil.which("go")
    if not go or not HCL_SOURCE.exists():
        pytest.skip("Go and golang-github-hashicorp-hcl-v2-dev are not installed")
    binary = tmp_path / "hclfmt"
    env = {**os.environ, "GO111MODULE": "off", "GOPATH": "/usr/share/gocode", "GOFLAGS": ""}
    subprocess.run([go, "build", "-o", str(binary), "."], cwd=Path(__file__).parent / "tools" / "hclfmt", env=env, check=True, timeout=300)
    golden = (GOLDEN / "s3-ecr.tf").read_bytes()
    assert subprocess.run([str(binary)], input=golden, capture_output=True, check=True, timeout=60).stdout == golden
