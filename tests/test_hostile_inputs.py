"""The hostile-input corpus (tests/hostile/) through every entry point that reads a file, in process.

Whoever can write one file, answers file or backup chooses these bytes. For every input and entry point:
an exit code of 0, 1 or 2, no traceback, no raw control, C1 or bidi character in any output, and a time
bound that catches a hang or a runaway read. File names say what `validate` must conclude:
`notpolicy-*` exit 2 (not a policy at all), `invalid-*` exit 1 (a policy that breaks the grammar),
`valid-*` exit 0; `escape-*` put terminal escapes and Rich markup in one string position each;
`answers-*` and `backup-*` target `--answers` and the backups folder. Add an entry point (e.g. `check`)
to ENTRY_POINTS and it runs over the whole corpus.
"""

import io
import json
import os
import re
import shutil
import sys
import time
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from tui.cli import main
from tui.policy.errors import InputError

CORPUS = Path(__file__).parent / "hostile"
ENDPOINT = "vpce-0123456789abcdef0"
AWS_MARKER = "test: AWS would be called here"
TIME_LIMIT = 10.0
"""Seconds per run: generous (each takes milliseconds), but a hang or a read of /dev/zero never ends."""

UNSAFE_OUTPUT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]")

ENTRY_POINTS = {
    "validate": lambda path: ["validate", path],
    "validate --json": lambda path: ["validate", "--json", path],
    "simulate": lambda path: ["simulate", path, "--action", "s3:GetObject", "--resource", "arn:aws:s3:::example-bucket/key"],
    "simulate --json": lambda path: ["simulate", "--json", path, "--action", "s3:PutObject", "--resource", "*",
                                     "--context", "aws:PrincipalAccount=111122223333"],
    "apply --policy": lambda path: ["apply", "--policy", path, "--endpoint", ENDPOINT, "--yes"],
    "--answers generate": lambda path: ["--answers", path, "generate"],
    "rollback --backup": lambda path: ["rollback", "--backup", path, "--endpoint", ENDPOINT, "--yes"],
    "check --json": lambda path: ["check", "--json", path, "--region", "eu-west-1", "--trusted-account", "111122223333"],
}
"""Entry points that read one file named on the command line."""

CORPUS_FILES = sorted(path.name for path in CORPUS.iterdir() if path.suffix == ".json")


def test_the_corpus_covers_the_hostile_cases():
    assert len(CORPUS_FILES) >= 60
    for prefix in ("notpolicy-", "invalid-", "valid-", "escape-", "answers-", "backup-"):
        assert any(name.startswith(prefix) for name in CORPUS_FILES), prefix


@pytest.fixture(autouse=True)
def no_aws(monkeypatch):
    """Any AWS connection ends the run with a marker, so a test sees whether a bad file got that far."""

    def refuse(*args, **kwargs):
        raise InputError(AWS_MARKER)

    monkeypatch.setattr("tui.aws.session.connect", refuse)


class Run:
    def __init__(self, code: int, out: str, err: str, seconds: float):
        self.code, self.out, self.err, self.seconds = code, out, err, seconds

    @property
    def reached_aws(self) -> bool:
        return AWS_MARKER in self.err


def run_cli(argv: list[str], stdin: io.TextIOBase | None = None) -> Run:
    """Run the CLI in process with captured output and check what holds for every input."""
    out, err = io.StringIO(), io.StringIO()
    saved_stdin = sys.stdin
    sys.stdin = stdin if stdin is not None else io.TextIOWrapper(io.BytesIO(b""))
    started = time.perf_counter()
    try:
        with redirect_stdout(out), redirect_stderr(err):
            code = main(argv)
    finally:
        sys.stdin = saved_stdin
    run = Run(code, out.getvalue(), err.getvalue(), time.perf_counter() - started)
    assert run.code in (0, 1, 2), (argv, run.code, run.err)
    assert "Traceback" not in run.out + run.err
    for name, text in (("stdout", run.out), ("stderr", run.err)):
        unsafe = UNSAFE_OUTPUT.search(text)
        assert unsafe is None, f"raw {unsafe.group()!r} in {name} of {argv}: {text[:300]!r}"
    assert run.seconds < TIME_LIMIT, (argv, run.seconds)
    if run.code == 2:
        assert run.err.count("error:") == 1 and run.err.rstrip().splitlines()[-1].startswith("error: "), run.err
    return run


