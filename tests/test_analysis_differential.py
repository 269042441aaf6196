"""Differential test of the symbolic analyser: over a small universe of requests, what z3 finds must be
exactly what exhaustive enumeration through the concrete evaluator finds.

Random small policies (Allow and Deny, Action/NotAction, Resource/NotResource, account principals, string,
IfExists, negated, Null, Bool and set operators, a policy variable) are asked two questions: is some
outsider allowed (the core of `foreign-principals`), is some trusted caller denied (the core of `lock-out`).
The analyser answers through `_Analyser._solve` with the request restricted to the universe; enumeration walks every request of the universe that the identity model allows (an anonymous
caller has no PrincipalArn or PrincipalIsAWSService). Each witness the solver finds is also replayed.
"""

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui.policy import analysis
from tui.policy.analysis import Setting, Trust
from tui.policy.evaluator import Request, evaluate
from tui.policy.requestmodel import ANONYMOUS

TRUSTED = ("111122223333", "222233334444")
FOREIGN = "999988887777"
ACCOUNTS = (*TRUSTED, FOREIGN, ANONYMOUS)
OWNERS = (TRUSTED[0], FOREIGN)

ACTIONS = ("s3:GetObject", "s3:PutObject")
RESOURCES = ("arn:aws:s3:::alpha/k", "arn:aws:s3:::beta/k")
ABSENT = None
UNIVERSE: dict[str, tuple] = {
    "aws:SecureTransport": ("true", "false", ABSENT),
    "s3:x-amz-acl": ("private", ABSENT),
    "aws:TagKeys": (ABSENT, (), ("k1",), ("k2",), ("k1", "k2")),
}
"""Caller-chosen keys and the values (None: absent; a tuple: a multivalued key's set) each request may carry."""

ACTION_PATTERNS = ("s3:GetObject", "s3:PutObject", "s3:Get*", "*")
RESOURCE_PATTERNS = (*RESOURCES, "arn:aws:s3:::alpha/*", "arn:aws:s3:::*", "*")
CONDITION_VALUES = {
    "aws:PrincipalAccount": (*TRUSTED, FOREIGN, ANONYMOUS, "1111*", "*"),
    "aws:ResourceAccount": (*OWNERS, "9999*", "${aws:PrincipalAccount}"),
    "aws:SecureTransport": ("true", "false"),
    "s3:x-amz-acl": ("private", "public-*"),
    "aws:TagKeys": ("k1", "k2", "k*"),
}
STRING_OPERATORS = ("StringEquals", "StringNotEquals", "StringLike", "StringNotLike", "StringEqualsIfExists",
                    "StringNotEqualsIfExists", "StringEqualsIgnoreCase")
SET_OPERATORS = ("ForAnyValue:StringEquals", "ForAllValues:StringEquals", "ForAnyValue:StringLike",
                 "ForAllValues:StringNotEquals", "ForAnyValue:StringNotLike")


CLAUSE_KINDS = tuple(
    (operator, key)
    for key in CONDITION_VALUES
    for operator in (SET_OPERATORS if key == "aws:TagKeys" else STRING_OPERATORS)
    + ("Null",) + (("Bool", "BoolIfExists") if key == "aws:SecureTransport" else ())
)
"""Every (operator, key) pair the policies may use, drawn from one flat list so each is about as likely."""


@st.composite
def clauses(draw) -> tuple[str, str, list[str]]:
    operator, key = draw(st.sampled_from(CLAUSE_KINDS))
    if operator in ("Null", "Bool", "BoolIfExists"):
        return operator, key, [draw(st.sampled_from(("true", "false")))]
    values = draw(st.lists(st.sampled_from(CONDITION_VALUES[key]), min_size=1, max_size=2, unique=True))
    return operator, key, values


@st.composite
def statements(draw) -> dict:
    statement = {"Effect": draw(st.sampled_from(("Allow", "Deny")))}
    principal = draw(st.sampled_from(("*", "account", "accounts", "not-account")))
    if principal == "*":
        statement["Principal"] = "*"
    elif principal == "not-account":
        statement["NotPrincipal"] = {"AWS": f"arn:aws:iam::{draw(st.sampled_from(TRUSTED))}:root"}
    else:
        count = 1 if principal == "account" else 2
        statement["Principal"] = {"AWS": draw(st.lists(st.sampled_from((*TRUSTED, FOREIGN)), min_size=count, max_size=count, unique=True))}
    element = "NotAction" if draw(st.integers(0, 5)) == 0 else "Action"
    statement[element] = draw(st.lists(st.sampled_from(ACTION_PATTERNS), min_size=1, max_size=2, unique=True))
    element = "NotResource" if draw(st.integers(0, 5)) == 0 else "Resource"
    statement[element] = draw(st.lists(st.sampled_from(RESOURCE_PATTERNS), min_size=1, max_size=2, unique=True))
    condition: dict[str, dict[str, list[str]]] = {}
    for operator, key, values in draw(st.lists(clauses(), max_size=2)):
        condition.setdefault(operator, {})[key] = values
    if condition:
        statement["Condition"] = condition
    return statement


policies = st.lists(statements(), min_size=1, max_size=3).map(lambda s: {"Version": "2012-10-17", "Statement": s})


# --- enumeration ------------------------------------------------------------------------------------


