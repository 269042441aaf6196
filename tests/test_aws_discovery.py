"""Discovery against moto's server over HTTP, and the pure parts (no-policy endpoints, type inference)."""

import json
from collections import Counter

from tui.aws.discovery import ServiceSupport, discover, endpoint_from_api
from tui.aws.perimeter import FULL_ACCESS, IDENTITY_RESOURCE_PERIMETER, NO_POLICY, Trust
from tui.aws.sandbox import GATEWAY_SERVICES, INTERFACE_SERVICES, SANDBOX_REGIONS


def count_calls(conn) -> Counter:
    calls = Counter()
    conn.session.events.register("before-call.*.*", lambda model, **_: calls.update([model.name]))
    return calls


def test_discovers_every_seeded_endpoint_in_both_regions(conn):
    endpoints = discover(conn, SANDBOX_REGIONS)
    assert len(endpoints) == len(SANDBOX_REGIONS) * (len(GATEWAY_SERVICES) + len(INTERFACE_SERVICES))
    by_key = {(e.region, e.service): e for e in endpoints}
    assert by_key[("eu-west-1", "s3")].type == "Gateway" and by_key[("eu-west-1", "ssm")].type == "Interface"
    assert all(e.takes_policy and e.policy_supported and e.state == "available" for e in endpoints)
    assert by_key[("us-east-1", "s3")].classification == IDENTITY_RESOURCE_PERIMETER
    assert by_key[("eu-west-1", "s3")].classification == FULL_ACCESS
    assert by_key[("eu-west-1", "s3")].policy["Statement"][0]["Action"] == "*"


def test_api_calls_grow_with_regions_not_endpoints(sandbox):
    from tui.aws.session import AwsTarget, connect

    fresh = connect(AwsTarget(region="eu-west-1", endpoint_url=sandbox.url, sandbox=True))
    calls = count_calls(fresh)
    discover(fresh, SANDBOX_REGIONS)
    discover(fresh, SANDBOX_REGIONS)  # service support is cached per region
    assert calls == Counter({"DescribeVpcEndpoints": 4, "DescribeVpcEndpointServices": 2})


def test_a_first_look_lists_endpoints_without_reading_the_catalogue_of_policy_support(sandbox):
    from tui.aws.session import AwsTarget, connect

    fresh = connect(AwsTarget(region="eu-west-1", endpoint_url=sandbox.url, sandbox=True))
    calls = count_calls(fresh)
    first = discover(fresh, analysed=False, catalogue=False)
    assert calls == Counter({"DescribeVpcEndpoints": 1})
    assert {(e.service, e.type, e.takes_policy) for e in first} == {(e.service, e.type, e.takes_policy) for e in discover(fresh, analysed=False)}
    discover(fresh, analysed=False, catalogue=False)  # once read, the catalogue is used by a first look too
    assert calls == Counter({"DescribeVpcEndpoints": 3, "DescribeVpcEndpointServices": 1})


def test_filters_by_vpc_and_service(conn):
    s3 = discover(conn, services=["s3", "ssm"])
    assert {e.service for e in s3} == {"s3", "ssm"} and {e.region for e in s3} == {"eu-west-1"}
    vpc = s3[0].vpc_id
    assert {e.vpc_id for e in discover(conn, vpc_id=vpc)} == {vpc}
    assert discover(conn, vpc_id="vpc-00000000000000000") == []


def raw(service_name, endpoint_type="Interface", **extra):
    return {"VpcEndpointId": "vpce-1", "VpcId": "vpc-1", "ServiceName": service_name, "VpcEndpointType": endpoint_type, "State": "available", **extra}


def test_endpoints_that_take_no_policy_say_why():
    trust = Trust(("111122223333",))
    gwlb = endpoint_from_api(raw("com.amazonaws.vpce.eu-west-1.vpce-svc-1", "GatewayLoadBalancer"), "eu-west-1", {}, trust)
    partner = endpoint_from_api(raw("com.amazonaws.vpce.eu-west-1.vpce-svc-2"), "eu-west-1", {}, trust)
    smtp = endpoint_from_api(raw("com.amazonaws.eu-west-1.email-smtp"), "eu-west-1", {"com.amazonaws.eu-west-1.email-smtp": ServiceSupport(False, ("Interface",))}, trust)
    for endpoint, words in ((gwlb, "GatewayLoadBalancer"), (partner, "com.amazonaws.vpce"), (smtp, "does not support")):
        assert not endpoint.takes_policy and endpoint.classification == NO_POLICY and words in endpoint.reason
        assert [f.severity for f in endpoint.findings] == ["info"]


