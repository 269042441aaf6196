"""Staged rollout: apply wave 1, re-audit it, and go on only if it is healthy; otherwise stop and say how back.

A wave is healthy when every endpoint of it was written and read back, a fresh listing shows each holding the
planned policy, and the analysis finds no high or lock-out finding that was not there before.
"""

from collections.abc import Callable
from dataclasses import dataclass

from tui.aws.fanout import AccountSessions, ErrorBudget, FanoutReport, TargetStatus, run_targets
from tui.aws.perimeter import Trust
from tui.aws.rollout import TargetPlan, discover_target, execute_targets, regressions
from tui.aws.targets import Target
from tui.policy.diff import same_policy
from tui.policy.errors import InputError
from tui.report.messages import Phrase


@dataclass(frozen=True)
class Wave:
    number: int
    targets: tuple[Target, ...]

    @property
    def accounts(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(t.account for t in self.targets))

    def rollback_command(self) -> str:
        regions = " ".join(f"--region {r}" for r in dict.fromkeys(t.region for t in self.targets))
        return f"vpce-wizard rollback --accounts {','.join(self.accounts)} {regions} --yes"


@dataclass(frozen=True)
class WaveResult:
    wave: Wave
    report: FanoutReport
    problems: tuple[str, ...]

    @property
    def healthy(self) -> bool:
        return not self.problems


def waves_from_accounts(account_lists: list[tuple[str, ...]], targets: list[Target]) -> list[Wave]:
    """One wave per account list, in order; targets of accounts no list names form a last wave."""
    waves: list[Wave] = []
    placed: set[str] = set()
    for accounts in account_lists:
        members = tuple(t for t in targets if t.account in accounts and t.account not in placed)
        placed.update(accounts)
        if members:
            waves.append(Wave(len(waves) + 1, members))
    rest = tuple(t for t in targets if t.account not in placed)
    if rest:
        waves.append(Wave(len(waves) + 1, rest))
    if len(waves) < 2 and account_lists:
        raise InputError(Phrase("waves", {"variant": "one-wave"}))
    return waves


def canary_waves(count: int, targets: list[Target]) -> list[Wave]:
    """The first `count` accounts, then all the others."""
    if count < 1:
        raise InputError(Phrase("waves", {"variant": "canary-min"}))
    accounts = list(dict.fromkeys(t.account for t in targets))
    if count >= len(accounts):
        raise InputError(Phrase("waves", {"variant": "canary-all", "count": count, "accounts": len(accounts)}))
    return waves_from_accounts([tuple(accounts[:count])], targets)


def _check_wave(conn, target: Target, plan: TargetPlan, trust: Trust) -> list[str]:
    """Re-audit one target of a wave: what each written endpoint holds now, and any new finding."""
    services = list(dict.fromkeys(item.endpoint.service for item in plan.plan.items if item.endpoint.service))
    after = discover_target(conn, target, trust, services=services or None)
    now = {f.endpoint.id: f for f in after}
    problems = [
        Phrase("wave-problem", {"variant": "not-held", "endpoint": item.endpoint.id})
        for item in plan.plan.writes
        if item.endpoint.id not in now or not same_policy(now[item.endpoint.id].endpoint.policy, item.policy)
    ]
    return problems + regressions(plan.before, after)


def run_waves(
    sessions: AccountSessions,
    waves: list[Wave],
    plans: dict[Target, TargetPlan],
    trust: Trust,
    *,
    dry_run: bool = False,
    budget: ErrorBudget | None = None,
    max_concurrency: int = 10,
    on_result: Callable | None = None,
    check: bool = True,
) -> list[WaveResult]:
    """Run the waves in order; stop after the first unhealthy one (its result says why). `check=False` (a
    rollback) skips the re-audit: going back to the old policy may well bring its old findings back."""
    results = []
    for wave in waves:
        wave_plans = [plans[t] for t in wave.targets if t in plans]
        report = execute_targets(sessions, wave_plans, dry_run=dry_run, budget=budget, max_concurrency=max_concurrency, on_result=on_result)
        problems = [Phrase("wave-problem", {"variant": "target", "target": r.target.label, "problem": r.message}) for r in report.errors]
        if check and not dry_run:
            checked = run_targets(sessions, [p.target for p in wave_plans], lambda conn, target: _check_wave(conn, target, plans[target], trust), max_concurrency=max_concurrency)
            for result in checked.results:
                if result.status is not TargetStatus.OK:
                    problems.append(Phrase("wave-problem", {"variant": "re-audit", "target": result.target.label, "error": result.message}))
                else:
                    problems += [Phrase("wave-problem", {"variant": "target", "target": result.target.label, "problem": p}) for p in result.value]
        results.append(WaveResult(wave, report, tuple(problems)))
        if problems:
            break
    return results
