"""Session conventions, error translation and the sandbox's own lifecycle."""

import os

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, NoCredentialsError, NoRegionError

from tui.aws.errors import AwsError, translate
from tui.aws.session import AwsTarget, connect


def client_error(code: str, operation: str = "ModifyVpcEndpoint") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": f"the {code} text"}}, operation)


@pytest.mark.parametrize(
    ("exc", "words"),
    [
        (NoCredentialsError(), "aws sso login"),
        (NoRegionError(), "--region"),
        (EndpointConnectionError(endpoint_url="https://ec2.xx.amazonaws.com"), "cannot reach"),
        (client_error("ExpiredToken"), "expired"),
        (client_error("AccessDenied"), "docs/aws.md"),
        (client_error("UnauthorizedOperation"), "access denied to ModifyVpcEndpoint"),
        (client_error("RequestLimitExceeded"), "throttled"),
        (client_error("Throttling"), "throttled"),
        (client_error("InvalidVpcEndpointId.NotFound"), "check the endpoint ID and --region"),
        (client_error("InvalidVpcEndpointId.Malformed"), "vpce-0123456789abcdef0"),
        (client_error("SomethingNew"), "the SomethingNew text"),
    ],
)
def test_errors_become_one_line_advice(exc, words):
    message = str(translate(exc))
    assert isinstance(translate(exc), AwsError) and words in message and "\n" not in message


def test_secret_values_never_reach_messages(monkeypatch):
    monkeypatch.setattr("time.sleep", lambda seconds: None)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLESECRETID1")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "very/secret/key")
    with pytest.raises(AwsError) as caught:
        connect(AwsTarget(region="eu-west-1", endpoint_url="http://127.0.0.1:9"))
    assert "AKIA" not in str(caught.value) and "secret" not in str(caught.value)


def test_environment_conventions_and_label(sandbox, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_ENDPOINT_URL", sandbox.url)
    conn = connect(AwsTarget())
    assert (conn.region, conn.endpoint_url, conn.account_id) == ("us-east-1", sandbox.url, sandbox.account)
    assert conn.is_sandbox and conn.label == f"sandbox · us-east-1 · {sandbox.account}"
    assert conn.client("ec2") is conn.client("ec2") and conn.client("ec2", "eu-west-1") is not conn.client("ec2")
    assert conn.client("ec2").meta.config.retries["mode"] == "standard"


def test_profile_label(tmp_path, monkeypatch):
    import boto3

    from tui.aws.session import Connection

    credentials = tmp_path / "credentials"
    credentials.write_text("[prod]\naws_access_key_id = testing\naws_secret_access_key = testing\n")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    conn = Connection(boto3.Session(profile_name="prod"), AwsTarget(profile="prod"), "eu-west-1", None)
    conn.account_id = "111122223333"
    assert conn.label == "profile prod · eu-west-1 · 111122223333" and not conn.is_sandbox


def test_unknown_profile_is_one_line():
    with pytest.raises(AwsError, match="aws configure list-profiles"):
        connect(AwsTarget(profile="nope", region="eu-west-1"))


def test_sandbox_seeds_and_keeps_its_credentials_to_itself():
    from tui.aws.discovery import discover
    from tui.aws.sandbox import start_sandbox

    sandbox = start_sandbox()
    try:
        assert "AWS_ACCESS_KEY_ID" not in os.environ and "AWS_ENDPOINT_URL" not in os.environ
        conn = connect(sandbox.target())
        assert conn.label.startswith("sandbox · eu-west-1")
        assert len(sandbox.endpoints) == 16  # moto's state is per process: the test server's may be there too
        assert set(sandbox.endpoints.values()) <= {e.id for e in discover(conn, sandbox.regions)}
        assert f"export AWS_ENDPOINT_URL={sandbox.endpoint_url}" in sandbox.env_lines()
    finally:
        sandbox.stop()


def test_timestamps_are_left_as_aws_sent_them(conn):
    """Listing parses no timestamp (dateutil was a large part of a 2,000-endpoint listing's client time)."""
    endpoint = conn.client("ec2").describe_vpc_endpoints()["VpcEndpoints"][0]
    assert isinstance(endpoint["CreationTimestamp"], str) and endpoint["CreationTimestamp"][:2] == "20"
