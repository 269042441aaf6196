"""CLI inputs that used to hang, crash or leak: a busy sandbox port, a region that does not exist before the
wizard opens, and endpoint URLs carrying a password or a token (never echoed)."""

import json
import socket
import threading
import time

import pytest

from tui.aws.session import AwsTarget, Connection
from tui.cli import main

SECRET_URL_PARTS = ("s3cr3t", "token=", "abc123")


def run_with_deadline(argv, seconds=15.0):
    """main(argv) in a thread: a hang is a failure here, not a stuck test run."""
    result = {}
    worker = threading.Thread(target=lambda: result.setdefault("code", main(argv)), daemon=True)
    started = time.monotonic()
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), f"{argv} still running after {seconds} s"
    return result["code"], time.monotonic() - started


def last_error(capsys) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return err.strip().splitlines()[-1]


def test_sandbox_on_a_busy_port_is_an_error_within_seconds(capsys):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code, seconds = run_with_deadline(["sandbox", "--port", str(port)])
    assert code == 2 and seconds < 5
    assert last_error(capsys) == f"error: cannot listen on 127.0.0.1:{port} (Address already in use): pick another --port, or leave it out for a free one"


def test_sandbox_port_out_of_range(capsys):
    code, _ = run_with_deadline(["sandbox", "--port", "70000"])
    assert code == 2 and "not between 0 and 65535" in last_error(capsys)


@pytest.mark.parametrize("argv", [["--region", "mars-1"], ["--sandbox", "--region", "ap-south-9"]])
def test_the_wizard_refuses_a_region_that_does_not_exist_before_it_opens(argv, capsys, monkeypatch):
    import tui.app.launch

    monkeypatch.setattr(tui.app.launch, "launch", lambda args: pytest.fail("the wizard opened"))
    assert main(argv) == 2
    assert last_error(capsys) == f"error: region {argv[-1]!r} does not exist (e.g. us-east-1, eu-west-1)"


def test_a_valid_region_still_opens_the_wizard(monkeypatch):
    import tui.app.launch

    opened = []
    monkeypatch.setattr(tui.app.launch, "launch", lambda args: opened.append(args.region) or 0)
    assert main(["--region", "eu-west-1"]) == 0 and opened == ["eu-west-1"]


def test_the_connection_label_hides_userinfo_and_query():
    target = AwsTarget(profile="prod", endpoint_url="https://user:s3cr3t@vpce-1.ec2.example.com:8443/api?token=abc123#x")
    connection = Connection(None, target, "eu-west-1", target.endpoint_url)
    connection.account_id = "123456789012"
    assert connection.label == "profile prod · eu-west-1 · 123456789012 · https://***@vpce-1.ec2.example.com:8443/api"


def test_connected_line_and_json_never_echo_secrets(aws_env, capsys, monkeypatch):
    """An emulator reached through a URL with userinfo and a query, treated as a remote endpoint."""
    monkeypatch.setattr("tui.aws.session._LOOPBACK", set())
    url = aws_env.url.replace("http://", "http://user:s3cr3t@") + "/?token=abc123"
    assert main(["audit", "--endpoint-url", url, "--json"]) == 1
    captured = capsys.readouterr()
    assert not any(part in captured.out + captured.err for part in SECRET_URL_PARTS)
    redacted = aws_env.url.replace("http://", "http://***@") + "/"
    assert f"connected: default credentials · eu-west-1 · {aws_env.account} · {redacted}" in captured.err
    assert json.loads(captured.out)["connection"].endswith(redacted)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("http://user:s3cr3t@127.0.0.1:9/?token=abc123", "http://***@127.0.0.1:9/"),
        ("ftp://user:s3cr3t@example.com/?token=abc123", "'ftp://***@example.com/'"),
        ("user:s3cr3t@example.com?token=abc123", "'***@example.com'"),
    ],
)
def test_error_lines_never_echo_secrets(aws_env, capsys, monkeypatch, url, shown):
    monkeypatch.setattr("time.sleep", lambda seconds: None)  # no retry back-off against the closed port
    assert main(["audit", "--endpoint-url", url]) in (1, 2)
    error = last_error(capsys)
    assert shown in error and not any(part in error for part in SECRET_URL_PARTS)


@pytest.mark.parametrize(
    ("message", "redacted"),
    [
        ('Could not connect to the endpoint URL: "http://u:s3cr3t@10.0.0.1:9/?token=abc123"', 'Could not connect to the endpoint URL: "http://***@10.0.0.1:9/"'),
        ("see [link=https://evil.example]y[/link]", "see [link=https://evil.example]y[/link]"),  # nothing secret: untouched
        ("http://[::1 is malformed, http://h/p@x is a path", "http://[::1 is malformed, http://h/p@x is a path"),
    ],
)
def test_messages_lose_only_what_may_be_secret(message, redacted):
    from tui.aws.errors import redact_urls

    assert redact_urls(message) == redacted
