"""`vpce-wizard` without a sub-command: the CLI reaches `launch`, which builds the app through the shared factory."""


def test_launch_builds_the_app_from_cli_arguments(monkeypatch, tmp_path):
    from tui.app import launch as launch_module
    from tui.cli import main
    from tui.policy.answers import Answers, save_answers

    saved = save_answers(Answers(services=("sts",), accounts=("111122223333",), region="eu-west-1"), tmp_path / "a.json")
    seen = {}

    class FakeApp:
        return_code = 0

        def run(self):
            seen["ran"] = True

    def fake_create_app(answers, **options):
        seen.update(answers=answers, **options)
        return FakeApp()

    monkeypatch.setattr(launch_module, "create_app", fake_create_app)
    assert main(["--answers", str(saved), "--profile", "dev", "--region", "eu-west-1"]) == 0
    assert seen["ran"] and seen["answers"].services == ("sts",)
    assert seen["profile"] == "dev" and seen["region"] == "eu-west-1" and seen["sandbox"] is False


async def test_a_malformed_endpoint_url_leaves_the_wizard_offline_with_the_reason(tmp_path, monkeypatch):
    from tui.app.app import create_app

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    app = create_app(region="eu-west-1", endpoint_url="notaurl", output_dir=tmp_path)
    async with app.run_test(size=(100, 32)) as pilot:
        for _ in range(200):
            if "offline" in app.status:
                break
            await pilot.pause(0.05)
        assert app.connection is None
        assert "offline" in app.status and "notaurl" in app.status


def test_the_wizard_entry_point_pauses_garbage_collection_only_while_it_runs(monkeypatch):
    """`run_wizard` turns the collector off for the start-up (the app turns it on after its first paint) and
    never leaves it off, even when the wizard ends without drawing anything."""
    import gc

    from tui.app import launch as launch_module
    from tui.cli import main

    seen = []
    monkeypatch.setattr(launch_module, "launch", lambda args: seen.append(gc.isenabled()) or 0)
    assert main([]) == 0
    assert seen == [False] and gc.isenabled()


async def test_the_first_paint_turns_a_paused_collector_back_on(tmp_path):
    import gc

    from tui.app.app import create_app

    app = create_app(offline=True, output_dir=tmp_path)
    gc.disable()
    try:
        async with app.run_test(size=(100, 32)) as pilot:
            await pilot.pause()
            assert gc.isenabled() and gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.enable()
