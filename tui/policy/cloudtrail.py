"""CloudTrail records as the endpoint saw them: a streaming reader of log files and the record -> IAM mapping.

Log files are JSON objects `{"Records": [...]}`, usually gzipped, delivered under
`AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/` (CloudTrail User Guide, "Finding your CloudTrail log
files": https://docs.aws.amazon.com/awscloudtrail/latest/userguide/get-and-view-cloudtrail-log-files.html).
A trail can hold millions of records, so files are read record by record (`json.JSONDecoder.raw_decode` over
a sliding text window) and never held whole. Files come from outside: a malformed, truncated, oversized or
non-UTF-8 file raises `LogProblem` after the records before the fault were yielded, never a traceback.

Record fields used (CloudTrail record contents:
https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html;
userIdentity: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html):
eventSource, eventName, eventTime, awsRegion, userIdentity, requestParameters, resources[], vpcEndpointId,
tlsDetails, sourceIPAddress, errorCode.
"""

import codecs
import gzip
import io
import json
import re
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from functools import cache
from typing import TYPE_CHECKING, Any, BinaryIO, Protocol

from tui.policy.templates import load_template

if TYPE_CHECKING:
    from pathlib import Path

MAX_RECORD_CHARS = 1 << 20
"""One record: CloudTrail records are a few kilobytes (responseElements are cut at 100 KB); more is hostile."""
MAX_FILE_CHARS = 2 << 30
"""Decompressed text of one file: CloudTrail delivers files every few minutes; a bigger one is a gzip bomb."""
CHUNK_CHARS = 1 << 20

ANONYMOUS_ACCOUNT_IDS = frozenset({"ANONYMOUS_PRINCIPAL", "anonymous"})
"""How S3 records an unauthenticated caller in `userIdentity.accountId` (type "AWSAccount", empty principalId):
awsdocs/amazon-s3-userguide PR #69 (https://github.com/awsdocs/amazon-s3-userguide/pull/69) corrected the
S3 guide's Athena query to `userIdentity.accountId = 'ANONYMOUS_PRINCIPAL'`, confirmed by AWS; a denied
anonymous ListObjects in DataBiosphere/azul#6142 shows `"accountId": "anonymous"`. Both are read as anonymous."""

VPCE_ACCESS_DENIED = "VpceAccessDenied"
"""errorCode of a network activity event denied by the endpoint policy ("The request was denied due to a VPC
endpoint policy"): https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-network-events-with-cloudtrail.html"""


class ByteStream(Protocol):
    """What the reader needs of a log file: `read(size)` giving bytes (an open file, an S3 object's body)."""

    def read(self, size: int = -1, /) -> bytes: ...


class LogProblem(Exception):
    """A log file cannot be read to its end; the message says where and why, in one line."""


def _problem(variant: str, **params: object) -> LogProblem:
    """A LogProblem worded from the catalog (tui/report/messages.py): English as its text, said in the
    reader's language where it is shown."""
    from tui.report.messages import Phrase

    return LogProblem(Phrase("log-problem", {"variant": variant, **params}))


def _expected(variant: str, found: str, **params: object) -> LogProblem:
    return _problem(variant + ("" if found else "-end"), **params, **({"found": repr(found)} if found else {}))


def _error_message(exc: BaseException) -> object:
    from tui.report.messages import error_message

    return error_message(exc)


def _json_reason(reason: str) -> object:
    """json's reason, in the reader's language when the catalog has it (tui.policy.parsing.JSON_ERRORS)."""
    from tui.policy.parsing import JSON_ERRORS
    from tui.report.messages import Term

    return Term(reason) if reason in JSON_ERRORS else reason


def _what(variant: str) -> object:
    from tui.report.messages import Phrase

    return Phrase("log-what", {"variant": variant})


# --- streaming reader ------------------------------------------------------------------------------------

_WHITESPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


class _Rewound(io.RawIOBase):
    """Any object with `read(n)` (a file, a botocore StreamingBody) as a raw stream, so it can be buffered
    and its first bytes peeked at to tell gzip from plain JSON."""

    def __init__(self, source: ByteStream):
        self._source = source

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._source.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _text_chunks(stream: ByteStream) -> Iterator[str]:
    """Decoded UTF-8 text in chunks, gunzipped when the stream starts with the gzip magic bytes. `read1`
    returns what one read decompressed, so a truncated file still yields the records before the fault."""
    buffered = io.BufferedReader(_Rewound(stream), buffer_size=1 << 16)
    binary = gzip.GzipFile(fileobj=buffered) if buffered.peek(2)[:2] == b"\x1f\x8b" else buffered
    decoder = codecs.getincrementaldecoder("utf-8")()
    while True:
        data = binary.read1(CHUNK_CHARS)
        text = decoder.decode(data, final=not data)
        if text:
            yield text
        if not data:
            return


