"""Streaming CloudTrail log files: plain or gzipped, bounded, and a broken file is reported, never a traceback."""

import gzip
import io
import json
from pathlib import Path

import pytest

from tui.policy import cloudtrail
from tui.policy.cloudtrail import LogProblem, iam_action, local_sources, principal_arn, read_records, records_from
from tui.policy.errors import InputError

FIXTURE = Path(__file__).parent / "cloudtrail" / "s3-endpoint.json"


def records_of(data: bytes) -> list[dict]:
    return list(read_records(io.BytesIO(data)))


def test_plain_and_gzipped_files_give_the_same_records_and_skip_other_keys():
    plain = FIXTURE.read_bytes()
    expected = json.loads(plain)["Records"]
    assert records_of(plain) == expected
    assert records_of(gzip.compress(plain)) == expected


def test_records_split_across_many_small_chunks_are_read_whole(monkeypatch):
    monkeypatch.setattr(cloudtrail, "CHUNK_CHARS", 7)
    assert records_of(gzip.compress(FIXTURE.read_bytes())) == json.loads(FIXTURE.read_bytes())["Records"]


def test_unicode_split_across_chunks_survives(monkeypatch):
    monkeypatch.setattr(cloudtrail, "CHUNK_CHARS", 3)
    data = json.dumps({"Records": [{"userAgent": "日本語のエージェント"}]}, ensure_ascii=False).encode()
    assert records_of(data) == [{"userAgent": "日本語のエージェント"}]


@pytest.mark.parametrize("data", [b'{"Records": []}', b"{}", b'{"awsAccountId": "111122223333", "digestStartTime": "x"}'])
def test_empty_logs_and_digest_files_yield_nothing(data):
    assert records_of(data) == []


def test_a_truncated_gzip_yields_the_records_before_the_fault_then_reports():
    data = gzip.compress(FIXTURE.read_bytes())
    seen = []
    with pytest.raises(LogProblem):  # noqa: PT012 (the records read before the fault are kept)
        for record in read_records(io.BytesIO(data[: len(data) * 2 // 3])):
            seen.append(record)  # noqa: PERF402
    assert 0 < len(seen) < 10


@pytest.mark.parametrize(("data", "problem"), [
    (b'{"Records": [{"a": 1}, {"b": ', "truncated or malformed JSON"),
    (b'{"Records": [{"a": 1} {"b": 2}]}', "expected ',' or ']'"),
    (b'[{"a": 1}]', "expected a JSON object"),
    (b'{"Records": {"a": 1}}', "expected the Records array"),
    (b"", "expected a JSON object"),
    (b'{"Records": [{"a": "\xff\xfe"}]}', "not UTF-8"),
    (b"\x1f\x8bnot really gzip", "cannot decompress"),
    (b'{"Records": [' + b"[" * 200_000 + b"]" * 200_000 + b"]}", "nested too deeply"),
])
def test_malformed_files_raise_one_line_problems(data, problem):
    with pytest.raises(LogProblem, match=problem) as caught:
        records_of(data)
    assert "\n" not in str(caught.value)


def test_a_record_beyond_the_size_bound_is_refused(monkeypatch):
    monkeypatch.setattr(cloudtrail, "MAX_RECORD_CHARS", 1000)
    monkeypatch.setattr(cloudtrail, "CHUNK_CHARS", 100)
    data = json.dumps({"Records": [{"a": 1}, {"big": "x" * 5000}]}).encode()
    with pytest.raises(LogProblem, match="larger than 1,000"):
        records_of(data)


def test_a_decompression_bomb_stops_at_the_file_bound(monkeypatch):
    monkeypatch.setattr(cloudtrail, "MAX_FILE_CHARS", 10_000)
    bomb = gzip.compress(b'{"Records": [' + b"{}, " * 100_000 + b"{}]}")
    with pytest.raises(LogProblem, match="uncompressed"):
        records_of(bomb)


def test_records_from_reports_broken_files_and_goes_on(tmp_path):
    good = tmp_path / "good.json.gz"
    good.write_bytes(gzip.compress(FIXTURE.read_bytes()))
    (tmp_path / "broken.json").write_bytes(b'{"Records": [{"a": 1}, ')
    problems = []
    records = list(records_from(local_sources([str(tmp_path)]), lambda source, problem: problems.append((source, problem))))
    assert len(records) == 11  # the broken file's first record was delivered, so it counts
    assert [Path(source).name for source, _ in problems] == ["broken.json"]


def test_local_sources_find_logs_in_folders_and_refuse_missing_paths(tmp_path):
    day = tmp_path / "AWSLogs" / "111122223333" / "CloudTrail" / "eu-west-1" / "2026" / "11" / "22"
    day.mkdir(parents=True)
    (day / "a.json.gz").write_bytes(b"")
    (day / "notes.txt").write_text("x")
    digest = tmp_path / "AWSLogs" / "111122223333" / "CloudTrail-Digest" / "eu-west-1"
    digest.mkdir(parents=True)
    (digest / "d.json.gz").write_bytes(b"")
    assert [Path(name).name for name, _ in local_sources([str(tmp_path)])] == ["a.json.gz"]
    with pytest.raises(InputError, match="no such file"):
        local_sources([str(tmp_path / "missing")])
    with pytest.raises(InputError, match="no CloudTrail log files"):
        local_sources([str(digest)])


@pytest.mark.parametrize(("source", "name", "parameters", "action"), [
    ("s3.amazonaws.com", "ListObjectsV2", {"bucketName": "b"}, "s3:ListBucket"),
    ("s3.amazonaws.com", "HeadObject", {"bucketName": "b", "key": "k"}, "s3:GetObject"),
    ("s3.amazonaws.com", "GetObject", {"bucketName": "b", "key": "k", "versionId": "3HL4kqtJ"}, "s3:GetObjectVersion"),
    ("s3.amazonaws.com", "CompleteMultipartUpload", {"bucketName": "b", "key": "k"}, "s3:PutObject"),
    ("s3.amazonaws.com", "ListBuckets", None, "s3:ListAllMyBuckets"),
    ("monitoring.amazonaws.com", "GetMetricData", {}, "cloudwatch:GetMetricData"),
    ("lambda.amazonaws.com", "GetFunction20150331v2", {}, "lambda:GetFunction"),
    ("lambda.amazonaws.com", "Invoke", {}, "lambda:InvokeFunction"),
    ("ecr.amazonaws.com", "GetDownloadUrlForLayer", {}, "ecr:GetDownloadUrlForLayer"),
    ("ssm.amazonaws.com", "UpdateInstanceInformation", {}, "ssm:UpdateInstanceInformation"),
])
def test_event_names_map_to_the_iam_actions_they_need(source, name, parameters, action):
    assert iam_action(source, name, parameters) == action


def test_role_sessions_become_role_arns_with_the_path_when_recorded():
    session = {"type": "AssumedRole", "arn": "arn:aws:sts::111122223333:assumed-role/app/i-0abc", "accountId": "111122223333"}
    assert principal_arn(session) == ("arn:aws:iam::111122223333:role/app", False)
    issued = {**session, "sessionContext": {"sessionIssuer": {"arn": "arn:aws:iam::111122223333:role/service-role/app"}}}
    assert principal_arn(issued) == ("arn:aws:iam::111122223333:role/service-role/app", True)
    assert principal_arn({"type": "Root", "accountId": "111122223333"}) == ("arn:aws:iam::111122223333:root", True)
