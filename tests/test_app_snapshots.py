"""SVG snapshots of every step and dialog at fixed sizes, offline, with blinking cursors turned off.

Grouped by feature; the dialogs and the pasted-accounts step are taken at 80x24 (the smallest terminal we
support) and 120x40.
"""

import pytest
from textual import events
from textual.widgets import Input

from test_app_support import SIZE, offline_app, ready_answers
from tui.app.confirm import ConfirmApplyModal

SIZES = [(80, 24), (120, 40)]
PASTED_ACCOUNTS = "\n".join(f"{100000000000 + i * 1010101:012d}" for i in range(50))


def at_step(step: str, *keys: str, then=None):
    """A run_before that opens `step`, stops cursors blinking, presses `keys`, then runs `then(pilot)`."""

    async def run_before(pilot) -> None:
        if step != "services":
            await pilot.app.goto(step)
        await pilot.pause()
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False
        await pilot.press(*keys)
        if then is not None:
            await then(pilot)
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False
        await pilot.pause()

    return run_before


class TestSteps:
    def test_services_snapshot(self, snap_compare, tmp_path):
        """Ticked rows show ✓, unticked an empty box; the count sits on the list's border."""
        assert snap_compare(offline_app(tmp_path, ready_answers(services=("s3", "ssm"))), terminal_size=SIZE, run_before=at_step("services"))

    def test_accounts_snapshot_with_an_error(self, snap_compare, tmp_path):
        """A half-typed ID says what is wrong with it (5 digits, not 12)."""
        app = offline_app(tmp_path, ready_answers(org_ids=("o-a1b2c3d4e5",)))
        assert snap_compare(app, terminal_size=SIZE, run_before=at_step("accounts", *"12345"))

    def test_buckets_snapshot(self, snap_compare, tmp_path):
        assert snap_compare(offline_app(tmp_path, ready_answers()), terminal_size=SIZE, run_before=at_step("buckets", "down"))

    def test_review_snapshot(self, snap_compare, tmp_path):
        assert snap_compare(offline_app(tmp_path, ready_answers(services=("s3", "sts"))), terminal_size=SIZE, run_before=at_step("review"))

    @pytest.mark.parametrize("size", SIZES)
    def test_review_checks_snapshot(self, snap_compare, tmp_path, size):
        """The analyser's proof (verdict, findings, witness) above the validator's findings and the scenarios."""

        async def proven(pilot) -> None:
            while "Proof" not in str(pilot.app.screen.query_one("#analysis").content):
                await pilot.pause(0.05)

        app = offline_app(tmp_path, ready_answers())
        assert snap_compare(app, terminal_size=size, run_before=at_step("review", "tab", "right", then=proven))

    def test_apply_offline_snapshot(self, snap_compare, tmp_path):
        assert snap_compare(offline_app(tmp_path, ready_answers()), terminal_size=SIZE, run_before=at_step("apply"))


class TestPastedAccounts:
    @pytest.mark.parametrize("size", SIZES)
    def test_fifty_pasted_accounts(self, snap_compare, tmp_path, size):
        """50 IDs pasted at once (one per line): all added, counted, in a taller list; one bad value explained."""

        async def paste(pilot) -> None:
            field = pilot.app.screen.query_one("#accounts Input", Input)
            field.post_message(events.Paste(PASTED_ACCOUNTS + "\n12345678901a"))
            await pilot.pause()

        app = offline_app(tmp_path, ready_answers(accounts=()))
        assert snap_compare(app, terminal_size=size, run_before=at_step("accounts", then=paste))


class TestHelp:
    @pytest.mark.parametrize("size", SIZES)
    def test_help_snapshot(self, snap_compare, tmp_path, size):
        """The keys table and Close are on screen even at 80x24; the rest scrolls."""
        assert snap_compare(offline_app(tmp_path, ready_answers()), terminal_size=size, run_before=at_step("services", "f1"))


