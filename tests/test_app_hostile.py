"""Hostile AWS data through the wizard (issue 8): a stored policy and AWS errors carrying terminal escapes,
C1 and bidi characters and Rich markup reach the review diff, the endpoint list, the confirm dialog, the
rollback confirmation, the outcomes and the notifications as visible text: no ESC byte, no markup obeyed."""

import json
from dataclasses import replace

import boto3
import pytest
from botocore.exceptions import ClientError
from rich.text import Text
from textual.widgets import DataTable, SelectionList, Static

from test_app_sandbox import outcome_statuses, wait_for
from test_app_support import SIZE, type_text
from tui.app.app import create_app
from tui.app.apply_step import ApplyScreen
from tui.app.confirm import ConfirmApplyModal
from tui.aws import apply as aws_apply

OSC_TITLE = "\x1b]2;PWNED\x07"
OSC_CLIPBOARD = "\x1b]52;c;ZXZpbA==\x07"
CLEAR_SCREEN = "\x1b[2J"
C1_CSI = "\x9b31m"
BIDI = "\u202e"
LINK = "[link=https://evil.example]click me[/link]"
HOSTILE = f"{OSC_TITLE}{OSC_CLIPBOARD}{CLEAR_SCREEN}{C1_CSI}{BIDI}{LINK}[b]bold[/b][/]"
RAW_BYTES = ("\x1b", "\x9b", "\x07", BIDI)


