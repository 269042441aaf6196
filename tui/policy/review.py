"""Everything the review step shows for one service, computed by the core so the CLI and the wizard agree.

A policy is shown as good only when the project's own validator finds no error and every standard
scenario comes out as intended.
"""

from dataclasses import dataclass

from tui.policy.answers import Answers
from tui.policy.builder import build_policy
from tui.policy.catalog import load_catalog
from tui.policy.documents import MAX_POLICY_CHARS, minify, pretty
from tui.policy.scenarios import ScenarioResult, run_scenarios, standard_scenarios
from tui.policy.validator import Finding, has_errors, validate


@dataclass(frozen=True)
class ServiceReview:
    """One service's policy with its size, findings and scenario outcomes."""

    service: str
    policy: dict
    text: str
    minified: str
    findings: tuple[Finding, ...]
    results: tuple[ScenarioResult, ...]

    @property
    def size(self) -> int:
        return len(self.minified)

    @property
    def headroom(self) -> int:
        """Characters left under AWS's limit (negative when over)."""
        return MAX_POLICY_CHARS - self.size

    @property
    def ok(self) -> bool:
        """No error-level finding and every scenario as intended."""
        return not has_errors(self.findings) and all(result.passed for result in self.results)


def _catalog_findings(answers: Answers) -> list[Finding]:
    """Bucket names are only verified in the aws partition; say so rather than pretend."""
    catalog = load_catalog()
    return [
        Finding(
            "warning",
            "unverified-partition",
            f"bucket names for {entry.title!r} are not verified in {answers.region}'s partition; confirm them before applying",
            "Statement",
        )
        for entry in map(catalog.get, answers.public_buckets)
        if not entry.verified_in(answers.region)
    ]


def review_service(answers: Answers, service: str) -> ServiceReview:
    """Build, validate and simulate one service's policy. Answers must be checked; oversize is reported, not raised."""
    policy = build_policy(answers, service, enforce_limit=False)
    minified = minify(policy)
    findings = validate(policy) + _catalog_findings(answers)
    results = run_scenarios(policy, standard_scenarios(answers, service))
    return ServiceReview(service, policy, pretty(policy), minified, tuple(findings), tuple(results))


def review_all(answers: Answers) -> dict[str, ServiceReview]:
    """Reviews for every chosen service that takes a policy."""
    from tui.policy.services import load_services

    services = load_services()
    return {name: review_service(answers, name) for name in answers.services if services[name].policy_supported}
