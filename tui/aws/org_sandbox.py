"""An organization in the local emulator: member accounts (Organizations CreateAccount), each entered with
STS AssumeRole and seeded with its own endpoints, so org-wide runs can be tried and tested without AWS.
moto keeps separate state per account and accepts any role name, so every member's role "exists"."""

from dataclasses import dataclass

from tui.aws.session import SANDBOX_CREDENTIALS

MEMBER_SERVICES = (("s3", "Gateway"), ("ssm", "Interface"))


@dataclass(frozen=True)
class SandboxOrg:
    org_id: str
    root_id: str
    management: str
    members: tuple[str, ...]
    endpoints: dict
    """(account, region, service) -> endpoint id"""


def _client(url: str, service: str, region: str, credentials: dict | None = None):
    import boto3

    return boto3.Session(region_name=region, **(credentials or SANDBOX_CREDENTIALS)).client(service, endpoint_url=url)


def member_credentials(url: str, account: str, role_name: str = "OrganizationAccountAccessRole") -> dict:
    sts = _client(url, "sts", "us-east-1")
    c = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/{role_name}", RoleSessionName="vpce-wizard-seed")["Credentials"]
    return {"aws_access_key_id": c["AccessKeyId"], "aws_secret_access_key": c["SecretAccessKey"], "aws_session_token": c["SessionToken"]}


def seed_endpoints(url: str, account: str, regions, services=MEMBER_SERVICES, credentials: dict | None = None, per_service: int = 1) -> dict:
    """One VPC per region with `per_service` endpoints of each service; returns {(account, region, service): id}
    (the last one made of each service)."""
    created = {}
    for region in regions:
        ec2 = _client(url, "ec2", region, credentials)
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        route_table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
        for service, endpoint_type in services:
            kwargs = {"VpcId": vpc, "ServiceName": f"com.amazonaws.{region}.{service}", "VpcEndpointType": endpoint_type}
            kwargs.update(RouteTableIds=[route_table]) if endpoint_type == "Gateway" else kwargs.update(SubnetIds=[subnet])
            for _ in range(per_service):
                created[(account, region, service)] = ec2.create_vpc_endpoint(**kwargs)["VpcEndpoint"]["VpcEndpointId"]
    return created


def seed_organization(url: str, members: int, regions, *, per_service: int = 1) -> SandboxOrg:
    """Create an organization with `members` member accounts, each with endpoints in every region."""
    org = _client(url, "organizations", "us-east-1")
    organization = org.create_organization(FeatureSet="ALL")["Organization"]
    root = org.list_roots()["Roots"][0]["Id"]
    accounts = tuple(
        org.create_account(Email=f"member{n}@example.com", AccountName=f"member{n}")["CreateAccountStatus"]["AccountId"]
        for n in range(members)
    )
    endpoints = {}
    for account in accounts:
        endpoints.update(seed_endpoints(url, account, regions, credentials=member_credentials(url, account), per_service=per_service))
    return SandboxOrg(organization["Id"], root, organization["MasterAccountId"], accounts, endpoints)
