"""The conventions of issue 13, each tried as a user would with Pilot: bulk paste, esc in a field, q, j/k, `/`,
visible ticks and counts, the perimeter toggle said aloud, the footer at 80 columns, the palette, the
clickable trail, the remembered theme and the first paint without AWS libraries."""

import json
import stat
import subprocess
import sys

import pytest
from textual import events
from textual.widgets import Footer, Input, Label

from test_app_support import SIZE, offline_app, ready_answers, type_text
from tui.app.accounts_step import AccountsScreen
from tui.app.review_step import ReviewScreen
from tui.app.services_step import ServicesScreen
from tui.app.tick_list import TICKED, TickList


async def open_accounts(app, pilot, answers_accounts=()):
    await app.goto("accounts")
    await pilot.pause()
    return app.screen.query_one("#accounts Input", Input)


def error_text(app) -> str:
    return str(app.screen.query_one("#accounts .error", Label).content)


class TestBulkPaste:
    async def test_a_pasted_list_in_any_separator_is_added_whole(self, tmp_path):
        app = offline_app(tmp_path, ready_answers(accounts=()))
        async with app.run_test(size=SIZE) as pilot:
            field = await open_accounts(app, pilot)
            pasted = "111122223333, 222233334444 333344445555\n444455556666、555566667777，666677778888\u3000777788889999\n"
            field.post_message(events.Paste(pasted))
            await pilot.pause()
            assert app.answers.accounts == ("111122223333", "222233334444", "333344445555", "444455556666",
                                            "555566667777", "666677778888", "777788889999")
            assert field.value == ""
            assert "7 trusted account(s)" in str(app.screen.query_one("#account-count", Label).content)

    async def test_dashes_full_width_digits_and_an_org_id_are_understood(self, tmp_path):
        app = offline_app(tmp_path, ready_answers(accounts=()))
        async with app.run_test(size=SIZE) as pilot:
            field = await open_accounts(app, pilot)
            field.post_message(events.Paste("1234-5678-9012\n１１１１２２２２３３３３\no-a1b2c3d4e5"))
            await pilot.pause()
            assert app.answers.accounts == ("123456789012", "111122223333")
            assert app.answers.org_ids == ("o-a1b2c3d4e5",)
            assert app.screen.query_one("#org", Input).value == "o-a1b2c3d4e5"
            assert "full-width" in error_text(app) and "organization field" in error_text(app)

    async def test_each_bad_value_says_what_is_wrong_and_stays_to_be_fixed(self, tmp_path):
        app = offline_app(tmp_path, ready_answers(accounts=()))
        async with app.run_test(size=SIZE) as pilot:
            field = await open_accounts(app, pilot)
            field.post_message(events.Paste("111122223333\n12345678901a\n12345\n111122223333444455556666"))
            await pilot.pause()
            assert app.answers.accounts == ("111122223333",)
            message = error_text(app)
            assert "has letters" in message and "5 digits, not 12" in message and "2 IDs run together" in message
            assert field.value.split() == ["12345678901a", "12345", "111122223333444455556666"]
            await pilot.press("ctrl+n")
            assert isinstance(app.screen, AccountsScreen)  # bad values left in the field hold the step

    async def test_typing_two_ids_then_enter_adds_both(self, tmp_path):
        app = offline_app(tmp_path, ready_answers(accounts=()))
        async with app.run_test(size=SIZE) as pilot:
            await open_accounts(app, pilot)
            await type_text(pilot, "111122223333 222233334444")
            assert "2 account ID(s) ready" in error_text(app)
            await pilot.press("enter")
            assert app.answers.accounts == ("111122223333", "222233334444")


class TestKeys:
    async def test_esc_in_a_field_keeps_the_step_and_the_typing(self, tmp_path):
        app = offline_app(tmp_path, ready_answers())
        async with app.run_test(size=SIZE) as pilot:
            field = await open_accounts(app, pilot)
            await type_text(pilot, "4444")
            await pilot.press("escape")
            assert isinstance(app.screen, AccountsScreen) and field.value == "4444"
            assert not isinstance(app.focused, Input)
            await pilot.press("escape")
            assert isinstance(app.screen, ServicesScreen)

    async def test_q_quits_outside_fields_and_types_inside_them(self, tmp_path):
        app = offline_app(tmp_path, ready_answers())
        async with app.run_test(size=SIZE) as pilot:
            field = await open_accounts(app, pilot)
            await pilot.press("q")
            assert field.value == "q" and app.is_running
            await pilot.press("escape", "q")
            await pilot.pause()
            assert not app.is_running

    async def test_j_and_k_move_in_lists(self, tmp_path):
        app = offline_app(tmp_path, ready_answers())
        async with app.run_test(size=SIZE) as pilot:
            listing = app.screen.query_one("#services", TickList)
            assert listing.highlighted == 0
            await pilot.press("j", "j")
            assert listing.highlighted == 2
            await pilot.press("k")
            assert listing.highlighted == 1

    async def test_slash_filters_and_ticks_survive_the_filter(self, tmp_path):
        app = offline_app(tmp_path, ready_answers())
        async with app.run_test(size=SIZE) as pilot:
            listing = app.screen.query_one("#services", TickList)
            await pilot.press("slash")
            await type_text(pilot, "ecr.")
            assert listing.shown_values == ["ecr.api", "ecr.dkr"]
            assert "2 match" in str(listing.border_subtitle)
            await pilot.press("enter", "space")  # back in the list: tick ecr.api
            assert app.answers.services == ("s3", "ecr.api")  # s3 is hidden but still ticked
            app.screen.query_one("#filter", Input).value = ""
            await pilot.pause()
            assert len(listing.shown_values) == listing.option_count > 10
            assert set(listing.selected) == {"s3", "ecr.api"}