def _expected_validate_codes(name: str) -> set[int]:
    for prefix, codes in (("notpolicy-", {2}), ("invalid-", {1}), ("valid-", {0}), ("escape-", {0, 1})):
        if name.startswith(prefix):
            return codes
    return {1, 2}


@pytest.mark.parametrize("entry", ENTRY_POINTS)
@pytest.mark.parametrize("name", CORPUS_FILES)
def test_corpus_through_entry_point(name, entry):
    run = run_cli(ENTRY_POINTS[entry](str(CORPUS / name)))
    if entry.startswith("validate"):
        assert run.code in _expected_validate_codes(name), run.out + run.err
    if entry == "validate --json" and run.code != 2:
        assert json.loads(run.out)["valid"] is (run.code == 0)
    if entry == "apply --policy":  # only a policy that validates gets as far as AWS
        assert run.reached_aws is (run_cli(["validate", str(CORPUS / name)]).code == 0), run.err
    if entry == "--answers generate":
        assert run.code == (0 if name.startswith("answers-valid") else 2), run.err
    if entry == "check --json" and run.code != 2:  # any JSON object with a Statement is analysed, never refused
        assert set(json.loads(run.out)) == {"classification", "findings"}
    if entry == "rollback --backup":
        well_formed = name in ("backup-valid.json", "backup-planted-2099-full-access.json")
        assert run.reached_aws is well_formed, run.err


@pytest.mark.parametrize("name", CORPUS_FILES)
def test_corpus_file_in_the_backups_folder(name, tmp_path):
    """`backups` lists only files that are vpce-wizard backups and shows nothing raw from the others."""
    folder = Path(os.environ["XDG_STATE_HOME"]) / "vpce-wizard" / "backups"
    folder.mkdir(parents=True, mode=0o700)
    shutil.copyfile(CORPUS / name, folder / f"{ENDPOINT}.20260101T000000.000000Z.json")
    listed = json.loads(run_cli(["backups", "--json"]).out)["backups"]
    assert len(listed) == (1 if name in ("backup-valid.json", "backup-planted-2099-full-access.json") else 0)
    assert run_cli(["backups"]).code == 0


@pytest.mark.parametrize("entry", ["validate", "simulate"])
@pytest.mark.parametrize("name", [n for n in CORPUS_FILES if not n.startswith(("answers-", "backup-"))])
def test_corpus_through_standard_input(name, entry):
    """`-` reads standard input under the same rules as a file."""
    stdin = io.TextIOWrapper(io.BytesIO((CORPUS / name).read_bytes()))
    run = run_cli(ENTRY_POINTS[entry]("-"), stdin=stdin)
    if entry == "validate":
        assert run.code in _expected_validate_codes(name)


# --- inputs made at test time: never committed ------------------------------------------------------

def _policy_padded_to(size: int) -> bytes:
    policy = (CORPUS / "valid-base.json").read_bytes().rstrip()
    return policy + b" " * (size - len(policy))


def _made_inputs(folder: Path) -> dict[str, str]:
    """name -> path of files that are huge, special or missing."""
    huge = folder / "huge-50mb.json"
    with open(huge, "wb") as handle:  # sparse: 50 MB on paper, instant to make
        handle.write(b'{"Version": "2012-10-17", "Statement": [')
        handle.seek(50 * 1024 * 1024)
        handle.write(b"]}")
    (folder / "just-over-256kib.json").write_bytes(_policy_padded_to(256 * 1024 + 1))
    fifo = folder / "fifo.json"
    os.mkfifo(fifo)
    (folder / "a-directory.json").mkdir()
    os.symlink("/dev/zero", folder / "link-to-dev-zero.json")
    hostile_name = folder / "\x1b]2;PWNED\x07\u202e[bold]x\u2028.json"
    hostile_name.write_text("not JSON", encoding="utf-8")
    return {
        "hostile-name": str(hostile_name),
        "huge-50mb": str(huge),
        "just-over-256kib": str(folder / "just-over-256kib.json"),
        "fifo": str(fifo),
        "directory": str(folder / "a-directory.json"),
        "dev-zero": "/dev/zero",
        "dev-null": "/dev/null",
        "link-to-dev-zero": str(folder / "link-to-dev-zero.json"),
        "missing": str(folder / "missing.json"),
    }


