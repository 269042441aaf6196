"""The whole wizard against the sandbox (moto over HTTP): every step, apply to two endpoints, read back, roll back."""

import boto3
import pytest
from botocore.exceptions import ClientError
from textual.widgets import DataTable, SelectionList

from test_app_support import SIZE, offline_app, ready_answers, type_text
from tui.app.app import create_app
from tui.app.apply_step import ApplyScreen
from tui.app.confirm import ConfirmApplyModal
from tui.app.review_step import ReviewScreen
from tui.aws import apply as aws_apply
from tui.aws.session import SANDBOX_CREDENTIALS
from tui.policy.diff import same_policy


async def wait_for(pilot, condition, seconds: float = 60) -> None:
    for _ in range(int(seconds * 20)):
        if condition():
            return
        await pilot.pause(0.05)
    notes = [str(n.message) for n in pilot.app._notifications]
    raise AssertionError(f"timed out waiting for the wizard: {pilot.app.screen} {pilot.app.status} {notes}")


def stored_policy(app, endpoint_id: str) -> str:
    ec2 = boto3.Session(region_name=app.answers.region, **SANDBOX_CREDENTIALS).client("ec2", endpoint_url=app.sandbox.endpoint_url)
    return ec2.describe_vpc_endpoints(VpcEndpointIds=[endpoint_id])["VpcEndpoints"][0]["PolicyDocument"]


def outcome_statuses(screen) -> dict[str, str]:
    table = screen.query_one("#outcomes", DataTable)
    return {str(table.get_row_at(i)[0]): str(table.get_row_at(i)[1]) for i in range(table.row_count)}


async def walk_to_apply(app, pilot) -> dict[str, str]:
    """Connect to the sandbox, go through every step with the defaults, and return {service: seeded endpoint id}."""
    await wait_for(pilot, lambda: app.endpoints is not None)
    assert app.connection.is_sandbox and "sandbox" in app.status
    assert app.answers.accounts == (app.connection.account_id,)  # the caller's account, pre-filled
    assert {"s3", "sts"} <= set(app.answers.services)  # services with endpoints, pre-selected
    await pilot.press("ctrl+n", "ctrl+n", "ctrl+n")
    assert isinstance(app.screen, ReviewScreen)
    await wait_for(pilot, lambda: "vpce-" in str(app.screen.query_one("#diff").content))
    await pilot.press("ctrl+n")
    assert isinstance(app.screen, ApplyScreen), [str(n.message) for n in app._notifications]
    await wait_for(pilot, lambda: app.screen.query(".vpc"))
    return {service: endpoint_id for (region, service), endpoint_id in app.sandbox.endpoints.items() if region == app.answers.region}


async def apply_selected(app, pilot, ids) -> None:
    for listing in app.screen.query(".vpc").results(SelectionList):
        for endpoint_id in ids:
            if endpoint_id in [listing.get_option_at_index(i).value for i in range(listing.option_count)]:
                listing.select(endpoint_id)
    await pilot.press("ctrl+a")
    await wait_for(pilot, lambda: isinstance(app.screen, ConfirmApplyModal) and app.screen.query("#plan-text"))
    assert all(endpoint_id in str(app.screen.query_one("#plan Static").content) for endpoint_id in ids)
    await type_text(pilot, "yes")
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, ApplyScreen) and "Done" in str(app.screen.query_one("#run-status").content))


@pytest.fixture
def sandbox_app(tmp_path):
    """The wizard as `vpce-wizard --sandbox` builds it (conftest keeps backups in tmp_path)."""
    return create_app(sandbox=True, output_dir=tmp_path)


