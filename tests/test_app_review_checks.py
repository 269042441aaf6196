"""The review's Checks tab shows the symbolic analyser's proof (issue 7): findings with severity, code, message
and witness, computed in a worker so the answers stay editable, with stale results dropped."""

import threading

from rich.text import Text
from textual.widgets import DataTable

import tui.policy.analysis
from test_app_sandbox import sandbox_app, wait_for  # noqa: F401 - sandbox_app is a fixture
from test_app_support import ACCOUNT, SIZE, offline_app, ready_answers
from tui.app.proof import AnalysisView, analysis_text
from tui.app.review_step import ReviewScreen
from tui.policy.analysis import Analysis, Classification, Finding, Severity, Witness


def shown(app) -> str:
    return str(app.screen.query_one("#analysis", AnalysisView).content)


async def open_checks(app, pilot) -> None:
    await app.goto("review")
    await pilot.pause()
    assert isinstance(app.screen, ReviewScreen)
    await pilot.press("tab", "right")


async def test_checks_show_the_analysers_findings_with_their_witnesses(tmp_path):
    app = offline_app(tmp_path, ready_answers(services=("s3", "sts")))
    async with app.run_test(size=SIZE) as pilot:
        await open_checks(app, pilot)
        await wait_for(pilot, lambda: "Proof" in shown(app))
        text = shown(app)
        assert "identity perimeter" in text  # the classification
        assert "medium no-resource-perimeter: identity perimeter only" in text
        assert "witness: Allow s3:PutObject arn:aws:s3:::" in text and f"aws:PrincipalAccount={ACCOUNT}" in text
        assert "aws-owned-exception" in text and "(al2023)" in text
        assert "Validator" in str(app.screen.query_one("#findings").content)  # the validator's findings stay beside it
        assert app.screen.query_one("#scenarios", DataTable).row_count > 0

        await pilot.press("p")  # the resource perimeter on: the medium finding goes, the verdict changes
        await wait_for(pilot, lambda: "Proof" in shown(app) and "no-resource-perimeter" not in shown(app))
        assert "identity+resource perimeter" in shown(app)

        await pilot.press("shift+tab", "down")  # the other service gets its own proof
        await wait_for(pilot, lambda: app.current_service == "sts" and "Proof" in shown(app) and "(al2023)" not in shown(app))


class GatedAnalyse:
    """`analyse` that waits until the test lets each call finish, and says which call answered."""

    def __init__(self):
        self.calls: list = []
        self.gates: list[threading.Event] = []
        self.lock = threading.Lock()

    def __call__(self, policy, setting):
        with self.lock:
            number = len(self.calls)
            self.calls.append(setting)
            gate = threading.Event()
            self.gates.append(gate)
        assert gate.wait(30), "the test never released the analysis"
        return Analysis(Classification.IDENTITY_PERIMETER, (Finding(Severity.INFO, "no-policy-support", {"reason": f"answer-{number}: perimeter {setting.resource_perimeter}"}),))


async def test_typing_never_waits_for_the_solver_and_stale_results_are_dropped(tmp_path, monkeypatch):
    gated = GatedAnalyse()
    monkeypatch.setattr(tui.policy.analysis, "analyse", gated)
    app = offline_app(tmp_path, ready_answers())
    async with app.run_test(size=SIZE) as pilot:
        await open_checks(app, pilot)
        await wait_for(pilot, lambda: len(gated.calls) == 1)
        assert "analysing…" in shown(app)
        table = app.screen.query_one("#scenarios", DataTable)
        names = lambda: [str(table.get_row_at(i)[2]) for i in range(table.row_count)]  # noqa: E731
        assert "trusted account writes to a foreign account" not in names()

        await pilot.press("p")  # the answers change while the solver is busy: the screen answers at once
        await wait_for(pilot, lambda: len(gated.calls) == 2)
        assert app.answers.resource_perimeter and "trusted account writes to a foreign account" in names()
        assert gated.calls[1].resource_perimeter is True

        gated.gates[0].set()  # the first analysis ends late: it is for answers that are gone
        await pilot.pause(0.3)
        assert "analysing…" in shown(app) and "answer-0" not in shown(app)

        gated.gates[1].set()
        await wait_for(pilot, lambda: "answer-1" in shown(app))
        assert "perimeter True" in shown(app)

        app.endpoints = None  # a redraw with the same answers starts no second analysis
        await pilot.pause(0.2)
        assert len(gated.calls) == 2 and "answer-1" in shown(app)


async def test_a_failed_analysis_is_reported_and_the_review_keeps_working(tmp_path, monkeypatch):
    def broken(policy, setting):
        raise RuntimeError("solver exploded [b]loudly[/b]")

    monkeypatch.setattr(tui.policy.analysis, "analyse", broken)
    app = offline_app(tmp_path, ready_answers())
    async with app.run_test(size=SIZE) as pilot:
        await open_checks(app, pilot)
        await wait_for(pilot, lambda: "failed" in shown(app))
        assert "the analysis failed: solver exploded [b]loudly[/b]" in shown(app)  # literal, not markup
        assert app.screen.query_one("#scenarios", DataTable).row_count > 0


def test_hostile_text_in_a_finding_is_shown_literally():
    witness = Witness("s3:GetObject", "arn:aws:s3:::[red]x[/red]\x1b]8;;http://evil\x07/k", (("aws:PrincipalTag/t", ("a", "[b]")),), "Allow")
    params = {"who": "account [link=http://evil]x[/link]\x1b[2J", "action": witness.action, "resource": witness.resource}
    analysis = Analysis(Classification.TRUSTS_OUTSIDE, (Finding(Severity.HIGH, "foreign-principals", params, witness),))
    text = analysis_text(analysis)
    assert isinstance(text, Text) and not any("link" in str(span.style) for span in text.spans)
    plain = text.plain
    assert "[link=http://evil]x[/link]" in plain and "[red]x[/red]" in plain
    assert "\x1b" not in plain and "\x07" not in plain  # control characters are shown as escapes
    assert "aws:PrincipalTag/t=a,[b]" in plain
    assert "high   foreign-principals" in plain


async def test_connected_the_analysis_asks_about_the_real_caller(sandbox_app, monkeypatch):
    settings = []
    real = tui.policy.analysis.analyse

    def recording(policy, setting):
        settings.append(setting)
        return real(policy, setting)

    monkeypatch.setattr(tui.policy.analysis, "analyse", recording)
    app = sandbox_app
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.endpoints is not None)
        await open_checks(app, pilot)
        await wait_for(pilot, lambda: "Proof" in shown(app) and any(s.caller for s in settings))
        caller = next(s.caller for s in settings if s.caller)
        assert caller.account == app.connection.account_id
        assert next(s for s in settings if s.caller).endpoint_type == "Gateway"  # the sandbox's S3 endpoints are gateways