MADE = ("hostile-name", "huge-50mb", "just-over-256kib", "fifo", "directory", "dev-zero", "dev-null", "link-to-dev-zero", "missing")


@pytest.fixture(scope="module")
def made_inputs(tmp_path_factory):
    return _made_inputs(tmp_path_factory.mktemp("made"))


@pytest.mark.parametrize("entry", ENTRY_POINTS)
@pytest.mark.parametrize("kind", MADE)
def test_huge_special_and_missing_files_are_refused_in_one_line(kind, entry, made_inputs):
    run = run_cli(ENTRY_POINTS[entry](made_inputs[kind]))
    assert run.code == 2 and not run.reached_aws, run.err


def test_a_policy_of_exactly_the_read_limit_is_read(tmp_path):
    """256 KiB is admitted (a pretty-printed policy with padding), one byte more is not."""
    path = tmp_path / "at-limit.json"
    path.write_bytes(_policy_padded_to(256 * 1024))
    assert run_cli(["validate", str(path)]).code == 0


class EndlessStdin(io.RawIOBase):
    """Standard input that never ends, like `yes | vpce-wizard validate -`."""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        buffer[:] = b" " * len(buffer)
        return len(buffer)


def test_endless_standard_input_is_read_bounded():
    run = run_cli(["validate", "-"], stdin=io.TextIOWrapper(io.BufferedReader(EndlessStdin())))
    assert run.code == 2 and "larger than 256 KiB" in run.err


# --- fuzz: random JSON-ish documents and random text ------------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_WORDS = st.sampled_from([
    "Version", "Statement", "Sid", "Effect", "Allow", "Deny", "Principal", "NotPrincipal", "AWS", "Service", "*",
    "Action", "NotAction", "Resource", "NotResource", "Condition", "StringEquals", "StringNotEquals", "StringLike",
    "ForAnyValue:StringLike", "ForAllValues:StringEquals", "NumericLessThan", "DateGreaterThan", "Bool", "Null",
    "IpAddress", "ArnLike", "StringEqualsIfExists", "NullIfExists", "aws:PrincipalAccount", "aws:PrincipalOrgID",
    "aws:SourceVpc", "aws:ResourceAccount", "aws:PrincipalArn", "s3:GetObject", "s3:*", "arn:aws:s3:::b/*",
    "111122223333", "2012-10-17", "${aws:PrincipalAccount}", "\x1b]2;x\x07", "[/]", "\u202e", "\ud800", "１２３",
])
_TEXT = st.one_of(_WORDS, st.text(st.characters(codec=None, exclude_categories=()), max_size=12))
_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True), _TEXT)
_JSONISH = st.recursive(
    _SCALARS, lambda children: st.lists(children, max_size=4) | st.dictionaries(_TEXT, children, max_size=5), max_leaves=25
)
_POLICYISH = st.fixed_dictionaries(
    {"Statement": st.one_of(_JSONISH, st.lists(st.dictionaries(_WORDS, _JSONISH, max_size=7), max_size=3))},
    optional={"Version": _JSONISH, "Id": _TEXT},
)
_FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _through_stdin(entry: str, data: bytes) -> Run:
    return run_cli(ENTRY_POINTS[entry]("-"), stdin=io.TextIOWrapper(io.BytesIO(data)))


@_FUZZ
@given(doc=_POLICYISH, entry=st.sampled_from(["validate", "validate --json", "simulate", "simulate --json"]))
def test_fuzzed_documents_never_crash(doc, entry):
    text = json.dumps(doc, ensure_ascii=True)  # NaN and Infinity included: the reader must meet them too
    _through_stdin(entry, text.encode())


@_FUZZ
@given(data=st.one_of(st.binary(max_size=300), st.text(max_size=300).map(str.encode)),
       entry=st.sampled_from(["validate", "simulate"]))
def test_fuzzed_text_never_crashes(data, entry):
    run = _through_stdin(entry, data)
    if not data.strip().startswith((b"{", b"\xef\xbb\xbf{")):
        assert run.code == 2
