"""Time to first paint of the wizard next to a minimal Textual app, and the sandbox's time to a filled endpoint list.

Each program runs in its own pseudo-terminal (pty) of a fixed size; the clock runs from the spawn until a
known text is on the terminal: "Amazon S3" (a row of the services step, so the list is drawn, not a splash
screen) for the wizard, "Hello from Textual" for the minimal app. Runs alternate between the two programs
and the median of each is printed with their ratio. The sandbox run (`vpce-wizard --sandbox`) is timed
until the services step says how many endpoints discovery found.

    python benchmarks/first_paint_benchmark.py [--runs 7] [--sandbox-runs 3]

The wizard's modules are byte-compiled first, as `pip install` does: with PYTHONDONTWRITEBYTECODE set (as on
the shared development machine) an editable install would otherwise compile every module from source at each
launch, which no installed copy does (Textual, all the minimal app runs besides its eight lines, comes byte-compiled).

The figures depend on the machine's load: on a shared machine, run it when it is idle and say so.
"""

import argparse
import compileall
import os
import pty
import re
import select
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COLUMNS, ROWS = 120, 40
TIMEOUT = 60.0
ANSI = re.compile(rb"\x1b(\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[PX^_][^\x1b]*\x1b\\|[@-Z\\-_])")
MINIMAL_APP = '''
from textual.app import App
from textual.widgets import Static

class Minimal(App):
    def compose(self):
        yield Static("Hello from Textual")

Minimal().run()
'''


def wizard_command() -> list[str]:
    """The installed entry point when there is one (as users run it), else the module."""
    installed = shutil.which("vpce-wizard", path=str(Path(sys.executable).parent))
    return [installed] if installed else [sys.executable, "-c", "import sys; from tui.cli import main; sys.exit(main())"]


def byte_compile_wizard() -> None:
    """What `pip install` does for a package: write the `.pyc` files next to the wizard's modules."""
    import tui

    compileall.compile_dir(Path(tui.__file__).parent, quiet=1)


def quiet_environment(home: Path) -> dict[str, str]:
    """No AWS configuration or credentials and a scratch home, so every run starts the same way."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    env.update(
        HOME=str(home), XDG_CONFIG_HOME=str(home / "config"), XDG_STATE_HOME=str(home / "state"),
        AWS_CONFIG_FILE=str(home / "none"), AWS_SHARED_CREDENTIALS_FILE=str(home / "none"), AWS_EC2_METADATA_DISABLED="true",
        TERM="xterm-256color", COLUMNS=str(COLUMNS), LINES=str(ROWS),
    )
    return env


def time_until(command: list[str], marker: str, env: dict[str, str]) -> float:
    """Seconds from spawning `command` in a pty until `marker` is on its terminal (escape sequences removed)."""
    import fcntl
    import struct
    import termios

    pid, fd = pty.fork()
    if pid == 0:  # the child: a terminal of a fixed size, then the program
        fcntl.ioctl(sys.stdout.fileno(), termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
        os.execvpe(command[0], command, env)
    start = time.perf_counter()
    seen = b""
    wanted = marker.encode()
    try:
        while time.perf_counter() - start < TIMEOUT:
            ready, _, _ = select.select([fd], [], [], 0.05)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
            if wanted in ANSI.sub(b"", seen):
                return time.perf_counter() - start
        raise RuntimeError(f"{marker!r} never appeared within {TIMEOUT:.0f} s from {' '.join(command)}")
    finally:
        os.kill(pid, signal.SIGTERM)
        _reap(pid, fd)


def _reap(pid: int, fd: int) -> None:
    deadline = time.perf_counter() + 5
    while time.perf_counter() < deadline:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        try:  # keep draining so the child is never blocked writing its goodbye
            if select.select([fd], [], [], 0.05)[0]:
                os.read(fd, 65536)
        except OSError:
            pass
    else:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    os.close(fd)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs of each app (at least 5)")
    parser.add_argument("--sandbox-runs", type=int, default=3, help="runs of `vpce-wizard --sandbox` (0 skips them)")
    args = parser.parse_args()
    runs = max(5, args.runs)
    with tempfile.TemporaryDirectory() as scratch:
        home = Path(scratch)
        env = quiet_environment(home)
        minimal = home / "minimal_app.py"
        minimal.write_text(MINIMAL_APP)
        wizard = wizard_command()
        byte_compile_wizard()
        subprocess.run([*wizard, "--version"], env=env, capture_output=True, check=True)  # warm the disk cache
        time_until([sys.executable, str(minimal)], "Hello from Textual", env)
        wizard_times, minimal_times = [], []
        for _ in range(runs):
            wizard_times.append(time_until(wizard, "Amazon S3", env))
            minimal_times.append(time_until([sys.executable, str(minimal)], "Hello from Textual", env))
        wizard_median, minimal_median = statistics.median(wizard_times), statistics.median(minimal_times)
        print(f"first paint, median of {runs} alternating runs in a {COLUMNS}x{ROWS} pty (load average {os.getloadavg()[0]:.2f}):")
        print(f"  minimal Textual app   {minimal_median:.3f} s   (runs: {', '.join(f'{t:.3f}' for t in minimal_times)})")
        print(f"  vpce-wizard           {wizard_median:.3f} s   (runs: {', '.join(f'{t:.3f}' for t in wizard_times)})")
        print(f"  ratio                 {wizard_median / minimal_median:.2f}x   (goal: within 1.30x)")
        if args.sandbox_runs:
            sandbox_times = [time_until([*wizard, "--sandbox"], "endpoint(s) found", env) for _ in range(args.sandbox_runs)]
            print(f"sandbox: launch to a filled endpoint list, median of {args.sandbox_runs}: {statistics.median(sandbox_times):.3f} s"
                  f"   (runs: {', '.join(f'{t:.3f}' for t in sandbox_times)}; goal: within 2 s on an idle machine)")


if __name__ == "__main__":
    main()
