"""The hand-offs: the SSM Automation runbook (registered in the emulator's SSM, its API steps checked against
botocore's service model, its script run against the emulator) and Terraform import blocks parsed by a real
HCL parser."""

import json
import os
import shlex

import botocore.session
import hcl2
import pytest
from botocore.validate import ParamValidator

from tui.aws.discovery import describe_endpoints, parse_policy
from tui.aws.org_sandbox import seed_organization
from tui.aws.sandbox import perimeter_policy
from tui.cli import main
from tui.policy.diff import same_policy
from tui.policy.engines import (
    DiscoveredEndpoint,
    ssm_automation_document,
    start_commands,
    terraform_import,
)
from tui.policy.errors import InputError

MODEL = botocore.session.get_session()


def unquoted(value):
    """python-hcl2 8 keeps the quotes of strings and keys; strip them for comparisons."""
    if isinstance(value, str):
        return value[1:-1] if len(value) >= 2 and value[0] == value[-1] == '"' else value
    if isinstance(value, list):
        return [unquoted(v) for v in value]
    if isinstance(value, dict):
        return {unquoted(k): unquoted(v) for k, v in value.items()}
    return value


def runbook(account: str, regions=("eu-west-1", "us-east-1")) -> dict:
    return ssm_automation_document({region: {"s3": perimeter_policy(account, region)} for region in regions})


def test_the_runbook_registers_in_the_emulators_ssm(conn):
    ssm = conn.client("ssm")
    content = json.dumps(runbook(conn.account_id))
    created = ssm.create_document(Content=content, Name="VpceWizard-EndpointPolicies", DocumentType="Automation", DocumentFormat="JSON")
    assert created["DocumentDescription"]["Status"] == "Active"
    assert json.loads(ssm.get_document(Name="VpceWizard-EndpointPolicies")["Content"])["schemaVersion"] == "0.3"


def test_api_steps_name_real_operations_inputs_and_outputs():
    document = runbook("111122223333")
    api_steps = [s for s in document["mainSteps"] if s["action"] == "aws:executeAwsApi"]
    assert api_steps
    for step in api_steps:
        inputs = dict(step["inputs"])
        operation = MODEL.get_service_model(inputs.pop("Service")).operation_model(inputs.pop("Api"))
        report = ParamValidator().validate(inputs, operation.input_shape)
        assert not report.has_errors(), report.generate_report()
        for output in step["outputs"]:
            top, _, leaf = output["Selector"].removeprefix("$.").partition("..")
            member = operation.output_shape.members[top]
            assert leaf in member.member.members, output
    script_step = next(s for s in document["mainSteps"] if s["action"] == "aws:executeScript")
    compile(script_step["inputs"]["Script"], "runbook", "exec")
    assert script_step["inputs"]["Handler"] == "handler" and script_step["inputs"]["Runtime"].startswith("python3")
    assert set(script_step["inputs"]["InputPayload"].values()) >= {"{{ global:REGION }}", "{{ global:ACCOUNT_ID }}"}


def test_the_start_command_matches_the_ssm_model():
    [create, start] = start_commands("VpceWizard-EndpointPolicies", "rb.json", ["ou-abcd-12345678", "111122223333"], ["eu-west-1", "us-east-1"],
                                     exclude=["444455556666"], max_concurrency="5", max_errors="10%")
    words = shlex.split(start)
    params = {
        "DocumentName": words[words.index("--document-name") + 1],
        "Parameters": json.loads(words[words.index("--parameters") + 1]),
        "TargetLocations": json.loads(words[words.index("--target-locations") + 1]),
    }
    shape = MODEL.get_service_model("ssm").operation_model("StartAutomationExecution").input_shape
    report = ParamValidator().validate(params, shape)
    assert not report.has_errors(), report.generate_report()
    [location] = params["TargetLocations"]
    assert location["TargetLocationMaxConcurrency"] == "5" and location["TargetLocationMaxErrors"] == "10%"
    assert location["IncludeChildOrganizationUnits"] is True and location["ExcludeAccounts"] == ["444455556666"]
    assert "create-document" in create and "file://rb.json" in create


def test_more_than_50_accounts_split_into_several_locations():
    accounts = [f"{n:012d}" for n in range(1, 121)]
    start = start_commands("Doc-1", "rb.json", accounts, ["eu-west-1"])[1]
    locations = json.loads(shlex.split(start)[shlex.split(start).index("--target-locations") + 1])
    assert [len(loc["Accounts"]) for loc in locations] == [50, 50, 20]


def run_script(document: dict, **events):
    namespace: dict = {}
    exec(compile(document["mainSteps"][1]["inputs"]["Script"], "runbook", "exec"), namespace)  # noqa: S102 - our own generated code
    payload = {"Region": "eu-west-1", "Account": "123456789012", "VpcId": "", "TagKey": "", "TagValue": "", "BackupBucket": "", "DryRun": False}
    return namespace["handler"]({**payload, **events}, None)


