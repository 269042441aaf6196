"""The sandbox in its own process (`vpce-wizard --sandbox`): it announces itself in one JSON line, its failures
reach the wizard as one line, and it never outlives the wizard."""

import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from tui.aws.errors import AwsError
from tui.aws.sandbox import EmulatorProcess, spawn_sandbox


def emulator_printing(code: str) -> EmulatorProcess:
    """A process standing in for the emulator: it runs `code`, then waits for its stdin to close, as the emulator does."""
    program = f"{code}\nimport sys; sys.stdin.read()"
    return EmulatorProcess(subprocess.Popen([sys.executable, "-c", program], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                            stderr=subprocess.DEVNULL, text=True))


def test_the_emulator_process_serves_the_seeded_sandbox_and_ends_with_the_wizard():
    from tui.aws.discovery import discover
    from tui.aws.session import connect

    emulator = spawn_sandbox()
    sandbox = emulator.sandbox()
    try:
        conn = connect(sandbox.target())
        assert conn.account_id == sandbox.account_id and conn.is_sandbox
        assert len(sandbox.endpoints) == 16
        assert set(sandbox.endpoints.values()) == {e.id for e in discover(conn, sandbox.regions, analysed=False)}
    finally:
        sandbox.stop()
    assert emulator.process.returncode is not None  # its stdin closed: it stopped serving and exited
    with pytest.raises(urllib.error.URLError, match="Connection refused"):
        urllib.request.urlopen(f"{sandbox.endpoint_url}/moto-api/", timeout=5)


def test_an_emulator_that_fails_to_start_is_one_line_and_stopped():
    emulator = emulator_printing("""print('{"error": "cannot listen on 127.0.0.1:5000 (Address in use)"}', flush=True)""")
    with pytest.raises(AwsError, match=r"^cannot listen on 127\.0\.0\.1:5000 \(Address in use\)$"):
        emulator.sandbox()
    assert emulator.process.returncode is not None


def test_an_emulator_that_exits_without_a_word_is_one_line():
    emulator = emulator_printing("raise SystemExit(3)")
    with pytest.raises(AwsError, match=r"^the sandbox did not start within 20 s$"):
        emulator.sandbox()
    assert emulator.process.returncode == 3


@pytest.mark.parametrize("announcement", ["not json", "\x1b[31m{", "[1, 2]", '{"url": "http://127.0.0.1:1"}', '{"endpoints": [[1]]}'])
def test_an_emulator_that_says_nonsense_is_one_line_and_stopped(announcement):
    emulator = emulator_printing(f"print({announcement!r}, flush=True)")
    with pytest.raises(AwsError, match=r"^the sandbox's emulator gave an unexpected answer$"):
        emulator.sandbox()
    assert emulator.process.returncode is not None


def test_an_emulator_that_never_answers_is_stopped_after_the_timeout():
    emulator = emulator_printing("import time; time.sleep(60)")
    with pytest.raises(AwsError, match="did not start within 1 s"):
        emulator.sandbox(timeout=1)
    assert emulator.process.returncode is not None
