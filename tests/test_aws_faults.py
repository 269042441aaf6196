"""What the emulator cannot do, injected through botocore's event hooks on the real HTTP client: DryRun
answers, AccessDenied, throttling, a failure between backup and write, a concurrent change, a read-back
mismatch. Each test checks the endpoint's policy and the backups afterwards."""

from botocore.awsrequest import AWSResponse
from botocore.exceptions import EndpointConnectionError

from tui.aws.apply import DEFAULT_POLICY, execute_plan, plan_apply
from tui.aws.backups import list_backups
from tui.aws.discovery import describe_endpoints, parse_policy
from tui.aws.sandbox import perimeter_policy
from tui.policy.diff import same_policy
from tui.policy.documents import minify


class _Body:
    def __init__(self, data: bytes):
        self.data = data

    def stream(self, **_):
        yield self.data


def error_response(code: str, status: int = 400) -> AWSResponse:
    """An EC2 error as the wire carries it, so botocore parses, classifies and retries it as a real one."""
    xml = f"<Response><Errors><Error><Code>{code}</Code><Message>injected {code}</Message></Error></Errors><RequestID>r-1</RequestID></Response>"
    return AWSResponse("https://ec2.test", status, {}, _Body(xml.encode()))


def on_modify(conn, answer):
    """Intercept ModifyVpcEndpoint on the wire (inside botocore's retry loop); `answer(dry_run)` returns a
    response to use instead of the server's, None to let the request through, or raises."""

    def handler(request, **_):
        body = request.body.decode() if isinstance(request.body, bytes) else str(request.body or "")
        if "Action=ModifyVpcEndpoint" in body:
            return answer("DryRun=true" in body)
        return None

    conn.client("ec2").meta.events.register("before-send.ec2", handler)


def stored(conn, endpoint_id):
    return parse_policy(describe_endpoints(conn, "eu-west-1", [endpoint_id])[0]["PolicyDocument"])


def run(conn, s3, perimeter):
    [outcome] = execute_plan(conn, plan_apply(conn, {s3: perimeter}))
    return outcome


def test_dry_run_operation_means_allowed_as_on_real_aws(conn, s3, perimeter):
    on_modify(conn, lambda dry: error_response("DryRunOperation", 412) if dry else None)
    outcome = run(conn, s3, perimeter)
    assert outcome.status == "applied" and not any("ignored DryRun" in w for w in outcome.warnings)
    assert same_policy(stored(conn, s3), perimeter) and len(list_backups(s3)) == 1


def test_unauthorized_dry_run_stops_before_backup_and_write(conn, s3, perimeter):
    on_modify(conn, lambda dry: error_response("UnauthorizedOperation", 403) if dry else None)
    outcome = run(conn, s3, perimeter)
    assert outcome.status == "failed" and "UnauthorizedOperation" in outcome.reason and "ec2:ModifyVpcEndpoint" in outcome.reason
    assert same_policy(stored(conn, s3), DEFAULT_POLICY) and list_backups() == []


def test_access_denied_on_the_write_keeps_the_backup_and_the_old_policy(conn, s3, perimeter):
    on_modify(conn, lambda dry: None if dry else error_response("AccessDenied", 403))
    outcome = run(conn, s3, perimeter)
    assert outcome.status == "failed" and "access denied" in outcome.reason and "still holds the old policy" in outcome.reason
    assert same_policy(stored(conn, s3), DEFAULT_POLICY)
    [backup] = list_backups(s3)
    assert outcome.backup_path == str(backup.path) and same_policy(backup.new, perimeter)


def test_throttling_is_retried_then_reported(conn, s3, perimeter):
    attempts = []

    def throttle(dry):
        if not dry:
            attempts.append(1)
            return error_response("RequestLimitExceeded", 503) if len(attempts) < 3 else None
        return None

    on_modify(conn, throttle)
    outcome = run(conn, s3, perimeter)
    assert outcome.status == "applied" and len(attempts) == 3  # botocore's standard retry mode
    assert same_policy(stored(conn, s3), perimeter)


def test_persistent_throttling_fails_with_advice(conn, s3, perimeter, monkeypatch):
    monkeypatch.setattr("time.sleep", lambda seconds: None)  # skip the retry back-off
    on_modify(conn, lambda dry: None if dry else error_response("RequestLimitExceeded", 503))
    outcome = run(conn, s3, perimeter)
    assert outcome.status == "failed" and "throttled" in outcome.reason and "retry" in outcome.reason
    assert same_policy(stored(conn, s3), DEFAULT_POLICY) and len(list_backups(s3)) == 1


def test_failure_between_backup_and_write(conn, s3, perimeter, monkeypatch):
    monkeypatch.setattr("time.sleep", lambda seconds: None)
    def unreachable(dry):
        if not dry:
            raise EndpointConnectionError(endpoint_url="https://ec2.eu-west-1.amazonaws.com")

    on_modify(conn, unreachable)
    outcome = run(conn, s3, perimeter)
    assert outcome.status == "failed" and "cannot reach" in outcome.reason and "still holds the old policy" in outcome.reason
    assert same_policy(stored(conn, s3), DEFAULT_POLICY)
    [backup] = list_backups(s3)
    assert same_policy(backup.old, DEFAULT_POLICY)


def test_a_change_since_the_preview_stops_the_write(conn, s3, perimeter):
    plan = plan_apply(conn, {s3: perimeter})
    concurrent = perimeter_policy("444455556666", "eu-west-1")
    conn.client("ec2").modify_vpc_endpoint(VpcEndpointId=s3, PolicyDocument=minify(concurrent))
    [outcome] = execute_plan(conn, plan)
    assert outcome.status == "overwritten" and "changed the policy" in outcome.reason and "nothing was written" in outcome.reason
    assert same_policy(stored(conn, s3), concurrent) and list_backups() == []


def test_a_read_back_that_is_neither_ours_nor_the_old_is_overwritten(conn, s3, perimeter):
    other = perimeter_policy("444455556666", "eu-west-1")

    def tamper(params, **_):
        if not params.get("DryRun"):
            params["PolicyDocument"] = minify(other)  # what a buggy proxy or a racing writer would leave

    conn.client("ec2").meta.events.register("before-parameter-build.ec2.ModifyVpcEndpoint", tamper)
    outcome = run(conn, s3, perimeter)
    assert outcome.status == "overwritten" and "neither our policy nor the one we replaced" in outcome.reason
    assert same_policy(stored(conn, s3), other)
    [backup] = list_backups(s3)
    assert same_policy(backup.old, DEFAULT_POLICY) and outcome.backup_path == str(backup.path)


def test_one_failure_never_hides_the_others(conn, sandbox, perimeter, monkeypatch):
    monkeypatch.setattr("time.sleep", lambda seconds: None)
    s3, ssm = sandbox.endpoints[("eu-west-1", "s3")], sandbox.endpoints[("eu-west-1", "ssm")]

    def deny_s3(params, **_):
        if params.get("VpcEndpointId") == s3 and not params.get("DryRun"):
            raise EndpointConnectionError(endpoint_url="https://ec2.eu-west-1.amazonaws.com")

    conn.client("ec2").meta.events.register("before-parameter-build.ec2.ModifyVpcEndpoint", deny_s3)
    outcomes = execute_plan(conn, plan_apply(conn, {s3: perimeter, ssm: perimeter}))
    assert [o.status for o in outcomes] == ["failed", "applied"]
    assert same_policy(stored(conn, s3), DEFAULT_POLICY) and same_policy(stored(conn, ssm), perimeter)