def sample_plan(action: str):
    """A plan as `tui.aws.apply` makes it, built offline: one write with a diff, one refusal."""
    from tui.aws.apply import ApplyPlan, PlannedChange
    from tui.aws.discovery import Endpoint
    from tui.aws.perimeter import FULL_ACCESS_POLICY
    from tui.policy.diff import policy_diff
    from tui.policy.review import review_all

    policy = review_all(ready_answers().checked())["s3"].policy
    old, new = (FULL_ACCESS_POLICY, policy) if action == "apply" else (policy, FULL_ACCESS_POLICY)
    s3 = Endpoint("vpce-0a1b2c3d4e5f60718", "eu-west-1", "vpc-0123456789abcdef0", "com.amazonaws.eu-west-1.s3", "s3",
                  "Gateway", "available", old, True, True, "", "open")
    sts = Endpoint("vpce-0f1e2d3c4b5a69788", "eu-west-1", "vpc-0123456789abcdef0", "com.amazonaws.eu-west-1.sts", "sts",
                   "Interface", "available", None, True, True, "", "open")
    return ApplyPlan([
        PlannedChange(s3, new, policy_diff(old, new), action=action),
        PlannedChange(sts, new, [], refusal="it would lock your own account 111122223333 out of this endpoint", action=action),
    ], label="sandbox · eu-west-1 · 111122223333")


def confirm_opener(action: str, verb: str, dry_run: bool):
    """A `run_before` step that opens the confirm dialog on `sample_plan(action)`, its cursor still for the picture."""

    async def open_confirm(pilot) -> None:
        await pilot.app.push_screen(ConfirmApplyModal(sample_plan(action), verb, dry_run))
        await pilot.pause()
        pilot.app.screen.query_one(Input).cursor_blink = False

    return open_confirm


class TestConfirm:
    @pytest.mark.parametrize("size", SIZES)
    @pytest.mark.parametrize(("verb", "action", "dry_run"), [("Apply", "apply", False), ("Apply", "apply", True), ("Roll back", "rollback", False)],
                             ids=["apply", "dry-run", "rollback"])
    def test_confirm_snapshot(self, snap_compare, tmp_path, size, verb, action, dry_run):
        """The title wraps (dry run never cut off), the diff scrolls, the "yes" field and the buttons stay visible."""
        opened = confirm_opener(action, verb, dry_run)
        assert snap_compare(offline_app(tmp_path, ready_answers()), terminal_size=size, run_before=at_step("apply", then=opened))


class TestTraffic:
    @pytest.mark.parametrize("size", SIZES)
    def test_traffic_snapshot(self, snap_compare, tmp_path, size, monkeypatch):
        """CloudTrail records replayed against the review's policy: would-break first, with its catalog suggestion."""
        from pathlib import Path

        monkeypatch.chdir(Path(__file__).parent)  # a relative path in the field: the same picture on every machine

        async def replayed(pilot) -> None:
            await pilot.press(*"cloudtrail/s3-endpoint.json", "enter")
            while "replayed" not in str(pilot.app.screen.query_one("#traffic-status").content):
                await pilot.pause(0.05)

        app = offline_app(tmp_path, ready_answers(public_buckets=("al2023",)))
        assert snap_compare(app, terminal_size=size, run_before=at_step("review", "i", then=replayed))


def sample_target_results():
    """Per-target results as the org rollout reports them, built offline: applied, unreachable, nothing to do."""
    from tui.aws.apply import EndpointOutcome, Status
    from tui.aws.fanout import TargetResult, TargetStatus
    from tui.aws.targets import Target

    applied = TargetResult(Target("111122223333", "eu-west-1"), TargetStatus.OK, [
        EndpointOutcome("vpce-0a1b2c3d4e5f60718", "eu-west-1", Status.APPLIED, "applied and read back", "~/.local/state/vpce-wizard/backups/a.json")])
    denied = TargetResult(Target("444455556666", "eu-west-1"), TargetStatus.UNREACHABLE,
                          message="cannot assume arn:aws:iam::444455556666:role/OrganizationAccountAccessRole: access denied")
    empty = TargetResult(Target("777788889999", "eu-west-1"), TargetStatus.OK, [])
    return {"applied": applied, "unreachable": denied, "nothing to change": empty}


class TestTargets:
    @pytest.mark.parametrize("size", SIZES)
    def test_org_targets_snapshot(self, snap_compare, tmp_path, size):
        """Organization targets on the apply step: the fields, a row per account, the highlighted one's endpoints."""

        async def org_results(pilot) -> None:
            await pilot.click("#kind-org")
            screen = pilot.app.screen
            screen.query_one("#targets-scope").value = "ou-ab12-cd34ef56"
            panel = screen.query_one("#targets")
            panel.results = {r.target: r for r in sample_target_results().values()}
            panel.words = {r.target: word for word, r in sample_target_results().items()}
            panel._fill_table()
            panel.status("3 target(s): 1 applied, 1 unreachable, 1 nothing to change")
            await pilot.pause()

        assert snap_compare(offline_app(tmp_path, ready_answers()), terminal_size=size, run_before=at_step("apply", then=org_results))
