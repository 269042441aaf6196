"""One AWS connection per run, with the AWS CLI's conventions, so profiles, SSO and env variables just work."""

import os
import threading
from dataclasses import dataclass
from functools import cache, cached_property
from urllib.parse import urlparse

from tui.aws.errors import NoRegionError, redact_url, translate
from tui.policy.errors import InputError
from tui.policy.identifiers import check_region
from tui.report.messages import Phrase

SANDBOX_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
"""moto accepts any key; given to the sandbox's own session only, never put in os.environ."""
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@dataclass(frozen=True)
class AwsTarget:
    """Where to connect: None means what the AWS CLI would use (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL...)."""

    profile: str | None = None
    region: str | None = None
    endpoint_url: str | None = None
    sandbox: bool = False


class Connection:
    """A boto3 session plus who we are (STS) and where; clients are made once and shared across threads."""

    def __init__(self, session, target: AwsTarget, region: str, endpoint_url: str | None):
        self.session = session
        self.target = target
        self.region = region
        self.endpoint_url = endpoint_url
        self.account_id = ""
        self.caller_arn = ""
        """What GetCallerIdentity returned: the lock-out guard asks the analyser about this very caller."""
        self.caller_userid = ""
        """GetCallerIdentity's UserId: the caller's aws:userid ("the values listed in the aws:userid column" of
        the IAM user guide's policy-variables table, STS API reference, GetCallerIdentity)."""
        self._clients: dict[tuple[str, str], object] = {}
        self._lock = threading.Lock()
        self.memo: dict = {}
        """Per-connection cache for facts that do not change during a run (policy support per region)."""

    @property
    def is_sandbox(self) -> bool:
        """The embedded sandbox, or any emulator on this machine: never production."""
        return self.target.sandbox or (urlparse(self.endpoint_url or "").hostname or "") in _LOOPBACK

    @property
    def label(self) -> str:
        """What the user sees before anything is changed: which credentials, region and account."""
        if self.is_sandbox:
            who = "sandbox"
        elif self.target.profile or self.session.profile_name not in (None, "default"):
            who = f"profile {self.target.profile or self.session.profile_name}"
        else:
            who = "default credentials"
        parts = [who, self.region, self.account_id]
        if self.endpoint_url and not self.is_sandbox:
            parts.append(redact_url(self.endpoint_url))
        return " · ".join(parts)

    def client(self, name: str, region: str | None = None):
        """A cached client; boto3 clients are thread-safe once made, but making them is not."""
        from botocore.config import Config

        key = (name, region or self.region)
        with self._lock:
            if key not in self._clients:
                config = Config(retries={"mode": "standard", "max_attempts": 5}, max_pool_connections=20)
                self._clients[key] = self.session.client(name, region_name=key[1], endpoint_url=self.endpoint_url, config=config)
            return self._clients[key]

    @cached_property
    def org_id(self) -> str | None:
        """The caller's AWS Organization, if it may be read; None otherwise (it only refines a warning)."""
        try:
            return self.client("organizations").describe_organization()["Organization"]["Id"]
        except Exception:  # noqa: BLE001 - optional knowledge: any failure means "unknown"
            return None


@cache
def shared_loader():
    """botocore's model loader caches the parsed service JSON; sharing it makes reconnecting (another
    profile or region in the wizard, every test) cost milliseconds instead of half a second."""
    from botocore.loaders import create_loader

    return create_loader()


def load_models(services: tuple[str, ...]) -> None:
    """Import boto3 and parse these services' models into the shared loader ahead of a connection: the wizard
    does it while the sandbox's emulator starts, rather than after (about 0.2 s of a filled list)."""
    import boto3  # noqa: F401 - the import itself is the work done ahead

    for service in services:
        shared_loader().load_service_model(service, type_name="service-2", api_version=None)  # as clients ask for it


def _botocore_session():
    import botocore.session

    session = botocore.session.get_session()
    session.register_component("data_loader", shared_loader())
    session.get_component("response_parser_factory").set_parser_defaults(timestamp_parser=_timestamp_as_sent)
    return session


def _timestamp_as_sent(value: object) -> object:
    """Timestamps in responses stay as AWS sent them: the tool reads none, and dateutil parsing each
    endpoint's CreationTimestamp was a large part of the client's time in a 2,000-endpoint listing. The AWS CLI
    leaves them alike with `cli_timestamp_format = none` (awscli/customizations/scalarparse.py), through
    the same botocore hook (ResponseParserFactory.set_parser_defaults)."""
    return value


def _first(*values: str | None) -> str | None:
    return next((value for value in values if value), None)


def _check_endpoint_url(url: str) -> None:
    """botocore raises a bare ValueError on a malformed URL; say what is wrong instead."""
    parts = urlparse(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InputError(Phrase("session", {"variant": "endpoint-url", "url": redact_url(url)}))


def connect(target: AwsTarget) -> Connection:
    """Open a session and ask STS who we are; raises AwsError (one line) when that cannot work."""
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        credentials = SANDBOX_CREDENTIALS if target.sandbox else {}
        session = boto3.Session(profile_name=target.profile, botocore_session=_botocore_session(), **credentials)
        region = _first(target.region, os.environ.get("AWS_REGION"), os.environ.get("AWS_DEFAULT_REGION"), session.region_name)
    except BotoCoreError as exc:
        raise translate(exc) from None
    if not region:
        raise NoRegionError(Phrase("session", {"variant": "no-region"}))
    check_region(region)  # a typo would otherwise reach an endpoint that does not exist
    endpoint_url = _first(target.endpoint_url, None if target.sandbox else os.environ.get("AWS_ENDPOINT_URL"))
    if endpoint_url:
        _check_endpoint_url(endpoint_url)
    connection = Connection(session, target, region, endpoint_url)
    try:
        identity = connection.client("sts").get_caller_identity()
    except (BotoCoreError, ClientError) as exc:
        raise translate(exc, "sts:GetCallerIdentity") from None
    connection.account_id = identity["Account"]
    connection.caller_arn = identity.get("Arn", "")
    connection.caller_userid = identity.get("UserId", "")
    return connection
