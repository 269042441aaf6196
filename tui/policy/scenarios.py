"""Standard requests every generated policy is checked against, so "it blocks the insider" is shown, not claimed.

Each scenario states the outcome the engineer intends; the evaluator decides what the policy really does,
and a mismatch is a failed check, never a silently adjusted expectation.
"""

from dataclasses import dataclass
from typing import Any

from tui.policy.answers import Answers
from tui.policy.catalog import load_catalog
from tui.policy.evaluator import Decision, Request, evaluate
from tui.policy.identifiers import partition_of
from tui.policy.services import load_services
from tui.policy.statements import ReadPolicy, read_policy
from tui.report.i18n import N_

FOREIGN_ACCOUNTS = ("444455556666", "777788889999", "123412341234")
"""Stand-ins for the insider's own account B; the first one not trusted is used."""
MEMBER_ACCOUNT = "210987654321"
"""Stand-in for an account inside a trusted organization when only org IDs are given."""
UNRELATED_PUBLIC_BUCKET = "public-datasets-unrelated"


@dataclass(frozen=True)
class Scenario:
    """One request and the outcome the engineer intends for it."""

    name: str
    request: Request
    expect_allowed: bool
    wording: tuple[str, tuple[tuple[str, str], ...]] = ("", ())
    """The name as its English template (marked for translation) and values, to show it in another language."""


def _scenario(template: str, request: Request, expect_allowed: bool, **values: str) -> Scenario:
    return Scenario(template.format(**values), request, expect_allowed, (template, tuple(values.items())))


@dataclass(frozen=True)
class ScenarioResult:
    """What the evaluator decided for a scenario, and whether that is what was intended."""

    scenario: Scenario
    decision: Decision

    @property
    def passed(self) -> bool:
        return self.decision.allowed == self.scenario.expect_allowed


def _foreign_account(answers: Answers) -> str:
    return next(account for account in FOREIGN_ACCOUNTS if account not in answers.accounts)


def _trusted_context(answers: Answers, resource_owner_trusted: bool = True) -> tuple[str, dict[str, Any]]:
    """The account and condition keys of a trusted principal acting on its own resources."""
    if answers.accounts:
        account = answers.accounts[0]
        context = {"aws:PrincipalAccount": account}
        if answers.org_ids:
            context["aws:PrincipalOrgID"] = answers.org_ids[0]
    else:
        account = MEMBER_ACCOUNT
        context = {"aws:PrincipalAccount": account, "aws:PrincipalOrgID": answers.org_ids[0]}
    if resource_owner_trusted:
        context["aws:ResourceAccount"] = account
        if "aws:PrincipalOrgID" in context:
            context["aws:ResourceOrgID"] = context["aws:PrincipalOrgID"]
    return account, context


def _bucket_object(arn: str) -> str:
    """A concrete object ARN inside an allowed bucket ARN (which may end in /* or name a prefix)."""
    if arn.endswith("*"):
        return arn[:-1] + "repodata/repomd.xml"
    return arn if "/" in arn.split(":::", 1)[1] else arn + "/repodata/repomd.xml"


def _public_bucket_scenarios(answers: Answers) -> list[Scenario]:
    catalog = load_catalog()
    scenarios = []
    anonymous = {"aws:PrincipalAccount": "anonymous"}
    chosen = [(catalog.get(i).title, catalog.get(i).actions[0], catalog.get(i).arns(answers.region)) for i in answers.public_buckets]
    chosen += [(arn, "s3:GetObject", [arn]) for arn in answers.bucket_arns]
    for title, action, arns in chosen:
        if arns and "/" in arns[0].split(":::", 1)[1]:
            request = Request(action, _bucket_object(arns[0]), anonymous)
            if action == "s3:GetObject":
                scenarios.append(_scenario(N_("anonymous read: {bucket}"), request, True, bucket=title))
            else:  # a write exception is checked as the write it allows
                scenarios.append(_scenario(N_("anonymous write: {bucket}"), request, True, bucket=title))
    unrelated = f"arn:{partition_of(answers.region)}:s3:::{UNRELATED_PUBLIC_BUCKET}/data.csv"
    scenarios.append(_scenario(N_("anonymous read of an unrelated public bucket"), Request("s3:GetObject", unrelated, anonymous), False))
    return scenarios


def standard_scenarios(answers: Answers, service: str) -> list[Scenario]:
    """The seed article's checks for one service: trusted in, insider out, AWS repos in, the rest out."""
    template = load_services()[service]
    if template.sample_read is None or template.sample_write is None:
        return []
    region = answers.region
    trusted, trusted_context = _trusted_context(answers)
    insider = _foreign_account(answers)
    insider_context = {"aws:PrincipalAccount": insider, "aws:ResourceAccount": insider}
    _, outward_context = _trusted_context(answers, resource_owner_trusted=False)
    outward_context["aws:ResourceAccount"] = insider
    scenarios = [
        _scenario(N_("trusted account reads its own data"), Request(*template.sample_read.for_account(region, trusted), trusted_context), True),
        _scenario(N_("insider's own account writes its own resource"), Request(*template.sample_write.for_account(region, insider), insider_context), False),
        _scenario(N_("insider's own account reads trusted data"), Request(*template.sample_read.for_account(region, trusted), {**insider_context, "aws:ResourceAccount": trusted}), False),
        _scenario(
            N_("trusted account writes to a foreign account") if answers.resource_perimeter
            else N_("trusted account writes to a foreign account (resource perimeter off)"),
            Request(*template.sample_write.for_account(region, insider), outward_context),
            not answers.resource_perimeter,
        ),
    ]
    if template.public_buckets:
        scenarios += _public_bucket_scenarios(answers)
    return scenarios


def run_scenarios(policy: dict[str, Any] | ReadPolicy, scenarios: list[Scenario]) -> list[ScenarioResult]:
    """Decide every scenario against the policy, in order (the document read once, not once per scenario)."""
    read = read_policy(policy)
    return [ScenarioResult(scenario, evaluate(read, scenario.request)) for scenario in scenarios]
