"""The `vpce-wizard` entry point: no sub-command opens the wizard; sub-commands serve scripts and CI.

Every expected failure (bad input, AWS errors) ends as one `error:` line and a non-zero exit, never a traceback.
"""

import argparse
import gc
import os
import sys
from collections.abc import Iterable
from typing import NoReturn

from tui import __version__
from tui.policy.errors import WizardError
from tui.report.escape import visible
from tui.report.i18n import (
    LANGUAGES,
    N_,
    _,
    cell_width,
    language_option,
    ngettext,
    resolve_language,
    set_language,
    wrap,
)
from tui.report.messages import error_in_language

PIPE_CLOSED = 141
"""The exit status when the reader closed the output early, as a shell reports a process SIGPIPE ended
(128 + 13): not 0, so `set -o pipefail` never takes an unread verdict for a pass."""

CONNECTION_OPTIONS = (
    ("--profile", "P", N_("named profile (default: AWS_PROFILE)")),
    ("--region", "R", N_("region (default: AWS_REGION / AWS_DEFAULT_REGION / profile)")),
    ("--endpoint-url", "URL", N_("AWS API endpoint, e.g. the sandbox (default: AWS_ENDPOINT_URL)")),
)

# argparse's own words a user of this CLI meets (Python 3.11's msgids), marked here so the catalog keeps them.
ARGPARSE_WORDS = (
    N_("usage: "), N_("positional arguments"), N_("options"), N_("show this help message and exit"),
    N_("%(prog)s: error: %(message)s\n"),
    N_("argument %(argument_name)s: %(message)s"), N_("the following arguments are required: %s"),
    N_("one of the arguments %s is required"), N_("not allowed with argument %s"), N_("unrecognized arguments: %s"),
    N_("expected one argument"), N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("invalid %(type)s value: %(value)r"), N_("ambiguous option: %(option)s could match %(matches)s"),
)