class TestVisibleState:
    async def test_ticks_differ_by_more_than_colour_and_lists_count(self, tmp_path):
        app = offline_app(tmp_path, ready_answers(services=("s3", "ssm")))
        async with app.run_test(size=SIZE) as pilot:
            listing = app.screen.query_one("#services", TickList)
            first, second = listing.render_line(0).text, listing.render_line(1).text
            assert first.startswith(f"▐{TICKED}▌") and second.startswith("▐ ▌")
            assert listing.border_subtitle == "2 of 16 selected"
            await pilot.press("down", "space")
            assert listing.border_subtitle == "3 of 16 selected"

    async def test_p_on_review_says_what_it_did_and_shows_the_state(self, tmp_path):
        app = offline_app(tmp_path, ready_answers())
        async with app.run_test(size=SIZE) as pilot:
            await app.goto("review")
            await pilot.pause()
            state = app.screen.query_one("#perimeter-state")
            assert "off" in str(state.content)
            await pilot.press("p")
            assert app.answers.resource_perimeter is True
            assert "ON" in str(state.content)
            assert "Resource perimeter on" in str(list(app._notifications)[-1].message)

    @pytest.mark.parametrize("step", ["services", "accounts", "buckets", "review", "apply"])
    async def test_footer_keeps_help_and_quit_at_80_columns(self, tmp_path, step):
        app = offline_app(tmp_path, ready_answers())
        async with app.run_test(size=(80, 24)) as pilot:
            if step != "services":
                await app.goto(step)
            await pilot.pause()
            footer = app.screen.query_one(Footer)
            keys = {key.description: key for key in footer.query("FooterKey")}
            for wanted in ("Help", "Quit", "Back") + (("Apply…", "Roll back") if step == "apply" else ("Next",)):
                assert wanted in keys, (step, sorted(keys))
                assert keys[wanted].region.right <= 80
            if step == "review":
                assert {"Copy", "Save", "Perimeter"} <= set(keys)


class TestNavigation:
    async def test_the_step_trail_is_clickable(self, tmp_path):
        app = offline_app(tmp_path, ready_answers())
        async with app.run_test(size=SIZE) as pilot:
            trail = app.screen.query_one("StepIndicator")
            column = str(trail.content).index("4 Review") + 2
            await pilot.click("StepIndicator", offset=(column, 0))
            await pilot.pause()
            assert isinstance(app.screen, ReviewScreen)

    async def test_the_palette_offers_every_action(self, tmp_path):
        app = offline_app(tmp_path)
        async with app.run_test(size=SIZE):
            titles = {command.title for command in app.get_system_commands(app.screen)}
            assert {"Apply…", "Roll back…", "Change region", "Copy policy", "Save policy", "Export Terraform",
                    "Export CloudFormation", "Save answers", "Start the sandbox", "Help", "Go to Review"} <= titles

    async def test_change_region_from_the_palette_focuses_the_region(self, tmp_path):
        app = offline_app(tmp_path, ready_answers())
        async with app.run_test(size=SIZE) as pilot:
            await app.goto("review")
            await pilot.pause()
            await app.action_change_region()
            await pilot.pause()
            assert isinstance(app.screen, ServicesScreen) and app.focused.id == "region"


class TestSettings:
    async def test_the_theme_is_remembered_privately(self, tmp_path, monkeypatch):
        monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
        app = offline_app(tmp_path, ready_answers())
        async with app.run_test(size=SIZE) as pilot:
            app.theme = "nord"
            await pilot.pause()
        settings = tmp_path / "config" / "vpce-wizard" / "config.json"
        assert json.loads(settings.read_text())["theme"] == "nord"
        assert stat.S_IMODE(settings.stat().st_mode) == 0o600
        again = offline_app(tmp_path, ready_answers())
        async with again.run_test(size=SIZE):
            assert again.theme == "nord"

    async def test_a_broken_settings_file_is_ignored(self, tmp_path, monkeypatch):
        monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
        (tmp_path / "config" / "vpce-wizard").mkdir(parents=True)
        (tmp_path / "config" / "vpce-wizard" / "config.json").write_text('{"theme": "no-such-theme"')
        app = offline_app(tmp_path, ready_answers())
        async with app.run_test(size=SIZE):
            assert app.theme == "textual-dark"


def test_first_paint_needs_no_aws_or_schema_libraries():
    """What the wizard imports before its first screen: no boto3, botocore, jsonschema, z3 or moto."""
    probe = (
        "import sys, json\n"
        "from tui.cli import build_parser\n"
        "from tui.app.app import create_app\n"
        "app = create_app(offline=True)\n"
        "screen = app.get_default_screen()\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    loaded = set(json.loads(subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout))
    assert not {"boto3", "botocore", "jsonschema", "z3", "moto", "pygments"} & loaded
    assert {"textual", "tui"} <= loaded


async def test_help_scrolls_with_the_keyboard_and_keeps_close_on_an_80x24_screen(tmp_path):
    from textual.widgets import Button

    from tui.app.modals import HelpScreen

    app = offline_app(tmp_path, ready_answers())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = app.screen.query_one("#help-text")
        close = app.screen.query_one("#close", Button)
        assert close.region.bottom <= 24 and close.region.height == 1
        assert text.max_scroll_y > 0  # more than fits: the keyboard must reach it
        await pilot.press("pagedown")
        await pilot.pause(0.3)
        assert text.scroll_y > 0
        await pilot.press("pageup")
        await pilot.pause(0.3)
        assert text.scroll_y == 0
