"""The apply step's organization targets (issue 11) against the emulator's organization over HTTP: plan every
account, confirm with the typed "yes" of the single-account path, apply, and a row per account; an account
whose role cannot be assumed (injected on the wire) is reported beside the others."""

import pytest
from textual.widgets import DataTable

from test_app_sandbox import wait_for
from test_app_support import SIZE, offline_app, ready_answers, type_text
from test_aws_org import deny_assume_role, held
from tui.app.app import create_app
from tui.app.apply_step import ApplyScreen
from tui.app.confirm import ConfirmApplyModal
from tui.app.targets import target_spec
from tui.aws.org_sandbox import seed_organization
from tui.policy.builder import build_policy
from tui.policy.diff import same_policy
from tui.policy.errors import InputError

REGION = "eu-west-1"


@pytest.fixture
def org(aws_env):
    """2 members with an S3 gateway and an SSM interface endpoint each; the caller has the sandbox's own."""
    return seed_organization(aws_env.url, 2, (REGION,))


def table_rows(app) -> dict[str, list[str]]:
    table = app.screen.query_one("#targets-table", DataTable)
    return {str(table.get_row_at(i)[0]): [str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)}


def status(app) -> str:
    return str(app.screen.query_one("#targets-status").content)


async def open_org_targets(app, pilot, scope: str = "org") -> None:
    await wait_for(pilot, lambda: app.endpoints is not None)
    await app.goto("apply")
    await pilot.pause()
    assert isinstance(app.screen, ApplyScreen)
    await pilot.click("#kind-org")
    await pilot.pause()
    assert app.screen.org_mode and app.screen.query_one("#targets").display and not app.screen.query_one("#one-account").display
    app.screen.query_one("#targets-scope").value = scope


async def confirm_opened(app, pilot) -> None:
    await wait_for(pilot, lambda: isinstance(app.screen, ConfirmApplyModal) and app.screen.query("#confirm-input"))
    await pilot.pause()  # the "yes" field takes focus once the dialog is mounted


async def approve_and_run(app, pilot) -> None:
    """ctrl+a, the typed "yes", then wait for the run's summary: the one way a person applies to targets."""
    await pilot.press("ctrl+a")
    await confirm_opened(app, pilot)
    await type_text(pilot, "yes")
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, ApplyScreen) and "Done" in status(app))


def org_app(aws_env, org, tmp_path):
    answers = ready_answers(accounts=(org.management, *org.members), services=("s3",), region=REGION)
    return create_app(answers, endpoint_url=aws_env.url, region=REGION, output_dir=tmp_path)


async def test_org_targets_are_planned_confirmed_applied_and_shown_per_account(aws_env, org, tmp_path):
    app = org_app(aws_env, org, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_org_targets(app, pilot)
        await pilot.press("ctrl+a")
        await confirm_opened(app, pilot)
        plan = str(app.screen.query_one("#plan-text").content)
        member_s3 = {a: org.endpoints[(a, REGION, "s3")] for a in org.members}
        assert all(endpoint in plan for endpoint in member_s3.values())
        assert "3 account(s)" in str(app.screen.query_one("#confirm-title").content)
        await pilot.press("escape")  # no: nothing is written
        await wait_for(pilot, lambda: "Cancelled" in status(app))
        assert not any(same_policy(held(aws_env.url, a, REGION, e, org.management), build_policy(app.answers.checked(), "s3"))
                       for a, e in member_s3.items())

        await approve_and_run(app, pilot)
        rows = table_rows(app)
        assert set(rows) == {org.management, *org.members}
        assert all(row[1] == REGION and row[2] == "applied" for row in rows.values()), rows
        policy = build_policy(app.answers.checked(), "s3")
        for account, endpoint in member_s3.items():
            assert same_policy(held(aws_env.url, account, REGION, endpoint, org.management), policy)

        table = app.screen.query_one("#targets-table", DataTable)
        table.move_cursor(row=list(rows).index(org.members[1]))
        await pilot.pause()
        detail = str(app.screen.query_one("#target-detail").content)
        assert member_s3[org.members[1]] in detail and "applied" in detail and "backup" in detail


async def test_an_account_that_cannot_be_entered_is_reported_and_the_others_go_on(aws_env, org, tmp_path):
    app = org_app(aws_env, org, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_org_targets(app, pilot, ", ".join(org.members))
        deny_assume_role(app.connection, org.members[0])
        await approve_and_run(app, pilot)
        rows = table_rows(app)
        assert rows[org.members[0]][2] == "unreachable" and "cannot assume" in rows[org.members[0]][4]
        assert rows[org.members[1]][2] == "applied"
        assert "1 unreachable" in status(app)


async def test_bad_targets_give_one_line_and_offline_nothing_starts(tmp_path):
    app = offline_app(tmp_path, ready_answers())
    async with app.run_test(size=SIZE) as pilot:
        await app.goto("apply")
        await pilot.pause()
        await pilot.click("#kind-org")
        await pilot.press("ctrl+a")
        assert "Offline" in str(list(app._notifications)[-1].message)
        assert not isinstance(app.screen, ConfirmApplyModal)


def test_the_targets_field_reads_org_ou_and_account_lists():
    assert target_spec("", "", "", "eu-west-1").org
    spec = target_spec("ou-ab12-cd34ef56", "111122223333", "eu-west-1 us-east-1", "eu-west-1")
    assert spec.ou == "ou-ab12-cd34ef56" and spec.exclude == ("111122223333",) and spec.regions == ("eu-west-1", "us-east-1")
    spec = target_spec("1111-2222-3333, 444455556666", "", "", "ap-northeast-1")
    assert spec.accounts == ("111122223333", "444455556666") and spec.regions == ("ap-northeast-1",)
    for scope, message in (("12345", "5 digits"), ("ou-x", "organizational unit"), ("o-a1b2c3d4e5", "organization ID")):
        with pytest.raises(InputError, match=message):
            target_spec(scope, "", "", "eu-west-1")
    with pytest.raises(InputError):
        target_spec("org", "", "mars-1", "eu-west-1")
