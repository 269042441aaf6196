"""Run one piece of work in every target (account, region), as AWS's own multi-account runners do.

Each member account is reached by assuming one named role (the caller's own account is used directly);
targets run concurrently with a bound; every target ends with an explicit result, and one unreachable
account never stops the others. For changes, an error budget (`--max-errors N|P%`) stops *starting* new
targets once exceeded, as SSM's TargetLocationMaxErrors does; an audit has no budget and visits every target.
"""

import math
import re
import sys
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from tui.aws.errors import translate
from tui.aws.targets import Target
from tui.policy.errors import InputError
from tui.policy.identifiers import partition_of
from tui.report.messages import Phrase, error_message

DEFAULT_ROLE_NAME = "OrganizationAccountAccessRole"
"""The role AWS Organizations creates in every account it creates (AWS Organizations User Guide,
"Accessing member accounts")."""
DEFAULT_MAX_CONCURRENCY = 10
"""Targets in flight at once. Each target makes a handful of read calls; EC2 throttles per account and
region with a token bucket (non-mutating calls: 100 tokens, refilled 20 per second, per the EC2 API's
"Request throttling" page), and the caller's own STS and Organizations quotas are shared by every target,
so ten keeps far under both while hiding most of the network latency."""
MAX_CONCURRENCY = 64
ROLE_NAME = re.compile(r"[\w+=,.@-]{1,64}")
EXTERNAL_ID = re.compile(r"[\w+=,.@:/-]{2,1224}")
"""IAM's patterns for role names and STS's for ExternalId."""


class TargetStatus(StrEnum):
    OK = "ok"
    FAILED = "failed"
    UNREACHABLE = "unreachable"
    """The role could not be assumed (AccessDenied, no such role, disabled region): nothing was read."""
    SKIPPED = "skipped"
    """Not started: the error budget was exceeded before its turn."""


@dataclass(frozen=True)
class TargetResult:
    target: Target
    status: TargetStatus
    value: Any = None
    message: str = ""

    def error_dict(self) -> dict:
        return {"account": self.target.account, "region": self.target.region, "status": str(self.status), "message": self.message}


@dataclass(frozen=True)
class FanoutReport:
    results: tuple[TargetResult, ...]
    stopped: bool = False
    """The error budget was exceeded and some targets were not started."""

    @property
    def errors(self) -> list[TargetResult]:
        return [r for r in self.results if r.status is not TargetStatus.OK]

    @property
    def ok(self) -> list[TargetResult]:
        return [r for r in self.results if r.status is TargetStatus.OK]


@dataclass(frozen=True)
class RoleAccess:
    """How member accounts are entered."""

    role_name: str = DEFAULT_ROLE_NAME
    external_id: str | None = None

    def checked(self) -> "RoleAccess":
        if not ROLE_NAME.fullmatch(self.role_name):
            raise InputError(Phrase("fanout", {"variant": "role-name", "value": self.role_name}))
        if self.external_id is not None and not EXTERNAL_ID.fullmatch(self.external_id):
            raise InputError(Phrase("fanout", {"variant": "external-id"}))
        return self

    def role_arn(self, partition: str, account: str) -> str:
        return f"arn:{partition}:iam::{account}:role/{self.role_name}"


@dataclass(frozen=True)
class ErrorBudget:
    """`N` failed targets, or `P%` of all targets, may fail before no new target is started."""

    count: int | None = None
    percent: float | None = None

    @classmethod
    def parse(cls, text: str) -> "ErrorBudget":
        match = re.fullmatch(r"([0-9]{1,6})(%?)", text.strip())
        if not match or (match.group(2) and int(match.group(1)) > 100):
            raise InputError(Phrase("fanout", {"variant": "max-errors", "value": text}))
        value = int(match.group(1))
        return cls(percent=float(value)) if match.group(2) else cls(count=value)

    def allowed(self, total: int) -> int:
        return self.count if self.count is not None else math.floor(total * (self.percent or 0) / 100)


