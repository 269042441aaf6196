"""Regenerate the user guide's screenshots (docs/screenshots/*.svg, and in Japanese docs/screenshots/ja/*.svg)
through the same factory the CLI uses.

Run with the venv's Python after the `dev` install (it uses the tests' helpers and the sandbox):
    .venv/bin/python scripts/make_screenshots.py   (offline steps, then the sandbox's apply step)

Deterministic: the same code gives byte-identical SVGs. The sandbox is started with a fixed random seed, so
moto draws the same VPC and endpoint ids; state (backups) goes to a fixed scratch directory, emptied first, so
no temporary path or earlier run shows; each SVG's title is fixed, and Rich derives the SVG's element ids
from a hash of the content and the title, so equal screens give equal files; and a screen is exported only
once it has stopped changing.
"""

import asyncio
import functools
import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from textual.widgets import Input, SelectionList  # noqa: E402

import tui.aws.sandbox  # noqa: E402
from test_app_support import SIZE, offline_app, ready_answers  # noqa: E402
from tui.app.app import create_app  # noqa: E402
from tui.app.confirm import ConfirmApplyModal  # noqa: E402
from tui.report.i18n import _, current_language  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
SCRATCH = Path("/tmp/vpce-wizard-screenshots")
"""A fixed place for the run's state and files: a random temporary name would show in the apply results."""
RANDOM_SEED = 20480
TITLE = "vpce-wizard"


def folder(language: str) -> Path:
    return OUT if language == "en" else OUT / language


async def shoot(app, pilot, name: str) -> None:
    for field in app.screen.query(Input):
        field.cursor_blink = False
    out = folder(current_language())
    out.mkdir(exist_ok=True)
    (out / f"{name}.svg").write_text(await settled_svg(app, pilot, name), encoding="utf-8")


async def settled_svg(app, pilot, name: str) -> str:
    """The screen once two exports 0.3 s apart agree: the footer and workers may still be drawing, and a
    screenshot taken mid-way would differ from run to run."""
    previous = None
    for _attempt in range(40):
        await pilot.pause(0.3)
        current = app.export_screenshot(title=TITLE)
        if current == previous:
            return current
        previous = current
    raise SystemExit(f"the {name} screen kept changing; no screenshot written")


async def until(pilot, condition) -> None:
    while not condition():
        await pilot.pause(0.1)


async def offline_steps(work: str, language: str) -> None:
    app = offline_app(work, ready_answers(services=("s3", "sts"), region="eu-west-1"), language=language)
    async with app.run_test(size=SIZE) as pilot:
        await shoot(app, pilot, "1-services")
        app.goto("accounts")
        await pilot.pause()
        await pilot.press(*"4444555566")
        await shoot(app, pilot, "2-accounts")
        await pilot.press("ctrl+u")
        app.goto("buckets")
        await pilot.pause()
        await pilot.press("down")
        await shoot(app, pilot, "3-buckets")
        app.goto("review")
        await pilot.pause()
        await shoot(app, pilot, "4-review")
        await pilot.press("tab", "right")
        await until(pilot, lambda: app.screen.query_one("#analysis").shown is not None)  # the proof, not "analysing…"
        await shoot(app, pilot, "4-review-checks")
        await traffic_check(app, pilot)
        app.goto("apply")
        await pilot.pause()
        await shoot(app, pilot, "5-apply-offline")
        await pilot.click("#kind-org")
        app.screen.query_one("#targets-scope").value = "ou-ab12-cd34ef56"
        await shoot(app, pilot, "5-org-targets")


async def traffic_check(app, pilot) -> None:
    """The review's traffic check over the tests' CloudTrail fixture, named by a path relative to the
    repository so the picture is the same on every machine."""
    os.chdir(ROOT)
    await pilot.press("i")
    await until(pilot, lambda: app.screen.query("#traffic-source"))
    app.screen.query_one("#traffic-source").value = "tests/cloudtrail/s3-endpoint.json"
    await pilot.press("enter")
    await until(pilot, lambda: app.screen.groups)
    await shoot(app, pilot, "4-traffic")
    await pilot.press("escape")
    await pilot.pause()


async def sandbox_apply(work: str, language: str) -> None:
    app = create_app(sandbox=True, output_dir=Path(work), language=language)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.endpoints is not None)
        app.goto("apply")
        await until(pilot, lambda: app.screen.query(".vpc"))
        ids = {e.service: e.id for e in app.endpoints}
        for listing in app.screen.query(".vpc").results(SelectionList):
            values = [listing.get_option_at_index(i).value for i in range(listing.option_count)]
            for service in ("s3", "sts"):
                if ids.get(service) in values:
                    listing.select(ids[service])
        await shoot(app, pilot, "5-apply")
        await pilot.press("ctrl+a")
        await until(pilot, lambda: isinstance(app.screen, ConfirmApplyModal) and app.focused is not None and app.focused.id == "confirm-input")
        await pilot.press(*"yes")
        await shoot(app, pilot, "5-confirm")
        await pilot.press("enter")
        done = _("Done: {summary}.").split("{")[0]
        await until(pilot, lambda: str(app.screen.query_one("#run-status").content).startswith(done))
        await pilot.pause(1)
        await shoot(app, pilot, "5-apply-results")


def main() -> None:
    shutil.rmtree(SCRATCH, ignore_errors=True)
    SCRATCH.mkdir(parents=True)
    os.environ["XDG_STATE_HOME"] = str(SCRATCH / "state")
    tui.aws.sandbox.spawn_sandbox = functools.partial(tui.aws.sandbox.spawn_sandbox, random_seed=RANDOM_SEED)
    try:
        for language in ("en", "ja"):
            asyncio.run(offline_steps(str(SCRATCH), language))
            asyncio.run(sandbox_apply(str(SCRATCH), language))
            shutil.rmtree(SCRATCH / "state", ignore_errors=True)  # each language's apply starts from no backups
    finally:
        shutil.rmtree(SCRATCH, ignore_errors=True)


if __name__ == "__main__":
    main()
