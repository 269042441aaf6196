"""Each wizard step with Pilot: validation as you type, back and next keeping every answer, help and palette."""

from dataclasses import replace

from textual.widgets import DataTable, Input, Label, OptionList, SelectionList, Static, Switch

from test_app_support import ACCOUNT, SIZE, offline_app, ready_answers, type_text
from tui.app.accounts_step import AccountsScreen
from tui.app.buckets_step import BucketsScreen
from tui.app.modals import HelpScreen
from tui.app.review_step import ReviewScreen
from tui.app.services_step import ServicesScreen


async def test_services_step_needs_a_service(tmp_path):
    app = offline_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, ServicesScreen)
        listing = app.screen.query_one("#services", SelectionList)
        assert listing.selected == ["s3"]
        prompt = str(listing.get_option_at_index(0).prompt)
        assert "Gateway/Interface" in prompt and "policy" in prompt
        smtp = listing.get_option("email-smtp")
        assert smtp.disabled and "none" in str(smtp.prompt)
        await pilot.press("space")  # s3 is highlighted: deselect it
        assert app.answers.services == ()
        await pilot.press("ctrl+n")
        assert isinstance(app.screen, ServicesScreen)
        assert "at least one service" in str(list(app._notifications)[-1].message)
        await pilot.press("down", "space", "ctrl+n")
        assert app.answers.services == ("dynamodb",)
        assert isinstance(app.screen, AccountsScreen)


async def test_region_is_selectable(tmp_path):
    app = offline_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        app.screen.query_one("#region").value = "ap-southeast-2"
        await pilot.pause()
        assert app.answers.region == "ap-southeast-2"


async def test_accounts_are_validated_as_typed(tmp_path):
    app = offline_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+n")
        screen = app.screen
        assert isinstance(screen, AccountsScreen)
        error = screen.query_one("#accounts .error", Label)
        await type_text(pilot, "12345")
        assert "has 5 digits, not 12" in str(error.content)
        await pilot.press("ctrl+n")
        assert app.screen is screen and app.answers.accounts == ()
        await type_text(pilot, "6789012")
        assert str(error.content) == ""
        await pilot.press("enter")
        assert app.answers.accounts == ("123456789012",)
        await type_text(pilot, "123456789012")
        assert "already in the list" in str(error.content)
        screen.query_one("#accounts Input", Input).clear()
        await pilot.click("#org")
        await type_text(pilot, "o-bad")
        assert "organization ID" in str(screen.query_one("#org-error", Label).content)
        await pilot.press("ctrl+n")
        assert app.screen is screen
        await type_text(pilot, "abcdefghij")
        assert app.answers.org_ids == ("o-badabcdefghij",)
        await pilot.click("#perimeter")
        assert app.answers.resource_perimeter is True
        await pilot.press("ctrl+n")
        assert isinstance(app.screen, BucketsScreen)


async def test_accounts_can_be_removed(tmp_path):
    app = offline_app(tmp_path, ready_answers(accounts=(ACCOUNT, "444455556666")))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+n")
        app.screen.query_one("#accounts OptionList", OptionList).focus()
        await pilot.press("delete")
        assert app.answers.accounts == ("444455556666",)


async def test_buckets_step_shows_arns_and_checks_custom_ones(tmp_path):
    app = offline_app(tmp_path, ready_answers())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+n", "ctrl+n")
        screen = app.screen
        assert isinstance(screen, BucketsScreen)
        titles = [listing.border_title for listing in screen.query(".group").results(SelectionList)]
        assert titles[:2] == ["Operating system packages", "Systems Manager"]
        detail = str(screen.query_one("#bucket-detail", Static).content)
        assert "Amazon Linux 2023" in detail and "arn:aws:s3:::al2023-repos-eu-west-1-" in detail
        await pilot.press("down")
        assert "amazonlinux-2-repos-eu-west-1" in str(screen.query_one("#bucket-detail", Static).content)
        await pilot.press("space")  # drop Amazon Linux 2
        assert app.answers.public_buckets == ("al2023", "ssm-agent")
        await pilot.click("#arns Input")
        await type_text(pilot, "arn:aws:s3:::my-*")
        assert "wildcard" in str(screen.query_one("#arns .error", Label).content)
        await pilot.press("ctrl+n")
        assert app.screen is screen
        await pilot.press("ctrl+u")
        await type_text(pilot, "arn:aws:s3:::my-mirror/*")
        await pilot.press("enter")
        assert app.answers.bucket_arns == ("arn:aws:s3:::my-mirror/*",)
        await pilot.press("ctrl+n")
        assert isinstance(app.screen, ReviewScreen)


async def test_buckets_step_is_skipped_without_s3(tmp_path):
    app = offline_app(tmp_path, ready_answers(services=("sts",)))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+n", "ctrl+n")
        assert isinstance(app.screen, ReviewScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, AccountsScreen)


