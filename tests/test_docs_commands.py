"""Every shell command in README.md, README.ja.md and docs/*.md runs as written.

The commands are the lines of fenced `sh`, `bash` and `console` blocks (in `console` blocks, the lines after
`$ `), with backslash continuations and here-documents kept whole. Each file's commands run in order in one
fresh directory, so a later command may use a file an earlier one wrote, with the venv's `bin` first on PATH
and a `.venv` link to this venv (the README spells some commands `.venv/bin/...`). The AWS commands run
against the emulator: the `aws_env` fixture exports AWS_ENDPOINT_URL, AWS_REGION and dummy credentials as
`vpce-wizard sandbox` tells its users to, and VPCE_S3 is the endpoint the sandbox prints under that name.

Commands that cannot run inside a test are listed in NOT_RUN with the reason; a listed pattern that no longer
matches any documented command fails the test, so the list cannot go stale.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", ROOT / "README.ja.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```(sh|bash|console)\n(.*?)^```", re.DOTALL | re.MULTILINE)

NOT_RUN = {
    r"pip install": "installs packages: the test runs inside that very install",
    r"python -m pytest": "the test suite itself",
    r"vpce-wizard --sandbox$": "opens the interactive wizard; tests/test_app_sandbox.py drives it against the sandbox",
    r"vpce-wizard sandbox$": "serves until Ctrl-C; the session's emulator (the `sandbox` fixture), seeded the same way, stands in",
    r"benchmarks/": "prints performance figures and runs for minutes; benchmarks are run by hand, not timed in tests",
}
EXPECTED_EXIT = {
    "vpce-wizard audit --region eu-west-1 --trusted-account 123456789012": 1,  # the demo endpoints allow full access
}
"""Commands the docs say exit non-zero, by their text without the trailing comment."""


def commands_in(text: str) -> list[str]:
    """The commands of a document's shell blocks, in order."""
    commands = []
    for language, body in FENCE.findall(text):
        lines = body.splitlines()
        if language == "console":
            lines = [line[2:] for line in lines if line.startswith("$ ")]
        commands += _join(lines)
    return commands


def _join(lines: list[str]) -> list[str]:
    commands, current, heredoc_end = [], "", None
    for line in lines:
        if heredoc_end is not None:
            current += "\n" + line
            if line.strip() == heredoc_end:
                commands.append(current)
                current, heredoc_end = "", None
            continue
        if not current and (not line.strip() or line.lstrip().startswith("#")):
            continue
        current = f"{current}\n{line}" if current else line
        if marker := re.search(r"<<-?\s*'?(\w+)'?", line):
            heredoc_end = marker.group(1)
        elif line.rstrip().endswith("\\"):
            continue
        else:
            commands.append(current)
            current = ""
    assert not current, f"unterminated command in a doc block: {current!r}"
    return commands


def _bare(command: str) -> str:
    """The command without its trailing comment, continuations folded, for matching."""
    folded = re.sub(r"\\\n\s*", " ", command.split("\n", 1)[0] if "<<" in command else command)
    return re.sub(r"\s+#.*$", "", folded).strip()


def reason_not_run(command: str) -> str | None:
    return next((reason for pattern, reason in NOT_RUN.items() if re.search(pattern, _bare(command))), None)


def documented() -> dict[Path, list[str]]:
    return {path: commands_in(path.read_text()) for path in DOCS}


def test_the_docs_have_shell_blocks_and_every_not_run_entry_is_still_needed():
    commands = [command for found in documented().values() for command in found]
    assert len(commands) >= 20
    for pattern in NOT_RUN:
        assert any(re.search(pattern, _bare(command)) for command in commands), f"stale NOT_RUN entry {pattern!r}"
    assert all(any(_bare(c) == bare for c in commands) for bare in EXPECTED_EXIT), "stale EXPECTED_EXIT entry"


def test_ci_runs_exactly_the_readme_test_command():
    readme = commands_in((ROOT / "README.md").read_text())
    [test_command] = [command for command in readme if "python -m pytest" in command]
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert ci[-1].strip() == test_command


@pytest.mark.parametrize("doc", [path for path, found in documented().items() if found], ids=lambda path: path.name)
def test_documented_commands_run_as_written(doc, aws_env, tmp_path):
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "VPCE_S3": aws_env.endpoints[("eu-west-1", "s3")],
    }
    (tmp_path / ".venv").symlink_to(sys.prefix, target_is_directory=True)
    ran = 0
    for command in commands_in(doc.read_text()):
        if reason_not_run(command):
            continue
        run = subprocess.run(["bash", "-c", command], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=180)
        expected = EXPECTED_EXIT.get(_bare(command), 0)
        assert run.returncode == expected, f"{doc.name}: {command}\nexit {run.returncode}\n{run.stdout[-2000:]}\n{run.stderr[-2000:]}"
        assert "Traceback" not in run.stderr, f"{doc.name}: {command}\n{run.stderr}"
        ran += 1
    assert ran, f"{doc.name} has shell blocks but none of them ran"
