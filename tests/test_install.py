"""The lean install: moto (the sandbox's emulator) is an extra; without it the sandbox says how to get it and
everything else works. The figures for a fresh default install are measured by hand and quoted in the README."""

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
WITHOUT_MOTO = "import sys\nsys.modules['moto'] = None\nsys.modules['moto.server'] = None\n"
"""Makes `import moto` fail as it does in a default install (a None entry in sys.modules raises ImportError)."""


def test_moto_is_an_extra_that_dev_includes():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert not any(dep.startswith("moto") for dep in project["dependencies"])
    assert any(dep.startswith("moto[server]") for dep in project["optional-dependencies"]["sandbox"])
    assert "vpce-wizard[sandbox]" in project["optional-dependencies"]["dev"]


@pytest.mark.parametrize("argv", [["sandbox"], ["--sandbox"]])
def test_sandbox_without_the_extra_says_how_to_install_it(argv):
    code = WITHOUT_MOTO + f"from tui.cli import main\nraise SystemExit(main({argv!r}))"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert run.returncode == 2
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: the sandbox needs the optional AWS emulator")
    assert "pip install 'vpce-wizard[sandbox]'" in lines[0]
    assert "Traceback" not in run.stderr and run.stdout == ""


def test_headless_commands_work_without_moto(tmp_path):
    out = tmp_path / "p.json"
    code = WITHOUT_MOTO + (
        "from tui.cli import main\n"
        f"raise SystemExit(main(['generate', '--account', '111122223333', '--region', 'eu-west-1', '-q', '-o', {str(out)!r}])"
        " or main(['validate', " + repr(str(out)) + "]))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("valid:")


def test_the_sandbox_prints_the_ids_the_readme_uses(sandbox):
    from tui.aws.sandbox import README_ENDPOINT_VARIABLE, Sandbox

    box = Sandbox(server=None, endpoint_url=sandbox.url, account_id=sandbox.account, endpoints=sandbox.endpoints)
    text = "\n".join(box.summary_lines())
    assert f"account {sandbox.account}" in text
    assert all(endpoint_id in text for endpoint_id in sandbox.endpoints.values())
    assert f"export {README_ENDPOINT_VARIABLE}={sandbox.endpoints[('eu-west-1', 's3')]}" in text
    assert README_ENDPOINT_VARIABLE in (ROOT / "README.md").read_text()


def test_a_seeded_sandbox_draws_the_same_ids_every_time():
    """What makes scripts/make_screenshots.py deterministic: moto's ids come from its seeded generator."""
    from tui.aws.sandbox import start_sandbox

    runs = []
    for _ in range(2):
        box = start_sandbox(random_seed=20480)
        try:
            runs.append(dict(box.endpoints))
        finally:
            box.stop()
    assert runs[0] == runs[1] and len(runs[0]) == 16


def test_the_wizard_checks_for_the_emulator_without_importing_it():
    """`--sandbox` is checked before the screen opens; importing moto's server there would delay the first paint."""
    code = ("import sys\nfrom tui.aws.sandbox import SERVER_MODULES, check_emulator_installed\ncheck_emulator_installed()\n"
            "print(sorted(name for name in SERVER_MODULES if name in sys.modules))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0 and run.stdout.strip() == "[]", run.stderr
