"""Ctrl-C during `apply`, against moto's server over HTTP: the endpoint being written is finished and read
back, every finished endpoint's outcome (with its backup) is printed, then `interrupted` and exit 130; the
endpoints not started are named and left alone."""

import json
import signal
import threading

import pytest

from tui.aws.perimeter import FULL_ACCESS_POLICY
from tui.aws.sandbox import perimeter_policy
from tui.cli import main
from tui.policy.diff import same_policy
from tui.policy.documents import pretty


@pytest.fixture
def policy_file(tmp_path, aws_env):
    path = tmp_path / "p.json"
    path.write_text(pretty(perimeter_policy(aws_env.account, "eu-west-1")))
    return str(path)


@pytest.fixture
def ctrl_c_after_the_first_write(monkeypatch):
    """A real SIGINT reaches the main thread right after the first write lands, before its read-back; the
    write waits until the CLI has taken the Ctrl-C, as a person's key press would long have been taken."""
    import tui.commands.aws

    real_write, real_finish, writes, taken = tui.aws.apply._write, tui.commands.aws._finish_after_interrupt, [], threading.Event()

    def write_then_interrupt(ec2, item):
        real_write(ec2, item)
        writes.append(item.endpoint.id)
        if len(writes) == 1:
            signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)
            assert taken.wait(10)

    def finish(*args):
        taken.set()
        return real_finish(*args)

    monkeypatch.setattr(tui.aws.apply, "_write", write_then_interrupt)
    monkeypatch.setattr(tui.commands.aws, "_finish_after_interrupt", finish)
    return writes


def stored(conn, endpoint_id):
    from tui.aws.discovery import describe_endpoints, parse_policy

    return parse_policy(describe_endpoints(conn, "eu-west-1", [endpoint_id])[0]["PolicyDocument"])


def test_ctrl_c_after_a_write_reports_it_then_interrupted(aws_env, conn, policy_file, capsys, ctrl_c_after_the_first_write):
    s3, ssm = aws_env.endpoints[("eu-west-1", "s3")], aws_env.endpoints[("eu-west-1", "ssm")]
    assert main(["apply", "--endpoint", s3, "--endpoint", ssm, "--policy", policy_file, "--yes"]) == 130
    captured = capsys.readouterr()
    [line] = [line for line in captured.out.splitlines() if line.startswith("applied")]
    assert s3 in line and "written and read back" in line and "(backup: " in line
    err = captured.err.strip().splitlines()
    assert err[-1] == "interrupted" and f"not started: {ssm}" in err and any("finishing" in e and s3 in e for e in err)
    assert ctrl_c_after_the_first_write == [s3]
    assert same_policy(stored(conn, ssm), FULL_ACCESS_POLICY)  # the second endpoint was never touched


def test_ctrl_c_with_json_still_prints_the_outcomes(aws_env, conn, policy_file, capsys, ctrl_c_after_the_first_write):
    s3, ssm = aws_env.endpoints[("eu-west-1", "s3")], aws_env.endpoints[("eu-west-1", "ssm")]
    assert main(["apply", "--endpoint", s3, "--endpoint", ssm, "--policy", policy_file, "--yes", "--json"]) == 130
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert report["interrupted"] is True
    [outcome] = report["outcomes"]
    assert outcome["endpoint_id"] == s3 and outcome["status"] == "applied" and outcome["backup"]
    assert captured.err.strip().splitlines()[-1] == "interrupted"