def hostile_policy(account: str) -> str:
    """A policy AWS would happily store: every string slot holds escapes and markup, one condition key holds `[/]`.
    The first statement still trusts the caller's account, so rolling back to it is not refused as a lock-out."""
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "Trusted",
            "Effect": "Allow",
            "Principal": "*",
            "Action": "*",
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:PrincipalAccount": [account, HOSTILE]}},
        }, {
            "Sid": f"Sid{HOSTILE}",
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::{HOSTILE}/*",
            "Condition": {"StringEquals": {f"aws:PrincipalTag/[/]{OSC_TITLE}": [HOSTILE]}},
        }],
    }, ensure_ascii=False)


def screen_text(app) -> str:
    """What the terminal would be sent, as text: the SVG export of the current screen."""
    return app.export_screenshot()


def assert_inert(app, *widgets) -> None:
    """No raw control byte on screen, and the markup shown literally, never styled into a link."""
    shot = screen_text(app)
    for byte in RAW_BYTES:
        assert byte not in shot, repr(byte)
    for widget in widgets:
        content = widget.content if isinstance(widget, Static) else widget
        text = content if isinstance(content, Text) else Text(str(content))
        assert not any(c in text.plain for c in RAW_BYTES)
        assert all(not (span.style and getattr(span.style, "link", None)) for span in text.spans if not isinstance(span.style, str))
        assert all("link" not in span.style for span in text.spans if isinstance(span.style, str))


@pytest.fixture
def hostile_s3(sandbox, aws_env):
    """The seeded S3 endpoint in eu-west-1, its stored policy replaced by a hostile one (moto stores any string)."""
    endpoint_id = sandbox.endpoints[("eu-west-1", "s3")]
    ec2 = boto3.client("ec2", region_name="eu-west-1", endpoint_url=sandbox.url)
    ec2.modify_vpc_endpoint(VpcEndpointId=endpoint_id, PolicyDocument=hostile_policy(sandbox.account))
    return endpoint_id


async def open_apply_with(app, pilot, endpoint_id):
    await wait_for(pilot, lambda: app.endpoints is not None)
    if switching := app.goto("apply"):
        await switching
    await wait_for(pilot, lambda: isinstance(app.screen, ApplyScreen) and app.screen.query(".vpc"))
    for listing in app.screen.query(".vpc").results(SelectionList):
        if endpoint_id in [listing.get_option_at_index(i).value for i in range(listing.option_count)]:
            listing.select(endpoint_id)


async def test_a_hostile_stored_policy_is_shown_as_inert_text_everywhere(hostile_s3, sandbox, tmp_path):
    app = create_app(region="eu-west-1", endpoint_url=sandbox.url, output_dir=tmp_path)
    async with app.run_test(size=(140, 50)) as pilot:
        await wait_for(pilot, lambda: app.endpoints is not None)
        app.answers = replace(app.answers, services=("s3",))
        await app.goto("review")
        await wait_for(pilot, lambda: "vpce-" in str(app.screen.query_one("#diff").content))
        diff = app.screen.query_one("#diff", Static)
        assert "[link=https://evil.example]" in str(diff.content) and "[/]" in str(diff.content) and "PWNED" in str(diff.content)
        assert_inert(app, diff)

        await open_apply_with(app, pilot, hostile_s3)
        assert_inert(app, *[app.screen.query_one("#apply-status", Static)])
        await pilot.press("ctrl+a")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmApplyModal) and app.screen.query("#plan-text"))
        plan = app.screen.query_one("#plan-text", Static)
        assert "[link=https://evil.example]" in str(plan.content) and "[/]" in str(plan.content)
        assert_inert(app, plan)
        await type_text(pilot, "yes")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ApplyScreen) and "Done" in str(app.screen.query_one("#run-status").content))
        assert outcome_statuses(app.screen) == {hostile_s3: "applied"}
        assert_inert(app)

        table = app.screen.query_one("#outcomes", DataTable)
        table.move_cursor(row=0)
        await pilot.press("r")  # the rollback would restore the hostile policy: its confirmation shows it inertly
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmApplyModal) and app.screen.query("#plan-text"))
        plan = app.screen.query_one("#plan-text", Static)
        assert "PWNED" in str(plan.content)
        assert_inert(app, plan)
        if app.screen.plan.writes:
            await type_text(pilot, "yes")
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, ApplyScreen) and "Done" in str(app.screen.query_one("#run-status").content))
        else:
            await pilot.press("escape")
        assert_inert(app)
        for notification in app._notifications:
            assert not any(byte in str(notification.message) for byte in RAW_BYTES)


async def test_a_hostile_aws_error_is_shown_as_inert_text(sandbox, aws_env, tmp_path, monkeypatch):
    def hostile_write(ec2, item):
        raise ClientError({"Error": {"Code": "InternalError", "Message": HOSTILE}}, "ModifyVpcEndpoint")

    monkeypatch.setattr(aws_apply, "_write", hostile_write)
    endpoint_id = sandbox.endpoints[("eu-west-1", "s3")]
    app = create_app(region="eu-west-1", endpoint_url=sandbox.url, output_dir=tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await open_apply_with(app, pilot, endpoint_id)
        await pilot.press("ctrl+a")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmApplyModal) and app.screen.query("#plan-text"))
        await type_text(pilot, "yes")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ApplyScreen) and "Done" in str(app.screen.query_one("#run-status").content))
        assert outcome_statuses(app.screen) == {endpoint_id: "failed"}
        details = app.screen.query_one("#outcomes", DataTable).get_row(endpoint_id)[2]
        assert "[link=http" in str(details) and "\\x1b]2;PWNED" in str(details)  # the core may shorten AWS messages
        assert_inert(app, details)


async def test_textual_notices_keep_their_markup(tmp_path):
    """Markup is not switched off app-wide: ctrl+c's own notice shows "ctrl+q" in bold, not "[b]ctrl+q[/b]"."""
    from test_app_support import offline_app

    app = offline_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+c")
        await pilot.pause()
        notices = [n for n in app._notifications if "ctrl+q" in str(n.message)]
        assert notices and all(n.markup for n in notices)
        assert "[b]" not in screen_text(app)


async def test_an_unknown_region_is_an_input_error_before_any_screen(tmp_path):
    from tui.cli import main
    from tui.policy.errors import InputError

    with pytest.raises(InputError, match="mars-1"):
        create_app(region="mars-1", offline=True, output_dir=tmp_path)
    with pytest.raises(InputError, match="ap-south-9"):
        create_app(region="ap-south-9", sandbox=True, output_dir=tmp_path)
    assert main(["--region", "mars-1"]) == 2
    assert main(["--sandbox", "--region", "ap-south-9"]) == 2
