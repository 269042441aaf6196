"""Prints the policy core's figures: cold `generate` start-up, the per-keystroke review cost of a
maximum-size policy, and how many accounts fit under AWS's 20,480-character limit.

Run: python benchmarks/policy_benchmark.py
"""

import statistics
import subprocess
import sys
import time

from tui.policy.answers import Answers
from tui.policy.builder import build_policy
from tui.policy.documents import MAX_POLICY_CHARS, policy_size
from tui.policy.review import review_service

RUNS = 15


def cold_ms(args: list[str]) -> float:
    """Median wall time of a fresh interpreter running args."""
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run([sys.executable, *args], check=True, capture_output=True)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def accounts(n: int) -> tuple[str, ...]:
    return tuple(f"{100000000000 + i:012d}" for i in range(n))


def most_accounts_that_fit(resource_perimeter: bool, public_buckets: tuple[str, ...]) -> int:
    """Binary search on the account count: size grows monotonically with it."""
    low, high = 1, 3000
    while low < high:
        mid = (low + high + 1) // 2
        answers = Answers(accounts=accounts(mid), resource_perimeter=resource_perimeter, public_buckets=public_buckets)
        if policy_size(build_policy(answers, "s3", enforce_limit=False)) <= MAX_POLICY_CHARS:
            low = mid
        else:
            high = mid - 1
    return low


def main() -> None:
    baseline = cold_ms(["-c", "pass"])
    generate = cold_ms(["-m", "tui", "generate", "--account", "111122223333", "--region", "eu-west-1", "--public-bucket", "al2023", "-q"])
    print(f"cold start: python -c pass {baseline:.0f} ms; vpce-wizard generate {generate:.0f} ms (median of {RUNS})")

    buckets = ("al2023", "al2", "ssm-agent")
    for perimeter in (False, True):
        fit = most_accounts_that_fit(perimeter, buckets)
        label = "identity+resource perimeter" if perimeter else "identity perimeter only"
        print(f"most accounts that fit ({label}, AL2023+AL2+SSM buckets): {fit}")

    fit = most_accounts_that_fit(True, buckets)
    answers = Answers(accounts=accounts(fit), resource_perimeter=True, public_buckets=buckets).checked()
    review = review_service(answers, "s3")
    timings = []
    for _ in range(200):
        start = time.perf_counter()
        review_service(answers, "s3")
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    print(
        f"review of a maximum-size policy ({review.size:,} chars, {fit} accounts, build+validate+simulate "
        f"{len(review.results)} scenarios): median {statistics.median(timings):.2f} ms, "
        f"p95 {timings[int(len(timings) * 0.95)]:.2f} ms (budget: far under 16 ms per keystroke)"
    )


if __name__ == "__main__":
    main()
