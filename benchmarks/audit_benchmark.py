"""Audit time for 2,000 endpoints in 4 regions of the emulator, next to a bare paginated DescribeVpcEndpoints
loop over the same endpoints, with the API calls each makes (counted through botocore's event hooks).

The bare loop is what a script without vpce-wizard runs: boto3's own clients with boto3's defaults. The
same loop through vpce-wizard's session (which leaves timestamps unparsed, tui/aws/session.py) is printed
too, so the audit's own work beyond listing shows on its own.

The endpoints share a few documents, as real fleets do: AWS's default on most, a perimeter on every third S3
one. Each figure is the median of 5 runs, alternating (the emulator's timings vary by a fifth from run to
run). The audit is timed three ways:
- first ever: a new connection, nothing in memory and an empty on-disk verdict cache, so every distinct
  verdict is proven (one per document, service, type and region); the very first run of the process, which
  also imports z3, is printed beside the median;
- a later run: a new connection (new clients, no memo of the endpoint-service catalogue) and nothing in
  memory, as in a new process, with the on-disk verdict cache (tui/policy/verdict_cache.py) that the first
  audit filled, as when audit runs every day; set against the bare loop on a new connection too;
- repeated: the same connection, verdicts cached in memory, as when the wizard looks endpoints up again.
The emulator runs in a process of its own (benchmarks/emulator.py), as AWS is another machine. The cache
lives in temporary folders of the benchmark's own, a new empty one for each cold run. The emulator's
endpoint-service catalogue is built before any timing (moto builds it once per region; AWS answers at once).

    .venv/bin/python benchmarks/audit_benchmark.py [--endpoints 2000] [--regions 4]
"""

import argparse
import os
import statistics
import tempfile
import time
from collections import Counter

from emulator import PlainBoto3, emulator_process

from tui.aws import discovery, perimeter
from tui.aws.audit import audit
from tui.aws.sandbox import SANDBOX_CREDENTIALS, perimeter_policy
from tui.aws.session import AwsTarget, connect
from tui.policy import analysis, verdict_cache
from tui.policy.documents import minify

REGIONS = ("eu-west-1", "us-east-1", "ap-southeast-2", "sa-east-1")
RUNS = 5
SERVICES = ("s3", "dynamodb", "ssm", "logs", "sts", "monitoring", "ssmmessages", "ec2messages")


