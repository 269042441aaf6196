"""`check` (offline), `audit` (the stored policy read back from the emulator) and the apply guard give one
verdict for one policy: red-team corpus cases, their trusted account made the sandbox's, applied to its S3
gateway endpoint. The guard asks about the emulator's caller, whose role is unknown, as check does about
"a trusted principal" without --caller-arn."""

import json
from pathlib import Path

import pytest

from tui.cli import main

CORPUS = Path(__file__).parent / "analysis_corpus"
CORPUS_ACCOUNT = "111122223333"
CASES = ("session-principal-foreign.json", "legacy-bucket-name-write.json", "s3-access-points-any-account.json",
         "lockout-deny-secure-transport-true.json")
"""Open by a foreign role session, by a legacy bucket name, by access points; a lock-out (a policy AWS would
refuse, such as NotPrincipal, is not applied at all, so it cannot be compared here)."""


def run_json(argv: list[str], capsys) -> tuple[int, dict]:
    capsys.readouterr()
    code = main(argv)
    return code, json.loads(capsys.readouterr().out)


def verdict(result: dict) -> tuple[str, set[str]]:
    return result["classification"], {f["code"] for f in result["findings"] if f["severity"] != "info"} - {"invalid-policy"}


@pytest.mark.parametrize("name", CASES)
def test_check_audit_and_the_apply_guard_agree(aws_env, capsys, tmp_path, name):
    trusted = aws_env.account
    path = tmp_path / name
    path.write_text((CORPUS / name).read_text().replace(CORPUS_ACCOUNT, trusted))
    endpoint = aws_env.endpoints[("eu-west-1", "s3")]
    check_code, checked = run_json(["check", str(path), "--service", "s3", "--region", "eu-west-1", "--trusted-account", trusted,
                                    "--endpoint-type", "Gateway", "--json"], capsys)

    guarded = main(["apply", "--endpoint", endpoint, "--policy", str(path), "--yes"])
    capsys.readouterr()
    assert main(["apply", "--endpoint", endpoint, "--policy", str(path), "--yes", "--force"]) == 0
    audit_code, audited = run_json(["audit", "--region", "eu-west-1", "--trusted-account", trusted, "--json"], capsys)
    stored = next(e for e in audited["endpoints"] if e["id"] == endpoint)

    assert check_code == audit_code == 1
    assert verdict(stored) == verdict(checked)
    locked = any(f["code"] == "lock-out" for f in checked["findings"])
    assert (guarded != 0) == locked  # the guard blocks exactly where check and audit see a lock-out