class HelpFormatter(argparse.HelpFormatter):
    """argparse's layout, wrapped by terminal columns so Japanese help lines fit the terminal too."""

    def _split_lines(self, text: str, width: int) -> list[str]:
        return wrap(text, width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "\n".join(indent + line for line in wrap(text, width - len(indent)))

    def _format_usage(self, usage: str | None, actions: Iterable[argparse.Action],
                      groups: Iterable[argparse._MutuallyExclusiveGroup], prefix: str | None) -> str:
        """argparse aligns the usage's continuation lines by `len(prefix)`; "使い方: " is 5 characters but 8
        columns. It lays the usage out behind spaces as wide as the prefix, which then takes their place."""
        prefix = _("usage: ") if prefix is None else prefix
        stand_in = " " * cell_width(prefix)
        return prefix + super()._format_usage(usage, actions, groups, stand_in)[len(stand_in):]


def add_connection_options(parser: argparse.ArgumentParser, *, subcommand: bool = False, skip: tuple[str, ...] = ()) -> None:
    """The AWS CLI's connection flags; each falls back to the same environment variables boto3 reads.

    On a sub-command they get no default, so `vpce-wizard --region R apply` keeps R (argparse would
    otherwise let the sub-parser's None overwrite the top-level value).
    """
    for flag, metavar, help_text in CONNECTION_OPTIONS:
        if flag in skip:
            continue
        default = argparse.SUPPRESS if subcommand else None
        parser.add_argument(flag, metavar=metavar, help=_(help_text), default=default)


def add_language_option(parser: argparse.ArgumentParser, *, subcommand: bool = False) -> None:
    """`--lang` before or after the sub-command (read early by `main`, since the help itself is translated)."""
    default = argparse.SUPPRESS if subcommand else None
    parser.add_argument("--lang", choices=LANGUAGES, default=default,
                        help=_("language of messages (default: LC_ALL / LC_MESSAGES / LANG, else en)"))


def build_parser(*, commands: bool = True) -> argparse.ArgumentParser:
    """The whole command line; `commands=False` gives the wizard's options alone (see `wizard_arguments`)."""
    parser = argparse.ArgumentParser(
        prog="vpce-wizard",
        formatter_class=HelpFormatter,
        description=_("Build, check and safely apply VPC endpoint policies that admit only trusted accounts. "
                      "Without a sub-command, opens the interactive wizard."),
    )
    parser.add_argument("--version", action="version", version=f"vpce-wizard {__version__}",
                        help=_("show program's version number and exit"))
    add_language_option(parser)
    add_connection_options(parser)
    parser.add_argument("--answers", metavar="FILE", help=_("open the wizard with a saved session"))
    parser.add_argument("--sandbox", action="store_true", help=_("open the wizard against a local AWS emulator with demo endpoints"))
    if not commands:
        return parser
    from tui.commands import aws as aws_commands
    from tui.commands import check as check_commands
    from tui.commands import export as export_commands
    from tui.commands import impact as impact_commands
    from tui.commands import policy as policy_commands

    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    policy_commands.register(subparsers)
    check_commands.register(subparsers, add_connection_options)
    aws_commands.register(subparsers, add_connection_options)
    export_commands.register(subparsers, add_connection_options)
    impact_commands.register(subparsers, add_connection_options)
    for subparser in subparsers.choices.values():
        subparser.formatter_class = HelpFormatter
        add_language_option(subparser, subcommand=True)
    return parser


def speak(argv: list[str]) -> None:
    """Choose the language before the parser exists: its help texts, and argparse's own words ("usage:",
    "options:", its errors), are translated. argparse looks its `_` and `ngettext` up in its module at
    call time, so pointing them at ours is enough; in English ours returns the text unchanged."""
    set_language(resolve_language(language_option(argv)))
    argparse._ = _  # type: ignore[attr-defined]
    argparse.ngettext = ngettext  # type: ignore[attr-defined]


def run_wizard(args: argparse.Namespace) -> int:
    """Open the Textual wizard (imported only here, so headless commands stay light). A region that does not
    exist, or a missing sandbox extra, is refused first with one line, not inside a half-drawn screen.

    The garbage collector waits until the first screen is drawn (`WizardApp.on_ready` freezes what start-up made
    and turns it back on): start-up makes some 60,000 long-lived objects the collector tracks (modules, classes,
    functions, styles) and its collections, scanning them again and again, cost about 40 ms of the first paint."""
    gc.disable()
    try:
        from tui.policy.identifiers import check_region

        if args.region is not None:
            check_region(args.region)
        if args.sandbox:
            from tui.aws.sandbox import check_emulator_installed, spawn_sandbox

            check_emulator_installed()
            args.emulator = spawn_sandbox()  # at once: it starts on another core while the wizard draws
        from tui.app.launch import launch

        return launch(args)
    finally:
        gc.enable()
        if getattr(args, "emulator", None) is not None:  # stopped already when the wizard ran; not if it failed first
            args.emulator.stop()


class _NotTheWizard(Exception):
    """The wizard's own options do not cover the command line: the whole parser reads it."""


def _refuse(message: str) -> NoReturn:
    raise _NotTheWizard(message)


def wizard_arguments(argv: list[str]) -> argparse.Namespace | None:
    """The wizard's options when `argv` names no sub-command, read without importing or building the
    sub-commands (they would delay the first paint); None when the whole parser must read it (a sub-command,
    help, or a mistake, so its messages and usage stay the full parser's)."""
    if "-h" in argv or "--help" in argv:
        return None
    parser = build_parser(commands=False)
    parser.error = _refuse  # type: ignore[method-assign]
    try:
        args, rest = parser.parse_known_args(argv)
    except _NotTheWizard:
        return None
    if rest:
        return None
    args.command = None
    return args


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    speak(arguments)
    args = wizard_arguments(arguments) or build_parser().parse_args(argv)
    try:
        if args.command is None:
            return run_wizard(args)
        return args.func(args)
    except WizardError as exc:
        print(_("error: {message}").format(message=visible(error_in_language(exc))), file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(_("interrupted"), file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader left early (`| head`): the output, a verdict maybe, was not all read
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so the exit's flush cannot fail again
        return PIPE_CLOSED
