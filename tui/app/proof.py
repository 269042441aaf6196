"""The review's proof: the symbolic analyser's findings for the reviewed policy, each with its witness request.

z3 takes a second or two per policy, so the analysis runs in a thread worker and the answers stay editable
meanwhile: the view says "analysing…", and a result that arrives for answers that changed since is dropped
(the core caches it, so going back to those answers shows it at once). z3 is imported by the worker only,
never before the first paint. Findings quote the policy and AWS (ARNs, keys): they are shown through `plain`.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.message import Message
from textual.widgets import Static

from tui.app.plain import plain
from tui.report.i18n import N_, _, pad

if TYPE_CHECKING:
    from tui.policy.analysis import Analysis, Setting, Witness

SEVERITY_STYLES = {"high": "bold red", "medium": "yellow", "low": "cyan", "info": "dim"}
# The analyser's severities and verdicts (tui.policy.analysis), translated where shown.
ANALYSIS_WORDS = (
    N_("high"), N_("medium"), N_("low"), N_("info"), N_("full access"), N_("identity perimeter"),
    N_("identity+resource perimeter"), N_("trusts outside the given accounts"), N_("locks out trusted callers"),
    N_("unproven"), N_("no policy possible"),
)


def witness_text(witness: Witness) -> Text:
    """One line a reader can replay with `simulate --cases`: decision, action, resource, context keys."""
    context = "  ".join(f"{key}={','.join(value) if isinstance(value, tuple) else value}" for key, value in witness.context)
    return plain(_("witness: {request}").format(request=f"{witness.decision} {witness.action} {witness.resource}  {context}".rstrip()), "italic")


def analysis_text(analysis: Analysis) -> Text:
    """The verdict, then one block per finding: severity, code, message and the witness that proves it."""
    text = Text.assemble((_("Proof (symbolic analysis): "), "bold"), plain(_(str(analysis.classification)), "bold"), "\n")
    for finding in analysis.findings:
        text.append(pad(_(str(finding.severity)), 7), style=SEVERITY_STYLES.get(finding.severity, ""))
        text.append_text(plain(finding.code, "bold"))
        text.append(": ")
        text.append_text(plain(finding.localised()))
        text.append("\n")
        if finding.witness is not None:
            text.append("        ")
            text.append_text(witness_text(finding.witness))
            text.append("\n")
    if not analysis.findings:
        text.append(_("No findings: nothing outside the trusted set gets in, and no trusted caller is locked out."), style="green")
    text.rstrip()
    return text


class AnalysisView(Static):
    """Shows the analysis of whatever the review asked for last; older results are discarded."""

    @dataclass
    class Done(Message):
        key: Hashable
        analysis: Analysis | None
        problem: str = ""

    def on_mount(self) -> None:
        self.wanted: Hashable = None
        self.shown: Hashable = None

    def analyse(self, key: Hashable, policy: dict, setting: Callable[[], Setting]) -> None:
        """Analyse `policy` under `setting()` (called in the worker: finding the caller may ask AWS) unless
        the analysis for `key` is already shown or under way."""
        if key == self.wanted:
            return
        self.wanted = key
        self.update(Text(_("analysing… (proving what the policy admits; keep editing, the result follows)"), style="italic"))
        self._run(key, policy, setting)

    def clear(self) -> None:
        self.wanted = self.shown = None
        self.update("")

    @work(thread=True, exclusive=True, group="analysis")
    def _run(self, key: Hashable, policy: dict, setting: Callable[[], Setting]) -> None:
        from tui.policy.analysis import analyse

        try:
            analysis = analyse(policy, setting())
        except Exception as exc:  # noqa: BLE001 - a worker reports, never dies; the review stays usable
            self.post_message(self.Done(key, None, _("the analysis failed: {reason}").format(reason=exc)))
            return
        self.post_message(self.Done(key, analysis))

    @on(Done)
    def _done(self, message: Done) -> None:
        message.stop()
        if message.key != self.wanted:
            return  # the answers changed while it ran: a newer analysis is on its way
        self.shown = message.key
        if message.analysis is None:
            self.update(plain(message.problem, "bold red"))
        else:
            self.update(analysis_text(message.analysis))
