"""Shared fixtures: one moto server over real HTTP for the whole run, reset and re-seeded per AWS test."""

import urllib.request
from types import SimpleNamespace

import pytest

SANDBOX_ACCOUNT = "123456789012"
MOTO_SEED = 20260
"""moto draws its ids (endpoints, org member accounts) from this seed after each reset, as the screenshots do."""
AWS_VARIABLES = (
    "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_CA_BUNDLE",
)


@pytest.fixture(autouse=True)
def private_state(tmp_path, tmp_path_factory, monkeypatch):
    """Backups and saved state go to the test's own directory, and no real AWS configuration leaks in."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    for name in AWS_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))  # the theme and language the wizard remembers
    # proven verdicts (tui/policy/verdict_cache.py), beside the test's folder: the review's proof writes them in
    # a worker at any moment, and tests check that their own folder holds only what they wrote
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))


@pytest.fixture(autouse=True)
def english(monkeypatch):
    """Tests speak English unless they ask for Japanese, whatever the machine's locale; and none leaks its language."""
    from tui.report.i18n import set_language

    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    set_language("en")
    yield
    set_language("en")


@pytest.fixture(scope="session")
def moto_url():
    from tui.aws.sandbox import start_server

    server, url = start_server(0)
    yield url
    server.stop()


@pytest.fixture
def sandbox(moto_url):
    """A freshly reset emulator seeded like `vpce-wizard sandbox`: `.url`, `.endpoints[(region, service)]`."""
    from tui.aws.sandbox import seed

    for action in ("reset", f"seed?a={MOTO_SEED}"):  # the same ids every test: verdicts cached by them are shared
        urllib.request.urlopen(urllib.request.Request(f"{moto_url}/moto-api/{action}", method="POST")).close()
    return SimpleNamespace(url=moto_url, endpoints=seed(moto_url, SANDBOX_ACCOUNT), account=SANDBOX_ACCOUNT)


@pytest.fixture
def conn(sandbox):
    from tui.aws.session import AwsTarget, connect

    return connect(AwsTarget(region="eu-west-1", endpoint_url=sandbox.url, sandbox=True))


@pytest.fixture
def s3(sandbox):
    """The seeded S3 gateway endpoint in eu-west-1 (full-access policy)."""
    return sandbox.endpoints[("eu-west-1", "s3")]


@pytest.fixture
def perimeter(conn):
    """A perimeter policy for the sandbox account, built by the project's builder."""
    from tui.aws.sandbox import perimeter_policy

    return perimeter_policy(conn.account_id, "eu-west-1")


@pytest.fixture
def aws_env(sandbox, monkeypatch):
    """Environment for CLI runs against the emulator, as `vpce-wizard sandbox` tells users to set it."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_ENDPOINT_URL", sandbox.url)
    return sandbox
