"""SVG snapshots of every step at a fixed size, offline, with blinking cursors turned off."""

from textual.widgets import Input

from test_app_support import SIZE, offline_app, ready_answers


def at_step(step: str, *keys: str):
    """A run_before that opens `step`, stops cursors blinking, and presses `keys`."""

    async def run_before(pilot) -> None:
        pilot.app.goto(step)
        await pilot.pause()
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False
        await pilot.press(*keys)
        await pilot.pause()

    return run_before


def test_services_snapshot(snap_compare, tmp_path):
    assert snap_compare(offline_app(tmp_path, ready_answers(services=("s3", "ssm"))), terminal_size=SIZE, run_before=at_step("services"))


def test_accounts_snapshot_with_an_error(snap_compare, tmp_path):
    app = offline_app(tmp_path, ready_answers(org_ids=("o-a1b2c3d4e5",)))
    assert snap_compare(app, terminal_size=SIZE, run_before=at_step("accounts", *"12345"))


def test_buckets_snapshot(snap_compare, tmp_path):
    assert snap_compare(offline_app(tmp_path, ready_answers()), terminal_size=SIZE, run_before=at_step("buckets", "down"))


def test_review_snapshot(snap_compare, tmp_path):
    assert snap_compare(offline_app(tmp_path, ready_answers(services=("s3", "sts"))), terminal_size=SIZE, run_before=at_step("review"))


def test_review_checks_snapshot(snap_compare, tmp_path):
    app = offline_app(tmp_path, ready_answers(resource_perimeter=True))
    assert snap_compare(app, terminal_size=SIZE, run_before=at_step("review", "tab", "right"))


def test_apply_offline_snapshot(snap_compare, tmp_path):
    assert snap_compare(offline_app(tmp_path, ready_answers()), terminal_size=SIZE, run_before=at_step("apply"))


def test_help_snapshot(snap_compare, tmp_path):
    assert snap_compare(offline_app(tmp_path, ready_answers()), terminal_size=SIZE, run_before=at_step("services", "f1"))
