"""IAM Access Analyzer as a second opinion: the real request shapes (botocore Stubber validates every
parameter against the service model), one-line notes for refusals, and the sandbox path, where moto has no
Access Analyzer and the tool says it skipped it."""

import contextlib
import io
import json

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, EndpointConnectionError
from botocore.stub import Stubber

from tui.aws.access_analyzer import SANDBOX_NOTE, Status, check_no_new_access, locale_for, skip_reason, validate_policy
from tui.cli import main
from tui.policy.documents import minify

TRUSTED = "111122223333"
POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*",
                                                  "Condition": {"StringEquals": {"aws:PrincipalAccount": TRUSTED}}}]}
NEW_POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*",
                                                      "Condition": {"StringEquals": {"aws:PrincipalAccount": [TRUSTED, "444455556666"]}}}]}
FINDING = {
    "findingDetails": "Using ForAllValues qualifier with the single-valued condition key aws:PrincipalAccount can be overly permissive.",
    "findingType": "SECURITY_WARNING", "issueCode": "FORALLVALUES_WITH_SINGLE_VALUED_KEY",
    "learnMoreLink": "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html",
    "locations": [{"path": [{"value": "Statement"}, {"index": 0}, {"value": "Condition"}],
                   "span": {"start": {"line": 1, "column": 2, "offset": 3}, "end": {"line": 1, "column": 9, "offset": 10}}}],
}


class Connected:
    """What the module needs of a Connection: one stubbed client, a memo, not the sandbox."""

    def __init__(self, client, region="eu-west-1"):
        self._client, self.region, self.memo, self.is_sandbox = client, region, {}, False
        self.asked: list[tuple[str, str]] = []

    def client(self, name, region=None):
        self.asked.append((name, region))
        return self._client


