"""The `vpce-wizard` entry point: no sub-command opens the wizard; sub-commands serve scripts and CI.

Every expected failure (bad input, AWS errors) ends as one `error:` line and a non-zero exit, never a traceback.
"""

import argparse
import sys

from tui import __version__
from tui.commands import aws as aws_commands
from tui.commands import export as export_commands
from tui.commands import check as check_commands
from tui.commands import impact as impact_commands
from tui.commands import policy as policy_commands
from tui.policy.errors import WizardError
from tui.report.escape import visible


CONNECTION_OPTIONS = (
    ("--profile", "P", "named profile (default: AWS_PROFILE)"),
    ("--region", "R", "region (default: AWS_REGION / AWS_DEFAULT_REGION / profile)"),
    ("--endpoint-url", "URL", "AWS API endpoint, e.g. the sandbox (default: AWS_ENDPOINT_URL)"),
)


def add_connection_options(parser: argparse.ArgumentParser, *, subcommand: bool = False, skip: tuple[str, ...] = ()) -> None:
    """The AWS CLI's connection flags; each falls back to the same environment variables boto3 reads.

    On a sub-command they get no default, so `vpce-wizard --region R apply` keeps R (argparse would
    otherwise let the sub-parser's None overwrite the top-level value).
    """
    for flag, metavar, help_text in CONNECTION_OPTIONS:
        if flag in skip:
            continue
        default = argparse.SUPPRESS if subcommand else None
        parser.add_argument(flag, metavar=metavar, help=help_text, default=default)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vpce-wizard",
        description="Build, check and safely apply VPC endpoint policies that admit only trusted accounts. "
        "Without a sub-command, opens the interactive wizard.",
    )
    parser.add_argument("--version", action="version", version=f"vpce-wizard {__version__}")
    add_connection_options(parser)
    parser.add_argument("--answers", metavar="FILE", help="open the wizard with a saved session")
    parser.add_argument("--sandbox", action="store_true", help="open the wizard against a local AWS emulator with demo endpoints")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    policy_commands.register(subparsers)
    check_commands.register(subparsers)
    aws_commands.register(subparsers, add_connection_options)
    export_commands.register(subparsers, add_connection_options)
    impact_commands.register(subparsers, add_connection_options)
    return parser


def run_wizard(args: argparse.Namespace) -> int:
    """Open the Textual wizard (imported only here, so headless commands stay light). A region that does not
    exist, or a missing sandbox extra, is refused first with one line, not inside a half-drawn screen."""
    from tui.policy.identifiers import check_region

    if args.region is not None:
        check_region(args.region)
    if args.sandbox:
        from tui.aws.sandbox import emulator_class

        emulator_class()
    from tui.app.launch import launch

    return launch(args)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command is None:
            return run_wizard(args)
        return args.func(args)
    except WizardError as exc:
        print(f"error: {visible(exc)}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
