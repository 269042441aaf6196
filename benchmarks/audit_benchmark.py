"""Audit time for 2,000 endpoints in 4 regions of the emulator, next to a bare paginated DescribeVpcEndpoints
loop over the same endpoints, with the API calls each makes (counted through botocore's event hooks).

    python benchmarks/audit_benchmark.py [--endpoints 2000] [--regions 4]
"""

import argparse
import time
from collections import Counter

from tui.aws.audit import audit
from tui.aws.sandbox import SANDBOX_CREDENTIALS, perimeter_policy, start_server
from tui.aws.session import AwsTarget, connect
from tui.policy.documents import minify

REGIONS = ("eu-west-1", "us-east-1", "ap-southeast-2", "sa-east-1")
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoints", type=int, default=2000)
    parser.add_argument("--regions", type=int, default=4, choices=range(1, len(REGIONS) + 1))
    args = parser.parse_args()
    regions = REGIONS[: args.regions]
    server, url = start_server(0)
    try:
        target = AwsTarget(region=regions[0], endpoint_url=url, sandbox=True)
        started = time.perf_counter()
        seed_many(url, connect(target).account_id, regions, args.endpoints)
        print(f"seeded {args.endpoints} endpoints in {len(regions)} regions in {time.perf_counter() - started:.1f} s")

        warm = connect(target)
        audit(warm, regions, [warm.account_id])  # moto builds its endpoint-service catalogue once per region

        bare = connect(target)
        bare_calls = counting(bare)
        started = time.perf_counter()
        listed = bare_loop(bare, regions)
        bare_seconds = time.perf_counter() - started

        audited = connect(target)
        audit_calls = counting(audited)
        started = time.perf_counter()
        results = audit(audited, regions, [audited.account_id])
        audit_seconds = time.perf_counter() - started
    finally:
        server.stop()
    high = sum(any(f.severity == "high" for f in r.findings) for r in results)
    print(f"bare DescribeVpcEndpoints loop: {bare_seconds:6.2f} s  {listed} endpoints  API calls: {dict(bare_calls)}")
    print(f"audit (discover + evaluate):    {audit_seconds:6.2f} s  {len(results)} endpoints  API calls: {dict(audit_calls)}")
    print(f"audit overhead: {audit_seconds - bare_seconds:.2f} s ({(audit_seconds - bare_seconds) / max(len(results), 1) * 1000:.2f} ms per endpoint); {high} endpoints with a high finding")


if __name__ == "__main__":
    main()