def analyzer_client():
    return boto3.client("accessanalyzer", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x")


def test_validate_policy_sends_a_resource_policy_without_a_resource_type_and_reads_every_page():
    client = analyzer_client()
    with Stubber(client) as stub:
        expected = {"policyDocument": minify(POLICY), "policyType": "RESOURCE_POLICY", "locale": "EN"}
        stub.add_response("validate_policy", {"findings": [FINDING], "nextToken": "page-2"}, expected)
        stub.add_response("validate_policy", {"findings": []}, {**expected, "nextToken": "page-2"})
        conn = Connected(client)
        validation = validate_policy(conn, POLICY)
        stub.assert_no_pending_responses()
    assert conn.asked == [("accessanalyzer", "eu-west-1")]
    assert validation.status is Status.ASKED
    [finding] = validation.findings
    assert (finding.finding_type, finding.issue_code, finding.paths) == ("SECURITY_WARNING", "FORALLVALUES_WITH_SINGLE_VALUED_KEY", ("Statement[0].Condition",))
    assert validation.to_dict()["findings"][0]["severity"] == "medium"
    assert validation.lines() == [f"Access Analyzer SECURITY_WARNING FORALLVALUES_WITH_SINGLE_VALUED_KEY at Statement[0].Condition: {FINDING['findingDetails']}"]


def test_the_locale_is_passed_through_and_one_document_is_asked_about_once():
    client = analyzer_client()
    with Stubber(client) as stub:
        stub.add_response("validate_policy", {"findings": []},
                          {"policyDocument": minify(POLICY), "policyType": "RESOURCE_POLICY", "locale": "JA"})
        conn = Connected(client)
        first = validate_policy(conn, POLICY, locale=locale_for("ja"))
        again = validate_policy(conn, json.loads(json.dumps(POLICY)), locale="JA")  # the same document: no second call
        stub.assert_no_pending_responses()
    assert first is again and first.status is Status.ASKED and first.lines() == ["Access Analyzer ValidatePolicy: no findings"]
    assert locale_for("en") == "EN" and locale_for("xx") == "EN"


@pytest.mark.parametrize(("code", "status", "expected"), [
    ("AccessDeniedException", 403, "not asked: access denied (AccessDeniedException): grant access-analyzer:ValidatePolicy"),
    ("ThrottlingException", 429, "not asked: Access Analyzer throttled ValidatePolicy (ThrottlingException)"),
    ("ValidationException", 400, "not asked: Access Analyzer refused the document (ValidationException): bad"),
])
def test_refusals_are_one_line_notes(code, status, expected):
    client = analyzer_client()
    with Stubber(client) as stub:
        stub.add_client_error("validate_policy", code, "bad", status)
        validation = validate_policy(Connected(client), POLICY)
    assert validation.status is Status.FAILED and validation.findings == ()
    assert validation.note.startswith(expected) and "\n" not in validation.note
    assert validation.lines() == [f"Access Analyzer ValidatePolicy {validation.note}"]


def test_a_region_without_access_analyzer_is_a_note_naming_the_region(monkeypatch):
    client = analyzer_client()

    def unreachable(**_):
        raise EndpointConnectionError(endpoint_url="https://access-analyzer.xx-test-1.amazonaws.com/policy/validation")

    monkeypatch.setattr(client, "validate_policy", unreachable)
    validation = validate_policy(Connected(client, "xx-test-1"), POLICY)
    assert validation.status is Status.FAILED
    assert validation.note == "not asked: IAM Access Analyzer cannot be reached in xx-test-1 (not offered there, or no network)"


def test_check_no_new_access_compares_the_current_and_the_new_document():
    client = analyzer_client()
    with Stubber(client) as stub:
        stub.add_response("check_no_new_access", {
            "result": "FAIL", "message": "The modified permissions grant new access compared to your existing policy.",
            "reasons": [{"description": "New access in the statement with index: 0.", "statementIndex": 0}]},
            {"existingPolicyDocument": minify(POLICY), "newPolicyDocument": minify(NEW_POLICY), "policyType": "RESOURCE_POLICY"})
        check = check_no_new_access(Connected(client), POLICY, NEW_POLICY)
        stub.assert_no_pending_responses()
    assert (check.status, check.result, check.reasons) == (Status.ASKED, "FAIL", ("statement 0: New access in the statement with index: 0.",))
    assert check.line().startswith("Access Analyzer CheckNoNewAccess: FAIL, may grant new access: The modified permissions")
    assert check.to_dict()["result"] == "FAIL"


def test_check_no_new_access_refused_is_a_note():
    client = analyzer_client()
    with Stubber(client) as stub:
        stub.add_client_error("check_no_new_access", "AccessDeniedException", "no", 403)
        check = check_no_new_access(Connected(client), POLICY, NEW_POLICY)
    assert check.status is Status.FAILED
    assert check.line() == ("Access Analyzer CheckNoNewAccess not asked: access denied (AccessDeniedException): "
                            "grant access-analyzer:CheckNoNewAccess to use this second opinion")


# --- the emulator ---------------------------------------------------------------------------------------


def run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def test_the_emulator_has_no_access_analyzer_so_the_sandbox_skips_it(conn, sandbox):
    """What moto's server really answers (HTTP 500, an HTML page): the reason the tool does not ask it."""
    raw = boto3.client("accessanalyzer", region_name="eu-west-1", endpoint_url=sandbox.url, aws_access_key_id="testing",
                       aws_secret_access_key="testing", config=Config(retries={"max_attempts": 1}))
    with pytest.raises(ClientError) as answer:
        raw.validate_policy(policyDocument=minify(POLICY), policyType="RESOURCE_POLICY")
    assert answer.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert skip_reason(conn) == SANDBOX_NOTE
    assert validate_policy(conn, POLICY).status is Status.SKIPPED
    assert check_no_new_access(conn, POLICY, NEW_POLICY).line() == f"Access Analyzer CheckNoNewAccess {SANDBOX_NOTE}"


def test_check_with_access_analyzer_in_the_sandbox_says_it_skipped(aws_env, tmp_path):
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(POLICY))
    argv = ["check", str(path), "--service", "s3", "--trusted-account", TRUSTED, "--access-analyzer"]
    code, out, _ = run(argv)
    assert code == 0 and f"Access Analyzer ValidatePolicy {SANDBOX_NOTE}" in out
    code, out, _ = run([*argv, "--json"])
    record = json.loads(out)
    assert code == 0 and record["access_analyzer"] == {"check": "ValidatePolicy", "status": "skipped", "note": SANDBOX_NOTE, "findings": []}
    _, out, _ = run([*argv[:-1], "--json"])
    assert "access_analyzer" not in json.loads(out)  # offline by default: the JSON is as before


def test_check_with_access_analyzer_and_no_credentials_is_a_note_not_an_error(tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(POLICY))
    code, out, err = run(["check", str(path), "--trusted-account", TRUSTED, "--access-analyzer"])
    assert code == 0 and "Traceback" not in err
    assert "Access Analyzer ValidatePolicy not asked: no AWS credentials found" in out


