"""Properties over random answers: every generated policy is valid, fits, and does what its scenarios intend."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui.policy.answers import Answers
from tui.policy.catalog import load_catalog
from tui.policy.documents import MAX_POLICY_CHARS
from tui.policy.identifiers import known_regions, partition_of
from tui.policy.review import review_service
from tui.policy.services import load_services

ACCOUNT = st.from_regex(r"[0-9]{12}", fullmatch=True)
ORG = st.from_regex(r"o-[a-z0-9]{10}", fullmatch=True)
POLICY_SERVICES = [name for name, s in load_services().items() if s.policy_supported]
CATALOG_IDS = [entry.id for entry in load_catalog().entries]


@st.composite
def answers(draw) -> Answers:
    accounts = draw(st.lists(ACCOUNT, max_size=40, unique=True))
    orgs = draw(st.lists(ORG, max_size=2, unique=True, min_size=0 if accounts else 1))
    return Answers(
        services=tuple(draw(st.lists(st.sampled_from(POLICY_SERVICES), min_size=1, max_size=3, unique=True))),
        accounts=tuple(accounts),
        org_ids=tuple(orgs),
        resource_perimeter=draw(st.booleans()),
        public_buckets=tuple(draw(st.lists(st.sampled_from(CATALOG_IDS), max_size=5, unique=True))),
        region=draw(st.sampled_from(known_regions())),
    ).checked()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answers())
def test_every_generated_policy_validates_and_its_scenarios_hold(answers):
    for service in answers.services:
        review = review_service(answers, service)
        errors = [f for f in review.findings if f.severity == "error"]
        assert errors == [], errors
        assert review.size <= MAX_POLICY_CHARS
        failed = [(r.scenario.name, r.decision.outcome) for r in review.results if not r.passed]
        assert failed == []
        assert review.results, "every policy is checked against at least the insider scenario"


@st.composite
def one_service_answers(draw) -> Answers:
    """Answers for one service, with few enough trusted values that the analyser's proof stays quick."""
    accounts = draw(st.lists(ACCOUNT, max_size=4, unique=True))
    orgs = draw(st.lists(ORG, max_size=2, unique=True, min_size=0 if accounts else 1))
    region = draw(st.sampled_from(known_regions()))
    listed = draw(st.lists(st.from_regex(r"public-[a-z0-9]{4,12}", fullmatch=True), max_size=2, unique=True))
    return Answers(
        services=(draw(st.sampled_from(POLICY_SERVICES)),),
        accounts=tuple(accounts),
        org_ids=tuple(orgs),
        resource_perimeter=draw(st.booleans()),
        public_buckets=tuple(draw(st.lists(st.sampled_from(CATALOG_IDS), max_size=4, unique=True))),
        bucket_arns=tuple(f"arn:{partition_of(region)}:s3:::{name}/*" for name in listed),
        region=region,
    ).checked()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(one_service_answers())
def test_every_generated_policy_is_proven_by_the_analyser_and_generate_words_its_bucket_finding_alike(answers):
    """`generate` imports no solver: this proves its policies instead. The setting is the answers' own (trusted
    accounts and orgs, service, region, resource perimeter, listed buckets). And the summary's blocked-bucket
    warning is the analyser's finding, word for word."""
    from tui.policy.analysis import Setting, Severity, Trust, analyse

    [service] = answers.services
    review = review_service(answers, service)
    setting = Setting(service, answers.region, Trust(answers.accounts, answers.org_ids),
                      resource_perimeter=answers.resource_perimeter or None, listed_buckets=answers.bucket_arns)
    analysis = analyse(review.policy, setting)
    high = [(f.code, f.message) for f in analysis.findings if f.severity is Severity.HIGH]
    assert high == [], (review.text, high)
    proven = [f.message for f in analysis.findings if f.code == "aws-owned-buckets-blocked"]
    summarised = [f.message for f in review.findings if f.code == "aws-owned-buckets-blocked"]
    assert summarised == proven