async def test_full_flow_applies_to_two_endpoints(sandbox_app):
    app = sandbox_app
    async with app.run_test(size=SIZE) as pilot:
        endpoints = await walk_to_apply(app, pilot)
        chosen = [endpoints["s3"], endpoints["sts"]]
        await apply_selected(app, pilot, chosen)
        statuses = outcome_statuses(app.screen)
        assert statuses == {chosen[0]: "applied", chosen[1]: "applied"}
        reviews = app.good_reviews()
        assert same_policy(boto3_json(stored_policy(app, chosen[0])), reviews["s3"].policy)
        assert same_policy(boto3_json(stored_policy(app, chosen[1])), reviews["sts"].policy)
        backup = app.screen.outcomes[chosen[0]].backup_path
        assert backup and backup in str(app.screen.query_one("#outcomes", DataTable).get_row(chosen[0])[2])

        before = app.screen.outcomes[chosen[0]]
        table = app.screen.query_one("#outcomes", DataTable)
        rows_before = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        table.move_cursor(row=table.get_row_index(chosen[0]))
        app.screen.query_one("#run-status").update("")
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmApplyModal) and app.screen.query("#plan-text"))
        await type_text(pilot, "yes")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ApplyScreen) and "Done" in str(app.screen.query_one("#run-status").content))
        assert outcome_statuses(app.screen) == {chosen[0]: "rolled back", chosen[1]: "applied"}
        assert [str(table.get_row_at(i)[0]) for i in range(table.row_count)] == rows_before  # rows keep their order
        assert "1 rolled back" in str(app.screen.query_one("#run-status").content)
        assert not same_policy(boto3_json(stored_policy(app, before.endpoint_id)), reviews["s3"].policy)

        table.move_cursor(row=table.get_row_index(chosen[0]))
        await pilot.press("r")  # a second r must not undo the rollback
        await pilot.pause()
        assert isinstance(app.screen, ApplyScreen)
        assert "rolled back, so there is no apply" in str(list(app._notifications)[-1].message)


async def test_a_failed_endpoint_is_shown_beside_the_others(sandbox_app, monkeypatch):
    app = sandbox_app
    real_write = aws_apply._write

    def flaky_write(ec2, item):
        if item.endpoint.service == "sts":
            raise ClientError({"Error": {"Code": "InternalError", "Message": "injected"}}, "ModifyVpcEndpoint")
        real_write(ec2, item)

    monkeypatch.setattr(aws_apply, "_write", flaky_write)
    async with app.run_test(size=SIZE) as pilot:
        endpoints = await walk_to_apply(app, pilot)
        await apply_selected(app, pilot, [endpoints["s3"], endpoints["sts"]])
        assert outcome_statuses(app.screen) == {endpoints["s3"]: "applied", endpoints["sts"]: "failed"}
        assert "injected" in str(app.screen.query_one("#outcomes", DataTable).get_row(endpoints["sts"])[2])
        assert "1 failed" in str(app.screen.query_one("#run-status").content)


async def test_a_dry_run_says_what_would_happen(sandbox_app):
    app = sandbox_app
    async with app.run_test(size=SIZE) as pilot:
        endpoints = await walk_to_apply(app, pilot)
        app.screen.query_one("#dry-run").value = True
        for listing in app.screen.query(".vpc").results(SelectionList):
            if endpoints["s3"] in [listing.get_option_at_index(i).value for i in range(listing.option_count)]:
                listing.select(endpoints["s3"])
        await pilot.press("ctrl+a")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmApplyModal) and app.screen.query("#plan-text"))
        assert str(app.screen.query_one("#go").label) == "Dry run"
        assert "dry run" in str(app.screen.query_one("#confirm-title").content)
        await type_text(pilot, "y")
        await pilot.press("enter")
        assert isinstance(app.screen, ConfirmApplyModal)  # "y" alone does not go ahead, and says why
        assert "whole word" in str(app.screen.query_one("#confirm-hint").content)
        await type_text(pilot, "es")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ApplyScreen) and "Done" in str(app.screen.query_one("#run-status").content))
        assert outcome_statuses(app.screen) == {endpoints["s3"]: "dry run: would apply"}
        assert "press r" not in str(app.screen.query_one("#run-status").content)


async def test_apply_offline_offers_the_sandbox(tmp_path):
    app = offline_app(tmp_path, ready_answers())
    async with app.run_test(size=SIZE) as pilot:
        app.goto("apply")
        await pilot.pause()
        assert app.screen.query_one("#sandbox").display
        assert "offline" in str(app.screen.query_one("#apply-status").content)
        await pilot.press("ctrl+a")
        assert "Offline" in str(list(app._notifications)[-1].message)


def boto3_json(text: str) -> dict:
    import json

    return json.loads(text)