def seed_many(url: str, account: str, regions, total: int) -> None:
    """Spread `total` endpoints over the regions; every third S3 one on a perimeter policy."""
    import boto3

    for index, region in enumerate(regions):
        ec2 = boto3.Session(region_name=region, **SANDBOX_CREDENTIALS).client("ec2", endpoint_url=url)
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        perimeter = minify(perimeter_policy(account, region))
        for n in range(total // len(regions) + (index < total % len(regions))):
            service = SERVICES[n % len(SERVICES)]
            kwargs = {"VpcId": vpc, "ServiceName": f"com.amazonaws.{region}.{service}", "VpcEndpointType": "Gateway" if service in ("s3", "dynamodb") else "Interface"}
            if service == "s3" and n % 3 == 0:
                kwargs["PolicyDocument"] = perimeter
            ec2.create_vpc_endpoint(**kwargs)


def counting(conn) -> Counter:
    calls = Counter()
    conn.session.events.register("before-call.*.*", lambda model, **_: calls.update([model.name]))
    return calls


def bare_loop(conn, regions) -> int:
    return sum(
        len(page["VpcEndpoints"])
        for region in regions
        for page in conn.client("ec2", region).get_paginator("describe_vpc_endpoints").paginate(PaginationConfig={"PageSize": 1000})
    )


def timed(function, *args):
    started = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoints", type=int, default=2000)
    parser.add_argument("--regions", type=int, default=4, choices=range(1, len(REGIONS) + 1))
    args = parser.parse_args()
    regions = REGIONS[: args.regions]
    with emulator_process() as url:
        target = AwsTarget(region=regions[0], endpoint_url=url, sandbox=True)
        started = time.perf_counter()
        seed_many(url, connect(target).account_id, regions, args.endpoints)
        print(f"seeded {args.endpoints} endpoints in {len(regions)} regions in {time.perf_counter() - started:.1f} s")
        catalogue = connect(target)
        for region in regions:  # moto's one-off catalogue build is the emulator's cost, not the audit's
            catalogue.client("ec2", region).describe_vpc_endpoint_services()

        bare = PlainBoto3(url)
        bare_calls = counting(bare)
        bare_times, listed = [timed(bare_loop, bare, regions)[0]], 0
        audited = connect(target)
        audit_calls = counting(audited)
        first_seconds, results = timed(audit, audited, regions, [audited.account_id])
        audit_calls_once = dict(audit_calls)
        fresh_bare_times, own_times, later_times, repeat_times, cold_times = [], [], [], [], [first_seconds]
        for run in range(RUNS):
            seconds, listed = timed(bare_loop, bare, regions)
            bare_times.append(seconds)
            fresh_bare_times.append(timed(bare_loop, PlainBoto3(url), regions)[0])
            own_times.append(timed(bare_loop, connect(target), regions)[0])
            later = connect(target)  # a new process: new clients, nothing in memory, the disk cache filled
            forget_in_memory()
            later_times.append(timed(audit, later, regions, [later.account_id])[0])
            repeat_times.append(timed(audit, audited, regions, [audited.account_id])[0])
            if run < RUNS - 1:  # the process's very first audit was the first cold run
                cold = connect(target)
                forget_in_memory()
                verdict_cache.analyser_fingerprint.cache_clear()
                os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(dir=CACHE_ROOT)
                cold_times.append(timed(audit, cold, regions, [cold.account_id])[0])
    bare_seconds, fresh_seconds, own_seconds, later_seconds, repeat_seconds, cold_seconds = (
        statistics.median(t) for t in (bare_times, fresh_bare_times, own_times, later_times, repeat_times, cold_times))
    high = sum(any(f.severity == "high" for f in r.findings) for r in results)
    print(f"load average {os.getloadavg()[0]:.2f}; {high} of {len(results)} endpoints with a high finding")
    print(f"bare DescribeVpcEndpoints loop:      {bare_seconds:6.2f} s  {listed} endpoints  API calls per run: { {k: v // len(bare_times) for k, v in bare_calls.items()} }")
    print(f"  the same on a new connection:      {fresh_seconds:6.2f} s  (new clients, as a new process has)")
    print(f"  through vpce-wizard's session:     {own_seconds:6.2f} s  (new connection; timestamps left unparsed)")
    print(f"audit, first ever (cold cache):      {cold_seconds:6.2f} s  {len(results)} endpoints  API calls: {audit_calls_once}; "
          f"the process's very first {first_seconds:.2f} s (z3 imported)")
    print(f"audit, a later run (new process):    {later_seconds:6.2f} s  (new connection, verdicts read from the on-disk cache)")
    print(f"audit, repeated (same connection):   {repeat_seconds:6.2f} s  (verdicts in memory)")
    print(f"ratio to the bare loop (goal: within 1.30x): later run {later_seconds / fresh_seconds:.2f}x, "
          f"repeated {repeat_seconds / bare_seconds:.2f}x, first ever {cold_seconds / fresh_seconds:.2f}x "
          f"(the very first {first_seconds / fresh_seconds:.2f}x) "
          "(new-process runs against the loop on a new connection)")
    print(f"audit beyond its own listing: first ever +{cold_seconds - own_seconds:.2f} s, later run +{later_seconds - own_seconds:.2f} s "
          "(against the loop through vpce-wizard's session)")


def forget_in_memory() -> None:
    """What a new process starts with: no verdict, parsed document or label in memory; the on-disk cache only."""
    analysis._analyse_cached.cache_clear()
    perimeter._stored_verdict_cached.cache_clear()
    perimeter._names_the_endpoint.cache_clear()
    discovery._read_stored.cache_clear()


if __name__ == "__main__":
    with tempfile.TemporaryDirectory(prefix="vpce-wizard-audit-benchmark-") as CACHE_ROOT:
        os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(dir=CACHE_ROOT)
        main()