def test_missing_type_is_inferred_from_the_service():
    support = {"com.amazonaws.eu-west-1.s3": ServiceSupport(True, ("Gateway",))}
    endpoint = endpoint_from_api(raw("com.amazonaws.eu-west-1.s3", "", PolicyDocument="not json"), "eu-west-1", support, Trust(("111122223333",)))
    assert endpoint.type == "Gateway" and endpoint.policy is None
    # a stored policy that cannot be parsed is never taken for AWS's default: it is a high `unreadable`
    assert endpoint.classification == "unproven" and [f.code for f in endpoint.findings] == ["unreadable"]


def test_endpoints_sharing_a_document_share_its_verdict_unless_it_names_the_endpoint():
    """Verdicts are cached per document text; one that tests aws:SourceVpce (here behind a JSON escape) is
    judged per endpoint: it admits requests through its own endpoint only."""
    trust, mine_id = Trust(("111122223333",)), "vpce-0a1b2c3d4e5f60718"
    policy = {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {"aws:SourceVpce": mine_id}}}]}
    pinned = json.dumps(policy).replace("SourceVpce", "Source\\u0056pce")
    assert "SourceVpce" not in pinned and json.loads(pinned) == policy

    def endpoint(endpoint_id):
        item = {**raw("com.amazonaws.eu-west-1.ssm", PolicyDocument=pinned), "VpcEndpointId": endpoint_id, "VpcId": "vpc-0a1b2c3d4e5f60718"}
        return endpoint_from_api(item, "eu-west-1", {}, trust)

    mine, other = endpoint(mine_id), endpoint("vpce-0fedcba9876543210")
    assert mine.classification == "trusts outside the given accounts" and other.classification == "locks out trusted callers"
    mine.policy["Statement"].clear()  # each endpoint holds its own copy of the shared document
    assert other.policy["Statement"] and endpoint(mine_id).policy["Statement"]


def catalogue_requests(conn) -> list:
    asked = []
    conn.session.events.register("provide-client-params.ec2.DescribeVpcEndpointServices",
                                 lambda params, **_: asked.append(params.get("ServiceNames")))
    return asked


def test_the_catalogue_is_asked_only_about_the_services_found(sandbox):
    """AWS's catalogue lists hundreds of services over several pages; an audit needs the few it found."""
    from tui.aws.session import AwsTarget, connect

    fresh = connect(AwsTarget(region="eu-west-1", endpoint_url=sandbox.url, sandbox=True))
    asked = catalogue_requests(fresh)
    endpoints = discover(fresh, ["eu-west-1"])
    assert asked == [sorted({e.service_name for e in endpoints})]
    assert all(e.policy_supported and e.takes_policy for e in endpoints)


def test_a_service_the_catalogue_does_not_know_reads_the_whole_catalogue(sandbox):
    """DescribeVpcEndpointServices refuses a name it does not know (InvalidServiceName): a rejected endpoint's
    deleted service must not make discovery fail."""
    from tui.aws.session import AwsTarget, connect

    fresh = connect(AwsTarget(region="eu-west-1", endpoint_url=sandbox.url, sandbox=True))
    asked = catalogue_requests(fresh)  # before the client is made: it copies the session's hooks
    ec2 = fresh.client("ec2", "eu-west-1")
    vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
    ec2.create_vpc_endpoint(VpcId=vpc, ServiceName="com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0", VpcEndpointType="Interface")
    endpoints = discover(fresh, ["eu-west-1"])
    assert len(asked) == 2 and asked[0] and asked[1] is None
    gone = next(e for e in endpoints if e.service_name.startswith("com.amazonaws.vpce."))
    assert not gone.takes_policy and "partner or private" in gone.reason
    assert next(e for e in endpoints if e.service == "s3").policy_supported