class _Window:
    """A sliding window over the text: only the unread tail and one chunk are ever held."""

    def __init__(self, chunks: Iterator[str]):
        self._chunks = chunks
        self.text = ""
        self.pos = 0
        self.read = 0

    def more(self) -> bool:
        chunk = next(self._chunks, "")
        if not chunk:
            return False
        self.read += len(chunk)
        if self.read > MAX_FILE_CHARS:
            raise _problem("too-large", limit=MAX_FILE_CHARS)
        self.text = self.text[self.pos:] + chunk
        self.pos = 0
        return True

    def peek(self) -> str:
        """The next non-blank character, or "" at the end."""
        while True:
            self.pos = _WHITESPACE.match(self.text, self.pos).end()  # type: ignore[union-attr]  # \s* always matches
            if self.pos < len(self.text) or not self.more():
                return self.text[self.pos: self.pos + 1]

    def expect(self, char: str, what: object) -> None:
        found = self.peek()
        if found != char:
            raise _expected("expected", found, what=what, offset=self.read - len(self.text) + self.pos)
        self.pos += 1

    def value(self) -> Any:
        """The next JSON value, within MAX_RECORD_CHARS. An incomplete value is parsed again only once the
        pending text has doubled, so a file of huge records costs linear work, not one parse per chunk."""
        self.peek()
        while True:
            try:
                value, self.pos = _DECODER.raw_decode(self.text, self.pos)
                return value
            except json.JSONDecodeError as exc:
                pending = len(self.text) - self.pos
                if pending > MAX_RECORD_CHARS:
                    raise _problem("record-too-large", limit=MAX_RECORD_CHARS) from None
                grew = False
                while len(self.text) - self.pos < 2 * pending and self.more():
                    grew = True
                if not grew:
                    offset = self.read - len(self.text) + exc.pos
                    raise _problem("malformed", offset=offset, reason=_json_reason(exc.msg)) from None


