"""A local AWS (moto's server on loopback) seeded with demo endpoints, so every step, apply included, can be
tried on a fresh machine without an AWS account. moto accepts invalid documents and ignores DryRun and
ResetPolicy; the tool's own checks guard, and the connection label says "sandbox"."""

import logging
import os
import socket
import threading
from dataclasses import dataclass, field
from typing import Any

from tui.aws.errors import AwsError
from tui.aws.session import SANDBOX_CREDENTIALS, AwsTarget
from tui.policy.errors import InputError

SANDBOX_REGIONS = ("eu-west-1", "us-east-1")
GATEWAY_SERVICES = ("s3", "dynamodb")
INTERFACE_SERVICES = ("ssm", "ssmmessages", "ec2messages", "logs", "monitoring", "sts")
LOOPBACK = "127.0.0.1"
START_TIMEOUT_SECONDS = 20.0
"""moto's own start() waits forever when its server thread dies (a busy port): never wait that long."""
PERIMETER_REGION = "us-east-1"
"""Its S3 gateway endpoint starts on a perimeter policy, the others on AWS's full-access default."""
README_ENDPOINT_VARIABLE = "VPCE_S3"
"""The shell variable holding the first region's S3 gateway endpoint id, as the README's examples use it."""


def _ec2(endpoint_url: str, region: str):
    from tui.aws.session import connect

    return connect(AwsTarget(region=region, endpoint_url=endpoint_url, sandbox=True)).client("ec2")


def perimeter_policy(account: str, region: str) -> dict:
    """The demo perimeter, built by the project's own builder: the account, plus the default AWS-owned buckets."""
    from tui.policy.answers import Answers
    from tui.policy.builder import build_policy
    from tui.policy.catalog import load_catalog

    answers = Answers(services=("s3",), accounts=(account,), resource_perimeter=True, public_buckets=tuple(load_catalog().defaults()), region=region).checked()
    return build_policy(answers, "s3")


def seed(endpoint_url: str, account: str, regions=SANDBOX_REGIONS) -> dict[tuple[str, str], str]:
    """Create a VPC per region with gateway and interface endpoints; returns {(region, service): endpoint id}."""
    from tui.policy.documents import minify

    created = {}
    for region in regions:
        ec2 = _ec2(endpoint_url, region)
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        ec2.create_tags(Resources=[vpc], Tags=[{"Key": "Name", "Value": "vpce-wizard-demo"}])
        route_table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
        for service in GATEWAY_SERVICES + INTERFACE_SERVICES:
            kwargs = {"VpcId": vpc, "ServiceName": f"com.amazonaws.{region}.{service}"}
            if service in GATEWAY_SERVICES:
                kwargs.update(VpcEndpointType="Gateway", RouteTableIds=[route_table])
            else:
                kwargs.update(VpcEndpointType="Interface", SubnetIds=[subnet], PrivateDnsEnabled=True)
            if region == PERIMETER_REGION and service == "s3":
                kwargs["PolicyDocument"] = minify(perimeter_policy(account, region))
            created[(region, service)] = ec2.create_vpc_endpoint(**kwargs)["VpcEndpoint"]["VpcEndpointId"]
    return created


@dataclass
class Sandbox:
    """A running, seeded emulator; `target()` connects to it with its own dummy credentials."""

    server: Any
    """moto's ThreadedMotoServer (moto is untyped)."""
    endpoint_url: str
    account_id: str
    regions: tuple[str, ...] = SANDBOX_REGIONS
    endpoints: dict = field(default_factory=dict)

    def target(self, region: str | None = None) -> AwsTarget:
        return AwsTarget(region=region or self.regions[0], endpoint_url=self.endpoint_url, sandbox=True)

    def env_lines(self) -> list[str]:
        """Shell lines that point the AWS CLI, boto3 or another vpce-wizard at this sandbox; VPCE_S3 is the
        endpoint the README's headless examples apply to (moto draws endpoint ids at random)."""
        return [
            f"export AWS_ENDPOINT_URL={self.endpoint_url}",
            f"export AWS_REGION={self.regions[0]}",
            f"export AWS_ACCESS_KEY_ID={SANDBOX_CREDENTIALS['aws_access_key_id']}",
            f"export AWS_SECRET_ACCESS_KEY={SANDBOX_CREDENTIALS['aws_secret_access_key']}",
            f"export {README_ENDPOINT_VARIABLE}={self.endpoints[(self.regions[0], 's3')]}",
        ]

    def summary_lines(self) -> list[str]:
        """What `vpce-wizard sandbox` prints: the account, every endpoint id, and the lines to export."""
        lines = [f"sandbox running at {self.endpoint_url}: account {self.account_id}, regions {', '.join(self.regions)}", "endpoints:"]
        lines += [f"  {region:<10} {service:<12} {endpoint_id}" for (region, service), endpoint_id in self.endpoints.items()]
        lines.append("use it from another shell (dummy credentials, this emulator only):")
        lines += [f"  {line}" for line in self.env_lines()]
        return lines

    def stop(self) -> None:
        self.server.stop()


