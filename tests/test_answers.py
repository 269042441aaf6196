"""Answers and identifiers: bad input names the value; saved files are private and round-trip."""

import json
import stat

import pytest

from tui.policy.answers import Answers, load_answers, save_answers
from tui.policy.errors import InputError
from tui.policy.identifiers import check_bucket_arn, check_bucket_name, check_org_id, check_region, partition_of


@pytest.mark.parametrize("bad", ["12345678901", "1234567890123", "12345678901a", "*", "1111222233?3"])
def test_malformed_account_id_is_named(bad):
    with pytest.raises(InputError, match=repr(bad).replace("?", r"\?").replace("*", r"\*")):
        Answers(accounts=(bad,)).checked()


def test_unknown_region_service_and_catalog_id_are_refused():
    with pytest.raises(InputError, match="region 'eu-west-9' does not exist"):
        check_region("eu-west-9")
    with pytest.raises(InputError, match="unknown service 'nosuch'"):
        Answers(accounts=("111122223333",), services=("nosuch",)).checked()
    with pytest.raises(InputError, match="unknown public bucket catalog id 'al2099'"):
        Answers(accounts=("111122223333",), public_buckets=("al2099",)).checked()


def test_org_ids_and_bucket_arns_are_checked():
    assert check_org_id("o-a1b2c3d4e5") == "o-a1b2c3d4e5"
    for bad in ("o-short", "O-A1B2C3D4E5", "o-*"):
        with pytest.raises(InputError):
            check_org_id(bad)
    assert check_bucket_arn("arn:aws:s3:::my-bucket/*") == "arn:aws:s3:::my-bucket/*"
    for bad in ("arn:aws:s3:::my-*/*", "arn:aws:s3:::Bad_Bucket/*", "s3://bucket", "arn:aws:ec2:::x"):
        with pytest.raises(InputError):
            check_bucket_arn(bad)
    with pytest.raises(InputError, match="wildcard"):
        check_bucket_name("al2023-repos-*")


def test_partition_of_region():
    assert partition_of("us-gov-west-1") == "aws-us-gov"
    assert partition_of("cn-northwest-1") == "aws-cn"
    assert partition_of("eu-central-1") == "aws"


def test_checked_removes_duplicates_keeping_order_and_needs_a_trust_anchor():
    answers = Answers(accounts=("222233334444", "111122223333", "222233334444")).checked()
    assert answers.accounts == ("222233334444", "111122223333")
    with pytest.raises(InputError, match="at least one trusted account"):
        Answers().checked()


def test_save_is_private_and_round_trips(tmp_path):
    answers = Answers(services=("s3", "logs"), accounts=("111122223333",), org_ids=("o-a1b2c3d4e5",),
                      resource_perimeter=True, public_buckets=("al2023",), region="eu-west-1").checked()
    path = save_answers(answers, tmp_path / "session.json")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_answers(path) == answers


def test_answers_file_errors_are_one_line(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    with pytest.raises(InputError, match="not valid JSON"):
        load_answers(broken)
    typo = tmp_path / "typo.json"
    typo.write_text(json.dumps({"acounts": ["111122223333"]}))
    with pytest.raises(InputError, match="unknown key"):
        load_answers(typo)
    with pytest.raises(InputError, match="cannot read"):
        load_answers(tmp_path / "missing.json")


def test_folders_created_for_private_files_are_private(tmp_path):
    path = save_answers(Answers(accounts=("111122223333",)).checked(), tmp_path / "new" / "deeper" / "a.json")
    for folder in (path.parent, path.parent.parent):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
