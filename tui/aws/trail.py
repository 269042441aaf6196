"""CloudTrail records from AWS: a trail's log files in S3 (listed page by page, each streamed), LookupEvents,
and the organization's membership when the caller may read it.

S3 keys follow `AWSLogs/[o-.../]<account>/CloudTrail/<region>/YYYY/MM/DD/<file>.json.gz`
(https://docs.aws.amazon.com/awscloudtrail/latest/userguide/get-and-view-cloudtrail-log-files.html), so
`--since` skips whole days without downloading them. LookupEvents returns management events of the last 90
days only, each as a JSON string in `CloudTrailEvent`
(https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html).
"""

import json
import re
from collections.abc import Callable, Iterator
from datetime import datetime

from tui.aws.errors import translate
from tui.policy.cloudtrail import MAX_RECORD_CHARS, LogSource, is_log_name
from tui.policy.errors import InputError
from tui.report.messages import Phrase

_S3_URL = re.compile(r"s3://([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:/(.*))?")
_KEY_DAY = re.compile(r"/CloudTrail/[a-z0-9-]+/([0-9]{4})/([0-9]{2})/([0-9]{2})/")


def parse_s3_url(url: str) -> tuple[str, str]:
    """(bucket, key prefix) of `s3://bucket/prefix`; an InputError for anything else."""
    match = _S3_URL.fullmatch(url.strip())
    if not match:
        raise InputError(Phrase("trail-bucket", {"url": url}))
    return match.group(1), match.group(2) or ""


def _day_of(key: str) -> str | None:
    """`YYYY-MM-DD` of a log file from its key, or None when the key does not follow CloudTrail's layout."""
    match = _KEY_DAY.search(key)
    return "-".join(match.groups()) if match else None


class _Body:
    """A streamed S3 object body whose network faults surface as OSError, so the file is reported and skipped."""

    def __init__(self, body):
        self._body = body

    def read(self, size: int = -1) -> bytes:
        from botocore.exceptions import BotoCoreError
        from urllib3.exceptions import HTTPError

        try:
            return self._body.read(size)
        except (BotoCoreError, HTTPError) as exc:
            raise OSError(Phrase("log-problem", {"variant": "interrupted", "error": str(exc)})) from None

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self._body.close()


def trail_sources(conn, url: str, since: str = "") -> Iterator[LogSource]:
    """The trail's log files under the prefix, one page of the listing at a time; files of days before
    `since` (ISO) are not opened. Listing failures are AwsErrors (nothing could be read)."""
    from botocore.exceptions import BotoCoreError, ClientError

    bucket, prefix = parse_s3_url(url)
    client = conn.client("s3")
    first_day = since[:10]
    pages = client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
    try:
        for page in pages:
            for item in page.get("Contents", []):
                key = item["Key"]
                day = _day_of(key)
                if not is_log_name(key) or (first_day and day is not None and day < first_day):
                    continue
                yield f"s3://{bucket}/{key}", _opener(client, bucket, key)
    except (BotoCoreError, ClientError) as exc:
        raise translate(exc, Phrase("aws-action", {"variant": "listing-bucket", "bucket": bucket, "prefix": prefix})) from None


def _opener(client, bucket: str, key: str) -> Callable[[], _Body]:
    def open_object() -> _Body:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return _Body(client.get_object(Bucket=bucket, Key=key)["Body"])
        except (BotoCoreError, ClientError) as exc:
            raise OSError(translate(exc, "s3:GetObject").args[0]) from None

    return open_object


def lookup_records(conn, since: datetime | None, on_problem: Callable[[str, str], None], event_source: str | None = None) -> Iterator[dict]:
    """Management events from LookupEvents (optionally of one eventSource), as CloudTrail records."""
    from botocore.exceptions import BotoCoreError, ClientError

    arguments: dict = {}
    if since is not None:
        arguments["StartTime"] = since
    if event_source:
        arguments["LookupAttributes"] = [{"AttributeKey": "EventSource", "AttributeValue": event_source}]
    pages = conn.client("cloudtrail").get_paginator("lookup_events").paginate(**arguments)
    try:
        for page in pages:
            for event in page.get("Events", []):
                record = _parse_event(event.get("CloudTrailEvent"))
                if record is None:
                    on_problem("LookupEvents", Phrase("log-problem", {"variant": "not-a-record", "event": str(event.get("EventId", "?"))[:64]}))
                else:
                    yield record
    except (BotoCoreError, ClientError) as exc:
        raise translate(exc, "cloudtrail:LookupEvents") from None


def _parse_event(text) -> dict | None:
    if not isinstance(text, str) or len(text) > MAX_RECORD_CHARS:
        return None
    try:
        record = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        return None
    return record if isinstance(record, dict) else None


def organization_members(conn) -> tuple[dict[str, str], frozenset[str]] | None:
    """(account -> org, {org}) of the caller's organization when Organizations may be read; None otherwise
    (a member account usually may not list accounts: the verdicts then stay undecided where they depend on it)."""
    try:
        org = conn.client("organizations").describe_organization()["Organization"]["Id"]
        members = {}
        for page in conn.client("organizations").get_paginator("list_accounts").paginate():
            for account in page.get("Accounts", []):
                members[account["Id"]] = org
    except Exception:  # noqa: BLE001 - optional knowledge: any failure means "unknown"
        return None
    return members, frozenset({org})
