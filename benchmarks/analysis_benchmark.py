"""Figures for the symbolic analyser: a maximum-size policy analysed cold and cached, the distinct verdicts of
`audit_benchmark.py`'s fleet proven cold, and the hostile wildcard pair that froze a backtracking regex. Cold
means proven: the on-disk verdict cache is off. Run with the project's venv:
`.venv/bin/python benchmarks/analysis_benchmark.py`."""

import json
import os
import statistics
import time

from tui.policy.analysis import Setting, Trust, _analyse_cached, analyse
from tui.policy.answers import Answers
from tui.policy.builder import build_policy
from tui.policy.documents import MAX_POLICY_CHARS, policy_size

REGION = "eu-west-1"
FLEET_REGIONS = ("eu-west-1", "us-east-1", "ap-southeast-2", "sa-east-1")
FLEET_SERVICES = ("s3", "dynamodb", "ssm", "logs", "sts", "monitoring", "ssmmessages", "ec2messages")
"""As audit_benchmark.py seeds them: AWS's default policy on every endpoint, a perimeter on some S3 ones."""

os.environ["VPCE_WIZARD_VERDICT_CACHE"] = "off"


def accounts_that_fit(resource_perimeter: bool) -> tuple[str, ...]:
    """As many trusted accounts as fit under AWS's limit with the default AWS-owned buckets."""
    accounts: list[str] = []
    while True:
        candidate = (*tuple(accounts), f"{100000000000 + len(accounts) * 7919:012d}")
        answers = Answers(services=("s3",), accounts=candidate, resource_perimeter=resource_perimeter,
                          public_buckets=("al2023", "al2", "ssm-agent"), region=REGION)
        if policy_size(build_policy(answers, "s3", enforce_limit=False)) > MAX_POLICY_CHARS:
            return tuple(accounts)
        accounts = list(candidate)


def timed(policy: dict, setting: Setting, runs: int = 3) -> tuple[float, float]:
    """(median cold seconds, median cached seconds)."""
    cold, cached = [], []
    for _ in range(runs):
        _analyse_cached.cache_clear()
        started = time.perf_counter()
        analyse(policy, setting)
        cold.append(time.perf_counter() - started)
        started = time.perf_counter()
        analyse(policy, setting)
        cached.append(time.perf_counter() - started)
    return statistics.median(cold), statistics.median(cached)


def fleet_verdicts() -> list[tuple[str, int, float]]:
    """(kind, distinct verdicts, seconds to prove them) for the audit benchmark's fleet of 2,000 endpoints:
    AWS's default document (answered on its face, without the solver) and the perimeters (the solver)."""
    from tui.aws.sandbox import perimeter_policy
    from tui.policy.analysis import FULL_ACCESS_POLICY

    account = "123456789012"
    kinds = {
        "AWS's default policy": [(FULL_ACCESS_POLICY, Setting(service, region, Trust((account,)), "Gateway" if service in ("s3", "dynamodb") else "Interface"))
                                 for region in FLEET_REGIONS for service in FLEET_SERVICES],
        "S3 perimeter": [(perimeter_policy(account, region), Setting("s3", region, Trust((account,)), "Gateway")) for region in FLEET_REGIONS],
    }
    _analyse_cached.cache_clear()
    figures = []
    for kind, settings in kinds.items():
        started = time.perf_counter()
        for policy, setting in settings:
            analyse(policy, setting)
        figures.append((kind, len(settings), time.perf_counter() - started))
    return figures


def main() -> None:
    for perimeter in (False, True):
        accounts = accounts_that_fit(perimeter)
        answers = Answers(services=("s3",), accounts=accounts, resource_perimeter=perimeter,
                          public_buckets=("al2023", "al2", "ssm-agent"), region=REGION).checked()
        policy = build_policy(answers, "s3")
        setting = Setting("s3", REGION, Trust(accounts), "Gateway", resource_perimeter=perimeter)
        cold, cached = timed(policy, setting)
        verdict = analyse(policy, setting)
        print(f"maximum-size policy ({len(accounts):,} accounts, resource perimeter {'on' if perimeter else 'off'}, "
              f"{policy_size(policy):,} chars): cold {cold * 1000:,.0f} ms, cached {cached * 1e6:,.0f} us, "
              f"verdict {verdict.classification} with {sum(f.severity == 'high' for f in verdict.findings)} high")
    figures = fleet_verdicts()
    count, seconds = sum(n for _, n, _ in figures), sum(t for _, _, t in figures)
    print(f"audit benchmark's fleet: {count} distinct verdicts proven cold in {seconds:.2f} s: "
          + ", ".join(f"{kind} {n} in {t * 1000:.0f} ms ({t / n * 1000:.1f} ms each)" for kind, n, t in figures))
    hostile = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::" + "*x" * 2000 + "*y"},
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::" + "x" * 8000}]}
    _analyse_cached.cache_clear()
    started = time.perf_counter()
    verdict = analyse(hostile, Setting("s3", REGION, Trust(("111122223333",)), "Gateway"))
    print(f"hostile wildcard pair ({len(json.dumps(hostile)):,} chars): {time.perf_counter() - started:.2f} s, verdict {verdict.classification}")


if __name__ == "__main__":
    main()
