"""Cost of the apply guard: every question (what it asked before) next to only what blocks apply (the lock-out
question, `blocking_findings`), cold, over the analysis corpus with a caller, and whether both agree on lock-out.

    .venv/bin/python benchmarks/guard_benchmark.py
"""

import json
import os
import time
from pathlib import Path

os.environ["VPCE_WIZARD_VERDICT_CACHE"] = "off"  # cold means proven: no verdict read from an earlier run's disk cache

from tui.policy.analysis import Caller, Setting, Trust, _analyse_cached, _blocking_cached, analyse, blocking_findings

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "analysis_corpus"
CALLER = "arn:aws:sts::{account}:assumed-role/deployer/session"


def settings() -> list[tuple[str, dict, Setting]]:
    """(name, policy, setting) for every corpus file, judged for a caller of its first trusted account."""
    found = []
    for name, entry in json.loads((CORPUS / "index.json").read_text()).items():
        if name.startswith("builder:") or not entry["accounts"]:
            continue
        caller = Caller.from_arn(entry.get("caller") or CALLER.format(account=entry["accounts"][0]))
        setting = Setting(entry["service"], entry["region"], Trust(tuple(entry["accounts"]), tuple(entry["orgs"])),
                          entry.get("endpoint_type", ""), entry.get("vpc_id"), entry.get("endpoint_id"), caller, entry.get("resource_perimeter"))
        found.append((name, json.loads((CORPUS / name).read_text()), setting))
    return found


def timed(function, policy: dict, setting: Setting):
    _analyse_cached.cache_clear()
    _blocking_cached.cache_clear()
    started = time.perf_counter()
    result = function(policy, setting)
    return time.perf_counter() - started, result


def main() -> None:
    cases = settings()
    full_total = guard_total = 0.0
    disagreements = []
    for name, policy, setting in cases:
        full_seconds, analysis = timed(analyse, policy, setting)
        guard_seconds, blocking = timed(blocking_findings, policy, setting)
        full_total += full_seconds
        guard_total += guard_seconds
        asked = not any(f.code == "not-asked" for f in analysis.findings)  # an evident open policy skips lock-out
        if asked and any(f.code == "lock-out" for f in analysis.findings) != any(f.code == "lock-out" for f in blocking):
            disagreements.append(name)
    print(f"apply guard over {len(cases)} corpus policies, cold, load average {os.getloadavg()[0]:.2f}:")
    print(f"  every question (before):  {full_total:6.2f} s  ({full_total / len(cases) * 1000:.0f} ms per policy)")
    print(f"  lock-out question only:   {guard_total:6.2f} s  ({guard_total / len(cases) * 1000:.0f} ms per policy)")
    print(f"  speed-up {full_total / guard_total:.1f}x; lock-out verdicts that differ: {disagreements or 'none'}")


if __name__ == "__main__":
    main()
