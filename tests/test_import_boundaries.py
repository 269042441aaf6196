"""The core stays free of the UI, and headless commands stay free of textual and boto3 (they start fast)."""

import json
import pkgutil
import subprocess
import sys

import tui.aws
import tui.policy


def modules_of(package) -> list[str]:
    return [f"{package.__name__}.{info.name}" for info in pkgutil.iter_modules(package.__path__)]


def loaded_after(code: str) -> set[str]:
    """Top-level module names loaded by running code in a fresh interpreter."""
    probe = code + "\nimport sys, json\nprint(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    output = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    return set(json.loads(output.splitlines()[-1]))


def test_policy_and_aws_packages_import_without_textual():
    imports = "\n".join(f"import {name}" for name in modules_of(tui.policy) + modules_of(tui.aws))
    assert "textual" not in loaded_after(imports)


def test_policy_package_imports_without_boto3():
    imports = "\n".join(f"import {name}" for name in modules_of(tui.policy))
    loaded = loaded_after(imports)
    assert "boto3" not in loaded and "botocore" not in loaded


def test_headless_commands_import_neither_textual_nor_boto3(tmp_path):
    policy = tmp_path / "p.json"
    policy.write_text('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}')
    for argv in (
        ["generate", "--account", "111122223333", "--region", "eu-west-1", "--public-bucket", "al2023", "-q"],
        ["validate", str(policy)],
        ["simulate", str(policy), "--action", "s3:GetObject", "--resource", "arn:aws:s3:::b/k"],
        ["catalog", "--region", "eu-west-1"],
    ):
        loaded = loaded_after(f"import contextlib, io\nfrom tui.cli import main\nwith contextlib.redirect_stdout(io.StringIO()):\n    main({argv!r})")
        assert not {"textual", "boto3", "botocore", "z3"} & loaded, argv  # z3 only where analysis runs
