"""A local AWS (moto's server on loopback) seeded with demo endpoints, so every step, apply included, can be
tried on a fresh machine without an AWS account. moto accepts invalid documents and ignores DryRun and
ResetPolicy; the tool's own checks guard, and the connection label says "sandbox"."""

import contextlib
import gc
import json
import logging
import os
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from typing import Any

from tui.aws.errors import AwsError
from tui.aws.session import SANDBOX_CREDENTIALS, AwsTarget
from tui.policy.errors import InputError
from tui.report.messages import Phrase, error_message, params_from_json, params_to_json

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


def perimeter_policy(account: str, region: str) -> dict:
    """The demo perimeter, built by the project's own builder: the account, plus the default AWS-owned buckets."""
    from tui.policy.answers import Answers
    from tui.policy.builder import build_policy
    from tui.policy.catalog import load_catalog

    answers = Answers(services=("s3",), accounts=(account,), resource_perimeter=True, public_buckets=tuple(load_catalog().defaults()), region=region).checked()
    return build_policy(answers, "s3")


def seed(endpoint_url: str, account: str, regions=SANDBOX_REGIONS) -> dict[tuple[str, str], str]:
    """Create a VPC per region with gateway and interface endpoints; returns {(region, service): endpoint id}."""
    from tui.aws.session import connect
    from tui.policy.documents import minify

    conn = connect(AwsTarget(region=regions[0], endpoint_url=endpoint_url, sandbox=True))
    created = {}
    for region in regions:
        ec2 = conn.client("ec2", region)
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
        from tui.report.i18n import _

        lines = [_("sandbox running at {url}: account {account}, regions {regions}").format(
            url=self.endpoint_url, account=self.account_id, regions=", ".join(self.regions)), _("endpoints:")]
        lines += [f"  {region:<10} {service:<12} {endpoint_id}" for (region, service), endpoint_id in self.endpoints.items()]
        lines.append(_("use it from another shell (dummy credentials, this emulator only):"))
        lines += [f"  {line}" for line in self.env_lines()]
        return lines

    def stop(self) -> None:
        self.server.stop()


class EmulatorProcess:
    """The sandbox started in a process of its own (`spawn_sandbox`): moto's imports and the seeding take over a
    second of CPU, which then runs on another core beside the wizard's first paint instead of inside the
    wizard's process. The emulator reads its stdin until it closes, so it never outlives the wizard."""

    def __init__(self, process: subprocess.Popen) -> None:
        self.process = process

    def sandbox(self, timeout: float = START_TIMEOUT_SECONDS) -> Sandbox:
        """Wait for the running, seeded sandbox; AwsError (and the emulator stopped) when it fails, says something
        unexpected or takes longer than `timeout`."""
        stdout = self.process.stdout
        assert stdout is not None  # noqa: S101 - spawned with a pipe
        deadline = threading.Timer(timeout, self.process.kill)
        deadline.start()
        try:
            line = stdout.readline(64 * 1024)
        finally:
            deadline.cancel()
        try:
            return self._announced(line)
        except AwsError:
            self.stop()
            raise
        except (ValueError, KeyError, TypeError):
            self.stop()
            if not line:  # it exited, or was killed at the deadline
                raise AwsError(Phrase("sandbox", {"variant": "start-timeout", "seconds": timeout})) from None
            raise AwsError(Phrase("sandbox", {"variant": "unexpected"})) from None

    def _announced(self, line: str) -> Sandbox:
        started = json.loads(line)
        if "error" in started:  # a worded error comes as its code and parameters, to be said in the wizard's language
            raise AwsError(params_from_json({"error": started["error"]})["error"])
        endpoints = {(str(region), str(service)): str(endpoint_id) for region, service, endpoint_id in started["endpoints"]}
        return Sandbox(self, str(started["url"]), str(started["account"]), tuple(map(str, started["regions"])), endpoints)

    def stop(self) -> None:
        """Close the emulator's stdin (it stops its server and exits), killing it if it does not within 5 s."""
        if self.process.stdin is not None:
            with contextlib.suppress(OSError):
                self.process.stdin.close()
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class SandboxUnavailable(InputError):
    """moto is an optional extra: the default install stays small, and the message says how to add it."""