async def test_review_shows_everything_and_updates_live(tmp_path):
    app = offline_app(tmp_path, ready_answers(services=("s3", "sts")))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+n", "ctrl+n", "ctrl+n")
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        assert [o.prompt for o in screen.query_one("#review-services", OptionList).options] == ["✓ s3", "✓ sts"]
        assert "/ 20,480 characters" in str(screen.query_one("#meter", Static).content)
        assert '"aws:PrincipalAccount"' in screen.query_one("#policy-json", Static).content.code
        table = screen.query_one("#scenarios", DataTable)
        names = [str(table.get_row_at(i)[2]) for i in range(table.row_count)]
        assert "insider's own account writes its own resource" in names
        assert any("resource perimeter off" in name for name in names)
        assert "Offline" in str(screen.query_one("#diff", Static).content)
        await pilot.press("p")  # the resource perimeter, live
        names = [str(table.get_row_at(i)[2]) for i in range(table.row_count)]
        assert "trusted account writes to a foreign account" in names
        await pilot.press("down")
        assert app.current_service == "sts"
        assert "sts" in str(screen.query_one("#meter", Static).content)


async def test_review_blocks_next_when_answers_are_incomplete(tmp_path):
    app = offline_app(tmp_path, ready_answers(accounts=()))
    async with app.run_test(size=SIZE) as pilot:
        app.goto("review")
        await pilot.pause()
        assert "Cannot build yet" in str(app.screen.query_one("#meter", Static).content)
        await pilot.press("ctrl+n")
        assert isinstance(app.screen, ReviewScreen)


async def test_back_and_next_keep_every_answer(tmp_path):
    app = offline_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("down", "space", "ctrl+n")  # add dynamodb
        await type_text(pilot, ACCOUNT)
        await pilot.press("enter")
        await pilot.click("#org")
        await type_text(pilot, "o-a1b2c3d4e5")
        await pilot.click("#perimeter")
        await pilot.press("ctrl+n", "space", "ctrl+n")  # drop al2023
        assert isinstance(app.screen, ReviewScreen)
        chosen = app.answers
        assert chosen == replace(ready_answers(region="us-east-1"), services=("s3", "dynamodb"), org_ids=("o-a1b2c3d4e5",),
                                 resource_perimeter=True, public_buckets=("al2", "ssm-agent"))
        await pilot.press("escape", "escape")
        assert isinstance(app.screen, AccountsScreen)  # the account field has focus: esc first leaves it
        await pilot.press("escape", "escape")
        assert isinstance(app.screen, ServicesScreen)
        assert app.screen.query_one("#services", SelectionList).selected == ["s3", "dynamodb"]
        await pilot.press("ctrl+n")
        assert str(app.screen.query_one("#accounts OptionList", OptionList).get_option_at_index(0).prompt) == ACCOUNT
        assert app.screen.query_one("#org", Input).value == "o-a1b2c3d4e5"
        assert app.screen.query_one("#perimeter", Switch).value is True
        await pilot.press("ctrl+n")
        assert [s.value for group in app.screen.query(".group").results(SelectionList) for s in group._options if s.value in group.selected] == ["al2", "ssm-agent"]
        await pilot.press("ctrl+n")
        assert app.answers == chosen


async def test_help_names_the_threat(tmp_path):
    app = offline_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, ServicesScreen)


async def test_palette_lists_the_main_actions(tmp_path):
    app = offline_app(tmp_path)
    async with app.run_test(size=SIZE):
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert {"Copy policy", "Save policy", "Export Terraform", "Export CloudFormation", "Save answers",
                "Go to Review", "Start the sandbox", "Help"} <= titles


async def test_the_first_screen_gets_its_region_selector_and_back_and_next_row_right_after_its_first_paint(tmp_path):
    from textual.widgets import Select

    from tui.policy.identifiers import known_regions

    app = offline_app(tmp_path, ready_answers(region="eu-west-1"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert len(app.screen.query("#nav")) == 1 and app.screen.query_one("#back").disabled
        region = app.screen.query_one("#region", Select)
        assert not app.screen.query("#region-text") and region.value == "eu-west-1"
        assert [value for _, value in region._options] == list(known_regions())
        focus_chain = [widget.id for widget in app.screen.focus_chain]
        assert focus_chain.index("region") < focus_chain.index("services") < focus_chain.index("next")  # in their places
        region.value = "us-east-1"
        await pilot.pause()
        assert app.answers.region == "us-east-1"
        await pilot.click("#next")
        assert isinstance(app.screen, AccountsScreen)
        assert len(app.screen.query("#nav")) == 1  # later steps compose it at once
        await pilot.click("#back")
        assert isinstance(app.screen, ServicesScreen) and len(app.screen.query("#nav")) == 1


async def test_every_step_fits_80_by_24(tmp_path):
    app = offline_app(tmp_path, ready_answers())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()  # the first screen's Back/Next row is mounted right after its first paint
        for _ in range(5):
            nav = app.screen.query_one("#nav")
            assert nav.region.bottom <= 23 and nav.region.height == 1
            assert app.screen.query_one("#next").region.right <= 80
            await pilot.press("ctrl+n")