def test_audit_and_apply_with_access_analyzer_in_the_sandbox(aws_env, tmp_path):
    code, out, _ = run(["audit", "--access-analyzer", "--json"])
    endpoints = json.loads(out)["endpoints"]
    assert code == 1 and endpoints  # the seeded endpoints hold AWS's full-access default
    assert {e["access_analyzer"]["status"] for e in endpoints if e["access_analyzer"] is not None} == {"skipped"}
    _, out, _ = run(["audit", "--access-analyzer"])
    assert out.count(SANDBOX_NOTE) == 1  # said once for the run
    policy = tmp_path / "perimeter.json"
    from tui.aws.sandbox import perimeter_policy

    policy.write_text(json.dumps(perimeter_policy(aws_env.account, "eu-west-1")))
    endpoint = aws_env.endpoints[("eu-west-1", "s3")]
    code, out, err = run(["apply", "--endpoint", endpoint, "--policy", str(policy), "--dry-run", "--access-analyzer"])
    assert code == 0, err
    assert f"  Access Analyzer CheckNoNewAccess {SANDBOX_NOTE}" in out


def test_audit_sends_the_stored_text_as_aws_holds_it(monkeypatch):
    """An unparseable or ambiguous stored policy reaches Access Analyzer as it is, not as our reading of it."""
    from types import SimpleNamespace

    from tui.aws import audit as audit_module

    stored = '{"Statement":[{"Effect":"Allow","Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}]}'
    client = analyzer_client()
    endpoint = SimpleNamespace(takes_policy=True, stored=stored, region="eu-west-1", findings=())
    monkeypatch.setattr(audit_module, "discover", lambda *args, **kwargs: [endpoint])
    with Stubber(client) as stub:
        stub.add_response("validate_policy", {"findings": []}, {"policyDocument": stored, "policyType": "RESOURCE_POLICY", "locale": "EN"})
        [result] = audit_module.audit(Connected(client), ["eu-west-1"], [TRUSTED], access_analyzer=True)
        stub.assert_no_pending_responses()
    assert result.access_analyzer.status is Status.ASKED


def test_access_analyzer_across_targets_is_refused_with_one_line(tmp_path):
    code, _, err = run(["audit", "--accounts", "111122223333", "--access-analyzer"])
    assert code == 2 and err.count("\n") == 1 and "--access-analyzer works on one connection" in err


def test_check_sends_the_file_as_written_and_escapes_what_access_analyzer_says(tmp_path, monkeypatch):
    """The text goes to AWS as the user wrote it; AWS's answer is outside text and is shown escaped."""
    from tui.aws import session

    text = json.dumps(POLICY, indent=4) + "\n"
    path = tmp_path / "policy.json"
    path.write_text(text)
    client = analyzer_client()
    monkeypatch.setattr(session, "connect", lambda target: Connected(client, target.region))
    hostile = {**FINDING, "findingDetails": "bad \x1b[2J news"}
    with Stubber(client) as stub:
        stub.add_response("validate_policy", {"findings": [hostile]},
                          {"policyDocument": text, "policyType": "RESOURCE_POLICY", "locale": "EN"})
        code, out, _ = run(["check", str(path), "--region", "eu-west-1", "--trusted-account", TRUSTED, "--access-analyzer"])
        stub.assert_no_pending_responses()
    assert code == 0 and "\x1b" not in out
    assert "Access Analyzer SECURITY_WARNING FORALLVALUES_WITH_SINGLE_VALUED_KEY at Statement[0].Condition: bad \\x1b[2J news" in out


def test_apply_compares_the_stored_text_with_the_new_document():
    """An endpoint without a document is compared as AWS's full-access default."""
    from types import SimpleNamespace

    from tui.aws.perimeter import FULL_ACCESS_POLICY
    from tui.commands.aws import _no_new_access

    stored = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}'
    writes = [SimpleNamespace(endpoint=SimpleNamespace(id=eid, stored=text, region="eu-west-1"), policy=NEW_POLICY)
              for eid, text in (("vpce-0aaaaaaaaaaaaaaaa", stored), ("vpce-0bbbbbbbbbbbbbbbb", None))]
    client = analyzer_client()
    with Stubber(client) as stub:
        for existing in (stored, minify(FULL_ACCESS_POLICY)):
            stub.add_response("check_no_new_access", {"result": "PASS", "message": "", "reasons": []},
                              {"existingPolicyDocument": existing, "newPolicyDocument": minify(NEW_POLICY), "policyType": "RESOURCE_POLICY"})
        opinions = _no_new_access(Connected(client), SimpleNamespace(writes=writes))
        stub.assert_no_pending_responses()
    assert [check.line() for check in opinions.values()] == ["Access Analyzer CheckNoNewAccess: PASS, no new access"] * 2
