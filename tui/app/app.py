"""The wizard App: it holds the answers and the AWS connection, moves between steps, and runs boto3 in threads.

Every screen reads and writes `answers` here, so back and next never lose anything; the policy itself always
comes from `tui.policy.review`, and everything that talks to AWS goes through `tui.aws` in a thread worker that
reports back with the typed messages of `tui.app.messages`. Nothing heavy (boto3, jsonschema, the emulator) is
imported before the first screen is drawn: workers start on `Ready`, reviews are built on the review step.
"""

from __future__ import annotations

import contextlib
import gc
from dataclasses import replace
from functools import lru_cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.reactive import var
from textual.screen import Screen
from textual.widgets import Input

from tui.app.config import load_settings, save_setting, state_dir
from tui.app.messages import Connected, DiscoveryFailed, EndpointsFound, SandboxStarted, StatusChanged, WentOffline
from tui.app.screens import step_screen
from tui.app.step import StepScreen
from tui.app.widgets import STEPS
from tui.app.wrapping import allow_breaks_between_wide_characters
from tui.policy.answers import Answers, save_answers
from tui.policy.catalog import load_catalog
from tui.policy.errors import WizardError
from tui.policy.files import write_private
from tui.policy.identifiers import check_region
from tui.policy.renderers import TEMPLATE_EXPORTS
from tui.policy.services import load_services
from tui.report.escape import visible_lines
from tui.report.i18n import DEFAULT_LANGUAGE, LANGUAGE_NAMES, N_, _, current_language, set_language

if TYPE_CHECKING:
    from textual.await_complete import AwaitComplete
    from textual.widget import AwaitMount

    from tui.aws.discovery import Endpoint
    from tui.aws.sandbox import EmulatorProcess, Sandbox
    from tui.aws.session import AwsTarget, Connection
    from tui.policy.review import ServiceReview

# Textual's own palette commands (textual 8.2), marked so the catalog carries their words.
TEXTUAL_COMMANDS = (
    N_("Theme"), N_("Change the current theme"), N_("Quit"), N_("Quit the application as soon as possible"), N_("Keys"),
    N_("Hide the keys and widget help panel"), N_("Show help for the focused widget and a summary of available keys"),
    N_("Minimize"), N_("Minimize the widget and restore to normal size"), N_("Maximize"), N_("Maximize the focused widget"),
    N_("Screenshot"), N_("Save an SVG 'screenshot' of the current screen"),
)


@lru_cache(maxsize=32)
def reviews_for(answers: Answers) -> dict[str, ServiceReview]:
    """Reviews of the answers, cached because the review step redraws on every change; raises InputError."""
    from tui.policy.review import review_all  # jsonschema and the evaluator: not needed for the first paint

    return review_all(answers.checked())


