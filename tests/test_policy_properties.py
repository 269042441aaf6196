"""Properties over random answers: every generated policy is valid, fits, and does what its scenarios intend."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui.policy.answers import Answers
from tui.policy.catalog import load_catalog
from tui.policy.documents import MAX_POLICY_CHARS
from tui.policy.identifiers import known_regions
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