def universe_requests():
    """Every request of the universe, with the identity keys IAM sets for its caller."""
    chosen = sorted(UNIVERSE)
    for action, resource, account, owner, *values in itertools.product(
            ACTIONS, RESOURCES, ACCOUNTS, OWNERS, *(UNIVERSE[name] for name in chosen)):
        context: dict = {"aws:PrincipalAccount": account, "aws:ResourceAccount": owner, "aws:RequestedRegion": "us-east-1"}
        if account != ANONYMOUS:
            context["aws:PrincipalArn"] = f"arn:aws:iam::{account}:role/app"
            context["aws:PrincipalIsAWSService"] = "false"
        for name, value in zip(chosen, values, strict=True):
            if value is not ABSENT:
                context[name] = list(value) if isinstance(value, tuple) else value
        yield Request(action, resource, context)


REQUESTS = tuple(universe_requests())


def enumerated(policy: dict, who: set[str], allowed: bool) -> bool:
    """Whether some request of the universe, by a caller of one of the `who` accounts, gets that decision."""
    return any(evaluate(policy, request).allowed == allowed for request in REQUESTS
               if request.context["aws:PrincipalAccount"] in who)


# --- the analyser, restricted to the universe -------------------------------------------------------


class _UniverseAnalyser(analysis._Analyser):
    def _request_shape(self) -> list:
        """The universe fixes action and resource to well-formed values; the shape's regexes only cost time."""
        return []


def in_universe(analyser: analysis._Analyser):
    z3, symbolic, formula = analyser.z3, analyser.symbolic, analyser.formula

    def slot_in(key, index: int, values) -> object:
        if key.exact_only:
            named = [key.equals(index, value) for value in values if value in key.index_of]
            other = [key.strings[index] == key.other] if any(value not in key.index_of for value in values) else []
            return z3.Or(named + other)
        return z3.Or([key.strings[index] == symbolic.sval(value) for value in values])

    constraints = [z3.Or([formula.action == symbolic.sval(a) for a in ACTIONS]),
                   z3.Or([formula.resource == symbolic.sval(r) for r in RESOURCES])]
    single = {"aws:principalaccount": ACCOUNTS, "aws:resourceaccount": OWNERS}
    single.update({name.lower(): tuple(v for v in values if isinstance(v, str)) for name, values in UNIVERSE.items() if name != "aws:TagKeys"})
    for name, values in single.items():
        if name in formula.keys:
            key = formula.key(name)
            constraints.append(z3.Implies(key.present, slot_in(key, 0, values)))
    if "aws:tagkeys" in formula.keys:
        key = formula.key("aws:tagkeys")
        constraints += [z3.Implies(z3.And(key.present, used), slot_in(key, index, ("k1", "k2"))) for used, index in key.slots()]
    service = formula.key("aws:principalisawsservice")
    constraints.append(z3.Implies(service.present, service.is_value("false")))
    arn = formula.key("aws:principalarn")
    if formula.arn_rest is not None:  # every caller of the universe is role/app of its account, never a root user
        constraints.append(z3.Implies(arn.present, formula.arn_rest == symbolic.sval("role/app")))
    return constraints


def solved(policy: dict, question: str):
    """The analyser's answer to one question over the universe: a replayed Witness or None."""
    analyser = _UniverseAnalyser(policy, Setting("s3", "us-east-1", Trust(TRUSTED), endpoint_type="Interface"))
    formula = analyser.formula
    extra = in_universe(analyser)
    account = formula.key("aws:principalaccount")
    if question == "outsider allowed":
        extra.append(analyser._outsider())
    elif question == "trusted denied":
        extra.append(account.one_of(TRUSTED))
    answer = analyser._solve(question, extra, question != "trusted denied")
    assert answer != "unproven", [f.message for f in analyser.findings]
    return answer


QUESTIONS = {
    "outsider allowed": ({FOREIGN, ANONYMOUS}, True),
    "trusted denied": (set(TRUSTED), False),
}


@settings(max_examples=150, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(policies)
def test_analyser_agrees_with_exhaustive_enumeration(policy):
    for question, (who, allowed) in QUESTIONS.items():
        witness = solved(policy, question)
        expected = enumerated(policy, who, allowed)
        assert (witness is not None) == expected, (question, policy, witness)
        if witness is not None:
            assert evaluate(policy, witness.request()).allowed == allowed, (question, witness)
            assert witness.action in ACTIONS and witness.resource in RESOURCES
            assert dict(witness.context)["aws:PrincipalAccount"] in who or dict(witness.context)["aws:PrincipalAccount"] not in ACCOUNTS


def test_universe_covers_the_identity_model():
    """Anonymous requests carry no PrincipalArn; every other one does (what the analyser's model says)."""
    anonymous = [r for r in REQUESTS if r.context["aws:PrincipalAccount"] == ANONYMOUS]
    assert anonymous and all("aws:PrincipalArn" not in r.context for r in anonymous)
    assert all("aws:PrincipalArn" in r.context for r in REQUESTS if r.context["aws:PrincipalAccount"] != ANONYMOUS)
    assert len(REQUESTS) == len(ACTIONS) * len(RESOURCES) * len(ACCOUNTS) * len(OWNERS) * 3 * 2 * 5