async def test_endpoints_are_labelled_against_the_accounts_trusted_in_the_wizard(sandbox_app):
    from dataclasses import replace

    from tui.aws.perimeter import IDENTITY_PERIMETER

    app = sandbox_app
    async with app.run_test(size=SIZE) as pilot:
        endpoints = await walk_to_apply(app, pilot)
        app.answers = replace(app.answers, accounts=(app.connection.account_id, "444455556677"))
        app.goto("review")
        await pilot.pause()
        app.goto("apply")  # entering the step notices the trusted set changed and looks endpoints up again
        await wait_for(pilot, lambda: app.classified_for == app.trust_key() and app.screen.query(".vpc"))
        await apply_selected(app, pilot, [endpoints["s3"]])
        await wait_for(pilot, lambda: app.classified_for == app.trust_key() and app.endpoints is not None)
        labels = {e.id: e.classification for e in app.endpoints}
        assert labels[endpoints["s3"]] == IDENTITY_PERIMETER  # not "trusts outside": the second account is trusted here


async def test_endpoints_picked_before_rediscovery_are_kept(sandbox_app):
    app = sandbox_app
    async with app.run_test(size=SIZE) as pilot:
        endpoints = await walk_to_apply(app, pilot)
        for listing in app.screen.query(".vpc").results(SelectionList):
            if endpoints["s3"] in [listing.get_option_at_index(i).value for i in range(listing.option_count)]:
                listing.select(endpoints["s3"])
        await pilot.pause()
        from dataclasses import replace

        old_lists = list(app.screen.query(".vpc"))
        app.answers = replace(app.answers, accounts=(*app.answers.accounts, "444455556677"))
        app.refresh_endpoints_if_stale()  # the labels change, so every list is built again
        await wait_for(pilot, lambda: not any(listing.is_attached for listing in old_lists) and app.screen.query(".vpc"))
        await pilot.pause()
        assert app.screen.selected() == [endpoints["s3"]]


async def test_starting_the_sandbox_from_an_offline_session_says_what_it_changes(tmp_path):
    app = offline_app(tmp_path, ready_answers(region="ap-southeast-2", services=("s3", "kms")))
    posted = []
    notify = app.notify
    app.notify = lambda message, *args, **kwargs: posted.append(str(message)) or notify(message, *args, **kwargs)
    async with app.run_test(size=SIZE) as pilot:
        app.action_start_sandbox()
        await wait_for(pilot, lambda: app.endpoints is not None)
        assert app.answers.region == "eu-west-1"  # the sandbox has no endpoints in ap-southeast-2
        messages = posted  # every notice as posted: one may expire before discovery (and its analysis) ends
        assert any("Region changed from ap-southeast-2 to eu-west-1" in m for m in messages), messages
        assert app.answers.services == ("s3", "kms")  # the user's choice of services is kept


async def test_the_endpoint_list_does_not_wait_for_the_catalogue_of_policy_support(sandbox, aws_env, tmp_path, monkeypatch):
    """DescribeVpcEndpointServices is slow (paged on AWS, built on first call by the emulator): the services step
    counts the endpoints before it answers, and the labels come once it has."""
    import threading

    from tui.aws import discovery

    answered = threading.Event()
    real_support = discovery.service_support

    def slow_support(conn, region, names=None, *, ask=True):
        if ask:
            assert answered.wait(30)
        return real_support(conn, region, names, ask=ask)

    monkeypatch.setattr(discovery, "service_support", slow_support)
    app = create_app(region="eu-west-1", endpoint_url=sandbox.url, output_dir=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.endpoints is not None)
        assert app.labelling and "8 endpoint(s) found" in str(app.screen.query_one("#found").content)
        answered.set()
        await wait_for(pilot, lambda: not app.labelling)
        assert len(app.endpoints) == 8 and all(e.classification != discovery.NOT_ANALYSED for e in app.endpoints)


async def test_a_sandbox_that_fails_to_start_can_be_started_again(tmp_path, monkeypatch):
    """The failure is one line in the status bar; starting again from the palette spawns a new emulator."""
    import json
    import subprocess
    import sys

    from tui.aws import sandbox as aws_sandbox

    reasons = iter(["port taken", "still taken"])

    def failing_emulator(random_seed=None):
        announcement = json.dumps({"error": next(reasons)})
        process = subprocess.Popen([sys.executable, "-c", f"print({announcement!r}, flush=True)"], stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        return aws_sandbox.EmulatorProcess(process)

    monkeypatch.setattr(aws_sandbox, "spawn_sandbox", failing_emulator)
    app = create_app(sandbox=True, output_dir=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: "port taken" in app.status)
        assert "offline" in app.status and app.sandbox is None and app.emulator is None
        app.action_start_sandbox()
        await wait_for(pilot, lambda: "still taken" in app.status)
