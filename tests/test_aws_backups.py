"""Planted and loose backups, against moto's server over HTTP through `tui.cli.main`: folders others can
write are refused with the fix, files that are not the user's own private backups are ignored (or refused
when named), a backup of another endpoint, account or region is refused, and a rollback shows its diff and
asks before it writes."""

import json
import os
from pathlib import Path

import pytest

from tui.aws.backups import backups_dir, latest_backup, list_backups, load_backup, locks_dir
from tui.aws.discovery import parse_policy
from tui.aws.perimeter import FULL_ACCESS_POLICY
from tui.aws.sandbox import perimeter_policy
from tui.cli import main
from tui.policy.diff import same_policy
from tui.policy.documents import minify, pretty
from tui.policy.errors import InputError
from tui.policy.files import write_private

REJECTED_BY_THE_VALIDATOR = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*", "Condition": {"StringLike": {"aws:PrincipalAccount": "1234*"}}}],
}


@pytest.fixture
def s3(aws_env):
    return aws_env.endpoints[("eu-west-1", "s3")]


@pytest.fixture
def policy_files(tmp_path, aws_env):
    """Two perimeter documents the caller's own account stays trusted by."""
    paths = []
    for name, extra in (("a", "111122223333"), ("b", "444455556666")):
        policy = perimeter_policy(aws_env.account, "eu-west-1")
        policy["Statement"][0]["Condition"]["StringEquals"]["aws:PrincipalAccount"] = [aws_env.account, extra]
        path = tmp_path / f"{name}.json"
        path.write_text(pretty(policy))
        paths.append(str(path))
    return paths


def stored(s3):
    import boto3

    ec2 = boto3.client("ec2", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name="eu-west-1")
    return parse_policy(ec2.describe_vpc_endpoints(VpcEndpointIds=[s3])["VpcEndpoints"][0]["PolicyDocument"])


def applied(s3, policy_file) -> None:
    assert main(["apply", "--endpoint", s3, "--policy", policy_file, "--yes"]) == 0


def plant(name: str, record: dict, mode: int = 0o600):
    path = backups_dir() / name
    write_private(path, json.dumps(record))
    os.chmod(path, mode)
    return path


def planted_open_policy(s3, account, time="2099-01-01T00:00:00.000000Z"):
    return {"format": 1, "endpoint_id": s3, "region": "eu-west-1", "account": account, "time": time, "action": "apply", "old": FULL_ACCESS_POLICY, "new": None}


def error_line(capsys) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return err.strip().splitlines()[-1]


@pytest.mark.parametrize("folder", [backups_dir, locks_dir, lambda: backups_dir().parent])
def test_a_folder_others_can_write_is_refused_with_the_fix(s3, policy_files, capsys, folder):
    path = folder()
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, 0o777)  # noqa: S103 (the unsafe folder under test)
    assert main(["apply", "--endpoint", s3, "--policy", policy_files[0], "--yes"]) == 1
    out = capsys.readouterr().out
    assert "failed" in out and str(path) in out and f"chmod 700 {path}" in out and "nothing was written" in out
    assert same_policy(stored(s3), FULL_ACCESS_POLICY)
    if folder is not locks_dir:
        assert main(["backups"]) == 1
        assert error_line(capsys) == f"error: refusing to use {str(path)!r}, someone else could plant backups there: it is writable by group and others (mode 777): run `chmod 700 {path}`"


def test_a_folder_owned_by_someone_else_is_refused(s3, policy_files, capsys, monkeypatch):
    applied(s3, policy_files[0])
    real_uid = os.getuid()
    monkeypatch.setattr(os, "getuid", lambda: real_uid + 4242)  # as if another user had made the folders
    assert main(["rollback", "--endpoint", s3, "--yes"]) == 1
    assert "is owned by uid" in error_line(capsys)


def test_a_symlinked_backups_folder_is_refused(s3, tmp_path, capsys):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    backups_dir().parent.mkdir(parents=True, mode=0o700)
    backups_dir().symlink_to(elsewhere)
    assert main(["backups"]) == 1
    assert "is not a folder" in error_line(capsys)


def test_loose_or_foreign_backup_files_are_not_backups(s3, policy_files, aws_env, capsys, monkeypatch):
    applied(s3, policy_files[0])
    [real] = list_backups(s3)
    loose = plant(f"{s3}.20990101T000000.000000Z.json", planted_open_policy(s3, aws_env.account), mode=0o666)
    assert list_backups(s3) == [real]
    capsys.readouterr()
    assert main(["backups"]) == 0
    captured = capsys.readouterr()
    assert str(real.path) in captured.out and str(loose) not in captured.out
    assert f"ignored {loose}: refusing backup" in captured.err and "writable by group and others" in captured.err
    with pytest.raises(InputError, match=r"group and others.*chmod 600"):
        load_backup(loose)
    os.chmod(loose, 0o600)
    real_uid = os.getuid()
    with monkeypatch.context() as patch:
        patch.setattr(os, "getuid", lambda: real_uid + 1)
        with pytest.raises(InputError, match="owned by uid"):
            load_backup(loose)