def read_records(stream: ByteStream) -> Iterator[dict[str, Any]]:
    """Each record of one `{"Records": [...]}` log file, plain or gzipped; other top-level keys are skipped
    (CloudTrail digest files have none and yield nothing). Raises LogProblem on a fault, after the records
    before it."""
    try:
        yield from _records(_Window(_text_chunks(stream)))
    except (OSError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise _problem("decompress", error=_error_message(exc)) from None
    except UnicodeDecodeError:
        raise _problem("not-utf8") from None
    except RecursionError:
        raise _problem("too-deep") from None


def _records(window: _Window) -> Iterator[dict[str, Any]]:
    window.expect("{", _what("object"))
    if window.peek() == "}":
        return
    while True:
        key = window.value()
        window.expect(":", "':'")
        if key == "Records":
            yield from _array(window)
        else:
            window.value()
        if window.peek() == ",":
            window.pos += 1
            continue
        window.expect("}", "'}'")
        return


def _array(window: _Window) -> Iterator[dict[str, Any]]:
    window.expect("[", _what("records"))
    if window.peek() == "]":
        window.pos += 1
        return
    while True:
        record = window.value()
        if isinstance(record, dict):
            yield record
        separator = window.peek()
        window.pos += 1
        if separator == "]":
            return
        if separator != ",":
            raise _expected("separator", separator)


LogSource = tuple[str, Callable[[], AbstractContextManager[ByteStream]]]
"""A log file's name (for messages) and a function that opens it as a binary stream."""


def records_from(sources: Iterable[LogSource], on_problem: Callable[[str, str], None], on_file: Callable[[str], None] | None = None) -> Iterator[dict[str, Any]]:
    """The records of every source in turn; a file that fails is reported through on_problem and skipped
    (its records before the fault are kept: they were really delivered)."""
    for name, opener in sources:
        if on_file:
            on_file(name)
        try:
            with opener() as stream:
                yield from read_records(stream)
        except LogProblem as exc:
            on_problem(name, exc.args[0])
        except OSError as exc:
            on_problem(name, _problem("unreadable", reason=exc.strerror or _error_message(exc)).args[0])


# --- record -> IAM ---------------------------------------------------------------------------------------

_API_VERSION_SUFFIX = re.compile(r"[0-9]{8}(v[0-9]+)?$")


@cache
def _table() -> dict[str, Any]:
    return load_template("cloudtrail_actions.json")


def iam_prefix(event_source: str) -> str:
    """The IAM service prefix of an eventSource: `s3.amazonaws.com` -> `s3`, `monitoring...` -> `cloudwatch`."""
    return _table()["prefixes"].get(event_source) or event_source.split(".", 1)[0]


def iam_action(event_source: str, event_name: str, request_parameters: object) -> str:
    """The IAM action a call needs, from the table where CloudTrail's eventName differs from it."""
    table = _table()
    if event_source in table["versioned_event_names"]:
        event_name = _API_VERSION_SUFFIX.sub("", event_name)
    name = table["actions"].get(event_source, {}).get(event_name, event_name)
    if isinstance(request_parameters, dict) and request_parameters.get("versionId"):
        name = table["with_version_id"].get(event_source, {}).get(event_name, name)
    return f"{iam_prefix(event_source)}:{name}"


def is_anonymous(identity: dict[str, Any]) -> bool:
    return identity.get("accountId") in ANONYMOUS_ACCOUNT_IDS or identity.get("type") == "Anonymous"


_ASSUMED_ROLE = re.compile(r"arn:([a-z-]+):sts::([0-9]{12}):assumed-role/([^/]+)/.+")


def principal_arn(identity: dict[str, Any]) -> tuple[str | None, bool]:
    """The caller's aws:PrincipalArn and whether it is certain.

    IAM sets aws:PrincipalArn of a role session to the role's ARN, path included
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn).
    `sessionContext.sessionIssuer.arn` carries that ARN; when only the session ARN
    `arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION` is there, the role's path is unknown, so the ARN
    `arn:aws:iam::ACCOUNT:role/NAME` is only a guess (certain=False)."""
    issuer = (identity.get("sessionContext") or {}).get("sessionIssuer") or {}
    if isinstance(issuer, dict) and isinstance(issuer.get("arn"), str) and issuer["arn"]:
        return issuer["arn"], True
    arn = identity.get("arn")
    if not isinstance(arn, str) or not arn:
        if identity.get("type") == "Root" and isinstance(identity.get("accountId"), str):
            return f"arn:aws:iam::{identity['accountId']}:root", True
        return None, False
    session = _ASSUMED_ROLE.fullmatch(arn)
    if session:
        partition, account, role = session.groups()
        return f"arn:{partition}:iam::{account}:role/{role}", False
    return arn, True


PRINCIPAL_TYPES = {"Root": "Account", "IAMUser": "User", "AssumedRole": "AssumedRole", "FederatedUser": "FederatedUser"}
"""userIdentity.type -> aws:PrincipalType (IAM policy variables: "Principal key values"
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#principaltable)."""


def s3_resource(request_parameters: object) -> tuple[str, str] | None:
    """(bucket, object key or "") named by an S3 call's requestParameters, if any."""
    if not isinstance(request_parameters, dict):
        return None
    bucket = request_parameters.get("bucketName")
    if not isinstance(bucket, str) or not bucket:
        return None
    key = request_parameters.get("key")
    return bucket, key if isinstance(key, str) else ""


def first_resource(resources: object) -> tuple[str | None, str | None]:
    """(ARN, owning account) of the first `resources[]` entry with an ARN; the account is the resource
    owner's when CloudTrail records it."""
    if not isinstance(resources, list):
        return None, None
    for entry in resources:
        if isinstance(entry, dict) and isinstance(entry.get("ARN"), str):
            account = entry.get("accountId")
            return entry["ARN"], account if isinstance(account, str) else None
    return None, None


def bucket_owner(resources: object, bucket: str) -> str | None:
    """The owner of `bucket` from `resources[]` (S3 data events list the bucket with its accountId)."""
    if not isinstance(resources, list):
        return None
    for entry in resources:
        if isinstance(entry, dict) and entry.get("type") == "AWS::S3::Bucket":
            arn, account = entry.get("ARN"), entry.get("accountId")
            if isinstance(arn, str) and arn.endswith(":::" + bucket) and isinstance(account, str):
                return account
    return None


def _opener(path: "Path") -> Callable[[], BinaryIO]:
    """Opens the file when its turn comes (a folder may hold thousands: they are not all open at once)."""
    return lambda: path.open("rb")


def local_sources(paths: list[str]) -> list[LogSource]:
    """Log files named directly, or found under folders (`.json` / `.json.gz`, digest files left out), sorted
    so runs are repeatable. A path that does not exist is the user's typo: an InputError, not a skipped file."""
    from pathlib import Path

    from tui.policy.errors import InputError
    from tui.report.messages import Phrase

    sources: list[LogSource] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if is_log_name(str(p)) and p.is_file())
            if not found:
                raise InputError(Phrase("trail-files", {"variant": "none-under", "path": given}))
        elif path.is_file():
            found = [path]
        else:
            raise InputError(Phrase("trail-files", {"variant": "missing", "path": given}))
        sources.extend((str(p), _opener(p)) for p in found)
    return sources


def is_log_name(name: str) -> bool:
    """A CloudTrail log file by its name; digest files (integrity validation) hold no records."""
    return name.endswith((".json", ".json.gz")) and "CloudTrail-Digest" not in name
