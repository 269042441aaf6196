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