def test_the_runbook_script_applies_reads_back_and_records_in_the_emulator(aws_env, conn, s3):
    document = runbook(conn.account_id)
    policy = perimeter_policy(conn.account_id, "eu-west-1")
    dry = run_script(document, DryRun=True)
    assert [r["status"] for r in dry["results"]] == ["dry-run"]
    conn.client("s3").create_bucket(Bucket="policy-backups", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    done = run_script(document, BackupBucket="policy-backups")
    [result] = done["results"]
    assert result["status"] == "applied" and result["endpoint_id"] == s3 and done["changed"] == 1
    assert same_policy(parse_policy(result["previous_policy"]), {"Version": "2008-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]})
    assert same_policy(parse_policy(describe_endpoints(conn, "eu-west-1", [s3])[0]["PolicyDocument"]), policy)
    backup = conn.client("s3").get_object(Bucket="policy-backups", Key=f"vpce-wizard/123456789012/eu-west-1/{s3}.json")["Body"].read()
    assert backup.decode() == result["previous_policy"]
    again = run_script(document)
    assert [r["status"] for r in again["results"]] == ["unchanged"]  # compared by meaning, not as text
    assert run_script(document, VpcId="vpc-0123456789abcdef0")["results"] == []


def test_the_runbook_refuses_a_region_it_has_no_policies_for(aws_env):
    with pytest.raises(Exception, match="no policies for ap-south-1"):
        run_script(runbook("123456789012"), Region="ap-south-1")


def test_an_oversize_runbook_is_refused_with_advice():
    policy = perimeter_policy("111122223333", "eu-west-1")
    with pytest.raises(InputError, match="over SSM's 65,536: make one per region or per service"):
        ssm_automation_document({region: {f"s{n}": policy for n in range(20)} for region in ("eu-west-1", "us-east-1", "eu-central-1", "ap-south-1")})


def test_export_ssm_automation_writes_a_private_runbook_and_the_commands(tmp_path, capsys):
    out = tmp_path / "rb.json"
    assert main(["export", "--format", "ssm-automation", "--region", "eu-west-1", "--region", "us-east-1", "--account", "111122223333",
                 "--public-bucket", "al2023", "--ou", "ou-abcd-12345678", "-o", str(out)]) == 0
    assert os.stat(out).st_mode & 0o777 == 0o600
    script = json.loads(out.read_text())["mainSteps"][1]["inputs"]["Script"]
    assert "al2023-repos-us-east-1" in script and "al2023-repos-eu-west-1" in script  # each region its own buckets
    err = capsys.readouterr().err
    assert "aws ssm start-automation-execution" in err and '"Regions":["eu-west-1","us-east-1"]' in err


def test_export_without_regions_or_policies_is_one_line(capsys):
    assert main(["export", "--format", "ssm-automation", "--account", "111122223333"]) == 2
    assert capsys.readouterr().err.strip().startswith("error: give the regions")
    assert main(["export", "--format", "ssm-automation", "--region", "eu-west-1", "--ou", "ou-abcd-12345678"]) == 2
    assert "give the policies" in capsys.readouterr().err


def test_terraform_import_parses_with_hcl2_and_escapes_interpolation():
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "arn:aws:s3:::b-${x}/%{y}"}]}
    endpoints = [
        DiscoveredEndpoint("111122223333", "eu-west-1", "vpce-0123456789abcdef0", "s3", policy),
        DiscoveredEndpoint("444455556666", "eu-west-1", "vpce-0123456789abcdef1", "ecr.api", policy, "arn:aws:iam::444455556666:role/OrganizationAccountAccessRole"),
        DiscoveredEndpoint("444455556666", "us-east-1", "vpce-0123456789abcdef2", "s3", policy, "arn:aws:iam::444455556666:role/OrganizationAccountAccessRole"),
    ]
    text = terraform_import(endpoints)
    parsed = hcl2.loads(text)
    providers = [unquoted(p)["aws"] for p in parsed["provider"]]
    aliases = {unquoted(p["alias"]) for p in providers}
    assert len(providers) == 3 and len(aliases) == 3
    member = next(p for p in providers if unquoted(p["region"]) == "us-east-1")
    assert unquoted(member["allowed_account_ids"]) == ["444455556666"] and "OrganizationAccountAccessRole" in str(member["assume_role"])
    resources = unquoted(parsed["resource"][0])["aws_vpc_endpoint_policy"] | unquoted(parsed["resource"][1])["aws_vpc_endpoint_policy"] | unquoted(parsed["resource"][2])["aws_vpc_endpoint_policy"]
    for block in parsed["import"]:
        name = block["to"].removeprefix("${aws_vpc_endpoint_policy.").removesuffix("}")
        resource = resources[name]
        assert unquoted(resource["vpc_endpoint_id"]) == unquoted(block["id"]) and resource["provider"] == block["provider"]
        assert block["provider"].removeprefix("${aws.").removesuffix("}") in aliases
    assert "$${x}" in terraform_import(endpoints) and "%%{y}" in terraform_import(endpoints)


def test_export_terraform_import_covers_every_account_and_region(aws_env, capsys):
    org = seed_organization(aws_env.url, 2, ("eu-west-1", "us-east-1"))
    assert main(["export", "--format", "terraform-import", "--org", "--region", "eu-west-1", "--region", "us-east-1", "--service", "s3"]) == 0
    captured = capsys.readouterr()
    parsed = hcl2.loads(captured.out)
    ids = {unquoted(block["id"]) for block in parsed["import"]}
    expected = {eid for (account, region, service), eid in org.endpoints.items() if service == "s3"}
    expected |= {aws_env.endpoints[(r, "s3")] for r in ("eu-west-1", "us-east-1")}
    assert ids == expected
    assert len(parsed["provider"]) == 3 * 2
    assert "6 endpoint(s) in 6 account/region pair(s); 0 target(s) not reached" in captured.err


def test_export_ssm_automation_imports_neither_boto3_nor_textual(tmp_path):
    from test_import_boundaries import loaded_after

    argv = ["export", "--format", "ssm-automation", "--region", "eu-west-1", "--account", "111122223333", "--ou", "ou-abcd-12345678", "-o", str(tmp_path / "rb.json")]
    loaded = loaded_after(f"import contextlib, io\nfrom tui.cli import main\nwith contextlib.redirect_stderr(io.StringIO()):\n    main({argv!r})")
    assert not {"textual", "boto3", "botocore"} & loaded
