"""Targets and the fan-out runner: which accounts count, how an OU is walked, the error budget, the bound on
concurrency, and the audit's cost in API calls (targets x (pages + 1), whatever the number of endpoints)."""

import threading
import time
from collections import Counter

import botocore.client
import pytest

from tui.aws.fanout import (
    AccountSessions,
    ErrorBudget,
    RoleAccess,
    TargetFailed,
    TargetStatus,
    _Unreachable,
    run_targets,
)
from tui.aws.org_sandbox import _client, member_credentials, seed_endpoints, seed_organization
from tui.aws.perimeter import Trust
from tui.aws.rollout import audit_targets
from tui.aws.session import AwsTarget, connect
from tui.aws.targets import Target, TargetSpec, is_active, ou_accounts, parse_accounts, resolve_targets
from tui.policy.errors import InputError


@pytest.mark.parametrize(("account", "active"), [
    ({"State": "ACTIVE", "Status": "SUSPENDED"}, True),
    ({"State": "SUSPENDED", "Status": "ACTIVE"}, False),  # State wins; Status is being retired
    ({"State": "PENDING_CLOSURE"}, False),
    ({"Status": "ACTIVE"}, True),  # older answers carry Status only
    ({}, False),
])
def test_active_reads_state_and_status_only_without_it(account, active):
    assert is_active(account) is active


def test_accounts_from_a_list_or_a_file(tmp_path):
    assert parse_accounts("111122223333, 444455556666,111122223333") == ("111122223333", "444455556666")
    path = tmp_path / "wave.txt"
    path.write_text("# dev accounts\n111122223333\n444455556666  # sandbox\n")
    assert parse_accounts(str(path)) == ("111122223333", "444455556666")
    path.write_text("# nothing\n")
    with pytest.raises(InputError, match="names no account"):
        parse_accounts(str(path))
    path.write_text("１１１１２２２２３３３３\n")  # full-width digits are not an account ID
    with pytest.raises(InputError, match="full-width characters"):
        parse_accounts(str(path))


def test_error_budget_parsing():
    assert ErrorBudget.parse("3").allowed(100) == 3
    assert ErrorBudget.parse("10%").allowed(25) == 2
    for bad in ("-1", "x", "101%", "３"):
        with pytest.raises(InputError):
            ErrorBudget.parse(bad)


class FakeSessions:
    """Accounts named `locked*` cannot be entered; every other one gets a dummy connection."""

    def connection(self, account):
        if account.startswith("locked"):
            raise _Unreachable(f"cannot assume a role in {account}")
        return object()


def test_the_error_budget_stops_starting_new_targets():
    targets = [Target(f"a{n}", "eu-west-1") for n in range(6)]

    def work(conn, target):
        raise TargetFailed("endpoint refused")

    report = run_targets(FakeSessions(), targets, work, max_concurrency=1, budget=ErrorBudget(count=1))
    assert [r.status for r in report.results] == [TargetStatus.FAILED] * 2 + [TargetStatus.SKIPPED] * 4
    assert report.stopped and "--max-errors" in report.results[-1].message


def test_without_a_budget_every_target_is_visited_and_unreachable_ones_reported():
    targets = [Target(name, region) for name in ("a", "locked-b", "c") for region in ("eu-west-1", "us-east-1")]
    report = run_targets(FakeSessions(), targets, lambda conn, target: target.label, max_concurrency=4)
    assert [r.status for r in report.results] == [TargetStatus.OK] * 2 + [TargetStatus.UNREACHABLE] * 2 + [TargetStatus.OK] * 2
    assert [r.value for r in report.ok] == ["a/eu-west-1", "a/us-east-1", "c/eu-west-1", "c/us-east-1"]
    assert not report.stopped and {e.error_dict()["status"] for e in report.errors} == {"unreachable"}


def test_concurrency_is_bounded():
    in_flight, peak, lock = 0, 0, threading.Lock()

    def work(conn, target):
        nonlocal in_flight, peak
        with lock:
            in_flight += 1
            peak = max(peak, in_flight)
        time.sleep(0.02)
        with lock:
            in_flight -= 1

    run_targets(FakeSessions(), [Target(f"a{n}", "eu-west-1") for n in range(12)], work, max_concurrency=3)
    assert peak == 3