class WizardApp(App[int]):
    """Five steps from services to an applied policy; offline, every step but apply works."""

    CSS_PATH = "app.tcss"
    TITLE = "vpce-wizard"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "help", N_("Help")),
        Binding("question_mark", "help", N_("Help"), show=False),
        Binding("q", "quit", N_("Quit"), show=False),
        Binding("ctrl+q", "quit", N_("Quit"), priority=True),
    ]

    answers: var[Answers] = var(Answers)
    status = var("")
    connection: var[Connection | None] = var(None)
    endpoints: var[list[Endpoint] | None] = var(None, always_update=True)
    """Endpoints discovered in the answers' region (None until discovery has run)."""
    current_service = var("")
    """The service the review step shows; copy and save act on it."""

    def __init__(self, answers: Answers, target: dict | None, sandbox: bool, output_dir: Path, chosen: bool, region_chosen: bool,
                 emulator: EmulatorProcess | None = None) -> None:
        super().__init__()
        self.set_reactive(WizardApp.answers, answers)
        self.target = target
        self.sandbox_requested = sandbox
        self.sandbox: Sandbox | None = None
        self.emulator = emulator
        """The sandbox's process while it starts (`tui.cli.run_wizard` starts it with the wizard), then None."""
        self.output_dir = output_dir
        self.services_chosen = chosen
        """True once the user (or an answers file) chose services, so discovery no longer pre-selects them."""
        self.region_chosen = region_chosen
        """False when no region was given: the connection's region (profile or environment) is adopted."""
        self.classified_for: tuple | None = None
        """The trusted set the current endpoints' labels were computed for (None while they are computed)."""
        self.labelling = False
        """True between the listing of endpoints and their labels."""
        self.status_source: tuple[str, dict] = ("", {})
        """The status line's English template and its values, to say it again in another language."""
        theme = load_settings().get("theme")
        if isinstance(theme, str) and theme in self.available_themes:
            self.theme = theme
        if current_language() != DEFAULT_LANGUAGE:  # Japanese on the first screen (English has no wide characters there)
            allow_breaks_between_wide_characters()

    def get_default_screen(self) -> Screen:
        """The services step is the first thing drawn: no splash screen, no blank frame."""
        return step_screen("services")(first=True)

    # -- steps ---------------------------------------------------------------------------------------------

    @property
    def wants_buckets(self) -> bool:
        """The public-bucket step applies only to services that read AWS-owned buckets (S3)."""
        services = load_services()
        return any(services[name].public_buckets for name in self.answers.services if name in services)

    def step_order(self) -> list[str]:
        return [name for name, _ in STEPS if name != "buckets" or self.wants_buckets]

    def goto(self, name: str) -> AwaitComplete | AwaitMount | None:
        """Switch to the step `name` (awaitable); None when already there or a dialog is open."""
        if getattr(self.screen, "STEP", "") == name:
            return None
        if len(self.screen_stack) > 1 and not getattr(self.screen, "STEP", ""):
            return None  # a modal is open
        if name == "buckets" and not self.wants_buckets:
            self.notify(_("The S3 buckets step applies only when S3 is among the chosen services."), severity="warning")
            return None
        screen = step_screen(name)()
        if len(self.screen_stack) == 1:  # the first step is the default screen, which cannot be switched away
            return self.push_screen(screen)
        return self.switch_screen(screen)

    async def action_goto(self, name: str) -> None:
        """A click on the step trail."""
        if switching := self.goto(name):
            await switching

    def _step_offset(self, offset: int) -> None:
        order = self.step_order()
        current = getattr(self.screen, "STEP", "services")
        index = order.index(current) if current in order else 0
        target = index + offset
        if 0 <= target < len(order):
            self.goto(order[target])

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:  # noqa: ARG002 (Textual's signature)
        """No Next on the last step: its footer needs the room at 80 columns."""
        return not (action == "next" and getattr(self.screen, "STEP", "") == "apply")

    def action_next(self) -> None:
        step = self.screen
        if not isinstance(step, StepScreen):  # a dialog is open
            return
        problem = step.problem()
        if problem:
            self.say(problem, title=_("Not yet"), severity="error")
            return
        self._step_offset(1)

    async def action_back(self) -> None:  # async like the App's own action_back it replaces
        """Esc: first leave a text field (what was typed stays there), then go back a step."""
        step = self.screen
        if not isinstance(step, StepScreen):  # a dialog is open
            return
        if isinstance(self.focused, Input):
            step.focus_main()
            return
        self._step_offset(-1)

    def set_status(self, template: str, **params: object) -> None:
        """The connection bar's line: an English template (marked with `N_`) shown in the current language."""
        self.status_source = (template, params)
        self.status = _(template).format(**params) if template else ""

    def say(self, message: str, **kwargs) -> None:
        """A notification that may carry outside text (paths, ARNs, AWS errors): escaped, shown as plain text.

        Only our own messages are written this way; Textual's own notices keep their markup.
        """
        self.notify(visible_lines(message), markup=False, **kwargs)

    def action_help(self) -> None:
        from tui.app.modals import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def watch_theme(self, theme: str) -> None:
        if self.is_running:
            save_setting("theme", theme)

    def on_ready(self) -> None:
        """The first screen is on the terminal: only now load AWS libraries and start talking to AWS."""
        if not gc.isenabled():  # paused by `tui.cli.run_wizard` until this first paint
            gc.freeze()  # start-up's modules, classes and styles live as long as the app: no collection rescans them
            gc.enable()
        allow_breaks_between_wide_characters()  # for wide characters from AWS or a file, in any language
        first = self.screen_stack[0]  # the services step, even if a test has moved on already
        if isinstance(first, StepScreen):
            first.after_first_paint()
        if self.sandbox_requested:
            self.start_sandbox()
        elif self.target is not None:
            self.connect_aws(self.target)
        else:
            self.set_status(N_("offline · not connected to AWS"))

    def on_unmount(self) -> None:
        if self.sandbox is not None:
            self.sandbox.stop()
        if self.emulator is not None:  # quit while it was starting: its worker stops waiting
            self.emulator.stop()

    # -- AWS (thread workers report through typed messages) ----------------------------------------------

    def action_start_sandbox(self) -> None:
        if self.sandbox is not None:
            self.notify(_("The sandbox is already running."))
        elif self.connection is not None:
            self.notify(_("Connected to AWS already: restart with --sandbox to use the emulator instead."), severity="warning")
        else:
            self.start_sandbox()

    @work(thread=True, exclusive=True, group="connect")
    def start_sandbox(self) -> None:
        """Start the seeded local emulator (or wait for the one started at launch) and connect to it, so apply can
        be tried without an AWS account."""
        from tui.aws.sandbox import spawn_sandbox
        from tui.aws.session import load_models

        self.post_message(StatusChanged(N_("starting the sandbox (a local AWS emulator)…")))
        self.emulator = self.emulator or spawn_sandbox()
        with contextlib.suppress(Exception):  # a head start, taken while the emulator starts: connecting reports any fault
            load_models(("sts", "ec2"))
            import tui.aws.discovery  # noqa: F401 - discovery and its analyser, used once connected
        try:
            sandbox = self.emulator.sandbox()
        except Exception as exc:  # noqa: BLE001 - the emulator is optional: report and stay offline
            self.post_message(WentOffline(_("the sandbox did not start: {reason}").format(reason=exc)))
            return
        finally:
            self.emulator = None  # the sandbox owns it now, or it failed and is stopped: a new start spawns another
        self.post_message(SandboxStarted(sandbox))
        keep = self.region_chosen or not self.sandbox_requested  # started from a session: keep its region if it can
        region = self.answers.region if keep and self.answers.region in sandbox.regions else None
        self._connect(sandbox.target(region))

    @work(thread=True, exclusive=True, group="connect")
    def connect_aws(self, target: dict) -> None:
        from tui.aws.session import AwsTarget

        self._connect(AwsTarget(**target))

    def _connect(self, target: AwsTarget) -> None:
        from tui.aws.errors import NoRegionError
        from tui.aws.session import connect

        self.post_message(StatusChanged(N_("connecting to AWS…")))
        try:
            try:
                connection = connect(target)
            except NoRegionError:
                if target.region:
                    raise
                connection = connect(replace(target, region=self.answers.region))  # the region chosen on screen
        except WizardError as exc:  # AWS failures, and bad input such as a malformed endpoint URL
            from tui.report.messages import error_in_language  # not before the first paint

            self.post_message(WentOffline(error_in_language(exc)))
            return
        self.post_message(Connected(connection))

    @on(StatusChanged)
    def _status_changed(self, message: StatusChanged) -> None:
        self.set_status(message.status, **message.params)

    @on(SandboxStarted)
    def _sandbox_started(self, message: SandboxStarted) -> None:
        self.sandbox = message.sandbox

    @on(WentOffline)
    def _offline(self, message: WentOffline) -> None:
        self.connection = None
        self.endpoints = None
        self.set_status(N_("offline · {reason}"), reason=message.reason)

    @on(Connected)
    def _connected(self, message: Connected) -> None:
        connection = message.connection
        self.connection = connection
        answers = self.answers
        if answers.region != connection.region and (not self.region_chosen or connection.is_sandbox):
            if self.region_chosen:  # the sandbox has endpoints in a few regions only: say so, never silently
                self.say(_("Region changed from {old} to {new}, where the sandbox's demo endpoints are.").format(old=answers.region, new=connection.region), title=_("Sandbox"))
            answers = replace(answers, region=connection.region)
        if not answers.accounts and not answers.org_ids:
            answers = replace(answers, accounts=(connection.account_id,))
        self.answers = answers
        self.discover_endpoints(connection, answers.region)

    def set_region(self, region: str) -> None:
        """Change region: bucket ARNs are re-expanded by the core and endpoints are looked up again."""
        if region == self.answers.region:
            return
        self.region_chosen = True
        self.answers = replace(self.answers, region=region)
        self.endpoints = None
        if self.connection is not None:
            self.discover_endpoints(self.connection, region)

    def trust_key(self) -> tuple:
        """The trusted set endpoints are classified against; a change makes their labels stale."""
        return self.answers.accounts, self.answers.org_ids

    def refresh_endpoints_if_stale(self) -> None:
        """Look endpoints up again when the trusted set changed since they were classified."""
        if self.connection is not None and self.endpoints is not None and not self.labelling and self.classified_for != self.trust_key():
            self.discover_endpoints(self.connection, self.answers.region)

    @work(thread=True, exclusive=True, group="discover")
    def discover_endpoints(self, connection: Connection, region: str) -> None:
        """List the endpoints at once, then label them: the analyses take longer than the listing.

        The first list takes policy support from the templates; AWS's own catalogue of it (DescribeVpcEndpointServices,
        slow to page through, and half a second of the sandbox's CPU to build) is read before the labels."""
        from textual.worker import get_current_worker

        from tui.aws.discovery import default_trust, discover, labelled, service_support

        self.post_message(StatusChanged(N_("{connection} · looking for endpoints in {region}…"), {"connection": connection.label, "region": region}))
        trust = self.trust_key()  # classify against the accounts trusted here, not only the caller's
        try:
            endpoints = discover(connection, regions=[region], analysed=False, catalogue=False)
            self.post_message(EndpointsFound(connection, region, endpoints, None))
            if endpoints and not service_support(connection, region, ask=False):
                endpoints = discover(connection, regions=[region], analysed=False)
        except WizardError as exc:
            from tui.report.messages import error_in_language  # not before the first paint

            self.post_message(DiscoveryFailed(connection, region, error_in_language(exc)))
            return
        judged_against, worker = default_trust(connection, trust[0] or None, trust[1]), get_current_worker()
        labels = []
        for endpoint in endpoints:
            if worker.is_cancelled:  # a newer discovery (another region or trusted set) took over, or the app quits
                return
            labels.append(labelled(endpoint, judged_against))
        self.post_message(EndpointsFound(connection, region, labels, trust))

    @on(DiscoveryFailed)
    def _discovery_failed(self, message: DiscoveryFailed) -> None:
        self.set_status(N_("{connection} · discovery failed: {reason}"), connection=message.connection.label, reason=message.reason)

    @on(EndpointsFound)
    def _discovered(self, message: EndpointsFound) -> None:
        if message.region != self.answers.region:
            return  # the user moved on to another region meanwhile
        labelling = message.trust is None
        self.classified_for = message.trust
        self.labelling = labelling
        self.endpoints = message.endpoints
        template = N_("{connection} · {count} endpoint(s) in {region} · analysing their policies…") if labelling else N_("{connection} · {count} endpoint(s) in {region}")
        self.set_status(template, connection=message.connection.label, count=len(message.endpoints), region=message.region)
        if not labelling:
            return
        found = tuple(name for name, template in load_services().items()
                      if template.policy_supported and any(e.service == name for e in message.endpoints))
        if found and not self.services_chosen and set(found) != set(self.answers.services):
            self.answers = replace(self.answers, services=found)
            self.notify(_("Selected the services that have endpoints here: {services}.").format(services=", ".join(found)), title=_("Services"))

    # -- review actions (also in the command palette) ----------------------------------------------------

    def good_reviews(self) -> dict[str, ServiceReview]:
        """The reviews when every policy builds, validates and passes its checks; else WizardError saying why."""
        reviews = reviews_for(self.answers)
        if not reviews:
            raise WizardError(_("none of the chosen services takes an endpoint policy"))
        bad = [name for name, review in reviews.items() if not review.ok]
        if bad:
            raise WizardError(_("the {services} policy has errors or failed checks (see the review)").format(services=", ".join(bad)))
        return reviews

    def ready_reviews(self) -> dict[str, ServiceReview] | None:
        """`good_reviews`, or None after telling the user why not."""
        try:
            return self.good_reviews()
        except WizardError as exc:
            from tui.report.messages import error_in_language  # not before the first paint

            self.say(error_in_language(exc), title=_("Not ready"), severity="error")
            return None

    def _selected(self, reviews: dict[str, ServiceReview]) -> ServiceReview:
        return reviews.get(self.current_service) or next(iter(reviews.values()))

    def action_copy(self) -> None:
        from tui.app.clipboard import copy_text
        from tui.policy.renderers import render

        if reviews := self.ready_reviews():
            review = self._selected(reviews)
            fallback = state_dir() / "copied" / f"vpce-policy-{review.service}.json"
            self.say(copy_text(self, render({review.service: review.policy}, "json"), fallback), title=_("Copy"), timeout=10)

    def action_save(self) -> None:
        from tui.policy.renderers import render

        if reviews := self.ready_reviews():
            review = self._selected(reviews)
            self._save_as(_("Save the {service} policy").format(service=review.service), f"vpce-policy-{review.service}.json", render({review.service: review.policy}, "json"))

    def action_export(self, fmt: str) -> None:
        from tui.policy.renderers import render

        if reviews := self.ready_reviews():
            title, filename = TEMPLATE_EXPORTS[fmt]
            self._save_as(_("Export as {format}").format(format=title), filename, render({name: r.policy for name, r in reviews.items()}, fmt, self.answers.region))

    def action_save_answers(self) -> None:
        from tui.app.modals import PathModal

        try:
            answers = self.answers.checked()
        except WizardError as exc:
            from tui.report.messages import error_in_language  # not before the first paint

            self.say(error_in_language(exc), title=_("Answers incomplete"), severity="error")
            return

        def save(path: Path | None) -> None:
            if path is not None:
                self._write(path, lambda: save_answers(answers, path))

        self.push_screen(PathModal(_("Save the answers (replay with --answers)"), self.output_dir / "vpce-answers.json"), save)

    def _save_as(self, title: str, filename: str, text: str) -> None:
        from tui.app.modals import PathModal

        def save(path: Path | None) -> None:
            if path is not None:
                self._write(path, lambda: write_private(path, text))

        self.push_screen(PathModal(title, self.output_dir / filename), save)

    def _write(self, path: Path, write) -> None:
        try:
            saved = write()
        except OSError as exc:
            self.say(_("Cannot write {path}: {reason}").format(path=path, reason=exc.strerror or exc), severity="error")
            return
        self.say(_("Saved to {path} (readable only by you).").format(path=saved), title=_("Saved"))

    def action_toggle_perimeter(self) -> None:
        on_now = not self.answers.resource_perimeter
        self.answers = replace(self.answers, resource_perimeter=on_now)
        what = (_("Resource perimeter on: requests to resources outside the trusted accounts are denied.") if on_now
                else _("Resource perimeter off: only principals are checked."))
        self.notify(what, title=_("Perimeter"))

    async def action_change_region(self) -> None:
        """The region is picked on the services step."""
        if switching := self.goto("services"):
            await switching
        self.screen.query_one("#region").focus()

    async def _on_step(self, step: str, action: str) -> None:
        """Palette entries for a step's own actions: go there, then act as its key would."""
        if switching := self.goto(step):
            await switching
        if getattr(self.screen, "STEP", "") == step:
            await self.screen.run_action(action)

    def get_system_commands(self, screen: Screen):
        for command in super().get_system_commands(screen):  # Textual's own (theme, quit, keys, screenshot)
            yield command._replace(title=_(command.title), help=_(command.help))
        for name, title in STEPS:
            yield SystemCommand(_("Go to {step}").format(step=_(title)), _("Step {step}").format(step=_(title)), partial(self.goto, name))
        yield SystemCommand(_("Change region"), _("Pick another region on the services step"), self.action_change_region)
        yield SystemCommand(_("Copy policy"), _("Copy the reviewed policy (clipboard, OSC 52 or a private file)"), self.action_copy)
        yield SystemCommand(_("Save policy"), _("Save the reviewed policy as JSON (mode 0600)"), self.action_save)
        for fmt, (title, _filename) in TEMPLATE_EXPORTS.items():
            yield SystemCommand(_("Export {format}").format(format=title), _("Every policy as {format}").format(format=title), partial(self.action_export, fmt))
        yield SystemCommand(_("Save answers"), _("Save this session to replay with --answers"), self.action_save_answers)
        yield SystemCommand(_("Toggle resource perimeter"), _("Also deny resources outside the trusted accounts"), self.action_toggle_perimeter)
        yield SystemCommand(_("Apply…"), _("Apply the policies to the selected endpoints (asks first)"), partial(self._on_step, "apply", "apply"))
        yield SystemCommand(_("Roll back…"), _("Undo the highlighted result's write (asks first)"), partial(self._on_step, "apply", "rollback"))
        yield SystemCommand(_("Check against recent traffic…"), _("Replay CloudTrail records against the reviewed policy"), partial(self._on_step, "review", "traffic"))
        yield SystemCommand(_("Help"), _("The threat and the keys"), self.action_help)
        if self.connection is None and self.sandbox is None:
            yield SystemCommand(_("Start the sandbox"), _("A local AWS emulator with demo endpoints"), self.action_start_sandbox)
        for language, name in LANGUAGE_NAMES.items():
            if language != current_language():  # "Language" in both languages, so either finds it
                yield SystemCommand(f"Language / 言語: {name}", _("Show the wizard in {language} (remembered)").format(language=name),
                                    partial(self.change_language, language))

    def change_language(self, language: str) -> None:
        """Speak `language` from now on, remember it, and draw the current step again in it."""
        set_language(language)
        save_setting("language", language)
        step = getattr(self.screen, "STEP", "")
        if step:
            screen = step_screen(step)()
            if len(self.screen_stack) == 1:
                self.push_screen(screen)
            else:
                self.switch_screen(screen)
        self.set_status(*self.status_source[:1], **self.status_source[1])

def create_app(
    answers: Answers | None = None,
    *,
    profile: str | None = None,
    region: str | None = None,
    endpoint_url: str | None = None,
    sandbox: bool = False,
    offline: bool = False,
    output_dir: Path | None = None,
    language: str | None = None,
    emulator: EmulatorProcess | None = None,
) -> WizardApp:
    """The one way to build the wizard, shared by `launch` and the tests; `offline` skips connecting; `language`
    (en, ja) is spoken from now on (None keeps the language already chosen: see `launch`); `emulator` is the
    sandbox's process when it was started already.

    Raises InputError for a region that does not exist, before any screen opens.
    """
    if language is not None:
        set_language(language)
    chosen = answers is not None
    if answers is None:
        answers = Answers(public_buckets=tuple(load_catalog().defaults()))
    if region:
        answers = replace(answers, region=check_region(region))
    check_region(answers.region)
    target = None if offline or sandbox else {"profile": profile, "region": region, "endpoint_url": endpoint_url}
    return WizardApp(answers, target, sandbox, output_dir or Path.cwd(), chosen, region_chosen=chosen or bool(region), emulator=emulator)