SERVER_MODULES = ("moto", "flask", "flask_cors", "werkzeug")
"""What moto's server imports from the `sandbox` extra."""


def _unavailable(missing: str | None) -> SandboxUnavailable:
    return SandboxUnavailable(Phrase("sandbox", {"variant": "unavailable", "missing": missing or "moto"}))


def check_emulator_installed() -> None:
    """SandboxUnavailable unless the extra is installed, found without importing it: moto's server takes half
    a second to import, which the wizard spends drawing its first screen instead (the emulator's process
    imports it)."""
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


def spawn_sandbox(random_seed: int | None = None) -> EmulatorProcess:
    """Start the sandbox in its own process and return at once (`EmulatorProcess.sandbox` waits for it)."""
    code = ("import gc; gc.disable(); import sys; from tui.aws.sandbox import serve_for_parent; "  # see serve_for_parent
            "serve_for_parent(int(sys.argv[1]) if sys.argv[1:] else None)")
    arguments = [] if random_seed is None else [str(int(random_seed))]
    process = subprocess.Popen([sys.executable, "-c", code, *arguments], stdin=subprocess.PIPE, stdout=subprocess.PIPE,  # noqa: S603 - our own interpreter and code
                               stderr=subprocess.DEVNULL, text=True)
    return EmulatorProcess(process)


def _share_botocore_models() -> None:
    """moto makes a new boto3 Session for each region list it needs (EC2's zones, every backend's regions), and
    each new session parses botocore's 1.2 MB endpoints.json and EC2's model again: about 0.6 s of the
    emulator's start. In the emulator's own process every session shares one loader, so each is parsed once."""
    import botocore.session

    from tui.aws.session import shared_loader

    botocore.session.create_loader = lambda *_args, **_kwargs: shared_loader()


def serve_for_parent(random_seed: int | None = None) -> None:
    """The emulator process (see `spawn_sandbox`): start and seed the sandbox, write it to stdout as one JSON
    line, then serve until stdin closes.

    `spawn_sandbox` turns the garbage collector off first: moto's imports create some 300,000 long-lived
    objects, which its collections would scan again and again; it is back on once the sandbox is announced."""
    announce, sys.stdout = sys.stdout, sys.stderr  # nothing moto might print can be taken for the JSON line
    _share_botocore_models()
    try:
        sandbox = start_sandbox(random_seed=random_seed)
    except Exception as exc:  # noqa: BLE001 - reported to the wizard, which shows it and stays offline
        print(json.dumps({"error": params_to_json({"error": error_message(exc) or type(exc).__name__})["error"]}), file=announce, flush=True)
        return
    try:
        endpoints = [[region, service, endpoint_id] for (region, service), endpoint_id in sandbox.endpoints.items()]
        print(json.dumps({"url": sandbox.endpoint_url, "account": sandbox.account_id, "regions": list(sandbox.regions),
                          "endpoints": endpoints}), file=announce, flush=True)
        gc.freeze()  # start-up's objects live as long as the process: later collections need not scan them
        gc.enable()
        sys.stdin.read()
    finally:
        sandbox.stop()


def check_port_free(port: int) -> None:
    """InputError unless `port` can be listened on at 127.0.0.1 (0 always can: the kernel picks one)."""
    if not 0 <= port <= 65535:
        raise InputError(Phrase("sandbox", {"variant": "bad-port", "port": port}))
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server will: TIME_WAIT is no obstacle
        probe.bind((LOOPBACK, port))
    except OSError as exc:
        raise InputError(Phrase("sandbox", {"variant": "cannot-listen", "host": LOOPBACK, "port": port, "reason": exc.strerror or str(exc)})) from None
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
        raise AwsError(Phrase("sandbox", {"variant": "port-timeout", "host": LOOPBACK, "port": port, "seconds": START_TIMEOUT_SECONDS}))
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
