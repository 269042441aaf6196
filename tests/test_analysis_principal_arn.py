"""Differential test of aws:PrincipalArn's two forms: a federated user's session (GetFederationToken) carries
`arn:aws:sts::A:federated-user/N`, every other caller an IAM-form ARN. The analyser offers the sts form only
when the policy could tell it from the IAM form (`symbolic.federated_user_arns_matter`); over a small universe
of callers, every form included, it must find a request exactly when exhaustive enumeration through the
evaluator does. Kept apart from `test_analysis_differential.py`, whose policies never read the ARN.
"""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from test_analysis_differential import ACTIONS, FOREIGN, RESOURCES, TRUSTED, _UniverseAnalyser
from tui.policy.analysis import Setting, Trust
from tui.policy.evaluator import Request, evaluate
from tui.policy.requestmodel import ANONYMOUS

FEDERATED = "federated-user/bob"
ARN_FORMS = (("iam", "role/app"), ("iam", "root"), ("iam", FEDERATED), ("sts", FEDERATED))
"""Callers' aws:PrincipalArn as (service, rest): a role, a root user, a federated user's session (GetFederationToken,
`arn:aws:sts::A:federated-user/N`), and that session's IAM-form twin, which the model holds whenever it leaves the
sts form out (docs/policy-model.md, "Federated users")."""
ARN_PATTERNS = ("arn:aws:iam::*", "arn:aws:iam::*:role/*", "arn:aws:sts::*:federated-user/*", "arn:aws:*:*:*:*",
                f"arn:aws:iam::{TRUSTED[0]}:*", "*federated-user*", f"arn:aws:sts::{FOREIGN}:federated-user/bob",
                "arn:aws:iam::*:root", "*:role/*")
ARN_OPERATORS = ("ArnLike", "ArnNotLike", "StringLike", "StringNotLike", "StringEquals", "ArnNotLikeIfExists")


@st.composite
def arn_statements(draw) -> dict:
    statement: dict = {"Effect": draw(st.sampled_from(("Allow", "Deny"))), "Action": "*", "Resource": "*"}
    named = draw(st.integers(0, 4)) == 0
    statement["Principal"] = {"AWS": f"arn:aws:sts::{FOREIGN}:federated-user/bob"} if named else "*"
    condition: dict[str, dict[str, list[str]]] = {}
    for _ in range(draw(st.integers(0 if named else 1, 2))):
        operator = draw(st.sampled_from((*ARN_OPERATORS, "StringEquals:account")))
        if operator == "StringEquals:account":
            condition.setdefault("StringEquals", {})["aws:PrincipalAccount"] = [TRUSTED[0]]
        else:
            values = draw(st.lists(st.sampled_from(ARN_PATTERNS), min_size=1, max_size=2, unique=True))
            condition.setdefault(operator, {})["aws:PrincipalArn"] = values
    if condition:
        statement["Condition"] = condition
    return statement


arn_policies = st.lists(arn_statements(), min_size=1, max_size=2).map(lambda s: {"Version": "2012-10-17", "Statement": s})
ARN_ACCOUNTS = (TRUSTED[0], FOREIGN, ANONYMOUS)


def arn_requests():
    for account in ARN_ACCOUNTS:
        context: dict = {"aws:PrincipalAccount": account, "aws:ResourceAccount": TRUSTED[0], "aws:RequestedRegion": "us-east-1"}
        if account == ANONYMOUS:
            yield Request(ACTIONS[0], RESOURCES[0], context)
            continue
        for service, rest in ARN_FORMS:
            yield Request(ACTIONS[0], RESOURCES[0], {**context, "aws:PrincipalIsAWSService": "false",
                                                     "aws:PrincipalArn": f"arn:aws:{service}::{account}:{rest}"})


ARN_REQUESTS = tuple(arn_requests())


def arn_solved(policy: dict, question: str):
    analyser = _UniverseAnalyser(policy, Setting("s3", "us-east-1", Trust(TRUSTED[:1]), endpoint_type="Interface"))
    z3, symbolic, formula = analyser.z3, analyser.symbolic, analyser.formula
    account = formula.key("aws:principalaccount")
    extra = [formula.action == symbolic.sval(ACTIONS[0]), formula.resource == symbolic.sval(RESOURCES[0]),
             account.one_of(ARN_ACCOUNTS), formula.key("aws:resourceaccount").is_value(TRUSTED[0])]
    service = formula.key("aws:principalisawsservice")
    extra.append(z3.Implies(service.present, service.is_value("false")))
    if formula.arn_rest is not None:
        extra.append(z3.Implies(formula.key("aws:principalarn").present,
                                z3.Or([formula.arn_rest == symbolic.sval(rest) for _, rest in ARN_FORMS])))
    extra.append(analyser._outsider() if question == "outsider allowed" else account.is_value(TRUSTED[0]))
    answer = analyser._solve(question, extra, question != "trusted denied")
    assert answer != "unproven", [f.message for f in analyser.findings]
    return answer


ARN_QUESTIONS = {"outsider allowed": ({FOREIGN, ANONYMOUS}, True), "trusted denied": ({TRUSTED[0]}, False)}


@settings(max_examples=40, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(arn_policies)
def test_principal_arn_forms_agree_with_exhaustive_enumeration(policy):
    """Federated users' sts-form ARNs included: the analyser, which offers that form only when the policy
    could tell it from the IAM form, finds a request exactly when enumeration over every form does."""
    for question, (who, allowed) in ARN_QUESTIONS.items():
        witness = arn_solved(policy, question)
        expected = any(evaluate(policy, r).allowed == allowed for r in ARN_REQUESTS if r.context["aws:PrincipalAccount"] in who)
        assert (witness is not None) == expected, (question, policy, witness)
        if witness is not None:
            assert evaluate(policy, witness.request()).allowed == allowed, (question, witness)