def test_an_ou_is_walked_with_its_children(aws_env, conn):
    org = seed_organization(aws_env.url, 3, ())
    client = _client(aws_env.url, "organizations", "us-east-1")
    parent = client.create_organizational_unit(ParentId=org.root_id, Name="workloads")["OrganizationalUnit"]["Id"]
    child = client.create_organizational_unit(ParentId=parent, Name="dev")["OrganizationalUnit"]["Id"]
    client.move_account(AccountId=org.members[0], SourceParentId=org.root_id, DestinationParentId=parent)
    client.move_account(AccountId=org.members[1], SourceParentId=org.root_id, DestinationParentId=child)
    assert sorted(ou_accounts(conn, parent)) == sorted(org.members[:2])
    assert ou_accounts(conn, child) == [org.members[1]]
    targets = resolve_targets(conn, TargetSpec(ou=parent, exclude=(org.members[1],), regions=("eu-west-1", "us-east-1")))
    assert targets == [Target(org.members[0], "eu-west-1"), Target(org.members[0], "us-east-1")]


@pytest.fixture
def api_calls(monkeypatch):
    """Every API call any client makes, by operation name, counted where botocore makes it."""
    calls, lock = Counter(), threading.Lock()
    real = botocore.client.BaseClient._make_api_call

    def counting(self, operation_name, params):
        with lock:
            calls[operation_name] += 1
        return real(self, operation_name, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", counting)
    return calls


def test_audit_cost_is_targets_times_pages_plus_one_whatever_the_endpoints(aws_env, conn, api_calls):
    regions = ("eu-west-1", "us-east-1")
    org = seed_organization(aws_env.url, 3, regions)
    targets = resolve_targets(conn, TargetSpec(org=True, regions=regions))
    trust = Trust((org.management, *org.members))

    def audit_cost():
        fresh = connect(AwsTarget(region="eu-west-1", endpoint_url=aws_env.url, sandbox=True))  # no cached service list
        api_calls.clear()
        report = audit_targets(AccountSessions(fresh, RoleAccess()), targets, trust)
        assert not report.errors
        return sum(len(r.value) for r in report.ok), dict(api_calls)

    endpoints, calls = audit_cost()
    pages = 1  # every target holds fewer than 1,000 endpoints: one DescribeVpcEndpoints page each
    assert len(targets) == 8 and endpoints == 16 + 12
    assert calls == {"DescribeVpcEndpoints": len(targets) * pages, "DescribeVpcEndpointServices": len(targets), "AssumeRole": 3}

    seed_endpoints(aws_env.url, org.members[0], regions, credentials=member_credentials(aws_env.url, org.members[0]), per_service=10)
    more, calls_after = audit_cost()
    assert more == endpoints + 2 * 2 * 10 and calls_after == calls  # 40 more endpoints, not one more call


class Terminal:
    def __init__(self, tty: bool):
        self.tty, self.text = tty, ""

    def isatty(self):
        return self.tty

    def write(self, text):
        self.text += text

    def flush(self):
        pass


def test_progress_counts_accounts_on_a_terminal_only():
    from tui.aws.fanout import Progress, TargetResult

    targets = [Target(a, r) for a in ("a", "b") for r in ("eu-west-1", "us-east-1")]
    for tty, enabled in ((True, True), (True, False), (False, True)):
        stream = Terminal(tty)
        progress = Progress(targets, enabled=enabled, stream=stream)
        progress(TargetResult(targets[0], TargetStatus.OK))
        progress(TargetResult(targets[1], TargetStatus.OK))
        progress(TargetResult(targets[2], TargetStatus.UNREACHABLE))
        progress.close()
        if tty and enabled:
            assert "accounts: 1 done, 0 failed, 1 left" in stream.text and "0 done" not in stream.text.split("\r")[-1]
            assert stream.text.endswith("1 done, 1 failed, 1 left \n")
        else:
            assert stream.text == ""