class AccountSessions:
    """One Connection per account, made once and shared by that account's regions: one AssumeRole per account."""

    def __init__(self, conn, access: RoleAccess):
        self.conn = conn
        self.access = access
        self._connections: dict[str, Any] = {conn.account_id: conn}
        self._failures: dict[str, str] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def _lock_for(self, account: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(account, threading.Lock())

    def connection(self, account: str):
        """The account's Connection; raises AwsError (remembered, so other regions fail fast) when the role
        cannot be assumed."""
        with self._lock_for(account):
            if account in self._connections:
                return self._connections[account]
            if account in self._failures:
                raise _Unreachable(self._failures[account])
            try:
                self._connections[account] = assume_role(self.conn, account, self.access)
            except _Unreachable as exc:
                self._failures[account] = str(exc)
                raise
            return self._connections[account]


class _Unreachable(Exception):
    """The target's account could not be entered."""


def assume_role(conn, account: str, access: RoleAccess):
    """A Connection into `account` through the named role, with the caller's endpoint URL (the sandbox too)."""
    import boto3

    from tui.aws.session import Connection, _botocore_session

    arn = access.role_arn(partition_of(conn.region), account)
    kwargs = {"RoleArn": arn, "RoleSessionName": "vpce-wizard"}
    if access.external_id:
        kwargs["ExternalId"] = access.external_id
    try:
        credentials = conn.client("sts").assume_role(**kwargs)["Credentials"]
    except Exception as exc:  # noqa: BLE001 - whatever the reason (denied, garbled answer), this account is out of reach
        raise _Unreachable(Phrase("targets", {"variant": "assume-failed", "role": arn, "error": error_message(translate(exc, "sts:AssumeRole"))})) from None
    session = boto3.Session(
        aws_access_key_id=credentials["AccessKeyId"], aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"], botocore_session=_botocore_session(),
    )
    member = Connection(session, conn.target, conn.region, conn.endpoint_url)
    member.account_id = account
    return member


def _run_one(sessions: AccountSessions, target: Target, work: Callable) -> TargetResult:
    try:
        member = sessions.connection(target.account)
        return TargetResult(target, TargetStatus.OK, work(member, target))
    except _Unreachable as exc:
        return TargetResult(target, TargetStatus.UNREACHABLE, message=error_message(exc))
    except TargetFailed as exc:
        return TargetResult(target, TargetStatus.FAILED, exc.value, error_message(exc))
    except Exception as exc:  # noqa: BLE001 - one target's failure is its result, never the run's end
        return TargetResult(target, TargetStatus.FAILED, message=error_message(translate(exc, Phrase("aws-action", {"variant": "in-target", "target": target.label}))))


class TargetFailed(Exception):
    """Raised by work that finished but failed (some endpoint not changed); carries the partial value."""

    def __init__(self, message: str, value: Any = None):
        super().__init__(message)
        self.value = value


def run_targets(
    sessions: AccountSessions,
    targets: Iterable[Target],
    work: Callable[[Any, Target], Any],
    *,
    max_concurrency: int = DEFAULT_MAX_CONCURRENCY,
    budget: ErrorBudget | None = None,
    on_result: Callable[[TargetResult], None] | None = None,
) -> FanoutReport:
    """Call `work(connection, target)` for every target, at most `max_concurrency` at once.

    With a `budget`, no new target starts once more targets failed than it allows; those are SKIPPED.
    Results come back in target order whatever the completion order.
    """
    targets = list(targets)
    allowed = budget.allowed(len(targets)) if budget else None
    results: dict[Target, TargetResult] = {}
    failures = 0
    pending = iter(targets)
    stopped = False
    with ThreadPoolExecutor(max_workers=max(1, min(max_concurrency, len(targets) or 1))) as pool:
        running: dict[Future, Target] = {}
        while True:
            while len(running) < max_concurrency and not stopped:
                if allowed is not None and failures > allowed:
                    stopped = True
                    break
                target = next(pending, None)
                if target is None:
                    break
                running[pool.submit(_run_one, sessions, target, work)] = target
            if not running:
                break
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                result = future.result()
                del running[future]
                results[result.target] = result
                failures += result.status is not TargetStatus.OK
                if on_result:
                    on_result(result)
    for target in pending if stopped else ():
        results[target] = TargetResult(target, TargetStatus.SKIPPED, message=Phrase("targets", {"variant": "skipped", "allowed": allowed}))
    return FanoutReport(tuple(results[t] for t in targets if t in results), stopped)


class Progress:
    """`accounts done / failed / left` on one rewritten stderr line, only on a terminal and never with --json:
    done = every target of the account ended well, failed = some target of it did not, left = still running."""

    def __init__(self, targets: list[Target], enabled: bool, stream=None):
        self.stream = stream or sys.stderr
        self.enabled = enabled and self.stream.isatty()
        self.left = {t.account: sum(1 for u in targets if u.account == t.account) for t in targets}
        self.failed: set[str] = set()
        self._lock = threading.Lock()

    def __call__(self, result: TargetResult) -> None:
        with self._lock:
            self.left[result.target.account] -= 1
            if result.status is not TargetStatus.OK:
                self.failed.add(result.target.account)
            if self.enabled:
                done = sum(1 for account, n in self.left.items() if n == 0 and account not in self.failed)
                remaining = sum(1 for n in self.left.values() if n > 0)
                line = Phrase("progress", {"done": done, "failed": len(self.failed), "left": remaining}).localised()
                self.stream.write(f"\r  {line} ")
                self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()
