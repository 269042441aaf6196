"""Org-wide audit of 50 accounts x 4 regions in the emulator, next to a serial bare loop over the same targets
(AssumeRole once per account, then a paginated DescribeVpcEndpoints per region), with the API calls each makes.

    python benchmarks/org_audit_benchmark.py [--accounts 50] [--regions 4] [--per-service 2] [--max-concurrency 10]

The bare loop is what a script without vpce-wizard runs: boto3's own clients with boto3's defaults. The
emulator runs in a process of its own (benchmarks/emulator.py), as AWS is another machine; it still shares
this machine's two cores with the audit, so the ratio understates what concurrency buys against AWS, where
each call waits on the network.
"""

import argparse
import os
import threading
import time
from collections import Counter

import botocore.client
from emulator import PlainBoto3, emulator_process

from tui.aws.fanout import DEFAULT_MAX_CONCURRENCY, AccountSessions, RoleAccess
from tui.aws.org_sandbox import seed_organization
from tui.aws.perimeter import Trust
from tui.aws.rollout import audit_targets
from tui.aws.session import AwsTarget, connect
from tui.aws.targets import TargetSpec, resolve_targets

os.environ["VPCE_WIZARD_VERDICT_CACHE"] = "off"  # every run proves its verdicts: none read from an earlier run's disk cache

REGIONS = ("eu-west-1", "us-east-1", "ap-southeast-2", "sa-east-1")
CALLS: Counter = Counter()
_LOCK = threading.Lock()
_REAL_CALL = botocore.client.BaseClient._make_api_call


def _counting(self, operation_name, params):
    with _LOCK:
        CALLS[operation_name] += 1
    return _REAL_CALL(self, operation_name, params)


def bare_loop(url: str, caller_account: str, targets) -> int:
    """What a script would do: one role per account, then list every region's endpoints, one after another."""
    script = PlainBoto3(url)
    members: dict[str, PlainBoto3] = {}
    listed = 0
    for target in targets:
        if target.account not in members:
            members[target.account] = script if target.account == caller_account else script.assume(RoleAccess().role_arn("aws", target.account))
        pages = members[target.account].client("ec2", target.region).get_paginator("describe_vpc_endpoints").paginate(PaginationConfig={"PageSize": 1000})
        listed += sum(len(page["VpcEndpoints"]) for page in pages)
    return listed


def measure(_label: str, run) -> tuple[float, object, dict]:
    CALLS.clear()
    started = time.perf_counter()
    result = run()
    return time.perf_counter() - started, result, dict(CALLS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=50, help="member accounts (the management account comes on top)")
    parser.add_argument("--regions", type=int, default=4, choices=range(1, len(REGIONS) + 1))
    parser.add_argument("--per-service", type=int, default=2, help="endpoints of each of S3 and SSM per account and region")
    parser.add_argument("--max-concurrency", type=int, default=DEFAULT_MAX_CONCURRENCY)
    args = parser.parse_args()
    regions = REGIONS[: args.regions]
    with emulator_process() as url:
        started = time.perf_counter()
        org = seed_organization(url, args.accounts, regions, per_service=args.per_service)
        print(f"seeded {args.accounts} member accounts x {len(regions)} regions in {time.perf_counter() - started:.1f} s")
        botocore.client.BaseClient._make_api_call = _counting
        caller = connect(AwsTarget(region=regions[0], endpoint_url=url, sandbox=True))
        targets = [t for t in resolve_targets(caller, TargetSpec(org=True, regions=regions)) if t.account != caller.account_id]
        trust = Trust((org.management, *org.members))
        audit_targets(AccountSessions(caller, RoleAccess()), targets, trust)  # moto builds its service catalogues once

        bare_seconds, listed, bare_calls = measure("bare", lambda: bare_loop(url, caller.account_id, targets))
        fresh = connect(AwsTarget(region=regions[0], endpoint_url=url, sandbox=True))
        audit_seconds, report, audit_calls = measure("audit", lambda: audit_targets(AccountSessions(fresh, RoleAccess()), targets, trust, max_concurrency=args.max_concurrency))
        botocore.client.BaseClient._make_api_call = _REAL_CALL
    audited = sum(len(r.value) for r in report.ok)
    high = sum(any(f.severity == "high" for f in found.endpoint.findings) for r in report.ok for found in r.value)
    print(f"targets: {len(targets)} ({args.accounts} accounts x {len(regions)} regions), max concurrency {args.max_concurrency}")
    print(f"serial bare loop (AssumeRole + DescribeVpcEndpoints): {bare_seconds:6.2f} s  {listed} endpoints  API calls: {bare_calls}")
    print(f"org audit (fan-out, discover + evaluate):            {audit_seconds:6.2f} s  {audited} endpoints  API calls: {audit_calls}")
    print(f"ratio audit / bare loop: {audit_seconds / bare_seconds:.2f}; calls {sum(audit_calls.values())} vs {sum(bare_calls.values())}; "
          f"{len(report.errors)} target(s) with errors; {high} endpoints with a high finding")


if __name__ == "__main__":
    main()
