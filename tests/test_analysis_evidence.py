"""The solver-free answers (tui/policy/evidence.py) must be the solver's answers, and the statements the
solver is not asked about (`reads_only`) must admit only what the question excludes.

A document with no Condition and no policy variable is first analysed from its face alone: evaluated example
requests for the existence questions, an unconditional Allow with no Deny for "never denied". When that run
settles every question, its verdict is the one shown, so it must equal the verdict of the analysis that asks
the solver everything (`examples=False`): the same classification and the same findings (severity and code),
with witnesses that replay. Checked on every such document of the corpus, on AWS's default policy for every
service template, and on random documents.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tui.policy import symbolic
from tui.policy.analysis import FULL_ACCESS_POLICY, Analysis, Caller, Setting, Trust, _Analyser, _NeedsSolver
from tui.policy.evaluator import evaluate
from tui.policy.evidence import fresh_account, on_its_face
from tui.policy.exceptions import read_only_actions, reads_only
from tui.policy.services import load_services
from tui.policy.statements import read_policy
from tui.policy.wildcards import wildcard_match

CORPUS = Path(__file__).parent / "analysis_corpus"
INDEX: dict[str, dict] = json.loads((CORPUS / "index.json").read_text())
TRUSTED = ("111122223333", "222233334444")
SETTINGS = (
    Setting("s3", "eu-west-1", Trust(TRUSTED[:1]), "Gateway"),
    Setting("s3", "us-east-1", Trust(TRUSTED), "Interface", caller=Caller.from_arn("arn:aws:sts::111122223333:assumed-role/app/s")),
    Setting("logs", "eu-west-1", Trust(TRUSTED[:1]), "Interface", resource_perimeter=True),
    Setting("ssm", "ap-southeast-2", Trust((), ("o-a1b2c3d4e5",)), "Interface"),
    Setting("sts", "eu-west-1", Trust(TRUSTED), "Interface", vpc_id="vpc-0a1b2c3d", endpoint_id="vpce-0a1b2c3d4e5f60718"),
)


def face_and_solver(policy: dict, setting: Setting, blocking: bool = False) -> tuple[object, object] | None:
    """(the solver-free answer, the solver's answer), or None when the face does not settle it."""
    ask = (lambda a: a.blocking()) if blocking else (lambda a: a.run())
    try:
        face = ask(_Analyser(policy, setting, solver=False))
    except _NeedsSolver:
        return None
    symbolic.fresh_context()
    return face, ask(_Analyser(policy, setting, examples=False))


def summary(answer: Analysis | tuple) -> tuple:
    findings = answer.findings if isinstance(answer, Analysis) else answer
    codes = sorted((str(f.severity), f.code) for f in findings)
    return (str(answer.classification), codes) if isinstance(answer, Analysis) else codes


def assert_agree(policy: dict, setting: Setting) -> bool:
    """Whether the face settled the analysis; when it did, it must equal the solver's, witnesses replayed."""
    answers = face_and_solver(policy, setting)
    if answers is None:
        return False
    face, solved = answers
    assert summary(face) == summary(solved), (policy, setting)
    for finding in face.findings:
        if finding.witness is not None:
            assert evaluate(policy, finding.witness.request()).outcome == finding.witness.decision
    blocking = face_and_solver(policy, setting, blocking=True)
    assert blocking is not None and summary(blocking[0]) == summary(blocking[1])
    return True


@pytest.mark.parametrize("service", sorted(load_services()))
def test_the_default_policy_is_settled_on_its_face_for_every_service_with_a_sample_write(service):
    """The example is the template's sample write; a template without one is left to the solver."""
    setting = Setting(service, "eu-west-1", Trust(TRUSTED[:1]), "Gateway" if service in ("s3", "dynamodb") else "Interface")
    assert assert_agree(FULL_ACCESS_POLICY, setting) == (load_services()[service].sample_write is not None)


def test_corpus_documents_on_their_face_agree_with_the_solver():
    settled = 0
    for name in INDEX:
        if name.startswith("builder:"):
            continue
        policy = json.loads((CORPUS / name).read_text())
        if not on_its_face(read_policy(policy)):
            continue
        settled += sum(assert_agree(policy, setting) for setting in SETTINGS)
    assert settled >= 3  # allow-everything.json where no caller is named and a trusted account can act


def test_the_default_policy_is_analysed_without_importing_the_solver():
    code = ("import sys; from tui.policy.analysis import FULL_ACCESS_POLICY, Setting, Trust, analyse; "
            "a = analyse(FULL_ACCESS_POLICY, Setting('s3', 'eu-west-1', Trust(('111122223333',)), 'Gateway')); "
            "print(a.classification, 'z3' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"VPCE_WIZARD_VERDICT_CACHE": "off", "PATH": ""}).stdout
    assert out.split() == ["full", "access", "False"]


def test_a_condition_or_a_resource_variable_takes_the_document_off_its_face():
    allow = {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}
    assert on_its_face(read_policy({"Statement": [allow]}))
    assert not on_its_face(read_policy({"Statement": [{**allow, "Condition": {"Bool": {"aws:SecureTransport": "true"}}}]}))
    assert not on_its_face(read_policy({"Statement": [{**allow, "Condition": "garbage"}]}))
    variable = {**allow, "Resource": "arn:aws:s3:::${aws:PrincipalAccount}/*"}
    assert not on_its_face(read_policy({"Version": "2012-10-17", "Statement": [variable]}))
    assert on_its_face(read_policy({"Version": "2008-10-17", "Statement": [variable]}))  # no variables in 2008-10-17


def test_an_endpoint_id_no_request_can_carry_is_left_to_the_solver():
    """The solver's run reports the empty request model (`unproven`); the face must not answer instead."""
    setting = Setting("s3", "eu-west-1", Trust(TRUSTED[:1]), "Gateway", vpc_id="vpc-1", endpoint_id="vpce-1")
    assert face_and_solver(FULL_ACCESS_POLICY, setting) is None


def test_a_named_caller_is_left_to_the_solver():
    """Whether a request can carry a named caller's identity only the model tells: an org id of the wrong form
    (or a caller ARN of another partition) is unproven there, where the face would have passed it."""
    caller = Caller.from_arn("arn:aws:sts::111122223333:assumed-role/app/s", "o-x")
    setting = Setting("s3", "eu-west-1", Trust(TRUSTED[:1]), "Interface", caller=caller)
    assert face_and_solver(FULL_ACCESS_POLICY, setting) is None
    symbolic.fresh_context()
    assert [f.code for f in _Analyser(FULL_ACCESS_POLICY, setting).blocking()] == ["unproven"]


def test_the_fresh_account_is_never_a_trusted_one():
    assert fresh_account(()) == "999999999000"
    assert fresh_account(("999999999000", "888888888000")) == "777777777000"


PRINCIPALS = st.sampled_from(["*"] * 4 + [{"AWS": "*"}, {"AWS": TRUSTED[0]}, {"AWS": list(TRUSTED)}, {"AWS": f"arn:aws:iam::{TRUSTED[0]}:root"},
                              {"AWS": f"arn:aws:iam::{TRUSTED[0]}:role/app"}, {"AWS": "999999999000"},
                              {"Service": "logs.amazonaws.com"}, {"Federated": "cognito-identity.amazonaws.com"}])
ACTIONS = st.sampled_from(["*"] * 6 + ["s3:*", "s3:GetObject", "s3:PutObject", "s3:Get*", "logs:*", "logs:PutLogEvents",
                           "logs:CreateLogStream", "ssm:*", "ssm:GetParameter", "sts:*", "*:Describe*", "*:List*"])
RESOURCES = st.sampled_from(["*"] * 8 + ["arn:aws:s3:::*", "arn:aws:s3:::*/*", "arn:aws:logs:*:*:*", "arn:aws:ssm:*:*:parameter/*",
                             "arn:aws:s3:::data-999999999000/*", "arn:aws:*:*:111122223333:*"])


@st.composite
def statements(draw):
    """Mostly broad Allows (documents the face can settle), with Denies, NotPrincipal, NotAction and NotResource."""
    statement: dict = {"Effect": draw(st.sampled_from(["Allow"] * 5 + ["Deny"]))}
    principal = draw(PRINCIPALS)
    statement["NotPrincipal" if draw(st.booleans()) and principal != "*" and draw(st.booleans()) else "Principal"] = principal
    statement["NotAction" if draw(st.integers(0, 4)) == 0 else "Action"] = draw(st.lists(ACTIONS, min_size=1, max_size=3))
    statement["NotResource" if draw(st.integers(0, 6)) == 0 else "Resource"] = draw(st.lists(RESOURCES, min_size=1, max_size=2))
    return statement


BROAD_ALLOWS = st.fixed_dictionaries({"Effect": st.just("Allow"), "Principal": st.sampled_from(["*", {"AWS": "*"}, {"AWS": list(TRUSTED)}]),
                                      "Action": st.sampled_from(["*", ["s3:*", "logs:*", "ssm:*", "sts:*"]]), "Resource": st.just("*")})
DOCUMENTS = st.builds(lambda broad, others: [broad, *others], BROAD_ALLOWS, st.lists(statements(), max_size=2))
"""A broad Allow beside random statements: documents the face may settle (random statements alone seldom are)."""


@settings(max_examples=150, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOCUMENTS, st.sampled_from(SETTINGS))
def test_random_documents_on_their_face_agree_with_the_solver(statement_list, setting):
    event("settled on its face" if assert_agree({"Version": "2012-10-17", "Statement": statement_list}, setting) else "left to the solver")


ACTION_PATTERNS = st.from_regex(r"[s3*?:-]{1,3}:(get|Get|LIST|head|describe|g|x|:get)[a-z*?:]{0,3}", fullmatch=True)


@st.composite
def pattern_and_match(draw):
    """A pattern and an action it matches: each `*` filled with any text (colons too), each `?` with a character."""
    pattern = draw(ACTION_PATTERNS)
    fill = st.text(alphabet="ab:Get", max_size=4)
    action = "".join(draw(fill) if c == "*" else draw(st.sampled_from("a:G")) if c == "?" else c for c in pattern)
    return pattern, action


@settings(max_examples=300, derandomize=True, deadline=None)
@given(pattern_and_match())
def test_a_pattern_read_as_reads_only_matches_only_read_only_actions(drawn):
    """What the analyser skips must be skippable: any action a `reads_only` pattern matches is read-only."""
    pattern, action = drawn
    assert wildcard_match(pattern, action, ignore_case=True)
    event("reads only" if reads_only([pattern]) else "wider")
    if reads_only([pattern]):
        assert any(wildcard_match(glob, action, ignore_case=True) for glob in read_only_actions())


def test_reads_only_takes_named_reads_and_refuses_wider_patterns():
    assert reads_only(["s3:GetObject", "s3:List*", "ec2:Describe*", "s3:HeadObject", "S3:getobject"])
    for wider in ("s3:*", "*", "s3:G*", "s3:?etObject", "s3:PutObject", ""):
        assert not reads_only([wider])
    assert not reads_only([]) and not reads_only(["s3:GetObject", "s3:PutObject"])
