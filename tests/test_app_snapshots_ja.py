"""The wizard in Japanese: every step and dialog at 80x24 and 120x40, double-width text laid out without cuts.

The same scenes as test_app_snapshots.py, built the same way, with `language="ja"`; a Pilot test checks the
language can be switched from the command palette and is remembered.
"""

import json

import pytest
from textual.widgets import Button, Label

from test_app_snapshots import at_step, confirm_opener
from test_app_support import offline_app, ready_answers
from tui.app.config import settings_path
from tui.app.launch import wizard_language
from tui.report.i18n import current_language

SIZES = [(80, 24), (120, 40)]


def japanese(tmp_path, **changes):
    return offline_app(tmp_path, ready_answers(**changes), language="ja")


@pytest.mark.parametrize("size", SIZES)
class TestJapaneseSteps:
    def test_services(self, snap_compare, tmp_path, size):
        assert snap_compare(japanese(tmp_path, services=("s3", "ssm")), terminal_size=size, run_before=at_step("services"))

    def test_accounts(self, snap_compare, tmp_path, size):
        app = japanese(tmp_path, org_ids=("o-a1b2c3d4e5",))
        assert snap_compare(app, terminal_size=size, run_before=at_step("accounts"))

    def test_buckets(self, snap_compare, tmp_path, size):
        assert snap_compare(japanese(tmp_path), terminal_size=size, run_before=at_step("buckets", "down"))

    def test_review(self, snap_compare, tmp_path, size):
        assert snap_compare(japanese(tmp_path, services=("s3", "sts")), terminal_size=size, run_before=at_step("review"))

    def test_review_checks(self, snap_compare, tmp_path, size):
        async def proven(pilot) -> None:
            while "証明" not in str(pilot.app.screen.query_one("#analysis").content):
                await pilot.pause(0.05)

        assert snap_compare(japanese(tmp_path), terminal_size=size, run_before=at_step("review", "tab", "right", then=proven))

    def test_apply_offline(self, snap_compare, tmp_path, size):
        assert snap_compare(japanese(tmp_path), terminal_size=size, run_before=at_step("apply"))

    def test_help(self, snap_compare, tmp_path, size):
        assert snap_compare(japanese(tmp_path), terminal_size=size, run_before=at_step("services", "f1"))

    @pytest.mark.parametrize(("verb", "action", "dry_run"), [("Apply", "apply", False), ("Apply", "apply", True), ("Roll back", "rollback", False)],
                             ids=["apply", "dry-run", "rollback"])
    def test_confirm(self, snap_compare, tmp_path, size, verb, action, dry_run):
        opened = confirm_opener(action, verb, dry_run)
        assert snap_compare(japanese(tmp_path), terminal_size=size, run_before=at_step("apply", then=opened))


async def test_the_palette_switches_the_language_redraws_the_step_and_remembers_it(tmp_path):
    app = offline_app(tmp_path, ready_answers())
    async with app.run_test(size=(100, 32)) as pilot:
        await app.goto("accounts")
        await pilot.pause()
        commands = {command.title: command for command in app.get_system_commands(app.screen)}
        assert "Language / 言語: 日本語" in commands and "Language / 言語: English" not in commands
        commands["Language / 言語: 日本語"].callback()
        await pilot.pause()
        assert current_language() == "ja" and app.screen.STEP == "accounts"
        assert str(app.screen.query_one("#next", Button).label) == "次へ ›"
        assert "信頼できる AWS アカウント ID" in str(app.screen.query(Label).first().content)
        assert app.status == "オフライン · AWS に接続していません"  # the connection bar follows too
        assert json.loads(settings_path().read_text())["language"] == "ja"
        assert wizard_language(None) == "ja"  # the next start speaks Japanese ...
        assert wizard_language("en") == "en"  # ... unless --lang says otherwise
        commands = {command.title: command for command in app.get_system_commands(app.screen)}
        commands["Language / 言語: English"].callback()
        await pilot.pause()
        assert str(app.screen.query_one("#next", Button).label) == "Next ›" and app.status == "offline · not connected to AWS"
