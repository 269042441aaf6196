"""What the AWS benchmarks share: the emulator in a process of its own, and boto3 as a script without
vpce-wizard uses it (the bare loops the audits are measured against)."""

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator

from tui.aws.sandbox import SANDBOX_CREDENTIALS
from tui.aws.session import shared_loader


@contextlib.contextmanager
def emulator_process() -> Iterator[str]:
    """moto's server on a free loopback port in its own process, as AWS is another machine: it shares neither
    the GIL nor the garbage collector with what is measured (in-process, the timings varied by a third).
    Yields its URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    environment = {**os.environ, "MOTO_EC2_LOAD_DEFAULT_AMIS": "false"}
    process = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environment)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{url}/moto-api/data.json", timeout=1).close()  # noqa: S310 - loopback
                break
            except OSError:
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait()


class PlainBoto3:
    """boto3's clients as a script makes them: boto3's defaults (every timestamp parsed), new ones per
    instance. They share vpce-wizard's model loader, as vpce-wizard's clients do, so neither pays for reading
    the service models from disk again (both would in a new process)."""

    def __init__(self, url: str, credentials: dict[str, str] | None = None):
        import boto3
        import botocore.session

        botocore_session = botocore.session.get_session()
        botocore_session.register_component("data_loader", shared_loader())
        self.session = boto3.Session(botocore_session=botocore_session, **(credentials or SANDBOX_CREDENTIALS))
        self.url, self.clients = url, {}

    def client(self, name: str, region: str = "us-east-1"):
        if (name, region) not in self.clients:
            self.clients[name, region] = self.session.client(name, region_name=region, endpoint_url=self.url)
        return self.clients[name, region]

    def assume(self, role_arn: str) -> "PlainBoto3":
        """The same, with the credentials of an STS AssumeRole into `role_arn`."""
        found = self.client("sts").assume_role(RoleArn=role_arn, RoleSessionName="bare-loop")["Credentials"]
        return PlainBoto3(self.url, {"aws_access_key_id": found["AccessKeyId"], "aws_secret_access_key": found["SecretAccessKey"],
                                     "aws_session_token": found["SessionToken"]})
