"""Everything the review step shows for one service, computed by the core so the CLI and the wizard agree.

A policy is shown as good only when the project's own validator finds no error and every standard
scenario comes out as intended.
"""

from dataclasses import dataclass
from typing import Any

from tui.policy.answers import Answers
from tui.policy.builder import build_policy
from tui.policy.catalog import load_catalog
from tui.policy.documents import MAX_POLICY_CHARS, minify, pretty
from tui.policy.evaluator import evaluate
from tui.policy.exceptions import anonymous_read, blocked_default_buckets, bucket_entries_blocked_message
from tui.policy.scenarios import ScenarioResult, run_scenarios, standard_scenarios
from tui.policy.services import load_services
from tui.policy.statements import read_policy
from tui.policy.validator import WARNING, Finding, has_errors, validate
from tui.report.messages import Term


@dataclass(frozen=True)
class ServiceReview:
    """One service's policy with its size, findings and scenario outcomes."""

    service: str
    policy: dict[str, Any]
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


def _catalog_findings(answers: Answers, service: str) -> list[Finding]:
    """What the chosen buckets cost in a policy that carries them: names unverified in the partition, writes out
    of the perimeter, buckets whose owner is not AWS. Warnings: the engineer chose them; the review says why."""
    if not load_services()[service].public_buckets:
        return []
    findings = []
    for entry in map(load_catalog().get, answers.public_buckets):
        if not entry.verified_in(answers.region):
            findings.append(Finding(WARNING, "unverified-partition", "Statement",
                                    {"title": Term(entry.title), "region": answers.region}))
        if entry.write:
            findings.append(Finding(WARNING, "write-exception", "Statement",
                                    {"title": Term(entry.title), "actions": ", ".join(entry.actions)}))
        if entry.third_party:
            findings.append(Finding(WARNING, "third-party-buckets", "Statement", {"title": Term(entry.title)}))
    return findings


def _blocked_bucket_findings(answers: Answers, service: str, policy: dict[str, Any]) -> list[Finding]:
    """The analyser's "AWS-owned buckets blocked" finding, worded by the same functions (tui.policy.exceptions),
    for the policy just built: its only anonymous path is the exception statement, so the evaluator decides
    each bucket exactly and generate needs no solver."""
    if not load_services()[service].public_buckets:
        return []
    read = read_policy(policy)  # once: a maximum-size document took 2 ms to read, once per bucket
    blocked = blocked_default_buckets(answers.region, lambda arn: evaluate(read, anonymous_read(arn)).allowed)
    if not blocked:
        return []
    detail = bucket_entries_blocked_message([entry for entry, _ in blocked])
    return [Finding(WARNING, "aws-owned-buckets-blocked", "Statement", {"detail": detail})]


def _service_findings(service: str) -> list[Finding]:
    """A caveat the service template carries (e.g. CloudWatch Logs syslog endpoints), with its source."""
    template = load_services()[service]
    if not template.warning:
        return []
    return [Finding(WARNING, "service-caveat", "Statement", {"warning": Term(template.warning), "source": template.warning_source})]


def review_service(answers: Answers, service: str) -> ServiceReview:
    """Build, validate and simulate one service's policy. Answers must be checked; oversize is reported, not raised."""
    policy = build_policy(answers, service, enforce_limit=False)
    minified = minify(policy)
    findings = validate(policy) + _catalog_findings(answers, service) + _blocked_bucket_findings(answers, service, policy) + _service_findings(service)
    results = run_scenarios(policy, standard_scenarios(answers, service))
    return ServiceReview(service, policy, pretty(policy), minified, tuple(findings), tuple(results))


def review_all(answers: Answers) -> dict[str, ServiceReview]:
    """Reviews for every chosen service that takes a policy."""
    services = load_services()
    return {name: review_service(answers, name) for name in answers.services if services[name].policy_supported}