class SandboxUnavailable(InputError):
    """moto is an optional extra: the default install stays small, and the message says how to add it."""


SERVER_MODULES = ("moto", "flask", "flask_cors", "werkzeug")
"""What moto's server imports from the `sandbox` extra."""


def _unavailable(missing: str | None) -> SandboxUnavailable:
    return SandboxUnavailable(
        f"the sandbox needs the optional AWS emulator ({missing or 'moto'} is not installed): "
        "pip install 'vpce-wizard[sandbox]' (from a checkout: pip install -e '.[sandbox]')"
    )


def check_emulator_installed() -> None:
    """SandboxUnavailable unless the extra is installed, found without importing it: moto's server takes half
    a second to import, which the wizard spends drawing its first screen instead (the worker imports it)."""
    from importlib.util import find_spec

    for name in SERVER_MODULES:
        if find_spec(name) is None:
            raise _unavailable(name)


def emulator_class():
    """moto's ThreadedMotoServer, or SandboxUnavailable naming the install command when the extra is missing."""
    try:
        from moto.server import ThreadedMotoServer
    except ImportError as exc:
        raise _unavailable(exc.name) from None
    return ThreadedMotoServer


def check_port_free(port: int) -> None:
    """InputError unless `port` can be listened on at 127.0.0.1 (0 always can: the kernel picks one)."""
    if not 0 <= port <= 65535:
        raise InputError(f"port {port} is not between 0 and 65535: pick another --port, or leave it out for a free one")
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server will: TIME_WAIT is no obstacle
        probe.bind((LOOPBACK, port))
    except OSError as exc:
        raise InputError(f"cannot listen on {LOOPBACK}:{port} ({exc.strerror or exc}): pick another --port, or leave it out for a free one") from None
    finally:
        probe.close()


def start_server(port: int = 0):
    """moto's threaded server on loopback only (never reachable from the network); returns (server, url).
    InputError when the port cannot be used, AwsError when the server does not come up in time."""
    server_class = emulator_class()
    check_port_free(port)
    os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")  # ~7,800 AMIs per account and region: no step reads them
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request would drown the wizard
    server = server_class(ip_address=LOOPBACK, port=port, verbose=False)
    starter = threading.Thread(target=server.start, name="vpce-wizard-sandbox-start", daemon=True)
    starter.start()
    starter.join(START_TIMEOUT_SECONDS)
    if starter.is_alive():  # its server thread died (a port taken since the check): the starter waits in vain
        raise AwsError(f"the sandbox did not start on {LOOPBACK}:{port} within {START_TIMEOUT_SECONDS:.0f} s: pick another --port, or leave it out")
    host, bound = server.get_host_and_port()
    return server, f"http://{host}:{bound}"


def start_sandbox(port: int = 0, random_seed: int | None = None) -> Sandbox:
    """Start and seed the sandbox; port 0 picks a free one. With `random_seed`, the emulator starts empty and
    moto draws the same VPC and endpoint ids on every run (the screenshots use it; users get random ids)."""
    import urllib.request

    from tui.aws.session import connect

    server, url = start_server(port)
    try:
        if random_seed is not None:  # same ids need the same draws from an empty emulator
            for action in ("reset", f"seed?a={int(random_seed)}"):
                # our own loopback server, never a user's URL
                reset = urllib.request.Request(f"{url}/moto-api/{action}", method="POST")  # noqa: S310
                urllib.request.urlopen(reset, timeout=10).close()  # noqa: S310
        account = connect(AwsTarget(region=SANDBOX_REGIONS[0], endpoint_url=url, sandbox=True)).account_id
        endpoints = seed(url, account)
    except BaseException:
        server.stop()
        raise
    return Sandbox(server, url, account, SANDBOX_REGIONS, endpoints)