def test_a_planted_future_dated_backup_is_never_the_latest(s3, policy_files, aws_env, capsys, monkeypatch):
    applied(s3, policy_files[0])
    applied(s3, policy_files[1])
    planted = plant(f"{s3}.20990101T000000.000000Z.json", planted_open_policy(s3, aws_env.account))
    assert latest_backup(s3).path != planted
    capsys.readouterr()
    assert main(["backups", "--endpoint", s3, "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)["backups"]
    assert [b["future"] for b in listed] == [True, False, False] and listed[0]["path"] == str(planted)
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    questions = []
    monkeypatch.setattr("builtins.input", lambda prompt: questions.append(prompt) or "n")
    capsys.readouterr()
    assert main(["rollback", "--endpoint", s3]) == 1  # shows the diff and asks, like apply
    captured = capsys.readouterr()
    assert questions and "Write 1 endpoint policy(ies)" in questions[0] and "nothing changed" in captured.err
    assert "444455556666" in captured.out and "111122223333" in captured.out  # the diff: from b back to a
    assert main(["rollback", "--endpoint", s3, "--yes"]) == 0
    restored = json.loads(Path(policy_files[0]).read_text())
    assert same_policy(stored(s3), restored) and not same_policy(stored(s3), FULL_ACCESS_POLICY)


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ({"endpoint_id": "vpce-0123456789abcdef0"}, "is of vpce-0123456789abcdef0"),
        ({"account": "999999999999"}, "taken in account 999999999999"),
        ({"region": "us-east-1"}, "pass --region us-east-1"),
        ({"region": "mars-1"}, "is not a vpce-wizard backup"),
        ({"old": ["not", "a", "policy"]}, "is not a vpce-wizard backup"),
        ({"action": "\x1b]2;x\x07"}, "is not a vpce-wizard backup"),
    ],
)
def test_a_backup_of_another_endpoint_account_or_region_is_refused(s3, aws_env, capsys, change, complaint):
    path = plant("named.json", {**planted_open_policy(s3, aws_env.account, "2026-01-01T00:00:00Z"), **change})
    assert main(["rollback", "--endpoint", s3, "--backup", str(path), "--yes"]) in (1, 2)
    assert complaint in error_line(capsys)
    assert same_policy(stored(s3), FULL_ACCESS_POLICY)


def test_rollback_restores_a_rejected_original_only_with_force(s3, policy_files, capsys):
    import boto3

    ec2 = boto3.client("ec2", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name="eu-west-1")
    ec2.modify_vpc_endpoint(VpcEndpointId=s3, PolicyDocument=minify(REJECTED_BY_THE_VALIDATOR))  # AWS held it
    applied(s3, policy_files[0])
    capsys.readouterr()
    assert main(["rollback", "--endpoint", s3, "--yes"]) == 1
    out = capsys.readouterr().out
    assert "refused" in out and "use --force to restore it anyway" in out
    assert main(["rollback", "--endpoint", s3, "--yes", "--force", "--json"]) == 0
    [outcome] = json.loads(capsys.readouterr().out)["outcomes"]
    assert outcome["status"] == "applied" and any("--force" in w for w in outcome["warnings"])
    assert same_policy(stored(s3), REJECTED_BY_THE_VALIDATOR)


def test_apply_with_force_still_refuses_a_rejected_policy(s3, tmp_path, capsys):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(REJECTED_BY_THE_VALIDATOR))
    assert main(["apply", "--endpoint", s3, "--policy", str(path), "--yes", "--force"]) == 1
    assert "1 error" in error_line(capsys) and same_policy(stored(s3), FULL_ACCESS_POLICY)


def test_backups_and_locks_are_made_private(s3, policy_files):
    applied(s3, policy_files[0])
    for folder in (backups_dir().parent, backups_dir(), locks_dir()):
        assert oct(os.stat(folder).st_mode & 0o777) == "0o700", folder
    [lock] = locks_dir().iterdir()
    assert lock.name == f"{s3}.lock" and oct(os.stat(lock).st_mode & 0o777) == "0o600"


def test_no_folder_yet_means_no_backups():
    assert list_backups() == [] and not backups_dir().exists()
