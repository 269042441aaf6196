"""The hostile-input corpus (tests/hostile/ plus the huge, special and missing files the test makes) through
every file-reading entry point, in process: the slowest input's time and the peak memory of any one run.

    python benchmarks/hostile_benchmark.py [--repeat 3]

AWS is never called: the connection is replaced by one that refuses, as in tests/test_hostile_inputs.py,
whose corpus and entry points this reuses so both always cover the same inputs.
"""

import argparse
import io
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import tui.aws.session
from test_hostile_inputs import CORPUS, CORPUS_FILES, ENTRY_POINTS, _made_inputs
from tui.cli import main
from tui.policy.errors import InputError


def _refuse_aws(*_args, **_kwargs):
    raise InputError("benchmark: AWS is not called")


def measure(argv: list[str]) -> tuple[float, int, int]:
    """(seconds, peak bytes allocated by Python, exit code) of one in-process run."""
    tracemalloc.reset_peak()
    started = time.perf_counter()
    sys.stdin = io.TextIOWrapper(io.BytesIO(b""))
    with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
        code = main(argv)
    return time.perf_counter() - started, tracemalloc.get_traced_memory()[1], code


def main_benchmark() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per input and entry point; the fastest counts")
    args = parser.parse_args()
    tui.aws.session.connect = _refuse_aws
    with tempfile.TemporaryDirectory() as folder:
        os.environ["XDG_STATE_HOME"] = str(Path(folder) / "state")
        made = _made_inputs(Path(folder))
        inputs = {name: str(CORPUS / name) for name in CORPUS_FILES} | made
        for make_argv in ENTRY_POINTS.values():  # imports and caches load once, outside the figures
            for warm_up in ("valid-base.json", "backup-valid.json", "answers-valid.json"):
                measure(make_argv(str(CORPUS / warm_up)))
        tracemalloc.start()
        slowest = (0.0, "", "")
        peak = (0, "", "")
        for name, path in inputs.items():
            for entry, make_argv in ENTRY_POINTS.items():
                runs = [measure(make_argv(path)) for _ in range(args.repeat)]
                seconds = min(run[0] for run in runs)
                slowest = max(slowest, (seconds, name, entry))
                peak = max(peak, (max(run[1] for run in runs), name, entry))
        tracemalloc.stop()
    runs = len(inputs) * len(ENTRY_POINTS)
    print(f"corpus: {len(CORPUS_FILES)} files in tests/hostile + {len(made)} made at run time ({', '.join(made)})")
    print(f"entry points: {len(ENTRY_POINTS)} ({', '.join(ENTRY_POINTS)}); {runs} runs x {args.repeat}")
    print(f"slowest input: {slowest[1]} through {slowest[2]}: {slowest[0] * 1000:.1f} ms")
    print(f"peak memory of one run (tracemalloc): {peak[0] / 1024 / 1024:.1f} MiB ({peak[1]} through {peak[2]})")
    print(f"process max RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main_benchmark()
