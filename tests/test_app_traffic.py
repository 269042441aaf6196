"""The review's "Check against recent traffic" (issue 12): CloudTrail records replayed against the reviewed
policy in a worker, grouped by verdict with catalog suggestions that can be adopted, hostile text shown
literally, bad input as one line, and the trail's bucket read from the emulator's S3 when connected."""

import gzip
import json
from pathlib import Path

import boto3
from textual.widgets import DataTable

from test_app_sandbox import sandbox_app, wait_for  # noqa: F401 - sandbox_app is a fixture
from test_app_support import SIZE, offline_app, ready_answers, type_text
from tui.app.traffic import TrafficModal, adoptable

FIXTURES = Path(__file__).parent / "cloudtrail"
STARPORT = "arn:aws:s3:::prod-eu-west-1-starport-layer-bucket/*"


def status(app) -> str:
    return str(app.screen.query_one("#traffic-status").content)


def rows(app) -> list[list[str]]:
    table = app.screen.query_one("#traffic-groups", DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


async def check_traffic(app, pilot, source: str) -> None:
    """From the review step: open the dialog with `i`, give the source, press enter, wait for the answer."""
    await app.goto("review")
    await pilot.pause()
    await pilot.press("i")
    await pilot.pause()
    assert isinstance(app.screen, TrafficModal)
    await type_text(pilot, source)
    await pilot.press("enter")
    await wait_for(pilot, lambda: status(app) and "reading the logs" not in status(app))


async def test_the_groups_show_what_would_break_and_a_suggestion_can_be_adopted(tmp_path):
    app = offline_app(tmp_path, ready_answers(public_buckets=("al2023",)))
    async with app.run_test(size=SIZE) as pilot:
        await check_traffic(app, pilot, str(FIXTURES / "s3-endpoint.json"))
        assert "10 record(s) read, 9 replayed" in status(app) and "1 would-break" in status(app)
        table = rows(app)
        assert table[0][:5] == ["would-break", "1", "s3:GetObject", "999988887777", "catalog ecr-layers"] and table[0][5] == STARPORT
        assert table[1][:4] == ["already-denied", "1", "s3:PutObject", "444455556666"]
        assert {row[0] for row in table} == {"would-break", "already-denied", "intended", "ok"}

        await pilot.press("a")  # the cursor is on the would-break row: tick ecr-layers, replay the same logs
        assert "ecr-layers" in app.answers.public_buckets
        await wait_for(pilot, lambda: "replayed" in status(app) and "would-break" not in status(app))
        starport = next(row for row in rows(app) if row[5] == STARPORT)
        assert starport[0] == "ok"

        await pilot.press("escape")
        assert not isinstance(app.screen, TrafficModal)
        assert "ecr-layers" in app.answers.public_buckets  # the review now builds the policy with it


async def test_a_folder_with_a_truncated_file_is_read_and_the_file_named(tmp_path):
    logs = tmp_path / "logs"
    logs.mkdir()
    whole = (FIXTURES / "s3-endpoint.json").read_bytes()
    (logs / "a.json.gz").write_bytes(gzip.compress(whole))
    (logs / "b.json").write_bytes(whole[:400])
    app = offline_app(tmp_path, ready_answers(public_buckets=("al2023",)))
    async with app.run_test(size=SIZE) as pilot:
        await check_traffic(app, pilot, str(logs))
        assert "replayed" in status(app)
        assert "skipped" in status(app) and "b.json" in status(app)
        assert rows(app)


async def test_bad_sources_give_one_line_and_the_dialog_stays(tmp_path):
    app = offline_app(tmp_path, ready_answers())
    async with app.run_test(size=SIZE) as pilot:
        await check_traffic(app, pilot, str(tmp_path / "nowhere"))
        assert "no such file or folder" in status(app) and not rows(app)
        field = app.screen.query_one("#traffic-source")
        field.value = "s3://trail-logs/AWSLogs/"
        await pilot.click("#traffic-check")
        await wait_for(pilot, lambda: "needs AWS" in status(app))
        field.value = str(FIXTURES / "s3-endpoint.json")
        app.screen.query_one("#traffic-since").value = "yesterday-ish"
        await pilot.pause(0.5)  # a button ignores a second press while it still shows the first
        await pilot.click("#traffic-check")
        await wait_for(pilot, lambda: "is not a duration" in status(app), 5)
        assert isinstance(app.screen, TrafficModal)


async def test_hostile_record_fields_are_shown_as_text(tmp_path):
    record = json.loads((FIXTURES / "s3-endpoint.json").read_text())["Records"][0]
    record["userIdentity"]["accountId"] = "[b]444455556666[/b]\x1b]8;;http://evil\x07"
    record["requestParameters"] = {"bucketName": "x[link=http://evil]y[/link]", "key": "k\x1b[2J"}
    record.pop("resources", None)
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps({"Records": [record]}))
    app = offline_app(tmp_path, ready_answers())
    async with app.run_test(size=SIZE) as pilot:
        await check_traffic(app, pilot, str(path))
        shown = " ".join(" ".join(row) for row in rows(app)) + status(app)
        assert "\x1b" not in shown and "\x07" not in shown
        assert "arn:aws:s3:::x[link=http://evil]y[/link]/*" in shown and "[b]444455556666[/b]" in shown  # literal, not markup


def test_only_suggestions_the_wizard_can_act_on_are_adoptable():
    assert adoptable("catalog ecr-layers") == ("catalog", "ecr-layers")
    assert adoptable("unknown: aws:PrincipalOrgID; trust account 444455556666") == ("account", "444455556666")
    assert adoptable("trust org o-a1b2c3d4e5") == ("org", "o-a1b2c3d4e5")
    assert adoptable("unknown: aws:PrincipalTag/team") is None and adoptable("") is None


async def test_connected_the_trail_bucket_is_read_from_s3(sandbox_app):
    app = sandbox_app
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.endpoints is not None)
        s3 = boto3.client("s3", region_name="eu-west-1", endpoint_url=app.sandbox.endpoint_url,
                          aws_access_key_id="testing", aws_secret_access_key="testing")
        s3.create_bucket(Bucket="trail-logs", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        records = json.loads((FIXTURES / "s3-endpoint.json").read_text())["Records"]
        for record in records:
            if record.get("userIdentity", {}).get("accountId") == "111122223333":
                record["userIdentity"]["accountId"] = app.connection.account_id
        key = f"AWSLogs/{app.connection.account_id}/CloudTrail/eu-west-1/2026/11/22/x_CloudTrail_eu-west-1_a.json.gz"
        s3.put_object(Bucket="trail-logs", Key=key, Body=gzip.compress(json.dumps({"Records": records}).encode()))
        await check_traffic(app, pilot, "s3://trail-logs/AWSLogs/")
        assert "10 record(s) read, 9 replayed" in status(app), status(app)
        assert any(row[3] == app.connection.account_id and row[0] == "ok" for row in rows(app))
