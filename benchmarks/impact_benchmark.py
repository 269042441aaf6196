"""How fast and how flat does `impact` replay CloudTrail logs? Prints records/s and peak memory of a replay of
synthetic gzipped log files next to a bare gzip + json read of the same files.

    python benchmarks/impact_benchmark.py              # 1,000,000 records in 100 files
    python benchmarks/impact_benchmark.py --records 200000

Each measurement runs in its own interpreter and reports its own peak resident memory (VmHWM); times are
CPU seconds of that process (the machine may be shared, wall-clock time would measure the neighbours). The bare
read loads one whole file at a time (`json.load(gzip.open(f))`), as a script would; the replay streams
record by record, decides each distinct request once and groups them. The goal: replay within 3x of the
bare read, and memory flat as logs grow.
"""

import argparse
import gzip
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRUSTED = [f"1111222233{n:02d}" for n in range(20)]
FOREIGN = [f"4444555566{n:02d}" for n in range(5)]
BUCKETS = [f"data-{account}" for account in TRUSTED] + ["al2023-repos-eu-west-1-de612dc2", "prod-eu-west-1-starport-layer-bucket"]
ENDPOINTS = ["vpce-0a1b2c3d4e5f60718", "vpce-0ffffeeee11112222"]


def synthetic_record(rng: random.Random, index: int) -> dict:
    """An S3 data or network activity event shaped like the fixtures in tests/cloudtrail (about 1.3 KB)."""
    anonymous = rng.random() < 0.1
    account = rng.choice(FOREIGN if rng.random() < 0.05 else TRUSTED)
    bucket = BUCKETS[-2] if anonymous else rng.choice(BUCKETS)
    identity = {"type": "AWSAccount", "principalId": "", "accountId": "ANONYMOUS_PRINCIPAL"} if anonymous else {
        "type": "AssumedRole", "principalId": f"AROAEXAMPLE{account[-4:]}:i-0{index:016x}",
        "arn": f"arn:aws:sts::{account}:assumed-role/app/i-0{index:016x}", "accountId": account, "accessKeyId": "ASIAEXAMPLE",
        "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": f"AROAEXAMPLE{account[-4:]}",
                                             "arn": f"arn:aws:iam::{account}:role/app", "accountId": account, "userName": "app"},
                           "attributes": {"creationDate": "2026-11-20T08:00:00Z", "mfaAuthenticated": "false"}}}
    key = f"objects/{rng.randrange(10**9):09d}/part-{index:07d}.parquet"
    return {
        "eventVersion": "1.11", "userIdentity": identity,
        "eventTime": f"2026-11-{1 + index % 28:02d}T{index % 24:02d}:{index % 60:02d}:{(index // 60) % 60:02d}Z",
        "eventSource": "s3.amazonaws.com", "eventName": rng.choice(("GetObject", "GetObject", "PutObject", "HeadObject")),
        "awsRegion": "eu-west-1", "sourceIPAddress": f"10.0.{index % 250}.{index % 200}",
        "userAgent": "[aws-sdk-java/2.29.0 Linux/6.1 OpenJDK_64-Bit_Server_VM/21 vendor/Amazon.com_Inc. md/internal io/sync http/Apache]",
        "requestParameters": {"bucketName": bucket, "Host": f"{bucket}.s3.eu-west-1.amazonaws.com", "key": key},
        "responseElements": None,
        "additionalEventData": {"SignatureVersion": "SigV4", "CipherSuite": "TLS_AES_128_GCM_SHA256", "bytesTransferredIn": 0,
                                "AuthenticationMethod": "AuthHeader", "x-amz-id-2": "Q" * 76, "bytesTransferredOut": rng.randrange(10**7)},
        "requestID": f"{index:016X}", "eventID": f"00000000-0000-4000-8000-{index:012d}", "readOnly": True,
        "resources": [{"type": "AWS::S3::Object", "ARN": f"arn:aws:s3:::{bucket}/{key}"},
                      {"accountId": bucket[5:] if bucket.startswith("data-") else "", "type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::{bucket}"}],
        "eventType": "AwsApiCall", "managementEvent": False, "recipientAccountId": TRUSTED[0],
        "vpcEndpointId": ENDPOINTS[index % 7 == 0], "eventCategory": "Data",
        "tlsDetails": {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256", "clientProvidedHostHeader": f"{bucket}.s3.eu-west-1.amazonaws.com"},
    }


def generate(folder: Path, records: int, files: int) -> int:
    rng = random.Random(7)
    per_file = records // files
    size = 0
    for number in range(files):
        batch = [synthetic_record(rng, number * per_file + i) for i in range(per_file)]
        path = folder / f"111122223300_CloudTrail_eu-west-1_20261122T{number:04d}Z_bench.json.gz"
        data = gzip.compress(json.dumps({"Records": batch}).encode(), compresslevel=6)
        path.write_bytes(data)
        size += len(data)
    return size


BARE = """
import gzip, json, resource, sys, time
def peak_kib():
    # VmHWM is this process's own peak; ru_maxrss would include the parent's RSS copied at fork
    try:
        with open("/proc/self/status") as status:
            return int(next(line for line in status if line.startswith("VmHWM:")).split()[1])
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
from pathlib import Path
start = time.process_time()
count = 0
for path in sorted(Path(sys.argv[1]).glob("*.json.gz")):
    with gzip.open(path) as handle:
        count += len(json.load(handle)["Records"])
elapsed = time.process_time() - start
print(count, elapsed, peak_kib())
"""

REPLAY = """
import json, resource, sys, time
def peak_kib():
    # VmHWM is this process's own peak; ru_maxrss would include the parent's RSS copied at fork
    try:
        with open("/proc/self/status") as status:
            return int(next(line for line in status if line.startswith("VmHWM:")).split()[1])
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
from tui.policy.answers import Answers
from tui.policy.builder import build_policies
from tui.policy.cloudtrail import local_sources, records_from
from tui.policy.impact import Scope, Trust, impact_groups
trusted = [f"1111222233{n:02d}" for n in range(20)]
policy = build_policies(Answers(accounts=tuple(trusted), public_buckets=("al2023", "ecr-layers"), region="eu-west-1"))["s3"]
problems = []
start = time.process_time()
records = records_from(local_sources([sys.argv[1]]), lambda source, problem: problems.append(problem))
report = impact_groups(policy, records, Trust(accounts=frozenset(trusted)), Scope(services=frozenset({"s3"})), problems)
elapsed = time.process_time() - start
assert not problems, problems
print(report.events, elapsed, peak_kib(), len(report.groups))
"""


IMPORTS_ONLY = """
import resource
def peak_kib():
    # VmHWM is this process's own peak; ru_maxrss would include the parent's RSS copied at fork
    try:
        with open("/proc/self/status") as status:
            return int(next(line for line in status if line.startswith("VmHWM:")).split()[1])
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
import tui.policy.builder, tui.policy.cloudtrail, tui.policy.impact
print(peak_kib())
"""


def measure(script: str, folder: Path) -> list[str]:
    output = subprocess.run([sys.executable, "-c", script, str(folder)], capture_output=True, text=True, check=True, cwd=ROOT)
    return output.stdout.split()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--files", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="impact-bench-") as folder:
        started = time.perf_counter()
        size = generate(Path(folder), args.records, args.files)
        print(f"generated {args.records:,} records in {args.files} gzip files ({size / 2**20:,.0f} MiB) in {time.perf_counter() - started:.0f} s")
        count, bare_seconds, bare_rss = measure(BARE, Path(folder))
        events, replay_seconds, replay_rss, groups = measure(REPLAY, Path(folder))
    bare_seconds, replay_seconds = float(bare_seconds), float(replay_seconds)
    print(f"bare gzip+json read: {int(count):>9,} records  {bare_seconds:6.1f} CPU s  {int(count) / bare_seconds:>9,.0f} records/s  peak RSS {int(bare_rss) / 1024:,.0f} MiB")
    print(f"impact replay:       {int(events):>9,} records  {replay_seconds:6.1f} CPU s  "
          f"{int(events) / replay_seconds:>9,.0f} records/s  peak RSS {int(replay_rss) / 1024:,.0f} MiB  ({groups} groups)")
    print(f"(the replay's interpreter with its imports alone: peak RSS {int(measure(IMPORTS_ONLY, ROOT)[0]) / 1024:,.0f} MiB)")
    ratio = replay_seconds / bare_seconds
    print(f"replay / bare read: {ratio:.2f}x (goal: within 3x) {'OK' if ratio <= 3 else 'SLOWER THAN THE GOAL'}")


if __name__ == "__main__":
    main()
