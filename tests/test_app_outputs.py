"""Copy, save and export from the review step: the clipboard fallback is honest and files are private."""

import json
import os
import stat

import pyperclip
import pytest

from test_app_support import SIZE, offline_app, ready_answers
from tui.app.modals import PathModal
from tui.policy.answers import load_answers


def last_message(app) -> str:
    return str(list(app._notifications)[-1].message)


def copied_file(tmp_path):
    """Where Copy saves when no clipboard is reachable: the private state folder, never the current one."""
    return tmp_path / "state" / "vpce-wizard" / "copied" / "vpce-policy-s3.json"


async def open_review(app, pilot):
    app.goto("review")
    await pilot.pause()


@pytest.fixture
def no_pyperclip(monkeypatch):
    def fail(text):
        raise pyperclip.PyperclipException("no copy/paste mechanism")

    monkeypatch.setattr(pyperclip, "copy", fail)


async def test_copy_uses_pyperclip_first(tmp_path, monkeypatch):
    copied = []
    monkeypatch.setattr(pyperclip, "copy", copied.append)
    app = offline_app(tmp_path, ready_answers())
    async with app.run_test(size=SIZE) as pilot:
        await open_review(app, pilot)
        await pilot.press("c")
        assert json.loads(copied[0])["Statement"]
        assert last_message(app) == "Copied to the system clipboard."
        assert not list(tmp_path.iterdir())


async def test_copy_falls_back_to_osc52_and_a_file(tmp_path, no_pyperclip, monkeypatch):
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.delenv("TERM_PROGRAM", raising=False)
    app = offline_app(tmp_path, ready_answers())
    async with app.run_test(size=SIZE) as pilot:
        await open_review(app, pilot)
        await pilot.press("c")
        saved = copied_file(tmp_path)
        assert json.loads(app.clipboard) == json.loads(saved.read_text())
        assert "OSC 52" in last_message(app) and str(saved) in last_message(app)
        assert stat.S_IMODE(saved.stat().st_mode) == 0o600
        assert stat.S_IMODE(saved.parent.stat().st_mode) == 0o700
        assert [p.name for p in tmp_path.iterdir()] == ["state"]  # nothing written in the output folder


async def test_copy_says_when_neither_route_works(tmp_path, no_pyperclip, monkeypatch):
    monkeypatch.setenv("TERM_PROGRAM", "Apple_Terminal")
    app = offline_app(tmp_path, ready_answers())
    async with app.run_test(size=SIZE) as pilot:
        await open_review(app, pilot)
        await pilot.press("c")
        assert app.clipboard == ""
        assert last_message(app).startswith("No clipboard available") and "saved to" in last_message(app)
        assert copied_file(tmp_path).exists()


@pytest.mark.parametrize(
    ("key", "filename", "marker"),
    [("s", "vpce-policy-s3.json", '"Statement"'), ("t", "vpce-policies.tf", "aws_vpc_endpoint_policy"),
     ("f", "vpce-policies.yaml", "AWS::EC2::VPCEndpoint")],
)
async def test_save_and_export_write_private_files(tmp_path, key, filename, marker):
    app = offline_app(tmp_path, ready_answers())
    async with app.run_test(size=SIZE) as pilot:
        await open_review(app, pilot)
        await pilot.press(key)
        assert isinstance(app.screen, PathModal)
        await pilot.press("enter")
        path = tmp_path / filename
        assert marker in path.read_text()
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        assert "Saved to" in last_message(app)


async def test_save_answers_round_trips(tmp_path):
    answers = ready_answers(resource_perimeter=True)
    app = offline_app(tmp_path, answers)
    async with app.run_test(size=SIZE) as pilot:
        await open_review(app, pilot)
        await pilot.press("a", "enter")
        assert load_answers(tmp_path / "vpce-answers.json") == answers.checked()


async def test_cancelled_save_writes_nothing(tmp_path):
    app = offline_app(tmp_path, ready_answers())
    async with app.run_test(size=SIZE) as pilot:
        await open_review(app, pilot)
        await pilot.press("s", "escape")
        assert not list(tmp_path.iterdir())


async def test_copy_reports_an_unwritable_fallback_instead_of_crashing(tmp_path, no_pyperclip, monkeypatch):
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.delenv("TERM_PROGRAM", raising=False)
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the state folder should be")
    monkeypatch.setenv("XDG_STATE_HOME", str(blocked))
    app = offline_app(tmp_path, ready_answers())
    async with app.run_test(size=SIZE) as pilot:
        await open_review(app, pilot)
        await pilot.press("c")
        assert json.loads(app.clipboard)["Statement"]
        assert "could not save" in last_message(app) and "OSC 52" in last_message(app)


async def test_save_asks_before_replacing_an_existing_file(tmp_path):
    existing = tmp_path / "vpce-policy-s3.json"
    existing.write_text("keep me")
    app = offline_app(tmp_path, ready_answers())
    async with app.run_test(size=SIZE) as pilot:
        await open_review(app, pilot)
        await pilot.press("s", "enter")
        assert isinstance(app.screen, PathModal)  # first enter only warns
        assert "already exists" in str(app.screen.query_one("#path-hint").content)
        assert existing.read_text() == "keep me"
        await pilot.press("enter")
        assert not isinstance(app.screen, PathModal)
        assert '"Statement"' in existing.read_text()
